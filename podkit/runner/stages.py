"""The stage adapters: each stage as a function of one episode, with what its output
depends on (its inputs, hashed into a fingerprint) and the files that must exist for its
record to hold.

The fingerprint rule: a stage is done for an episode when its record says so with the same
fingerprint and its files exist. The fingerprint hashes the stage's inputs (its options, the
fingerprints of the stages it reads, the sidecar values it uses) and the stage's ``version``.
Bump a stage's version whenever what it writes changes (its files or its record), so the
next run makes it again for every old episode; the stages after it follow through their
inputs. Version 1 hashes the inputs alone: that is how every fingerprint was made before
versions were recorded, so catalogs made then keep their stages.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from ..catalog import EpisodeRow
from ..config import ShowConfig
from ..errors import MediaError
from ..fsutil import atomic_path
from ..ingest import Episode
from ..notes.options import NotesOptions
from ..records import FeedItem, NormaliseResult, NotesResult, StageResult, StoryEntry, TagResult, TranscribeResult
from ..transcribe.options import TranscribeOptions
from .reporter import Reporter


class _Record(Protocol):
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self: ...


R = TypeVar("R", bound=_Record)


def stage_result(row: EpisodeRow, stage: str, kind: type[R]) -> R | None:
    """The record of ``stage`` when it is done, typed; None when it is not done, or when its
    record has another shape (made by another podkit: the stage runs again)."""
    rec = row.stages.get(stage)
    if rec is None or rec.status != "done":
        return None
    try:
        return kind.from_dict(rec.result)
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class Context:
    show: ShowConfig
    episode: Episode
    reporter: Reporter
    warnings: list[str] = field(default_factory=list)

    @property
    def base(self) -> Path:
        """``transcripts/<slug>``: add a suffix for each of the episode's files."""
        return self.show.transcripts_dir / self.episode.slug

    def file(self, suffix: str) -> Path:
        return self.base.with_name(f"{self.base.name}.{suffix}")

    @property
    def work_mp3(self) -> Path:
        return self.show.work_dir / f"{self.episode.slug}.mp3"

    @property
    def media_mp3(self) -> Path:
        return self.show.media_dir / f"{self.episode.slug}.mp3"

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.show.root))

    def needs(self, stage: str, kind: type[R]) -> R:
        """The record of a stage this one reads (the runner ran it first)."""
        found = stage_result(self.episode.row, stage, kind)
        if found is None:
            raise MediaError(f"the {stage} stage has no usable result; run podkit again", path=self.episode.recording)
        return found

    def fingerprint_of(self, stage: str) -> str | None:
        rec = self.episode.row.stages.get(stage)
        return rec.fingerprint if rec else None


# -- normalise --------------------------------------------------------------------------------


def _normalise_inputs(ctx: Context) -> dict[str, Any]:
    return {"recording": ctx.episode.row.sha256, "options": asdict(ctx.show.normalise)}


def _normalise(ctx: Context) -> NormaliseResult:
    from ..ffmpeg import mix
    from ..normalise import normalise

    source = ctx.episode.recording
    mixed = ctx.show.work_dir / f"{ctx.episode.slug}.mix.wav"
    with contextlib.ExitStack() as stack:
        if ctx.episode.tracks:  # one file per speaker: the published audio is their mix
            source = stack.enter_context(atomic_path(mixed))
            mix(list(ctx.episode.tracks), source)
        with atomic_path(ctx.work_mp3) as tmp:
            result = normalise(source, tmp, ctx.show.normalise, progress=ctx.reporter.progress)
    with contextlib.suppress(FileNotFoundError):
        mixed.unlink()
    return result


# -- transcribe -------------------------------------------------------------------------------


def _transcribe_options(ctx: Context) -> TranscribeOptions:
    # The JSON transcript is what the notes stage (and the feed) read: always written.
    options = ctx.show.transcribe
    return dataclasses.replace(options, formats=tuple(dict.fromkeys(["json", *options.formats])))


