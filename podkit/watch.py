"""``podkit watch``: turn every recording dropped into audio/ into an episode, unattended.

A front end like the CLI. It watches audio/ (inotify through watchdog; polling where that is
unavailable or ``--polling``), waits until a file has stopped changing (size and mtime
stable for ``settle`` seconds; hidden and in-progress names such as ``.part`` are ignored
until renamed), then runs the pipeline in a worker process (``podkit run``): memory is
returned after each pass, a crash there does not stop the watch, and the show's lock keeps
it to one writer. SIGINT/SIGTERM stop it after the current pass (a second signal ends the
pass too; the next start resumes it). Logs go to the console and to .podkit/watch.log.
"""

from __future__ import annotations

import logging
import logging.handlers
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from .config import load_show
from .ingest import candidates

if TYPE_CHECKING:
    from watchdog.observers.api import BaseObserver

log = logging.getLogger("podkit.watch")


def _snapshot(audio: Path) -> dict[str, tuple[int, int]]:
    recordings, lone, problems, _ = candidates(audio)
    files = [*recordings, *lone, *(audio / name for name in problems)]
    out = {}
    for path in files:
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        out[path.name] = (st.st_size, st.st_mtime_ns)
    return out


class Watcher:
    def __init__(
        self, root: str | Path, *, settle: float = 5.0, poll: float = 2.0, polling: bool = False, quiet: bool = False
    ):
        self.show = load_show(root)
        self.root = Path(root)
        self.settle, self.poll, self.polling = settle, poll, polling
        self.quiet = quiet
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.worker: subprocess.Popen[str] | None = None
        self.passes = 0

    def _logging(self) -> None:
        self.show.state_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            self.show.state_dir / "watch.log", maxBytes=1 << 20, backupCount=3
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        if not self.quiet:
            console = logging.StreamHandler(sys.stderr)
            console.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
            log.addHandler(console)
        log.setLevel(logging.INFO)

    def _observe(self) -> BaseObserver | None:
        """Wake the loop on any change in audio/ (inotify); None when only polling."""
        if self.polling:
            return None
        try:
            from watchdog.events import FileSystemEvent, FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            log.info("watchdog is not installed: polling every %.1f s", self.poll)
            return None
        wake = self.wake

        class Poke(FileSystemEventHandler):
            def on_any_event(self, event: FileSystemEvent) -> None:
                wake.set()

        observer = Observer()
        try:
            observer.schedule(Poke(), str(self.show.audio_dir), recursive=False)
            observer.start()
        except OSError as exc:
            log.info("inotify unavailable (%s): polling every %.1f s", exc, self.poll)
            return None
        return observer

    def _signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping.is_set() and self.worker and self.worker.poll() is None:
            log.info("second signal: ending the current pass (it resumes on the next start)")
            self.worker.send_signal(signal.SIGINT)
        self.stopping.set()
        self.wake.set()
        log.info("stopping after the current pass")

    def _run_pass(self) -> int:
        self.passes += 1
        cmd = [sys.executable, "-m", "podkit", "run", str(self.root), "--wait", "600", "--settle", str(self.settle)]
        log.info("pass %d: podkit run", self.passes)
        # Its own session: a Ctrl-C in the terminal reaches the watch, which decides.
        self.worker = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        output, _ = self.worker.communicate()
        code = self.worker.returncode
        self.worker = None
        for line in output.splitlines():
            if line.strip():
                (log.warning if code else log.info)("  %s", line.rstrip())
        log.info("pass %d ended (exit %d)", self.passes, code)
        return code

    def run(self) -> int:
        self._logging()
        self.show.audio_dir.mkdir(parents=True, exist_ok=True)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._signal)
        observer = self._observe()
        log.info(
            "watching %s (%s; a file is taken once unchanged for %.1f s)",
            self.show.audio_dir,
            "inotify" if observer else "polling",
            self.settle,
        )
        done: dict[str, tuple[int, int]] = {}
        seen: dict[str, tuple[tuple[int, int], float]] = {}
        first = True
        try:
            while not self.stopping.is_set():
                now = time.monotonic()
                snap = _snapshot(self.show.audio_dir)
                for name, stamp in snap.items():
                    if name not in seen or seen[name][0] != stamp:
                        seen[name] = (stamp, now)
                for name in list(seen):
                    if name not in snap:
                        del seen[name]
                stable = {n: s for n, (s, since) in seen.items() if now - since >= self.settle}
                settling = len(seen) - len(stable)
                if first or any(done.get(n) != s for n, s in stable.items()):
                    first = False
                    self._run_pass()
                    done = dict(stable)
                    continue
                self.wake.wait(min(self.poll, self.settle / 2) if settling else self.poll)
                self.wake.clear()
        finally:
            if observer:
                observer.stop()
                observer.join(timeout=5)
        log.info("stopped")
        return 0
