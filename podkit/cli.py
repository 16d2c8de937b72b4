"""``podkit``: a thin command-line front end over the library.

Exit codes: 0 success; 1 a recording (or the file given) failed; 2 usage or configuration
error; 3 the show is busy (another podkit holds its lock); 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from . import __version__
from .errors import ConfigError, MediaError, PodkitError
from .importer.progress import ImportProgress
from .runner.reporter import Reporter
from .studio.options import DENOISE_MODELS
from .transcribe.options import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_BEAM_SIZE,
    DEFAULT_DEVICE,
    DEFAULT_ENGINE,
    DEFAULT_MODEL,
    DEVICES,
    ENGINES,
    FORMATS,
)

if TYPE_CHECKING:
    from .ingest import Episode

# Everything heavy (numpy, ffmpeg's glue, the Whisper engines, lxml) is imported inside the
# command that needs it: ``podkit --help`` and ``podkit lint`` start in a blink.

err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, soft_wrap=True, emoji=False)


def _table(title: str, *columns: str) -> Table:
    """A table whose cells wrap rather than cut: paths stay whole in a narrow terminal."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _print_table(table: Table) -> None:
    """In a terminal, as wide as it is; in a pipe or a file, as wide as the table needs, so
    nothing is folded or cut for the script or the log that reads it."""
    if out.is_terminal:
        out.print(table)
    else:
        Console(highlight=False, emoji=False, width=100_000, file=out.file).print(table, crop=False)


def _bar(label: str, *columns: ProgressColumn) -> Progress:
    """A started bar on stderr, gone once stopped: ``label``, the bar, ``columns``, time left."""
    bar = Progress(TextColumn(label), BarColumn(), *columns, TimeRemainingColumn(), console=err, transient=True)
    bar.start()
    return bar


