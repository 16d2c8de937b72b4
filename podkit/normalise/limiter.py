"""A streaming look-ahead true-peak limiter.

Only used where the loudness gain would push the true peak above the ceiling. For each frame
it needs the gain ``r = min(1, ceiling / true_peak)``; the applied gain is a sliding minimum
of ``r`` over +-``hold`` frames, smoothed by a moving average over +-``ramp`` frames
(``ramp < hold``). Every averaged value is a minimum over a window that contains the frame
itself, so the applied gain never exceeds ``r``: peaks are caught, with a smooth ramp and no
overshoot, and frames far from any peak pass untouched.
"""

from __future__ import annotations

import numpy as np

from .meter import Oversampler, block_peaks


class Limiter:
    def __init__(self, rate: int, channels: int, ceiling_db: float, *, hold_s: float = 0.010):
        self.ceiling = 10.0 ** (ceiling_db / 20.0)
        self.os = Oversampler(rate)
        ctx = self.os.context
        self.hold = max(4, round(hold_s * rate))
        self.ramp = max(1, self.hold - 2 * ctx)  # margin for the interpolator's alignment
        self.margin = self.hold + self.ramp + 2 * ctx  # context needed on each side
        self.buf = np.zeros((self.margin, channels), dtype=np.float32)  # left context: silence
        self.min_output = 4096
        self.reduced_frames = 0  # frames whose gain was lowered (for the report)
        self.max_reduction_db = 0.0

    def process(self, x: np.ndarray) -> np.ndarray:
        self.buf = np.concatenate([self.buf, x.astype(np.float32, copy=False)])
        if len(self.buf) - 2 * self.margin < self.min_output:
            return self.buf[:0]
        return self._emit(len(self.buf) - 2 * self.margin)

    def flush(self) -> np.ndarray:
        count = len(self.buf) - self.margin
        self.buf = np.concatenate([self.buf, np.zeros((self.margin, self.buf.shape[1]), np.float32)])
        return self._emit(count) if count > 0 else self.buf[:0]

    def _emit(self, count: int) -> np.ndarray:
        # Frames outside candidate blocks cannot exceed the ceiling: their envelope stays 0.
        env = np.zeros(len(self.buf))
        for first, last in self.os.runs(self.os.candidates(block_peaks(self.buf), self.ceiling)):
            s, e, fp = self.os.frame_peaks(self.buf, first, last)
            env[s:e] = fp
        from scipy import ndimage  # here, not at the top: the CLI starts fast

        with np.errstate(divide="ignore"):
            need = np.minimum(1.0, self.ceiling / np.maximum(env, 1e-12))
        held = ndimage.minimum_filter1d(need, size=2 * self.hold + 1, mode="nearest")
        gain = ndimage.uniform_filter1d(held, size=2 * self.ramp + 1, mode="nearest")
        gain = np.minimum(gain, need)  # rounding in the average must not lift a peak
        lo, hi = self.margin, self.margin + count
        g = gain[lo:hi]
        reduced = g < 1.0
        if reduced.any():
            self.reduced_frames += int(reduced.sum())
            self.max_reduction_db = max(self.max_reduction_db, float(-20 * np.log10(g.min())))
        out: np.ndarray = self.buf[lo:hi] * g[:, None].astype(np.float32)
        self.buf = self.buf[hi - self.margin :]
        return out
