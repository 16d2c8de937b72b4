"""ingest: find recordings in audio/, validate sidecars, give each new one its GUID and slug.

A recording is known by the SHA-256 of its bytes, so renaming or re-dropping it does not
make a new episode. Files that cannot become episodes are returned as problems, one line each.

One module, not a package like the other stages: ingest has no options, no heavy
dependencies and no files of its own to write; it produces the ``Episode`` record that the
runner carries through the stages, so that record lives here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, EpisodeRow, utc_now
from .config import AUDIO_EXTENSIONS, ShowConfig, Sidecar, load_sidecar, sidecar_path
from .errors import ConfigError, MediaError, PodkitError
from .fsutil import sha256_file

# Names a copy or sync tool uses while a file is still arriving: left alone until renamed.
IN_PROGRESS_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", "~")


def slugify(name: str) -> str:
    """Lowercase ASCII letters, digits and hyphens: 'Épisode 1: Café!' -> 'episode-1-cafe'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:80].rstrip("-") or "episode"


def title_from_name(stem: str) -> str:
    return re.sub(r"[_\s]+", " ", stem).strip() or stem


@dataclass
class Episode:
    """One recording on its way to a published episode."""

    row: EpisodeRow
    recording: Path  # the recording; for a multitrack episode, its sidecar
    sidecar: Sidecar
    tracks: tuple[Path, ...] = ()  # one file per speaker, mixed for publishing

    @property
    def slug(self) -> str:
        return self.row.slug

    @property
    def guid(self) -> str:
        return self.row.guid

    @property
    def source(self) -> str:
        return self.row.source

    @property
    def title(self) -> str:
        return self.sidecar.title or title_from_name(self.recording.stem)

    @property
    def pub_date(self) -> dt.datetime:
        return self.sidecar.pub_date or dt.datetime.fromisoformat(self.row.pub_date)


# sha256 -> (recording, or a multitrack episode's sidecar; its sidecar; its tracks)
Found = dict[str, tuple[Path, Sidecar, tuple[Path, ...]]]
Multitrack = tuple[str, Path, Sidecar, tuple[Path, ...]]  # (digest, sidecar path, sidecar, tracks)


@dataclass
class Ingested:
    episodes: list[Episode] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # source -> one-line reason
    notes: list[str] = field(default_factory=list)  # worth saying, not failures


def _hash(catalog: Catalog, path: Path, source: str) -> str:
    st = path.stat()
    cached = catalog.cached_hash(source, st.st_size, st.st_mtime_ns)
    if cached:
        return cached
    digest = sha256_file(path)
    catalog.store_hash(source, st.st_size, st.st_mtime_ns, digest)
    return digest


def candidates(audio_dir: Path) -> tuple[list[Path], list[Path], dict[str, str], list[str]]:
    """Recordings and lone sidecars in ``audio_dir``, plus problems (unsupported files) and notes."""
    recordings: list[Path] = []
    lone: list[Path] = []
    problems: dict[str, str] = {}
    notes: list[str] = []
    if not audio_dir.is_dir():
        return recordings, lone, problems, notes
    entries = sorted(audio_dir.iterdir())
    audio_stems = {p.stem for p in entries if p.suffix.lower() in AUDIO_EXTENSIONS}
    for path in entries:
        name = path.name
        if name.startswith(".") or name.endswith(IN_PROGRESS_SUFFIXES):
            continue  # hidden, or still being copied
        if path.is_dir():
            notes.append(f"{path}: folders inside audio/ are not read; put recordings directly in audio/")
        elif path.suffix.lower() == ".toml":
            if path.stem not in audio_stems:
                lone.append(path)  # a multitrack episode's, or one waiting for its recording
        elif path.suffix.lower() in AUDIO_EXTENSIONS:
            recordings.append(path)
        else:
            problems[name] = (
                f"{path}: unsupported file type '{path.suffix or name}'; podkit reads {' '.join(AUDIO_EXTENSIONS)}"
            )
    return recordings, lone, problems, notes


def _track_episodes(catalog: Catalog, audio_dir: Path, lone: list[Path], out: Ingested) -> list[Multitrack]:
    """Sidecars that name their tracks: (digest, sidecar path, sidecar, track paths) each."""
    found: list[Multitrack] = []
    for side_path in lone:
        try:
            sidecar = load_sidecar(side_path)
        except PodkitError as exc:
            out.problems[side_path.name] = str(exc)
            continue
        if not isinstance(sidecar.tracks, tuple):
            out.notes.append(f"{side_path}: sidecar without a recording named {side_path.stem}.*")
            continue
        tracks = tuple(audio_dir / name for name in sidecar.tracks)
        missing = [t.name for t in tracks if not t.is_file()]
        empty = [t.name for t in tracks if t.is_file() and t.stat().st_size == 0]
        if missing or empty:
            what = (
                f"track {', '.join(missing)} not found in audio/" if missing else f"track {', '.join(empty)} is empty"
            )
            out.problems[side_path.name] = f"{side_path}: {what}; copy it in or fix 'tracks'"
            continue
        digest = hashlib.sha256(("tracks:" + ",".join(_hash(catalog, t, t.name) for t in tracks)).encode()).hexdigest()
        found.append((digest, side_path, sidecar, tracks))
    return found


