"""The one place podkit runs ffmpeg and ffprobe: argument lists, logged, errors mapped.

The binaries are found on PATH, or named by ``PODKIT_FFMPEG`` / ``PODKIT_FFPROBE``.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import logging
import os
import queue
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from .errors import MediaError, ToolError

log = logging.getLogger(__name__)


@functools.cache
def binary(name: str) -> str:
    """Absolute path of ``ffmpeg`` or ``ffprobe``, or a ToolError saying how to get it."""
    override = os.environ.get(f"PODKIT_{name.upper()}")
    found = override or shutil.which(name)
    if not found or not os.access(found, os.X_OK):
        raise ToolError(
            f"{name} not found; install it (Debian/Ubuntu: apt-get install ffmpeg) "
            f"or set PODKIT_{name.upper()} to its path"
        )
    return found


def _command(name: str, args: list[str]) -> list[str]:
    cmd = [binary(name), *args]
    log.debug("running %s", shlex.join(cmd))
    return cmd


def _last_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else "no error message"


def run(name: str, args: list[str], *, path: Path | None = None) -> str:
    """Run ``name`` with ``args``; return stdout. A non-zero exit raises MediaError for ``path``."""
    proc = subprocess.run(_command(name, args), capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        raise MediaError(f"{name} failed: {_last_line(proc.stderr)}", path=path)
    return proc.stdout


@dataclass(frozen=True)
class Probe:
    """What ffprobe says about a media file's first audio stream."""

    duration: float | None  # seconds, as the container declares it
    channels: int
    sample_rate: int
    codec: str
    format: str


def probe(path: Path) -> Probe:
    try:
        out = run(
            "ffprobe",
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
            path=path,
        )
    except MediaError as exc:
        # ffprobe starts its reason with the path, which the error names already
        reason = exc.message.removeprefix("ffprobe failed: ").removeprefix(f"{path}: ")
        raise MediaError(
            f"not a readable audio file ({reason}); export it again as WAV, FLAC, MP3, M4A, OGG or Opus",
            path=path,
        ) from None
    info = json.loads(out or "{}")
    audio = [s for s in info.get("streams", []) if s.get("codec_type") == "audio"]
    if not audio:
        raise MediaError("has no audio track; export the recording with its sound", path=path)
    stream = audio[0]
    fmt = info.get("format", {})
    duration = stream.get("duration") or fmt.get("duration")
    return Probe(
        duration=float(duration) if duration not in (None, "N/A") else None,
        channels=int(stream.get("channels") or 0),
        sample_rate=int(stream.get("sample_rate") or 0),
        codec=str(stream.get("codec_name", "")),
        format=str(fmt.get("format_name", "")),
    )


class Decoder:
    """Stream a file's first audio track as float32 frames (``frames x channels``).

    Lazy: nothing is decoded until the iteration runs; memory stays at one chunk whatever
    the duration. Iterate ``chunks()``; after it ends, ``frames`` holds the total decoded.
    """

    def __init__(
        self,
        path: Path,
        *,
        rate: int,
        channels: int,
        chunk_frames: int = 1 << 16,
        source: Iterator[bytes] | None = None,
    ):
        self.path = Path(path)
        self.rate = rate
        self.channels = channels
        self.chunk_frames = chunk_frames
        self.frames = 0
        self.source = source  # bytes to decode from a pipe instead of reading ``path``

    def _feed(self, stdin: IO[bytes]) -> None:
        assert self.source is not None
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            for data in self.source:
                stdin.write(data)
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            stdin.close()

    def chunks(self) -> Generator[np.ndarray, None, None]:
        args = [
            "-v",
            "error",
            "-i",
            "pipe:0" if self.source else str(self.path),
            "-map",
            "0:a:0",
            "-vn",
            "-sn",
            "-dn",
            "-ac",
            str(self.channels),
            "-ar",
            str(self.rate),
            "-f",
            "f32le",
            "-acodec",
            "pcm_f32le",
            "pipe:1",
        ]
        frame_bytes = 4 * self.channels
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                _command("ffmpeg", args),
                stdout=subprocess.PIPE,
                stderr=err,
                bufsize=0,
                stdin=subprocess.PIPE if self.source else subprocess.DEVNULL,
            )
            feeder = None
            if self.source:
                feeder = threading.Thread(target=self._feed, args=(proc.stdin,), daemon=True)
                feeder.start()
            try:
                assert proc.stdout is not None
                _widen_pipe(proc.stdout)
                want = self.chunk_frames * frame_bytes
                while True:
                    buf = np.empty(want, dtype=np.uint8)
                    view = memoryview(buf.data)
                    filled = 0
                    while filled < want:
                        got = proc.stdout.readinto(view[filled:])  # type: ignore[attr-defined]  # a raw pipe
                        if not got:
                            break
                        filled += got
                    usable = filled - filled % frame_bytes
                    if usable:
                        yield self._frames(buf[:usable])
                    if filled < want:
                        break
                code = proc.wait()
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                if feeder:
                    feeder.join(timeout=5)
            if code != 0:
                err.seek(0)
                msg = _last_line(err.read().decode("utf-8", "replace"))
                raise MediaError(f"cannot decode audio ({msg})", path=self.path)

    def _frames(self, data: np.ndarray) -> np.ndarray:
        block = data.view("<f4").reshape(-1, self.channels)
        self.frames += len(block)
        return block


