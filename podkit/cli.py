"""``podkit``: a thin command-line front end over the library.

Exit codes: 0 success; 1 a recording (or the file given) failed; 2 usage or configuration
error; 3 the show is busy (another podkit holds its lock); 130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import traceback
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, Progress, TaskProgressColumn, TextColumn,
                           TimeRemainingColumn)
from rich.table import Table

from . import __version__
from .config import init_show
from .errors import ConfigError, PodkitError
from .normalise import NormaliseOptions, normalise
from .pipeline import Reporter, run_show, show_status

err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, soft_wrap=True, emoji=False)


class ConsoleReporter(Reporter):
    """Progress bars on stderr (rich); silent with --quiet."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False):
        self.quiet, self.verbose = quiet, verbose
        self.bar: Progress | None = None
        self.task = None
        self.current = ""
        self.step = ""
        self.started = 0.0

    def _close(self) -> None:
        if self.bar:
            self.bar.stop()
            self.bar = None

    def episode(self, episode, stages) -> None:
        if not self.quiet:
            err.print(f"[bold]{escape(episode.source)}[/bold] -> {episode.slug}")

    def stage(self, episode, stage) -> None:
        self.current, self.step = stage, ""

    def progress(self, step: str, done: float, total: float | None) -> None:
        if self.quiet or not err.is_terminal:
            return
        if self.bar is None or step != self.step:
            self._close()
            self.step = step
            self.started = time.monotonic()
            self.bar = Progress(
                TextColumn(f"  {self.current}: {step}"), BarColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[speed]}"), TimeRemainingColumn(),
                console=err, transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(step, total=total or None, speed="")
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.bar.update(self.task, completed=done, total=total or None, speed=f"{done / elapsed:.0f}x")

    def stage_done(self, episode, stage, seconds, error) -> None:
        self._close()
        if self.quiet:
            return
        if error:
            err.print(f"  [red]{stage} failed[/red]: {escape(error)}")
        else:
            err.print(f"  {stage} done ({seconds:.1f} s)")

    def warn(self, message: str) -> None:
        self._close()
        err.print(f"[yellow]warning[/yellow]: {escape(message)}")


# -- commands --------------------------------------------------------------------------------


def cmd_init(args) -> int:
    path = init_show(args.dir, title=args.title, author=args.author, email=args.email,
                     url=args.url, language=args.language, category=args.category,
                     explicit=args.explicit)
    if not args.quiet:
        out.print(f"created {path}; put recordings in {Path(args.dir) / 'audio'} and run "
                  f"'podkit run {args.dir}'", markup=False)
    return 0


def cmd_run(args) -> int:
    reporter = ConsoleReporter(quiet=args.quiet, verbose=args.verbose)
    report = run_show(args.dir, reporter=reporter, wait=args.wait, settle=args.settle)
    for note in report.notes:
        if not args.quiet:
            reporter.warn(note)
    done = [o for o in report.outcomes if o.ok]
    failed = report.failures
    if not args.quiet:
        worked = [o for o in done if o.ran]
        out.print(f"{len(done)} episode(s) up to date ({len(worked)} processed now), "
                  f"{len(failed)} failed")
        for o in worked:
            out.print(f"  {o.slug}: {', '.join(o.ran)} -> public/media/{o.slug}.mp3")
        if report.feed:
            out.print(f"feed: {report.feed} ({report.feed_items} episode(s))", markup=False)
    for o in failed:
        err.print(f"[red]failed[/red]: {escape(o.error or '')}")
    return 1 if failed else 0


