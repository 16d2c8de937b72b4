"""Mains hum: found in the recording's long-term spectrum, removed with narrow notches.

Hum is a line spectrum at 50 or 60 Hz and its harmonics (the mains frequency is held
within about 0.1 % by the grid, so its harmonics sit where the fundamental says). ``find_hum``
reads the mean power spectrum that the analysis pass collects (65536-point FFTs, 0.67 Hz
bins at 44.1 kHz): for each candidate fundamental near 50 and near 60 Hz it sums how far
each harmonic's bin stands above the spectrum around it, picks the best (the fundamental or
the 2nd harmonic 15 dB out, another line 10 dB out), and notches every harmonic up to the
last that stands 5 dB out (the ones between are there, under the speech). A recording
without such lines has no hum:
nothing is filtered (this is why dehum is safe to have on by default).

``Dehum`` is a cascade of second-order notches (one per harmonic found; -3 dB bandwidth 1 %
of the harmonic's frequency, at least 1 Hz), run with their state across chunks: each takes
the hum's line out and leaves the speech around it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SPECTRUM_N = 1 << 16  # FFT size of the analysis spectrum (one decoded chunk)
MAX_HARMONICS = 24
STANDS_OUT_DB = 10.0  # a hum line is this far above the spectrum around it
LEAD_DB = 15.0  # and the fundamental or the 2nd harmonic this far: a hum has at least two lines
NOTCH_DB = 5.0  # once the hum is found, every harmonic up to the last standing this far out is notched


@dataclass(frozen=True)
class Hum:
    fundamental: float  # Hz
    harmonics: tuple[int, ...]  # which multiples are notched
    strength_db: float  # how far the strongest line stands above its neighbourhood


def _prominence(spectrum_db: np.ndarray, freq: float, bin_hz: float) -> float:
    """dB by which the peak at ``freq`` stands above the median of the spectrum around it
    (6 to 20 Hz away on either side)."""
    centre = freq / bin_hz
    lo, hi = int(np.floor(centre - 1)), int(np.ceil(centre + 1)) + 1
    if lo < 1 or hi + int(20 / bin_hz) >= len(spectrum_db):
        return 0.0
    peak = float(spectrum_db[lo:hi].max())
    near, far = int(6 / bin_hz), int(20 / bin_hz)
    around = np.concatenate([spectrum_db[max(0, lo - far) : lo - near], spectrum_db[hi + near : hi + far]])
    return peak - float(np.median(around))


def find_hum(power: np.ndarray, rate: int) -> Hum | None:
    """The hum in a mean power spectrum (``SPECTRUM_N``-point rfft bins), or None."""
    if not len(power) or not np.any(power > 0):
        return None
    bin_hz = rate / SPECTRUM_N
    with np.errstate(divide="ignore"):
        spec_db = 10 * np.log10(np.maximum(power, 1e-30))
    best: Hum | None = None
    best_score = 0.0
    for mains in (50.0, 60.0):
        for f0 in np.arange(mains - 1.0, mains + 1.0001, 0.05):
            top = min(MAX_HARMONICS, int((rate / 2 - 40) // f0))
            prom = np.array([_prominence(spec_db, k * f0, bin_hz) for k in range(1, top + 1)])
            lines = np.flatnonzero(prom >= STANDS_OUT_DB)
            if len(lines) < 2 or prom[:2].max() < LEAD_DB:
                continue
            score = float(np.sum(np.minimum(prom[lines], 40.0)))
            if score > best_score:
                best_score = score
                best = Hum(float(f0), tuple(range(1, top + 1)), float(prom.max()))
    if best is None:
        return None
    return _refine(best, spec_db, bin_hz)


def _refine(hum: Hum, spec_db: np.ndarray, bin_hz: float) -> Hum:
    """The fundamental to a hundredth of a hertz (from the parabola through each clear line's
    peak), and the harmonics to notch where that fundamental puts them."""
    estimates, weights = [], []
    for k in hum.harmonics:
        if _prominence(spec_db, k * hum.fundamental, bin_hz) < STANDS_OUT_DB:
            continue  # a line hidden under the speech says little of where it is
        c = round(k * hum.fundamental / bin_hz)
        lo = max(1, c - 2)
        i = lo + int(np.argmax(spec_db[lo : c + 3]))
        a, b, g = spec_db[i - 1], spec_db[i], spec_db[i + 1]
        denom = a - 2 * b + g
        offset = 0.5 * (a - g) / denom if denom < 0 else 0.0
        estimates.append((i + offset) * bin_hz / k)
        weights.append(k)  # higher harmonics pin the fundamental more finely
    f0 = float(np.average(estimates, weights=weights)) if estimates else hum.fundamental
    top = len(hum.harmonics)
    prom = np.array([_prominence(spec_db, k * f0, bin_hz) for k in range(1, top + 1)])
    last = int(np.flatnonzero(prom >= NOTCH_DB).max()) + 1 if (prom >= NOTCH_DB).any() else 1
    return Hum(round(f0, 3), tuple(range(1, last + 1)), hum.strength_db)


class Dehum:
    """Notch filters at the hum's harmonics, streaming (state kept between chunks)."""

    def __init__(self, hum: Hum, rate: int, channels: int):
        from scipy import signal

        sections = []
        for k in hum.harmonics:
            freq = k * hum.fundamental
            if freq >= rate / 2 - 20:
                continue
            bandwidth = max(1.0, 0.01 * freq)
            b, a = signal.iirnotch(freq, freq / bandwidth, rate)
            sections.append(np.concatenate([b, a]))
        self.sos = np.array(sections, dtype=np.float64).reshape(-1, 6)
        self.zi = np.zeros((len(self.sos), 2, channels))

    def process(self, x: np.ndarray) -> np.ndarray:
        if not len(self.sos) or not len(x):
            return x
        from scipy import signal

        y, self.zi = signal.sosfilt(self.sos, x, axis=0, zi=self.zi)
        return np.asarray(y, dtype=np.float32)