class ConsoleReporter(Reporter):
    """Progress bars on stderr (rich); silent with --quiet."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, current: str = ""):
        self.quiet, self.verbose = quiet, verbose
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.current = current
        self.step = ""
        self.started = 0.0

    def close(self) -> None:
        if self.bar:
            self.bar.stop()
            self.bar = None

    def episode(self, episode: Episode, stages: list[str]) -> None:
        if not self.quiet:
            err.print(f"[bold]{escape(episode.source)}[/bold] -> {episode.slug}")

    def stage(self, episode: Episode, stage: str) -> None:
        self.current, self.step = stage, ""

    def progress(self, step: str, done: float, total: float | None) -> None:
        if self.quiet or not err.is_terminal:
            return
        if self.bar is None or self.task is None or step != self.step:
            self.close()
            self.step = step
            self.started = time.monotonic()
            self.bar = _bar(f"  {self.current}: {step}", TaskProgressColumn(), TextColumn("{task.fields[speed]}"))
            self.task = self.bar.add_task(step, total=total or None, speed="")
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.bar.update(self.task, completed=done, total=total or None, speed=f"{done / elapsed:.0f}x")

    def stage_done(self, episode: Episode, stage: str, seconds: float, error: str | None) -> None:
        self.close()
        if self.quiet:
            return
        if error:
            err.print(f"  [red]{stage} failed[/red]: {escape(error)}")
        else:
            err.print(f"  {stage} done ({seconds:.1f} s)")

    def warn(self, message: str) -> None:
        if self.step != "cluster":  # the cluster's bar stays: the warning prints above it
            self.close()
        err.print(f"[yellow]warning[/yellow]: {escape(message)}")

    def cluster(
        self, audio_done: float, audio_total: float, episodes_done: int, episodes_total: int, workers: int
    ) -> None:
        """One bar for a cluster run: audio-hours and episodes done, and the throughput."""
        if self.quiet or not err.is_terminal:
            return
        if self.bar is None or self.task is None or self.step != "cluster":
            self.close()
            self.step = "cluster"
            self.started = time.monotonic()
            self.bar = _bar(f"  cluster ({workers} workers)", TextColumn("{task.fields[amount]}"))
            self.task = self.bar.add_task("cluster", total=audio_total or None, amount="")
        hours = max(time.monotonic() - self.started, 1e-6) / 3600
        amount = (
            f"{audio_done / 3600:.2f} of {audio_total / 3600:.2f} audio-h, "
            f"{episodes_done} of {episodes_total} episodes, {audio_done / 3600 / hours:.1f} audio-h/h"
        )
        self.bar.update(self.task, completed=audio_done, total=audio_total or None, amount=amount)
        if episodes_done == episodes_total:
            self.close()


class ConsoleImportProgress(ImportProgress):
    """Two bars on stderr while an import downloads: bytes and episodes; one line per failed
    episode. Silent with --quiet; no bars outside a terminal."""

    def __init__(self, *, quiet: bool = False):
        self.quiet = quiet
        self.bar: Progress | None = None
        self.bytes: TaskID | None = None
        self.episodes: TaskID | None = None
        self.printed: set[str] = set()

    def start(self, episodes: int, total_bytes: int | None, done_bytes: int) -> None:
        if self.quiet or not err.is_terminal:
            return
        self.bar = _bar("  {task.description}", TextColumn("{task.fields[amount]}"))
        self.bytes = self.bar.add_task("downloading", total=total_bytes, completed=done_bytes, amount="")
        self.episodes = self.bar.add_task("episodes", total=episodes, amount=f"0 of {episodes}")

    def advance(self, nbytes: int) -> None:
        if self.bar is None or self.bytes is None:
            return
        from rich.filesize import decimal

        self.bar.advance(self.bytes, nbytes)
        task = self.bar.tasks[self.bytes]
        amount = decimal(int(task.completed)) + (f" of {decimal(int(task.total))}" if task.total else "")
        speed = f", {decimal(int(task.speed))}/s" if task.speed else ""
        self.bar.update(self.bytes, amount=amount + speed)

    def finished(self, name: str, error: str | None) -> None:
        if self.bar is not None and self.episodes is not None:
            self.bar.advance(self.episodes, 1)
            task = self.bar.tasks[self.episodes]
            self.bar.update(self.episodes, amount=f"{task.completed:.0f} of {task.total:.0f}")
        if error:
            err.print(f"[red]failed[/red]: {escape(error)}")
            self.printed.add(error)
        elif not self.quiet:
            err.print(f"  {escape(name)}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


# -- commands --------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from .config import init_show

    path = init_show(
        args.dir,
        title=args.title,
        author=args.author,
        email=args.email,
        url=args.url,
        language=args.language,
        category=args.category,
        explicit=args.explicit,
    )
    if not args.quiet:
        out.print(
            f"created {path}; put recordings in {Path(args.dir) / 'audio'} and run 'podkit run {args.dir}'",
            markup=False,
        )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .runner import run_show

    reporter = ConsoleReporter(quiet=args.quiet, verbose=args.verbose)
    if args.force and not args.redo:
        err.print("[red]error[/red]: --force goes with --redo STAGE SLUG")
        return 2
    redo = (args.redo[0], args.redo[1]) if args.redo else None
    cluster = None
    if args.cluster:
        from .runner.cluster import ClusterOptions

        cluster = ClusterOptions(args.cluster, verbose=args.verbose or args.debug)
    try:
        report = run_show(
            args.dir,
            reporter=reporter,
            wait=args.wait,
            settle=args.settle,
            redo=redo,
            force=args.force,
            cluster=cluster,
        )
    finally:
        reporter.close()
    for note in report.notes:
        if not args.quiet:
            reporter.warn(note)
    done = [o for o in report.outcomes if o.ok]
    failed = report.failures
    if not args.quiet:
        worked = [o for o in done if o.ran]
        out.print(f"{len(done)} episode(s) up to date ({len(worked)} processed now), {len(failed)} failed")
        for o in worked:
            out.print(f"  {o.slug}: {', '.join(o.ran)} -> public/media/{o.slug}.mp3")
        if report.feed:
            out.print(f"feed: {report.feed} ({report.feed_items} episode(s))", markup=False)
        if report.cluster is not None:
            c = report.cluster
            out.print(
                f"cluster {c.address}: {c.episodes} episode(s), {c.audio_seconds / 3600:.2f} audio-hours in "
                f"{c.wall_seconds:.0f} s on {c.workers} worker(s) over {c.nodes} node(s): "
                f"{c.audio_hours_per_hour:.1f} audio-hours per hour; {c.resent} job(s) sent again after "
                "their worker was lost",
                markup=False,
            )
    for o in failed:
        err.print(f"[red]failed[/red]: {escape(o.error or '')}")
    if report.stopped:
        err.print(f"[red]{escape(report.stopped)}[/red]")
    return report.exit_code


def cmd_import(args: argparse.Namespace) -> int:
    from .importer import import_feed

    progress = ConsoleImportProgress(quiet=args.quiet)
    try:
        report = import_feed(args.feed, args.dir, url=args.url, email=args.email, jobs=args.jobs, progress=progress)
    finally:
        progress.close()
    if not args.quiet:
        for note in report.notes:
            err.print(f"[yellow]note[/yellow]: {escape(note)}")
    for line in report.failures:
        if line not in progress.printed:  # the feed's own problems; failed downloads were said as they failed
            err.print(f"[red]failed[/red]: {escape(line)}")
    if not args.quiet:
        what = "created" if report.created else "added to"
        out.print(
            f"{report.title}: {what} {report.root}; {len(report.imported)} episode(s) downloaded, "
            f"{report.present} already here, {len(report.failures)} failed",
            markup=False,
        )
        if report.imported or report.present:
            out.print(f"next: podkit run {args.dir}", markup=False)
    return report.exit_code


def cmd_status(args: argparse.Namespace) -> int:
    from .runner import STAGE_NAMES, show_status

    status = show_status(args.dir)
    if args.json:
        print(json.dumps(status.to_dict(), indent=2, sort_keys=True))
        return 0
    table = _table(status.show, "episode", "recording", *STAGE_NAMES, "loudness")
    marks = {"done": "[green]done[/green]", "failed": "[red]failed[/red]", "running": "[yellow]interrupted[/yellow]"}
    for ep in status.episodes:
        norm = ep.loudness
        loudness = f"{norm.output_loudness:.1f} LUFS, {norm.output_true_peak:.1f} dBTP" if norm else ""
        cells = [marks.get(rec.status, rec.status) if rec else "pending" for rec in ep.stages.values()]
        for i, name in enumerate(ep.stages):
            suffix = {"transcript": ".vtt", "notes": ".notes.md"}.get(name)
            if suffix and any(e.endswith(suffix) for e in ep.edited):
                cells[i] += " [cyan](edited)[/cyan]"
        name = escape(ep.slug) + (f"\n[dim]{escape(ep.title)}[/dim]" if ep.title else "")
        recording = escape(ep.source) + ("" if ep.recording_present else " (gone)")
        recording += " [cyan](imported)[/cyan]" if ep.imported_from else ""
        table.add_row(name, recording, *cells, loudness)
    _print_table(table)
    for ep in status.episodes:
        for name, rec in ep.stages.items():
            if rec and rec.error:
                out.print(f"[red]{ep.slug} {name}[/red]: {escape(rec.error)}")
            for warning in rec.warnings if rec else []:
                out.print(f"[yellow]{ep.slug} {name}[/yellow]: {escape(warning)}")
    for ep in status.episodes:
        for name in ep.edited:
            out.print(f"[cyan]{ep.slug}[/cyan]: {escape(name)} edited by hand: kept, and what follows is made from it")
    for message in status.problems.values():
        out.print(f"[red]not an episode[/red]: {escape(message)}")
    return 0


def cmd_normalise(args: argparse.Namespace) -> int:
    from .fsutil import atomic_path
    from .normalise import NormaliseOptions, normalise

    src, dest = Path(args.input), Path(args.output)
    if not src.is_file():
        raise ConfigError("no such file; give the recording to normalise", path=src)
    if dest.suffix.lower() != ".mp3":
        raise ConfigError("output must be an .mp3 file", path=dest)
    if src.resolve() == dest.resolve():
        raise ConfigError("output would overwrite the input; recordings are never modified", path=dest)
    if args.bitrate is not None and not 8 <= args.bitrate <= 320:
        raise ConfigError(f"--bitrate must be an MP3 bitrate from 8 to 320 kbit/s, not {args.bitrate}")
    defaults = NormaliseOptions()
    options = NormaliseOptions(
        true_peak=args.true_peak if args.true_peak is not None else defaults.true_peak,
        bitrate_stereo=args.bitrate or defaults.bitrate_stereo,
        bitrate_mono=args.bitrate or defaults.bitrate_mono,
        trim_silence=not args.no_trim,
    )
    reporter = ConsoleReporter(quiet=args.quiet, current="normalise")
    studio_notes: tuple[str, ...] = ()
    with contextlib.ExitStack() as stack:
        source = src
        denoise = args.denoise or args.denoise_model is not None
        if args.leveler or denoise or args.dehum:  # the studio's steps on the recording first
            import tempfile

            from .studio.chain import analyse, needs_processing, process
            from .studio.options import StudioOptions

            studio = StudioOptions(
                leveler=args.leveler,
                denoise=denoise,
                denoise_model=args.denoise_model or StudioOptions.denoise_model,
                dehum=args.dehum,
            )
            found = analyse(src, studio, rate=options.sample_rate, progress=reporter.progress)
            if needs_processing(found, studio):
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".podkit-", dir=dest.parent)))
                source = folder / "studio.wav"
                studio_notes = process(src, source, studio, found, progress=reporter.progress).notes()
        with atomic_path(dest) as tmp:
            verify = True if args.verify else None
            result = normalise(source, tmp, options, target=args.target, progress=reporter.progress, verify=verify)
    reporter.close()
    if not args.quiet:
        for line in studio_notes:
            out.print(line, markup=False)
        how = "measured" if result.verified else "predicted"
        out.print(
            f"{dest}: {result.input_loudness:.1f} -> {result.output_loudness:.1f} LUFS ({how}), "
            f"true peak {result.output_true_peak:.1f} dBTP, gain {result.gain_db:+.1f} dB"
            + (f", limited up to {result.max_reduction_db:.1f} dB" if result.limited else "")
            + f", {result.duration:.1f} s (trimmed {result.start_s:.1f} s at the start)",
            markup=False,
        )
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from .transcribe import TranscribeOptions, transcribe_file, write
    from .transcribe.models import resolve
    from .transcribe.options import parse_formats

    formats = parse_formats(args.format)
    options = TranscribeOptions(
        engine=args.engine,
        model=args.model,
        language=args.language,
        beam_size=args.beam_size,
        device=args.device,
        batch_size=args.batch_size,
        formats=formats,
    )
    files = [Path(f) for f in args.files]
    for f in files:
        if not f.is_file():
            raise ConfigError("no such file; give the recordings to transcribe", path=f)
    resolve(options.model)  # a model that is not here is a usage error, before any work
    outdir = Path(args.output) if args.output else None
    reporter = ConsoleReporter(quiet=args.quiet, current="transcribe")
    failed = 0
    speakers = tuple(s.strip() for s in args.speakers.split(",")) if args.speakers else ()
    for f in files:
        started = time.monotonic()
        try:
            transcript = transcribe_file(f, options, speakers=speakers, tracks=args.tracks, progress=reporter.progress)
        except MediaError as exc:  # this file's problem: say so, go on with the others
            reporter.close()
            err.print(f"podkit: error: {exc}", markup=False)
            failed += 1
            continue
        reporter.close()
        written = write(transcript, (outdir or f.parent) / f.stem, formats)
        if not args.quiet:
            seconds = time.monotonic() - started
            speed = transcript.duration / seconds if seconds else 0
            out.print(
                f"{f}: {len(transcript.segments)} segments, {transcript.duration:.1f} s of audio "
                f"in {seconds:.1f} s ({speed:.1f}x real time) -> " + ", ".join(str(p) for p in written),
                markup=False,
            )
    return 1 if failed else 0


def cmd_notes(args: argparse.Namespace) -> int:
    from .clock import clock
    from .config import Sidecar, load_sidecar
    from .notes import NotesOptions, make_notes, write_notes
    from .transcribe import read_json

    src = Path(args.transcript)
    if not src.is_file():
        raise ConfigError("no such transcript; give a Podcasting 2.0 JSON transcript", path=src)
    if args.min_story <= 0:
        raise ConfigError(f"--min-story must be more than 0 seconds, not {args.min_story:g}")
    if args.stories is not None and args.stories < 1:
        raise ConfigError(f"--stories must be 1 or more, not {args.stories}")
    try:
        transcript = read_json(src)
    except MediaError as exc:  # the file given is not what the command takes: a usage error
        raise ConfigError(exc.message, path=src) from None
    sidecar = Sidecar()
    if args.sidecar:
        side = Path(args.sidecar)
        if not side.is_file():
            raise ConfigError("no such sidecar", path=side)
        sidecar = load_sidecar(side)
    options = NotesOptions(min_story_s=args.min_story, stories=args.stories or sidecar.stories)
    notes = make_notes(transcript, sidecar.links, options, rundown=sidecar.rundown, description=sidecar.description)
    for warning in notes.warnings:
        err.print(f"warning: {args.sidecar}: {warning}", markup=False)
    outdir = Path(args.output) if args.output else src.parent
    stem = src.name[: -len(".json")] if src.name.endswith(".json") else src.stem
    files = write_notes(notes, outdir / stem)
    if not args.quiet:
        for st in notes.stories:
            out.print(f"{clock(st.start)} {st.title}", markup=False)
        out.print("-> " + ", ".join(str(f) for f in files), markup=False)
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    if (args.feed is None) == (args.online is None):
        raise ConfigError("give a feed file (podkit lint FEED) or a deployed feed's URL (podkit lint --online URL)")
    if args.sample < 1:
        raise ConfigError(f"--sample must be 1 or more, not {args.sample}")
    if args.online is not None:
        from .config.schema import check_url
        from .publish.online import online

        problem = check_url(args.online)
        if problem:
            raise ConfigError(f"--online {problem}")
        name = args.online
        findings = online(args.online, sample=args.sample)
    else:
        from .publish.lint import lint

        feed = Path(args.feed)
        if not feed.is_file():
            raise ConfigError("no such feed file", path=feed)
        name, findings = str(feed), lint(feed)
    errors = [f for f in findings if f.level == "error"]
    for f in findings:
        (err if f.level == "error" else out).print(str(f), markup=False)
    if not args.quiet:
        out.print(f"{name}: {len(errors)} error(s), {len(findings) - len(errors)} warning(s)", markup=False)
    return 1 if errors else 0


def cmd_serve(args: argparse.Namespace) -> int:
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
    out.print(
        f"serving {show.public_dir} at http://{host!s}:{port}/ (feed: http://{host!s}:{port}/feed.xml); Ctrl-C stops",
        markup=False,
    )
    # The server answers in a thread of its own; Ctrl-C only sets an event this
    # thread waits on, so it never lands inside the server's accept or the start of a
    # request's thread (a KeyboardInterrupt there could leave the process hanging on exit).
    import signal
    import threading

    stop = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
    answering = threading.Thread(target=server.serve_forever, name="podkit-serve", daemon=True)
    try:
        answering.start()
        while not stop.wait(0.5) and answering.is_alive():
            pass
        if stop.is_set():  # Ctrl-C is how a preview ends: not an error
            out.print("stopped", markup=False)
    finally:
        signal.signal(signal.SIGINT, previous)
        if answering.is_alive():
            server.shutdown()
        server.server_close()
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from .runner import rebuild_show

    report = rebuild_show(args.dir, wait=args.wait)
    if not args.quiet:
        if report.moved_aside:
            out.print(f"the old catalog is kept as {report.moved_aside}", markup=False)
        out.print(
            f"catalog rebuilt: {report.episodes} episode(s), {report.recovered} with the GUID and "
            f"date they were published with; run 'podkit run {args.dir}' to refresh their files",
            markup=False,
        )
    for message in report.problems.values():
        err.print(f"[red]not an episode[/red]: {escape(message)}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch import Watcher

    return Watcher(args.dir, settle=args.settle, poll=args.poll, polling=args.polling, quiet=args.quiet).run()


def cmd_models(args: argparse.Namespace) -> int:
    from .transcribe.models import available

    table = _table("Whisper models podkit can use here", "model", "engines", "where")
    for row in available():
        table.add_row(*(escape(c) for c in row))
    _print_table(table)
    return 0


# -- entry point -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    common.add_argument("-v", "--verbose", action="store_true", help="say more")
    common.add_argument("--debug", action="store_true", help="show tracebacks and ffmpeg commands")

    parser = argparse.ArgumentParser(
        prog="podkit", parents=[common], description="Turn recordings into a published podcast."
    )
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
    p.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="when another podkit is working on the show, wait this long for it",
    )
    p.add_argument(
        "--settle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="leave alone recordings modified less than this long ago (still arriving)",
    )
    p.add_argument(
        "--redo",
        nargs=2,
        metavar=("STAGE", "SLUG"),
        help="do STAGE again for episode SLUG (and what follows from it), whatever its record says",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="with --redo: replace a file edited by hand too (it is kept as a .bak beside it)",
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        help="run normalise, transcribe and notes on the Ray cluster at ADDRESS (the head's HOST:PORT, or auto); "
        "this process still writes the show and its catalog (needs pip install 'podkit[cluster]')",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser(
        "rebuild",
        parents=[common],
        help="recreate a lost or damaged catalog from the recordings and the published feed",
    )
    p.add_argument("dir")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS")
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("watch", parents=[common], help="process every recording dropped into audio/")
    p.add_argument("dir")
    p.add_argument(
        "--settle",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="a file is taken once its size and time are unchanged this long (default 5)",
    )
    p.add_argument("--poll", type=float, default=2.0, metavar="SECONDS", help="polling interval")
    p.add_argument("--polling", action="store_true", help="poll instead of inotify")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser(
        "import", parents=[common], help="bring in an existing show: its feed's settings, episodes and audio"
    )
    p.add_argument("feed", metavar="FEED", help="the show's RSS or Atom feed: a URL or a file")
    p.add_argument("dir", metavar="DIR", help="the show folder: created, or an existing show to add to")
    p.add_argument("--url", help="a new show: where its public/ will be published (default: the feed's website)")
    p.add_argument("--email", help="a new show: the owner's e-mail (default: the feed's itunes:owner)")
    p.add_argument("--jobs", type=int, default=4, metavar="N", help="downloads at once (default 4)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("status", parents=[common], help="episodes, their stages and errors")
    p.add_argument("dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "normalise", aliases=["normalize"], parents=[common], help="normalise one file to an MP3 (the stage on its own)"
    )
    p.add_argument("input", metavar="IN")
    p.add_argument("output", metavar="OUT")
    p.add_argument("--target", type=float, metavar="LUFS", help="integrated loudness (default -16 stereo, -19 mono)")
    p.add_argument("--true-peak", type=float, metavar="DBTP", help="ceiling (default -1)")
    p.add_argument("--bitrate", type=int, metavar="KBPS", help="MP3 bitrate (default 128 stereo, 64 mono)")
    p.add_argument("--no-trim", action="store_true", help="keep leading and trailing silence")
    p.add_argument("--verify", action="store_true", help="always measure the output")
    p.add_argument("--leveler", action="store_true", help="bring speakers and passages to one loudness first")
    p.add_argument("--denoise", action="store_true", help="reduce broadband noise (hiss, fan, room) first")
    p.add_argument(
        "--denoise-model",
        choices=DENOISE_MODELS,
        help="how --denoise reduces noise (implies it; default spectral; deepfilternet: fewer words lost, slower)",
    )
    p.add_argument("--dehum", action="store_true", help="find mains hum (50/60 Hz and harmonics) and notch it out")
    p.set_defaults(func=cmd_normalise)

    p = sub.add_parser("transcribe", parents=[common], help="transcribe files (the stage on its own)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", metavar="DIR", help="where to write (default: beside each file)")
    p.add_argument("--engine", default=DEFAULT_ENGINE, choices=ENGINES)
    p.add_argument("--model", default=DEFAULT_MODEL, help=f"name ({DEFAULT_MODEL} is bundled) or path")
    p.add_argument("--language", default=None, help="spoken language (default: detect)")
    p.add_argument("--beam-size", type=int, default=DEFAULT_BEAM_SIZE)
    p.add_argument("--format", default=",".join(FORMATS), help="comma-separated formats")
    p.add_argument("--device", default=DEFAULT_DEVICE, choices=DEVICES)
    p.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help=f"faster-whisper: chunks decoded at once (default {DEFAULT_BATCH_SIZE}; 0: one window at a time)",
    )
    p.add_argument(
        "--speakers",
        help="comma-separated speaker names (on one track, two or more are told apart by their voices)",
    )
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
    p.add_argument("feed", metavar="FEED", nargs="?", help="a feed file")
    p.add_argument(
        "--online",
        metavar="URL",
        help="fetch the deployed feed and check the live host: its files answer HEAD and byte ranges "
        "with the right type, validators, CORS and size",
    )
    p.add_argument(
        "--sample",
        type=int,
        default=3,
        metavar="N",
        help="with --online: check the files of the newest N episodes (default 3)",
    )
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
    command: Callable[[argparse.Namespace], int] = args.func
    try:
        return command(args)
    except PodkitError as exc:
        if args.debug:
            traceback.print_exc()
        err.print(f"podkit: error: {exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("podkit: interrupted", markup=False)
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: still one line, the traceback with --debug
        if args.debug:
            traceback.print_exc()
        err.print(
            f"podkit: internal error: {exc.__class__.__name__}: {exc} (run again with --debug for the traceback)",
            markup=False,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
