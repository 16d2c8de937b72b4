"""The runner: ingest, then each episode through the stages, with resume and isolation.

It owns the order, the catalog writes, the lock, and failure isolation: a recording that
fails is recorded with its reason and the others go on. A stage is skipped when its record
says done with the same input fingerprint, so a run after a crash redoes only what was cut.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import tag
from .catalog import Catalog, ShowLock
from .config import ShowConfig, load_show, sidecar_path
from .errors import PodkitError
from .ffmpeg import mix
from .fsutil import atomic_path, remove_stale_temps
from .ingest import ingest
from .model import Episode
from .normalise import normalise
from .notes import SegmentOptions, chapter_list, make_notes, write_notes
from .publish import publish
from .publish.feed import podcast_guid
from .transcribe import TranscribeOptions, transcribe_file, transcribe_tracks
from .transcribe import write as write_transcript

log = logging.getLogger(__name__)


class Reporter:
    """What the runner tells a front end. The default says nothing."""

    def episode(self, episode: Episode, stages: list[str]) -> None: ...
    def stage(self, episode: Episode, stage: str) -> None: ...
    def progress(self, step: str, done: float, total: float | None) -> None: ...
    def stage_done(self, episode: Episode, stage: str, seconds: float, error: str | None) -> None: ...
    def warn(self, message: str) -> None: ...


@dataclass
class Outcome:
    source: str
    slug: str | None
    error: str | None = None
    ran: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class RunReport:
    outcomes: list[Outcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    feed: object = None  # Path of public/feed.xml once published
    feed_items: int = 0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


@dataclass
class Context:
    show: ShowConfig
    episode: Episode
    reporter: Reporter
    warnings: list[str] = field(default_factory=list)

    @property
    def work_mp3(self):
        return self.show.work_dir / f"{self.episode.slug}.mp3"

    @property
    def media_mp3(self):
        return self.show.media_dir / f"{self.episode.slug}.mp3"


# -- stages: each is a function of one episode, plus what its output depends on ------------


def _normalise_inputs(ctx: Context) -> dict:
    return {"recording": ctx.episode.row.sha256, "options": asdict(ctx.show.normalise)}


def _normalise(ctx: Context) -> dict:
    source = ctx.episode.recording
    with contextlib.ExitStack() as stack:
        if ctx.episode.tracks:  # one file per speaker: the published audio is their mix
            source = stack.enter_context(atomic_path(ctx.show.work_dir / f"{ctx.episode.slug}.mix.wav"))
            mix(list(ctx.episode.tracks), source)
        with atomic_path(ctx.work_mp3) as tmp:
            result = normalise(source, tmp, ctx.show.normalise, progress=ctx.reporter.progress)
    with contextlib.suppress(FileNotFoundError):
        (ctx.show.work_dir / f"{ctx.episode.slug}.mix.wav").unlink()
    return result.to_dict()


def _transcribe_options(ctx: Context) -> TranscribeOptions:
    settings = dict(ctx.show.transcribe)
    if "formats" in settings:
        # The JSON transcript is what the notes stage (and the feed) read: always written.
        settings["formats"] = tuple(dict.fromkeys(["json", *settings["formats"]]))
    return TranscribeOptions(**settings)


def _transcript_paths(ctx: Context) -> list:
    base = ctx.show.transcripts_dir / ctx.episode.slug
    return [base.with_name(f"{base.name}.{fmt}") for fmt in _transcribe_options(ctx).formats]


def _transcribe_inputs(ctx: Context) -> dict:
    normalised = ctx.episode.row.stages.get("normalise")
    side = ctx.episode.sidecar
    return {"audio": normalised.fingerprint if normalised else None,
            "options": asdict(_transcribe_options(ctx)),
            "speakers": list(side.speakers), "tracks": side.tracks}


def _transcribe(ctx: Context) -> dict:
    options = _transcribe_options(ctx)
    side = ctx.episode.sidecar
    if ctx.episode.tracks:
        # Each speaker's own file, shifted onto the published (trimmed) mix's timeline.
        norm = ctx.episode.row.stages["normalise"].result
        transcript = transcribe_tracks(list(ctx.episode.tracks), options, speakers=side.speakers,
                                       offset=norm["start_s"], duration=norm["duration"],
                                       progress=ctx.reporter.progress)
    else:
        transcript = transcribe_file(ctx.work_mp3, options, speakers=side.speakers,
                                     tracks=side.tracks, progress=ctx.reporter.progress)
    files = write_transcript(transcript, ctx.show.transcripts_dir / ctx.episode.slug, list(options.formats))
    return {"language": transcript.language, "duration": round(transcript.duration, 3),
            "segments": len(transcript.segments),
            "words": sum(len(s.words) for s in transcript.segments),
            "engine": options.engine, "model": options.model,
            "files": [str(f.relative_to(ctx.show.root)) for f in files]}


def _notes_options(ctx: Context) -> SegmentOptions:
    return SegmentOptions(stories=ctx.episode.sidecar.stories, **ctx.show.notes)


def _notes_inputs(ctx: Context) -> dict:
    transcribed = ctx.episode.row.stages.get("transcribe")
    return {"transcript": transcribed.fingerprint if transcribed else None,
            "options": asdict(_notes_options(ctx)),
            "links": [vars(link) for link in ctx.episode.sidecar.links]}


def _notes_paths(ctx: Context) -> list:
    base = ctx.show.transcripts_dir / ctx.episode.slug
    return [base.with_name(f"{base.name}.{s}") for s in ("chapters.json", "notes.md", "notes.html")]


def _notes(ctx: Context) -> dict:
    from .transcribe.formats import read_json

    base = ctx.show.transcripts_dir / ctx.episode.slug
    transcript = read_json(base.with_name(f"{base.name}.json"))
    duration = ctx.episode.row.stages["normalise"].result.get("duration", transcript.duration)
    transcript.duration = max(transcript.duration, duration)
    notes = make_notes(transcript, ctx.episode.sidecar.links, _notes_options(ctx))
    if notes.stories:
        notes.stories[-1].end = duration
    files = write_notes(notes, base)
    return {"stories": [{"start": round(0.0 if i == 0 else st.start, 2), "end": round(st.end, 2),
                         "title": st.title, "summary": st.summary, "links": [l.url for l in st.links]}
                        for i, st in enumerate(notes.stories)],
            "unassigned_links": [link.url for link in notes.links],
            "chapter_list": chapter_list(notes),
            "files": [str(f.relative_to(ctx.show.root)) for f in files]}


def _tag_info(ctx: Context) -> tag.TagInfo:
    show, ep, side = ctx.show, ctx.episode, ctx.episode.sidecar
    cover = None
    if show.cover:
        cover, warnings = tag.read_cover(show.cover)
        ctx.warnings.extend(warnings)
    notes = ep.row.stages.get("notes")
    stories = notes.result.get("stories", []) if notes and notes.status == "done" else []
    description = side.description
    if stories:  # "00:00 Title" lines: Apple Podcasts shows them as chapters
        description = (description + "\n\n" if description else "") + notes.result["chapter_list"]
    chapters = tuple((st["start"], st["end"], st["title"], (st["links"] or [None])[0]) for st in stories)
    return tag.TagInfo(
        title=ep.title, show=show.title, author=show.author, date=ep.pub_date,
        description=description, guid=ep.guid, feed_url=show.resolved_feed_url, chapters=chapters,
        language=show.language, episode=side.episode, cover=cover, id3_version=show.id3_version,
    )


def _tag_inputs(ctx: Context) -> dict:
    show = ctx.show
    cover = None
    if show.cover and show.cover.exists():
        st = show.cover.stat()
        cover = [str(show.cover), st.st_size, st.st_mtime_ns]
    normalised = ctx.episode.row.stages.get("normalise")
    notes = ctx.episode.row.stages.get("notes")
    return {
        "version": 2,  # 2: the result keeps the feed's item data
        "audio": normalised.fingerprint if normalised else None,
        "notes": notes.fingerprint if notes else None,
        "sidecar": ctx.episode.sidecar.to_dict(), "title": ctx.episode.title,
        "pub_date": ctx.episode.pub_date.isoformat(), "guid": ctx.episode.guid,
        "show": [show.title, show.author, show.resolved_feed_url, show.language, show.id3_version],
        "cover": cover,
    }


def _tag(ctx: Context) -> dict:
    info = _tag_info(ctx)
    frames = tag.tag_file(ctx.work_mp3, ctx.media_mp3, info)
    side = ctx.episode.sidecar
    # What the feed says of the episode, kept with it (the recording may later be removed).
    item = {"title": info.title, "description": info.description,
            "pub_date": ctx.episode.pub_date.isoformat(), "season": side.season,
            "episode": side.episode, "episode_type": side.episode_type,
            "explicit": side.explicit, "speakers": list(side.speakers)}
    return {"frames": frames, "file": str(ctx.media_mp3.relative_to(ctx.show.root)), "item": item}


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[Context], dict]
    inputs: Callable[[Context], dict]
    outputs: Callable[[Context], list]  # files that must exist for "done" to hold


STAGES: tuple[Stage, ...] = (
    Stage("normalise", _normalise, _normalise_inputs, lambda c: [c.work_mp3]),
    Stage("transcribe", _transcribe, _transcribe_inputs, _transcript_paths),
    Stage("notes", _notes, _notes_inputs, _notes_paths),
    Stage("tag", _tag, _tag_inputs, lambda c: [c.media_mp3]),
)


def fingerprint(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _needs_run(stage: Stage, ctx: Context, fp: str) -> bool:
    rec = ctx.episode.row.stages.get(stage.name)
    if rec is None or rec.status != "done" or rec.fingerprint != fp:
        return True
    return not all(p.exists() for p in stage.outputs(ctx))


def process(show: ShowConfig, catalog: Catalog, episode: Episode, reporter: Reporter) -> Outcome:
    """Run the stages one episode still needs; stop at its first failure."""
    outcome = Outcome(source=episode.source, slug=episode.slug)
    ctx = Context(show, episode, reporter)
    announced = False
    for stage in STAGES:
        fp = fingerprint(stage.inputs(ctx))
        if not _needs_run(stage, ctx, fp):
            continue
        if not announced:
            reporter.episode(episode, [s.name for s in STAGES])
            announced = True
        reporter.stage(episode, stage.name)
        catalog.stage_started(episode.row.id, stage.name, fp)
        started = time.monotonic()
        try:
            result = stage.run(ctx)
        except PodkitError as exc:
            seconds = time.monotonic() - started
            outcome.error = str(exc)
            catalog.stage_finished(episode.row.id, stage.name, seconds=seconds, error=outcome.error)
            reporter.stage_done(episode, stage.name, seconds, outcome.error)
            break
        seconds = time.monotonic() - started
        if ctx.warnings:
            result["warnings"] = list(ctx.warnings)
        catalog.stage_finished(episode.row.id, stage.name, seconds=seconds, result=result)
        refreshed = catalog.episode(id=episode.row.id)
        assert refreshed is not None
        episode.row = refreshed
        outcome.ran.append(stage.name)
        reporter.stage_done(episode, stage.name, seconds, None)
    for warning in dict.fromkeys(ctx.warnings):
        reporter.warn(warning)
    return outcome


def run_show(root, *, reporter: Reporter | None = None, wait: float = 0.0,
             settle: float = 0.0) -> RunReport:
    """``podkit run``: bring every recording in the show up to date."""
    reporter = reporter or Reporter()
    show = load_show(root)
    report = RunReport()
    with ShowLock(show.state_dir) as lock:
        lock.acquire(wait)
        # Only this process may write now: whatever temp files exist were left by a killed run.
        for stale in remove_stale_temps(show.public_dir, show.transcripts_dir, show.state_dir):
            log.info("removed %s, left by an interrupted run", stale)
        catalog = Catalog(show.state_dir)
        try:
            found = ingest(show, catalog, settle=settle)
            catalog.set_problems(found.problems)
            report.notes.extend(found.notes)
            for source, message in found.problems.items():
                report.outcomes.append(Outcome(source=source, slug=None, error=message))
            for episode in found.episodes:
                report.outcomes.append(process(show, catalog, episode, reporter))
            # The feed from every published episode; a failed one is simply not in it.
            try:
                # podcast:guid is assigned once, from the first feed URL, and kept after a move.
                guid = catalog.show_value("podcast_guid", podcast_guid(show.resolved_feed_url))
                result = publish(show, catalog.episodes(), guid=guid)
                report.feed, report.feed_items = result.feed, result.items
            except PodkitError as exc:
                report.outcomes.append(Outcome(source="feed.xml", slug=None, error=f"publish failed: {exc}"))
        finally:
            catalog.close()
    report.outcomes.sort(key=lambda o: o.source)
    return report


def show_status(root) -> dict:
    """``podkit status``: every episode with its stages, and files that are not episodes."""
    show = load_show(root)
    if not (show.state_dir / "catalog.sqlite").exists():
        return {"show": show.title, "episodes": [], "problems": {}}
    catalog = Catalog(show.state_dir, create=False)
    try:
        episodes = []
        for row in catalog.episodes():
            recording = show.audio_dir / row.source
            stages = {}
            for name in [s.name for s in STAGES]:
                rec = row.stages.get(name)
                stages[name] = ({"status": "pending"} if rec is None else
                                {"status": rec.status, "error": rec.error, "seconds": rec.seconds,
                                 "finished_at": rec.finished_at, "result": rec.result})
            episodes.append({
                "slug": row.slug, "guid": row.guid, "source": row.source,
                "recording_present": recording.exists(), "sha256": row.sha256,
                "first_seen": row.first_seen, "pub_date": row.pub_date, "stages": stages,
                "sidecar": sidecar_path(recording).name if sidecar_path(recording).exists() else None,
            })
        return {"show": show.title, "episodes": episodes, "problems": catalog.problems()}
    finally:
        catalog.close()


def _published_identities(feed: Path) -> dict[str, tuple[str, str]]:
    """slug -> (guid, pub date ISO) for every item of a published feed."""
    import email.utils

    from lxml import etree

    out: dict[str, tuple[str, str]] = {}
    if not feed.is_file():
        return out
    try:
        root = etree.parse(str(feed), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError:
        return out
    for item in root.iterfind("channel/item"):
        enc, guid = item.find("enclosure"), (item.findtext("guid") or "").strip()
        if enc is None or not guid:
            continue
        name = enc.get("url", "").rsplit("/", 1)[-1]
        if not name.endswith(".mp3"):
            continue
        try:
            pub = email.utils.parsedate_to_datetime(item.findtext("pubDate") or "").isoformat()
        except (TypeError, ValueError):
            pub = ""
        out[name[: -len(".mp3")]] = (guid, pub)
    return out


@dataclass
class RebuildReport:
    moved_aside: Path | None
    episodes: int
    recovered: int  # GUIDs (and dates) taken from the published feed
    problems: dict[str, str]


def rebuild_show(root, *, wait: float = 0.0) -> RebuildReport:
    """``podkit rebuild``: a new catalog from the recordings, sidecars and the published feed.

    The old catalog (damaged or lost) is moved aside, never deleted. Every recording is
    ingested again; an episode whose slug the published feed knows gets back its GUID and
    publication date, so directories never see it as new. Stages start over on the next run.
    """
    show = load_show(root)
    with ShowLock(show.state_dir) as lock:
        lock.acquire(wait)
        old = show.state_dir / "catalog.sqlite"
        moved = None
        if old.exists():
            moved = old.with_name(f"catalog.sqlite.old-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                part = old.with_name(old.name + suffix)
                if part.exists():
                    part.rename(moved.with_name(moved.name + suffix))
        catalog = Catalog(show.state_dir)
        try:
            found = ingest(show, catalog)
            catalog.set_problems(found.problems)
            identities = _published_identities(show.public_dir / "feed.xml")
            recovered = 0
            for ep in found.episodes:
                if ep.slug in identities:
                    guid, pub = identities[ep.slug]
                    values = {"guid": guid}
                    if pub and not ep.sidecar.pub_date:
                        values["pub_date"] = pub
                    catalog.update_episode(ep.row.id, **values)
                    recovered += 1
            return RebuildReport(moved, len(found.episodes), recovered, found.problems)
        finally:
            catalog.close()