def ingest(show: ShowConfig, catalog: Catalog, *, settle: float = 0.0) -> Ingested:
    """``settle``: leave alone files modified less than this many seconds ago (still arriving)."""
    out = Ingested()
    recordings, lone, out.problems, out.notes = candidates(show.audio_dir)
    if settle > 0:
        started = time.time()
        arriving = [p for p in recordings if started - p.stat().st_mtime < settle]
        for path in arriving:
            out.notes.append(f"{path}: still arriving; taken once unchanged for {settle:g} s")
        recordings = [p for p in recordings if p not in arriving]
    multitrack = _track_episodes(catalog, show.audio_dir, lone, out)
    claimed = {t for *_, tracks in multitrack for t in tracks}
    hashed: list[tuple[str, Path, Sidecar]] = []
    for path in recordings:
        if path in claimed:
            continue  # one speaker's track of a multitrack episode
        source = path.name
        try:
            if path.stat().st_size == 0:
                raise MediaError("is empty (0 bytes); copy the recording again", path=path)
            sidecar = load_sidecar(path)
            digest = _hash(catalog, path, source)
        except PodkitError as exc:
            out.problems[source] = str(exc)
            continue
        hashed.append((digest, path, sidecar))

    # The same bytes under two names: the one the catalog knows, else the first dropped, wins.
    known_sources = {ep.source for ep in catalog.episodes()}
    hashed.sort(key=lambda h: (h[1].name not in known_sources, h[1].stat().st_mtime_ns, h[1].name))
    found: Found = {}
    for digest, path, sidecar in hashed:
        if digest in found:
            out.notes.append(f"{path}: same recording as {found[digest][0].name}; published once")
            continue
        found[digest] = (path, sidecar, ())
    for digest, side_path, sidecar, tracks in multitrack:
        found[digest] = (side_path, sidecar, tracks)
    _one_recording_per_episode_number(found, out)
    known = {ep.sha256: ep for ep in catalog.episodes()}
    for digest, (path, sidecar, tracks) in found.items():
        row = known.get(digest)
        if row is None:
            try:
                row = _same_guid(catalog, digest, path, sidecar, known, found, out) or _new_episode(
                    catalog, digest, path, sidecar, known, found
                )
            except PodkitError as exc:
                out.problems[path.name] = str(exc)
                continue
            known[digest] = row
        elif row.source != path.name:
            catalog.update_episode(row.id, source=path.name)  # renamed: same episode
            row.source = path.name
        if sidecar.slug and sidecar.slug != row.slug:
            out.notes.append(f"{sidecar_path(path)}: slug stays {row.slug!r}; a published episode's URL never changes")
        if sidecar.guid and sidecar.guid != row.guid:
            out.notes.append(
                f"{sidecar_path(path)}: guid stays {row.guid!r} (given when podkit first saw this recording); "
                "a published episode's GUID never changes"
            )
        out.episodes.append(Episode(row=row, recording=path, sidecar=sidecar, tracks=tracks))
    return out


def _one_recording_per_episode_number(found: Found, out: Ingested) -> None:
    """Two recordings claiming one (season, episode) number: the second is an error."""
    claimed: dict[tuple[int | None, int], Path] = {}
    for digest, (path, sidecar, _) in sorted(found.items(), key=lambda kv: kv[1][0].stat().st_mtime_ns):
        if sidecar.episode is None:
            continue
        key = (sidecar.season, sidecar.episode)
        if key in claimed:
            what = f"episode {sidecar.episode}" + (f" of season {sidecar.season}" if sidecar.season else "")
            out.problems[path.name] = (
                f"{sidecar_path(path)}: {what} is already {claimed[key].name}; "
                "give this recording another episode number"
            )
            del found[digest]
        else:
            claimed[key] = path


def _same_guid(
    catalog: Catalog,
    digest: str,
    path: Path,
    sidecar: Sidecar,
    known: dict[str, EpisodeRow],
    found: Found,
    out: Ingested,
) -> EpisodeRow | None:
    """The episode the sidecar's ``guid`` names, when the catalog has it under other bytes:
    a new copy of its recording (downloaded again, say) is the same episode, which keeps its
    GUID, slug and date. Two recordings here claiming one GUID: the second is an error."""
    if not sidecar.guid:
        return None
    other = catalog.episode(guid=sidecar.guid)
    if other is None:
        return None
    if other.sha256 in found:
        raise ConfigError(
            f"guid {sidecar.guid!r} is already that of {found[other.sha256][0].name}; a GUID names one "
            f"episode: give {sidecar_path(path).name} another guid, or remove it",
            path=path,
        )
    catalog.update_episode(other.id, sha256=digest, source=path.name)
    known.pop(other.sha256, None)
    row = catalog.episode(id=other.id)
    assert row is not None
    out.notes.append(f"{path}: a new copy of episode {row.slug}'s recording (same guid): it keeps its GUID and URL")
    return row


def _new_episode(
    catalog: Catalog, digest: str, path: Path, sidecar: Sidecar, known: dict[str, EpisodeRow], found: Found
) -> EpisodeRow:
    by_slug = {ep.slug: ep for ep in known.values()}
    wanted = sidecar.slug or slugify(path.stem)
    slug, n = wanted, 1
    while slug in by_slug:
        other = by_slug[slug]
        tagged = other.stages.get("tag")
        if other.sha256 not in found and not (tagged and tagged.status == "done"):
            # An unfinished episode whose recording is gone (replaced by this one): drop it.
            catalog.remove_episode(other.id)
            known.pop(other.sha256, None)
            break
        if sidecar.slug:
            raise ConfigError(
                f"slug {slug!r} is already used by {other.source}; set another slug in {sidecar_path(path).name}",
                path=path,
            )
        n += 1
        slug = f"{wanted[:76]}-{n}"
    pub = sidecar.pub_date.isoformat() if sidecar.pub_date else utc_now()
    # The sidecar's guid where the episode had one before podkit (podkit import), else a new one.
    guid = sidecar.guid or str(uuid.uuid4())
    return catalog.add_episode(sha256=digest, guid=guid, slug=slug, source=path.name, pub_date=pub)