def _transcribe_inputs(ctx: Context) -> dict[str, Any]:
    side = ctx.episode.sidecar
    return {
        "audio": ctx.fingerprint_of("normalise"),
        "options": asdict(_transcribe_options(ctx)),
        "speakers": list(side.speakers),
        "tracks": side.tracks,
    }


def _transcribe_outputs(ctx: Context) -> list[Path]:
    return [ctx.file(fmt) for fmt in _transcribe_options(ctx).formats]


def _transcribe(ctx: Context) -> TranscribeResult:
    from ..transcribe import transcribe_file, transcribe_tracks, write

    options = _transcribe_options(ctx)
    side = ctx.episode.sidecar
    if ctx.episode.tracks:
        # Each speaker's own file, shifted onto the published (trimmed) mix's timeline.
        norm = ctx.needs("normalise", NormaliseResult)
        transcript = transcribe_tracks(
            list(ctx.episode.tracks),
            options,
            speakers=side.speakers,
            offset=norm.start_s,
            duration=norm.duration,
            progress=ctx.reporter.progress,
        )
    else:
        tracks = side.tracks if isinstance(side.tracks, str) else None
        transcript = transcribe_file(
            ctx.work_mp3, options, speakers=side.speakers, tracks=tracks, progress=ctx.reporter.progress
        )
    files = write(transcript, ctx.base, options.formats)
    return TranscribeResult(
        language=transcript.language,
        duration=round(transcript.duration, 3),
        segments=len(transcript.segments),
        words=sum(len(s.words) for s in transcript.segments),
        engine=options.engine,
        model=options.model,
        files=tuple(ctx.relative(f) for f in files),
    )


# -- notes ------------------------------------------------------------------------------------


def _notes_options(ctx: Context) -> NotesOptions:
    return dataclasses.replace(ctx.show.notes, stories=ctx.episode.sidecar.stories)


def _notes_inputs(ctx: Context) -> dict[str, Any]:
    return {
        "transcript": ctx.fingerprint_of("transcribe"),
        "options": asdict(_notes_options(ctx)),
        "links": [vars(link) for link in ctx.episode.sidecar.links],
        "rundown": ctx.episode.sidecar.to_dict()["rundown"],
        "description": ctx.episode.sidecar.description,
    }


def _notes_outputs(ctx: Context) -> list[Path]:
    return [ctx.file(suffix) for suffix in ("chapters.json", "notes.md", "notes.html")]


def _notes(ctx: Context) -> NotesResult:
    from ..notes import chapter_list, make_notes, write_notes
    from ..transcribe import read_json

    transcribed = ctx.needs("transcribe", TranscribeResult)
    transcript = read_json(ctx.file("json"), language=transcribed.language)
    duration = ctx.needs("normalise", NormaliseResult).duration
    transcript.duration = max(transcript.duration, duration)
    side = ctx.episode.sidecar
    notes = make_notes(transcript, side.links, _notes_options(ctx), rundown=side.rundown, description=side.description)
    if notes.stories:
        notes.stories[-1].end = duration
    ctx.warnings.extend(notes.warnings)
    files = write_notes(notes, ctx.base)
    return NotesResult(
        stories=tuple(
            StoryEntry(
                start=round(st.start, 2),
                end=round(st.end, 2),
                title=st.title,
                summary=st.summary,
                links=tuple(link.url for link in st.links),
                kind=st.kind,
            )
            for st in notes.stories
        ),
        unassigned_links=tuple(link.url for link in notes.links),
        chapter_list=chapter_list(notes),
        files=tuple(ctx.relative(f) for f in files),
        synopsis=notes.synopsis,
    )


# -- tag --------------------------------------------------------------------------------------


