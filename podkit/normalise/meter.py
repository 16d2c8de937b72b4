"""ITU-R BS.1770-4 loudness and true-peak meter that streams.

Feed it chunks of float32 frames (``frames x channels``); memory holds only one value per
100 ms per channel, so a meter over a two-hour file is as small as over a minute.

- K-weighting: the standard's two biquads (high shelf + high pass), derived for any sample
  rate from their analogue prototypes by the bilinear transform.
- Gating: 400 ms blocks overlapping by 75 %, absolute gate -70 LUFS, relative gate -10 LU.
- True peak: oversampling to at least 176.4 kHz (4x at 44.1 and 48 kHz, more at lower
  rates; BS.1770-4 asks for at least 4x) through a windowed-sinc interpolator. Only blocks
  that could raise the running maximum are oversampled: the interpolator's output is bounded
  by ``bound * max|x|``, so skipping the other blocks changes no result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
SUB_BLOCK_S = 0.1  # 400 ms gating blocks are made of four 100 ms sub-blocks
TP_BLOCK = 1024  # frames per true-peak candidate block


def k_weighting(rate: int) -> np.ndarray:
    """Second-order sections of the BS.1770 K-weighting filter at ``rate`` Hz."""
    # Stage 1: high shelf (+4 dB above ~1.7 kHz), the head's acoustic effect.
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    # Stage 2: the RLB high pass at ~38 Hz.
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1.0 + k / q + k * k
    hp_b = [1.0, -2.0, 1.0]
    hp_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf_b + shelf_a, hp_b + hp_a], dtype=np.float64)


def oversample_factor(rate: int) -> int:
    """Oversampling so the true-peak meter looks at >= 176.4 kHz (BS.1770-4: at least 4x)."""
    return max(4, math.ceil(176_400 / rate))


def interpolator(factor: int, taps_per_phase: int = 12) -> np.ndarray:
    """Low-pass FIR for upsampling by ``factor`` (gain ``factor``, so phases have unit gain)."""
    from scipy import signal  # here, not at the top: the CLI starts fast when nothing is measured

    n = factor * taps_per_phase
    return np.asarray(signal.firwin(n, 1.0 / factor, window=("kaiser", 8.0))) * factor


def block_peaks(x: np.ndarray) -> np.ndarray:
    """Largest absolute sample of each ``TP_BLOCK``-frame block of ``x`` (all channels)."""
    n = len(x)
    whole = n // TP_BLOCK
    flat = x.reshape(n, -1)
    parts = []
    if whole:
        blocks = flat[: whole * TP_BLOCK].reshape(whole, -1)
        parts.append(np.maximum(blocks.max(axis=1), -blocks.min(axis=1)))
    if n % TP_BLOCK:
        tail = flat[whole * TP_BLOCK :]
        parts.append(np.array([max(tail.max(), -tail.min())]))
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)


class Oversampler:
    """Finds where oversampling could exceed a threshold, and oversamples only there."""

    def __init__(self, rate: int):
        self.factor = oversample_factor(rate)
        self.h = interpolator(self.factor)
        # |interpolated sample| <= bound * max|x| over the filter's span.
        self.bound = float(np.abs(self.h.reshape(-1, self.factor)).sum(axis=0).max())
        self.context = len(self.h) // self.factor  # input frames the filter spans
        self.shift = (len(self.h) - 1) // 2 - self.factor // 2

    def candidates(self, peaks: np.ndarray, threshold: float) -> np.ndarray:
        """Blocks whose oversampled output may exceed ``threshold`` (context: one block)."""
        window = np.maximum.reduce([peaks, np.append(peaks[1:], 0.0), np.insert(peaks[:-1], 0, 0.0)])
        return np.flatnonzero(window * self.bound > threshold)

    def runs(self, blocks: np.ndarray) -> list[tuple[int, int]]:
        """Consecutive candidate blocks merged into (first, last + 1) runs: fewer, longer calls."""
        if not len(blocks):
            return []
        breaks = np.flatnonzero(np.diff(blocks) > 1)
        starts = np.concatenate([[blocks[0]], blocks[breaks + 1]])
        ends = np.concatenate([blocks[breaks], [blocks[-1]]]) + 1
        return list(zip(starts.tolist(), ends.tolist(), strict=True))

    def frame_peaks(self, x: np.ndarray, first: int, last: int) -> tuple[int, int, np.ndarray]:
        """Oversampled peak of every frame in blocks [first, last) of ``x``: (start, end, peaks)."""
        n, f, ctx = len(x), self.factor, self.context
        # Only frames with ``ctx`` frames on both sides inside ``x``: at an edge the filter
        # would see a jump to silence and ring above the real waveform.
        s, e = max(first * TP_BLOCK, ctx), min(n - ctx, last * TP_BLOCK)
        if e <= s:
            return s, s, np.zeros(0)
        lo, hi = s - ctx, e + ctx
        seg = x[lo:hi].reshape(hi - lo, -1)
        from scipy import signal

        up = signal.upfirdn(self.h, seg, up=f, axis=0)[self.shift : self.shift + len(seg) * f]
        if len(up) < len(seg) * f:
            up = np.pad(up, ((0, len(seg) * f - len(up)), (0, 0)))
        up = up.reshape(len(seg), -1)
        peaks = np.maximum(up.max(axis=1), -up.min(axis=1))
        return s, e, peaks[s - lo : e - lo]


class TruePeak:
    """Running maximum of the oversampled absolute signal, across channels."""

    def __init__(self, rate: int, channels: int):
        self.os = Oversampler(rate)
        self.history = np.zeros((2 * self.os.context, channels), dtype=np.float32)
        self.peak = 0.0
        self.sample_peak = 0.0

    def feed(self, x: np.ndarray) -> None:
        if not len(x):
            return
        # The previous chunk's last frames give the filter its past, and the last of them,
        # measured only now, their future.
        ext = np.concatenate([self.history, x])
        self.history = ext[-len(self.history) :]
        peaks = block_peaks(ext)
        self.sample_peak = max(self.sample_peak, float(peaks.max()))
        self.peak = max(self.peak, self.sample_peak)
        for first, last in self.os.runs(self.os.candidates(peaks, self.peak)):
            _, _, fp = self.os.frame_peaks(ext, first, last)
            if len(fp):
                self.peak = max(self.peak, float(fp.max()))

    def finish(self) -> None:
        """The signal ends here: measure its last frames against the silence that follows."""
        self.feed(np.zeros((self.os.context, self.history.shape[1]), dtype=np.float32))


@dataclass(frozen=True)
class Measurement:
    integrated: float  # LUFS; -inf when every block is gated out (silence)
    true_peak: float  # dBTP
    sample_peak: float  # dBFS
    duration: float  # seconds
    sub_block_s: float  # length of one entry of ``levels``
    levels: np.ndarray  # K-weighted power per 100 ms sub-block, summed over channels

    def levels_db(self) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.asarray(-0.691 + 10.0 * np.log10(self.levels))


def _db(power: float) -> float:
    return -0.691 + 10.0 * math.log10(power) if power > 0 else -math.inf


def to_dbfs(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 0 else -math.inf


class LoudnessMeter:
    """Streaming BS.1770-4 meter: ``feed`` chunks, then ``result``."""

    def __init__(self, rate: int, channels: int, *, true_peak: bool = True):
        self.rate = rate
        self.channels = channels
        self.sos = k_weighting(rate)
        self.zi = np.zeros((self.sos.shape[0], 2, channels), dtype=np.float32)
        self.sub = max(1, round(rate * SUB_BLOCK_S))
        self.partial = np.zeros(channels)
        self.partial_n = 0
        self.subs: list[np.ndarray] = []  # per sub-block: mean square per channel
        self.frames = 0
        self.tp = TruePeak(rate, channels) if true_peak else None

    def feed(self, x: np.ndarray) -> None:
        if not len(x):
            return
        self.frames += len(x)
        if self.tp is not None:
            self.tp.feed(x)
        # float32 filtering keeps the result within 0.01 LU of float64 (conformance tests)
        # at half the cost.
        from scipy import signal

        y, self.zi = signal.sosfilt(self.sos.astype(np.float32), x, axis=0, zi=self.zi)
        sq = np.square(y, dtype=np.float64)
        i = 0
        if self.partial_n:
            take = min(self.sub - self.partial_n, len(sq))
            self.partial += sq[:take].sum(axis=0)
            self.partial_n += take
            i = take
            if self.partial_n == self.sub:
                self.subs.append(self.partial / self.sub)
                self.partial = np.zeros(self.channels)
                self.partial_n = 0
        whole = (len(sq) - i) // self.sub
        if whole:
            blocks = sq[i : i + whole * self.sub].reshape(whole, self.sub, self.channels)
            self.subs.extend(blocks.mean(axis=1))
            i += whole * self.sub
        if i < len(sq):
            self.partial += sq[i:].sum(axis=0)
            self.partial_n += len(sq) - i

    def result(self) -> Measurement:
        subs = np.array(self.subs).reshape(-1, self.channels)
        power = subs.sum(axis=1)  # channel weights are 1.0 for mono, left and right
        integrated = -math.inf
        if len(power) >= 4:
            blocks = np.convolve(power, np.ones(4) / 4.0, mode="valid")
            with np.errstate(divide="ignore"):
                block_db = -0.691 + 10.0 * np.log10(blocks)
            gated = blocks[block_db > ABSOLUTE_GATE]
            if len(gated):
                relative = _db(float(gated.mean())) + RELATIVE_GATE
                with np.errstate(divide="ignore"):
                    final = gated[-0.691 + 10.0 * np.log10(gated) > relative]
                if len(final):
                    integrated = _db(float(final.mean()))
        if self.tp:
            self.tp.finish()
        peak = self.tp.peak if self.tp else 0.0
        sample_peak = self.tp.sample_peak if self.tp else 0.0
        return Measurement(
            integrated=integrated,
            true_peak=to_dbfs(peak),
            sample_peak=to_dbfs(sample_peak),
            duration=self.frames / self.rate,
            sub_block_s=self.sub / self.rate,
            levels=power,
        )


def measure_file(
    path: str | Path, *, rate: int | None = None, progress: Callable[[float, float | None], None] | None = None
) -> Measurement:
    """Measure a media file with podkit's meter (at its own rate unless ``rate`` is given)."""
    from ..ffmpeg import Decoder, probe  # a measurement of samples alone needs no ffmpeg

    path = Path(path)
    info = probe(path)
    channels = min(max(info.channels, 1), 2)
    rate = rate or info.sample_rate
    meter = LoudnessMeter(rate, channels)
    dec = Decoder(path, rate=rate, channels=channels)
    for chunk in dec.chunks():
        meter.feed(chunk)
        if progress:
            progress(dec.frames / rate, info.duration)
    return meter.result()
