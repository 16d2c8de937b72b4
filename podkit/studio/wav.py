"""A float WAV written as it streams (32-bit IEEE float, so levels above full scale survive
until the normalise stage brings them down)."""

from __future__ import annotations

import struct
from pathlib import Path
from types import TracebackType

import numpy as np

UNKNOWN = 0xFFFFFFFF


class FloatWav:
    def __init__(self, path: Path, *, rate: int, channels: int):
        self.path = Path(path)
        self.rate = rate
        self.channels = channels
        self.frames = 0
        self._fh = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._fh.write(self._header(0))

    def _header(self, frames: int) -> bytes:
        # Past 4 GiB (3.4 hours of stereo) the sizes say "unknown" (0xFFFFFFFF): ffmpeg then
        # reads the data to the end of the file.
        data = min(frames * 4 * self.channels, UNKNOWN - 64)
        block = 4 * self.channels
        fmt = struct.pack("<HHIIHH", 3, self.channels, self.rate, self.rate * block, block, 32)
        fact = struct.pack("<I", min(frames, UNKNOWN))
        return (
            b"RIFF"
            + struct.pack("<I", 4 + (8 + len(fmt)) + (8 + len(fact)) + (8 + data))
            + b"WAVE"
            + b"fmt "
            + struct.pack("<I", len(fmt))
            + fmt
            + b"fact"
            + struct.pack("<I", len(fact))
            + fact
            + b"data"
            + struct.pack("<I", UNKNOWN if frames * 4 * self.channels > data else data)
        )

    def write(self, frames: np.ndarray) -> None:
        if not len(frames):
            return
        self._fh.write(np.ascontiguousarray(frames, dtype="<f4").reshape(-1, self.channels).tobytes())
        self.frames += len(frames)

    def close(self) -> None:
        if self._fh.closed:
            return
        self._fh.seek(0)
        self._fh.write(self._header(self.frames))
        self._fh.close()

    def __enter__(self) -> FloatWav:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