def _tag_inputs(ctx: Context) -> dict[str, Any]:
    show = ctx.show
    cover = None
    if show.cover and show.cover.exists():
        st = show.cover.stat()
        cover = [str(show.cover), st.st_size, st.st_mtime_ns]
    return {
        "audio": ctx.fingerprint_of("normalise"),
        "notes": ctx.fingerprint_of("notes"),
        "sidecar": ctx.episode.sidecar.to_dict(),
        "title": ctx.episode.title,
        "pub_date": ctx.episode.pub_date.isoformat(),
        "guid": ctx.episode.guid,
        "show": [show.title, show.author, show.resolved_feed_url, show.language, show.tag.id3_version],
        "cover": cover,
    }


def _tag(ctx: Context) -> TagResult:
    from ..tag import Chapter, TagInfo, read_cover, tag_file

    show, ep, side = ctx.show, ctx.episode, ctx.episode.sidecar
    cover = None
    if show.cover:
        cover, warnings = read_cover(show.cover)
        ctx.warnings.extend(warnings)
    notes = stage_result(ep.row, "notes", NotesResult)
    stories = notes.stories if notes else ()
    description = side.description or (notes.synopsis if notes else "")
    if notes and stories:  # "00:00 Title" lines: Apple Podcasts shows them as chapters
        description = (description + "\n\n" if description else "") + notes.chapter_list
    info = TagInfo(
        title=ep.title,
        show=show.title,
        author=show.author,
        date=ep.pub_date,
        description=description,
        guid=ep.guid,
        feed_url=show.resolved_feed_url,
        language=show.language,
        episode=side.episode,
        cover=cover,
        id3_version=show.tag.id3_version,
        chapters=tuple(Chapter(st.start, st.end, st.title, st.links[0] if st.links else None) for st in stories),
    )
    frames = tag_file(ctx.work_mp3, ctx.media_mp3, info)
    # What the feed says of the episode, kept with it (the recording may later be removed).
    item = FeedItem(
        title=info.title,
        description=info.description,
        pub_date=ep.pub_date.isoformat(),
        season=side.season,
        episode=side.episode,
        episode_type=side.episode_type,
        explicit=side.explicit,
        speakers=side.speakers,
    )
    return TagResult(frames=tuple(frames), file=ctx.relative(ctx.media_mp3), item=item)


# -- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    name: str
    version: int  # bump when what the stage writes changes (see the module's docstring)
    run: Callable[[Context], StageResult]
    inputs: Callable[[Context], dict[str, Any]]
    outputs: Callable[[Context], list[Path]]  # files that must exist for "done" to hold
    result: type[StageResult]

    def fingerprint(self, ctx: Context) -> str:
        return fingerprint(self.inputs(ctx), self.version)


STAGES: tuple[Stage, ...] = (
    Stage("normalise", 1, _normalise, _normalise_inputs, lambda c: [c.work_mp3], NormaliseResult),
    Stage("transcribe", 1, _transcribe, _transcribe_inputs, _transcribe_outputs, TranscribeResult),
    # 2: clock labels round down (as the transcript's always did); stories split by subject changes too
    # 3: parts have kinds (intro, sponsor, short, outro); a rundown to follow; synopsis; headings
    Stage("notes", 3, _notes, _notes_inputs, _notes_outputs, NotesResult),
    # 2: the result keeps the feed's item data
    Stage("tag", 2, _tag, _tag_inputs, lambda c: [c.media_mp3], TagResult),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


def fingerprint(inputs: dict[str, Any], version: int = 1) -> str:
    """16 hex digits of the SHA-256 of ``inputs`` and ``version`` (version 1: the inputs alone)."""
    data = inputs if version == 1 else {**inputs, "version": version}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def needs_run(stage: Stage, ctx: Context, fp: str) -> bool:
    rec = ctx.episode.row.stages.get(stage.name)
    if rec is None or rec.status != "done" or rec.fingerprint != fp:
        return True
    if stage_result(ctx.episode.row, stage.name, stage.result) is None:
        return True  # a record podkit can no longer read: make it again
    return not all(p.exists() for p in stage.outputs(ctx))