def cmd_status(args) -> int:
    status = show_status(args.dir)
    if args.json:
        print(json.dumps(status, indent=2, sort_keys=True))
        return 0
    table = Table(title=status["show"])
    table.add_column("episode")
    table.add_column("recording")
    from .pipeline import STAGES

    for s in STAGES:
        table.add_column(s.name)
    table.add_column("loudness")
    for ep in status["episodes"]:
        norm = ep["stages"]["normalise"].get("result") or {}
        loudness = (f"{norm['output_loudness']:.1f} LUFS, {norm['output_true_peak']:.1f} dBTP"
                    if "output_loudness" in norm else "")
        cells = []
        for s in STAGES:
            st = ep["stages"][s.name]
            mark = {"done": "[green]done[/green]", "failed": "[red]failed[/red]",
                    "running": "[yellow]interrupted[/yellow]"}.get(st["status"], st["status"])
            cells.append(mark)
        table.add_row(ep["slug"], escape(ep["source"]) + ("" if ep["recording_present"] else " (gone)"),
                      *cells, loudness)
    out.print(table)
    for ep in status["episodes"]:
        for name, st in ep["stages"].items():
            if st.get("error"):
                out.print(f"[red]{ep['slug']} {name}[/red]: {escape(st['error'])}")
    for source, message in status["problems"].items():
        out.print(f"[red]not an episode[/red]: {escape(message)}")
    return 0


def cmd_normalise(args) -> int:
    src, dest = Path(args.input), Path(args.output)
    if not src.is_file():
        raise ConfigError("no such file; give the recording to normalise", path=src)
    if dest.suffix.lower() != ".mp3":
        raise ConfigError("output must be an .mp3 file", path=dest)
    if src.resolve() == dest.resolve():
        raise ConfigError("output would overwrite the input; recordings are never modified", path=dest)
    defaults = NormaliseOptions()
    options = NormaliseOptions(
        true_peak=args.true_peak if args.true_peak is not None else defaults.true_peak,
        bitrate_stereo=args.bitrate or defaults.bitrate_stereo,
        bitrate_mono=args.bitrate or defaults.bitrate_mono,
        trim_silence=not args.no_trim,
    )
    reporter = ConsoleReporter(quiet=args.quiet)
    reporter.current = "normalise"
    from .fsutil import atomic_path

    with atomic_path(dest) as tmp:
        result = normalise(src, tmp, options, target=args.target, progress=reporter.progress,
                           verify=True if args.verify else None)
    reporter._close()
    if not args.quiet:
        how = "measured" if result.verified else "predicted"
        out.print(
            f"{dest}: {result.input_loudness:.1f} -> {result.output_loudness:.1f} LUFS ({how}), "
            f"true peak {result.output_true_peak:.1f} dBTP, gain {result.gain_db:+.1f} dB"
            + (f", limited up to {result.max_reduction_db:.1f} dB" if result.limited else "")
            + f", {result.duration:.1f} s (trimmed {result.start_s:.1f} s at the start)",
            markup=False,
        )
    return 0


def cmd_transcribe(args) -> int:
    from .transcribe import TranscribeOptions, transcribe_file, write
    from .transcribe.formats import parse_formats

    formats = parse_formats(args.format)
    options = TranscribeOptions(engine=args.engine, model=args.model, language=args.language,
                                beam_size=args.beam_size, device=args.device,
                                batch_size=args.batch_size, formats=tuple(formats))
    files = [Path(f) for f in args.files]
    for f in files:
        if not f.is_file():
            raise ConfigError("no such file; give the recordings to transcribe", path=f)
    outdir = Path(args.output) if args.output else None
    reporter = ConsoleReporter(quiet=args.quiet)
    reporter.current = "transcribe"
    failed = 0
    speakers = tuple(s.strip() for s in args.speakers.split(",")) if args.speakers else ()
    for f in files:
        started = time.monotonic()
        try:
            transcript = transcribe_file(f, options, speakers=speakers, tracks=args.tracks,
                                         progress=reporter.progress)
        except PodkitError as exc:
            reporter._close()
            err.print(f"podkit: error: {exc}", markup=False)
            failed += 1
            continue
        reporter._close()
        written = write(transcript, (outdir or f.parent) / f.stem, formats)
        if not args.quiet:
            seconds = time.monotonic() - started
            speed = transcript.duration / seconds if seconds else 0
            out.print(f"{f}: {len(transcript.segments)} segments, {transcript.duration:.1f} s of audio "
                      f"in {seconds:.1f} s ({speed:.1f}x real time) -> "
                      + ", ".join(str(p) for p in written), markup=False)
    return 1 if failed else 0