def follow(path: Path, finished: Callable[[], bool], *, poll_s: float = 0.01) -> Iterator[bytes]:
    """Bytes of a file another process is still writing, until ``finished()`` says it's done."""
    with open(path, "rb") as fh:
        while True:
            done = finished()  # asked before reading, so nothing written after is missed
            data = fh.read(1 << 16)
            if data:
                yield data
            elif done:
                return
            else:
                time.sleep(poll_s)


def mix(tracks: list[Path], out: Path) -> Path:
    """Sum one-speaker tracks into one WAV (float, so nothing clips before normalise)."""
    inputs = [arg for t in tracks for arg in ("-i", str(t))]
    channels = max(probe(t).channels for t in tracks)
    graph = "".join(f"[{i}:a:0]" for i in range(len(tracks)))
    layout = "mono" if channels == 1 else "stereo"
    graph += f"amix=inputs={len(tracks)}:duration=longest:normalize=0,aformat=channel_layouts={layout}"
    run(
        "ffmpeg",
        [
            "-nostdin",
            "-v",
            "error",
            "-y",
            *inputs,
            "-filter_complex",
            graph,
            "-c:a",
            "pcm_f32le",
            "-f",
            "wav",
            str(out),
        ],
        path=tracks[0],
    )
    return out


def _widen_pipe(fileobj: IO[bytes] | None) -> None:
    """Ask for a 1 MiB pipe (Linux): fewer stalls between ffmpeg and podkit."""
    if fileobj is None:
        return
    with contextlib.suppress(OSError, AttributeError, ValueError):
        fcntl.fcntl(fileobj.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)


class Mp3Encoder:
    """Write float32 frames into a CBR MP3 through ffmpeg's libmp3lame (no tags: see tag.py).

    A writer thread feeds ffmpeg, so podkit prepares the next chunk while the encoder works.
    """

    def __init__(self, out: Path, *, rate: int, channels: int, bitrate_kbps: int):
        self.out = Path(out)
        args = [
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "f32le",
            "-ar",
            str(rate),
            "-ac",
            str(channels),
            "-i",
            "pipe:0",
            "-map_metadata",
            "-1",
            "-c:a",
            "libmp3lame",
            "-b:a",
            f"{bitrate_kbps}k",
            "-ar",
            str(rate),
            "-id3v2_version",
            "0",
            "-write_id3v1",
            "0",
            "-f",
            "mp3",
            str(self.out),
        ]
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close() or abort()
        self._proc = subprocess.Popen(
            _command("ffmpeg", args),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._err,
        )
        _widen_pipe(self._proc.stdin)
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self._broken = False
        self._writer = threading.Thread(target=self._feed, daemon=True)
        self._writer.start()

    def _feed(self) -> None:
        assert self._proc.stdin is not None
        while (data := self._queue.get()) is not None:
            if self._broken:
                continue
            try:
                self._proc.stdin.write(data)
            except (BrokenPipeError, ValueError):
                self._broken = True
        with contextlib.suppress(BrokenPipeError, ValueError):
            self._proc.stdin.close()

    def write(self, frames: np.ndarray) -> None:
        if self._broken:
            self.close()  # raises with ffmpeg's own message
        self._queue.put(np.ascontiguousarray(frames, dtype="<f4").tobytes())

    def finished(self) -> bool:
        """True once ffmpeg has exited (the file is complete, or it failed)."""
        return self._proc.poll() is not None

    def close(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join()
        code = self._proc.wait()
        self._err.seek(0)
        stderr = self._err.read().decode("utf-8", "replace")
        self._err.close()
        if code != 0 or self._broken:
            raise MediaError(f"MP3 encoding failed ({_last_line(stderr)})", path=self.out)

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._broken = True
        if self._writer.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put_nowait(None)
            self._writer.join(timeout=5)
        self._proc.wait()
        self._err.close()
