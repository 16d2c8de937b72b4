"""``podkit status``: every episode with its stages, and the files that are not episodes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog import CATALOG_NAME, Catalog, StageRecord
from ..config import load_show, load_sidecar, sidecar_path
from ..errors import PodkitError
from ..records import NormaliseResult, TagResult
from .stages import STAGE_NAMES, edited_files, stage_result


@dataclass(frozen=True)
class EpisodeStatus:
    slug: str
    guid: str
    source: str
    recording_present: bool
    sha256: str
    first_seen: str
    pub_date: str
    sidecar: str | None  # its file name, when it has one
    stages: dict[str, StageRecord | None]  # None: not run yet
    loudness: NormaliseResult | None = None  # when normalised
    edited: tuple[str, ...] = ()  # its files the host edited (podkit keeps them and follows them)
    title: str = ""  # as published (the sidecar's, or the lead story's headline)
    imported_from: str = ""  # podkit import: the URL its audio came from ("": recorded for this show)

    def to_dict(self) -> dict[str, Any]:
        stages: dict[str, Any] = {}
        for name, rec in self.stages.items():
            stages[name] = (
                {"status": "pending"}
                if rec is None
                else {
                    "status": rec.status,
                    "error": rec.error,
                    "seconds": rec.seconds,
                    "finished_at": rec.finished_at,
                    "result": rec.result,
                    "warnings": rec.warnings,
                }
            )
        return {
            "slug": self.slug,
            "guid": self.guid,
            "source": self.source,
            "recording_present": self.recording_present,
            "sha256": self.sha256,
            "first_seen": self.first_seen,
            "pub_date": self.pub_date,
            "stages": stages,
            "sidecar": self.sidecar,
            "edited": list(self.edited),
            "title": self.title,
            "imported": bool(self.imported_from),
            "imported_from": self.imported_from,
        }


@dataclass(frozen=True)
class ShowStatus:
    show: str
    episodes: list[EpisodeStatus] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # source -> one-line reason

    def to_dict(self) -> dict[str, Any]:
        """What ``podkit status --json`` prints."""
        return {"show": self.show, "episodes": [e.to_dict() for e in self.episodes], "problems": self.problems}


def _imported_from(recording: Path) -> str:
    """Where an imported episode's audio came from (its sidecar says); "" for any other."""
    try:
        return load_sidecar(recording).imported_from
    except PodkitError:  # a broken sidecar: ingest reports it
        return ""


def show_status(root: str | Path) -> ShowStatus:
    show = load_show(root)
    if not (show.state_dir / CATALOG_NAME).exists():
        return ShowStatus(show.title)
    with Catalog(show.state_dir, create=False) as catalog:
        episodes = []
        for row in catalog.episodes():
            recording = show.audio_dir / row.source
            side = sidecar_path(recording)
            episodes.append(
                EpisodeStatus(
                    slug=row.slug,
                    guid=row.guid,
                    source=row.source,
                    recording_present=recording.exists(),
                    sha256=row.sha256,
                    first_seen=row.first_seen,
                    pub_date=row.pub_date,
                    sidecar=side.name if side.exists() else None,
                    stages={name: row.stages.get(name) for name in STAGE_NAMES},
                    loudness=stage_result(row, "normalise", NormaliseResult),
                    title=tagged.item.title if (tagged := stage_result(row, "tag", TagResult)) else "",
                    imported_from=_imported_from(recording),
                    edited=tuple(
                        str(p.relative_to(show.root))
                        for p in edited_files(show.state_dir, show.transcripts_dir, row.slug)
                    ),
                )
            )
        return ShowStatus(show.title, episodes, catalog.problems())