def cmd_notes(args) -> int:
    from .config import Sidecar, load_sidecar
    from .notes import SegmentOptions, clock, make_notes, write_notes
    from .transcribe.formats import read_json

    src = Path(args.transcript)
    if not src.is_file():
        raise ConfigError("no such transcript; give a Podcasting 2.0 JSON transcript", path=src)
    try:
        transcript = read_json(src)
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"is not a Podcasting 2.0 JSON transcript ({exc.__class__.__name__}: {exc})", path=src) from None
    sidecar = Sidecar()
    if args.sidecar:
        side = Path(args.sidecar)
        if not side.is_file():
            raise ConfigError("no such sidecar", path=side)
        sidecar = load_sidecar(side)
    options = SegmentOptions(min_story_s=args.min_story, stories=args.stories or sidecar.stories)
    notes = make_notes(transcript, sidecar.links, options)
    outdir = Path(args.output) if args.output else src.parent
    stem = src.name[: -len(".json")] if src.name.endswith(".json") else src.stem
    files = write_notes(notes, outdir / stem)
    if not args.quiet:
        for i, st in enumerate(notes.stories):
            out.print(f"{clock(0 if i == 0 else st.start)} {st.title}", markup=False)
        out.print("-> " + ", ".join(str(f) for f in files), markup=False)
    return 0


def cmd_lint(args) -> int:
    from .publish.lint import lint

    feed = Path(args.feed)
    if not feed.is_file():
        raise ConfigError("no such feed file", path=feed)
    findings = lint(feed)
    errors = [f for f in findings if f.level == "error"]
    for f in findings:
        (err if f.level == "error" else out).print(str(f), markup=False)
    if not args.quiet:
        out.print(f"{feed}: {len(errors)} error(s), {len(findings) - len(errors)} warning(s)", markup=False)
    return 1 if errors else 0


