"""Broadband noise reduction: a spectral gain from the recording's own noise print.

The noise print: while the analysis pass reads the recording, every STFT frame's power
spectrum is added to one of 1 dB classes by the frame's level (``NoiseProfile``: memory is
the classes, not the frames). At the end the quietest frames that are not digital silence
(those within 3 dB of the 5th percentile of levels) give the noise's mean power per bin.

``Denoiser`` then runs a short-time Fourier transform (2048-sample sqrt-Hann windows, half
overlapping: perfect reconstruction) and gives each bin the gain of power spectral
subtraction, ``sqrt(max(0, 1 - 2 N / P))`` (twice the noise power taken off), where ``P`` is
the bin's power averaged over the frame before and after and the neighbouring bins: that
averaging keeps noise-only bins from flickering through ("musical noise"). No bin loses
more than ``reduction_db``, so what remains of the noise is the same noise, quieter. The
gain is computed on the channels' mean and applied to each channel (the stereo image
stays). Latency is compensated: the output has exactly the input's frames.
"""

from __future__ import annotations

import numpy as np

FRAME = 2048
HOP = FRAME // 2
LEVEL_CLASSES = np.arange(-120, 1)  # dB
SILENCE_DB = -110.0  # frames below this are digital silence, not noise
OVERSUBTRACT = 2.0


def _window() -> np.ndarray:
    n = np.arange(FRAME)
    return np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * n / FRAME)).astype(np.float32)


class NoiseProfile:
    """Collects frame spectra by level; ``noise()`` is the quiet frames' mean power per bin."""

    def __init__(self) -> None:
        self.win = _window()
        bins = FRAME // 2 + 1
        self.sums = np.zeros((len(LEVEL_CLASSES), bins))
        self.counts = np.zeros(len(LEVEL_CLASSES))
        self.carry = np.zeros(0, dtype=np.float32)

    def feed(self, x: np.ndarray) -> None:
        from scipy import fft

        mono = np.concatenate([self.carry, x.mean(axis=1) if x.ndim == 2 else x])
        count = (len(mono) - FRAME) // HOP + 1 if len(mono) >= FRAME else 0
        if count <= 0:
            self.carry = mono
            return
        frames = np.lib.stride_tricks.sliding_window_view(mono, FRAME)[::HOP][:count]
        power = np.abs(fft.rfft(frames * self.win, axis=1)) ** 2
        with np.errstate(divide="ignore"):
            level = 10 * np.log10(power.mean(axis=1) / FRAME + 1e-30)
        cls = np.clip(np.round(level).astype(int) - int(LEVEL_CLASSES[0]), 0, len(LEVEL_CLASSES) - 1)
        np.add.at(self.sums, cls, power)
        np.add.at(self.counts, cls, 1)
        self.carry = mono[count * HOP :]

    def noise(self) -> np.ndarray | None:
        """Mean noise power per bin, or None when the recording has no frames of noise."""
        usable = LEVEL_CLASSES > SILENCE_DB
        counts = np.where(usable, self.counts, 0)
        total = counts.sum()
        if total < 10:
            return None
        cdf = np.cumsum(counts) / total
        p5 = int(np.searchsorted(cdf, 0.05))
        pick = usable & (np.arange(len(counts)) <= p5 + 3) & (counts > 0)
        n = counts[pick].sum()
        if n < 5:
            return None
        return np.asarray(self.sums[pick].sum(axis=0) / n)


class Denoiser:
    """Streaming STFT noise reduction: ``process`` chunks, then ``flush``."""

    def __init__(self, noise: np.ndarray, channels: int, *, reduction_db: float = 18.0):
        self.noise = np.maximum(noise, 1e-20).astype(np.float32)
        self.floor = np.float32(10 ** (-reduction_db / 20))
        self.win = _window()
        self.channels = channels
        self.inbuf = np.zeros((FRAME - HOP, channels), dtype=np.float32)  # frame 0 starts HOP early
        self.held: np.ndarray | None = None  # the last frame's spectrum: its gain needs the next
        self.held_power: np.ndarray | None = None
        self.prev_power: np.ndarray | None = None
        self.ola = np.zeros((HOP, channels), dtype=np.float32)
        self.skip = HOP  # the output's first HOP frames are the padding's
        self.taken = 0
        self.given = 0

    def process(self, x: np.ndarray) -> np.ndarray:
        self.taken += len(x)
        return self._run(x)

    def flush(self) -> np.ndarray:
        return self._run(np.zeros((2 * FRAME, self.channels), dtype=np.float32), final=True)

    def _run(self, x: np.ndarray, final: bool = False) -> np.ndarray:
        from scipy import fft, ndimage

        self.inbuf = np.concatenate([self.inbuf, x.astype(np.float32, copy=False)])
        count = (len(self.inbuf) - FRAME) // HOP + 1 if len(self.inbuf) >= FRAME else 0
        if count <= 0:
            return np.zeros((0, self.channels), dtype=np.float32)
        idx = np.arange(count)[:, None] * HOP + np.arange(FRAME)[None, :]
        frames = self.inbuf[idx] * self.win[None, :, None]  # (count, FRAME, channels)
        self.inbuf = self.inbuf[count * HOP :]
        spec = fft.rfft(frames, axis=1)
        power = (np.abs(spec) ** 2).mean(axis=2)
        if self.held is not None and self.held_power is not None:
            spec = np.concatenate([self.held[None], spec])
            power = np.concatenate([self.held_power[None], power])
        prev = self.prev_power if self.prev_power is not None else power[0]
        nxt = power[-1] if final else None
        ready = len(power) if final else len(power) - 1  # the last frame waits for its next
        if ready <= 0:
            self.held, self.held_power = spec[-1], power[-1]
            return np.zeros((0, self.channels), dtype=np.float32)
        context = np.concatenate([prev[None], power, (nxt if nxt is not None else power[-1])[None]])
        smooth = (context[:-2] + context[1:-1] + context[2:]) / 3.0  # frame before, itself, after
        smooth = ndimage.uniform_filter1d(smooth, size=5, axis=1, mode="nearest")[:ready]
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.sqrt(np.clip(1.0 - OVERSUBTRACT * self.noise[None, :] / np.maximum(smooth, 1e-30), 0.0, 1.0))
        gain = np.maximum(gain, self.floor).astype(np.float32)
        out_frames = fft.irfft(spec[:ready] * gain[:, :, None], n=FRAME, axis=1) * self.win[None, :, None]
        self.prev_power = power[ready - 1]
        if final:
            self.held = self.held_power = None
        else:
            self.held, self.held_power = spec[-1], power[-1]
        y = np.zeros((ready * HOP + HOP, self.channels), dtype=np.float32)
        y[:HOP] += self.ola
        for j in range(2):  # the two halves of each frame land on consecutive hops
            part = out_frames[:, j * HOP : (j + 1) * HOP, :].reshape(ready * HOP, self.channels)
            y[j * HOP : j * HOP + ready * HOP] += part
        self.ola = y[ready * HOP :].copy()
        out = y[: ready * HOP]
        if self.skip:
            cut = min(self.skip, len(out))
            out, self.skip = out[cut:], self.skip - cut
        if final:
            out = np.concatenate([out, self.ola])
            out = out[: self.taken - self.given]
        self.given += len(out)
        return out