def cmd_serve(args) -> int:
    from .config import load_show
    from .publish.serve import make_server

    show = load_show(args.dir)
    if not (show.public_dir / "index.html").exists() and not (show.public_dir / "feed.xml").exists():
        raise ConfigError("nothing published yet; run 'podkit run' first", path=show.public_dir)
    try:
        server = make_server(show.public_dir, args.host, args.port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port} ({exc.strerror}); try --port N") from None
    server.verbose = args.verbose
    host, port = server.server_address[:2]
    out.print(f"serving {show.public_dir} at http://{host}:{port}/ (feed: http://{host}:{port}/feed.xml); "
              "Ctrl-C stops", markup=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C is how a preview ends: not an error
        out.print("stopped", markup=False)
    finally:
        server.server_close()
    return 0


def cmd_rebuild(args) -> int:
    from .pipeline import rebuild_show

    report = rebuild_show(args.dir, wait=args.wait)
    if not args.quiet:
        if report.moved_aside:
            out.print(f"the old catalog is kept as {report.moved_aside}", markup=False)
        out.print(f"catalog rebuilt: {report.episodes} episode(s), {report.recovered} with the GUID and "
                  f"date they were published with; run 'podkit run {args.dir}' to refresh their files",
                  markup=False)
    for message in report.problems.values():
        err.print(f"[red]not an episode[/red]: {escape(message)}")
    return 0


def cmd_watch(args) -> int:
    from .watch import Watcher

    return Watcher(args.dir, settle=args.settle, poll=args.poll, polling=args.polling,
                   quiet=args.quiet).run()


def cmd_models(args) -> int:
    from .transcribe.models import available

    table = Table(title="Whisper models podkit can use here")
    for col in ("model", "engines", "where"):
        table.add_column(col)
    for row in available():
        table.add_row(*(escape(c) for c in row))
    out.print(table)
    return 0


# -- entry point -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    common.add_argument("-v", "--verbose", action="store_true", help="say more")
    common.add_argument("--debug", action="store_true", help="show tracebacks and ffmpeg commands")

    parser = argparse.ArgumentParser(prog="podkit", parents=[common],
                                     description="Turn recordings into a published podcast.")
    parser.add_argument("--version", action="version", version=f"podkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", parents=[common], help="create a show folder")
    p.add_argument("dir")
    p.add_argument("--title", required=True)
    p.add_argument("--author", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--url", required=True, help="absolute URL where public/ is published")
    p.add_argument("--language", default="en")
    p.add_argument("--category", default="Technology", help='Apple category, e.g. "News/Tech News"')
    g = p.add_mutually_exclusive_group()
    g.add_argument("--explicit", dest="explicit", action="store_true", default=False)
    g.add_argument("--clean", dest="explicit", action="store_false")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("run", parents=[common], help="process every new or unfinished recording")
    p.add_argument("dir")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="when another podkit is working on the show, wait this long for it")
    p.add_argument("--settle", type=float, default=0.0, metavar="SECONDS",
                   help="leave alone recordings modified less than this long ago (still arriving)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("rebuild", parents=[common],
                       help="recreate a lost or damaged catalog from the recordings and the published feed")
    p.add_argument("dir")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS")
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("watch", parents=[common], help="process every recording dropped into audio/")
    p.add_argument("dir")
    p.add_argument("--settle", type=float, default=5.0, metavar="SECONDS",
                   help="a file is taken once its size and time are unchanged this long (default 5)")
    p.add_argument("--poll", type=float, default=2.0, metavar="SECONDS", help="polling interval")
    p.add_argument("--polling", action="store_true", help="poll instead of inotify")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("status", parents=[common], help="episodes, their stages and errors")
    p.add_argument("dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("normalise", aliases=["normalize"], parents=[common],
                       help="normalise one file to an MP3 (the stage on its own)")
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT")
    p.add_argument("--target", type=float, metavar="LUFS",
                   help="integrated loudness (default -16 stereo, -19 mono)")
    p.add_argument("--true-peak", type=float, metavar="DBTP", help="ceiling (default -1)")
    p.add_argument("--bitrate", type=int, metavar="KBPS", help="MP3 bitrate (default 128 stereo, 64 mono)")
    p.add_argument("--no-trim", action="store_true", help="keep leading and trailing silence")
    p.add_argument("--verify", action="store_true", help="always measure the output")
    p.set_defaults(func=cmd_normalise)

    p = sub.add_parser("transcribe", parents=[common], help="transcribe files (the stage on its own)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", metavar="DIR", help="where to write (default: beside each file)")
    p.add_argument("--engine", default="faster-whisper", choices=["faster-whisper", "openai-whisper"])
    p.add_argument("--model", default="tiny.en", help="name (tiny.en is bundled) or path")
    p.add_argument("--language", default=None, help="spoken language (default: detect)")
    p.add_argument("--beam-size", type=int, default=5)
    p.add_argument("--format", default="json,vtt,srt,txt,html", help="comma-separated formats")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--batch-size", type=int, default=0, help="faster-whisper batched inference (GPU)")
    p.add_argument("--speakers", help="comma-separated speaker names")
    p.add_argument("--tracks", choices=["channels"], help="one speaker per channel")
    p.set_defaults(func=cmd_transcribe)

    p = sub.add_parser("notes", parents=[common], help="split a transcript into per-story show notes")
    p.add_argument("transcript", metavar="TRANSCRIPT.json")
    p.add_argument("--sidecar", metavar="FILE", help="episode sidecar: links to assign, stories = N")
    p.add_argument("-o", "--output", metavar="DIR", help="where to write (default: beside the transcript)")
    p.add_argument("--stories", type=int, help="number of stories (default: found automatically)")
    p.add_argument("--min-story", type=float, default=20.0, metavar="SECONDS", help="shortest story (default 20)")
    p.set_defaults(func=cmd_notes)

    p = sub.add_parser("lint", parents=[common], help="check a feed against Apple's and Podcasting 2.0 rules")
    p.add_argument("feed", metavar="FEED")
    p.set_defaults(func=cmd_lint)

    p = sub.add_parser("serve", parents=[common], help="preview public/ over HTTP")
    p.add_argument("dir")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("models", parents=[common], help="the Whisper models podkit can use")
    p.set_defaults(func=cmd_models)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except PodkitError as exc:
        if args.debug:
            traceback.print_exc()
        err.print(f"podkit: error: {exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("podkit: interrupted", markup=False)
        return 130
    except Exception as exc:  # a bug: still one line, the traceback with --debug
        if args.debug:
            traceback.print_exc()
        err.print(f"podkit: internal error: {exc.__class__.__name__}: {exc} "
                  "(run again with --debug for the traceback)", markup=False)
        return 1


if __name__ == "__main__":
    sys.exit(main())
