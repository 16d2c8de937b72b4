"""The leveler: speakers and passages brought to one loudness, pauses left alone.

It works on the 100 ms K-weighted levels the analysis pass measured (BS.1770's, one number
per 100 ms: memory is a few hundred kilobytes for hours), and hands the render pass a gain
curve. Look-ahead is free: the whole curve is known before a sample is changed.

1. The noise floor is the 10th percentile of the levels (digital silence left out); a block
   is speech where its level, smoothed over 300 ms, stands 6 dB above that floor. Gaps under
   300 ms are bridged (a pause between words is no pause); speech under 200 ms is dropped.
2. Speech runs are cut into phrases of at most 3 s. A phrase's level is its speech power with
   the noise floor's power taken off (what its loudness will be once noise is reduced).
3. Each phrase's level is smoothed over its neighbours within 15 s *whose level is within 4
   dB of its own*: one speaker's phrases are averaged (natural emphasis within a speaker is
   kept, nothing pumps from phrase to phrase), another speaker 10 dB away is not.
4. The gain brings each phrase's smoothed level to the speech's power mean, so the loudness
   as a whole stays where it was (normalise sets it afterwards), at most ``max_gain_db`` up
   or down. A pause takes the smaller gain of its two neighbours and never more than 0 dB:
   the noise in pauses is never lifted. The speech gain reaches 100 ms into each pause, and
   the curve is smoothed over 300 ms, so gain changes happen in the pauses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK_S = 0.1
SPEECH_OVER_FLOOR_DB = 6.0
BRIDGE_BLOCKS = 3
MIN_RUN_BLOCKS = 2
PHRASE_BLOCKS = 30
NEIGHBOUR_S = 15.0
SAME_SPEAKER_DB = 4.0


@dataclass(frozen=True)
class GainCurve:
    """Gain in dB at the centre of each 100 ms block."""

    gains_db: np.ndarray
    block_s: float
    speech_share: float  # share of blocks that are speech
    spread_db: float  # the phrases' level range before levelling (10th to 90th percentile)

    def linear_at(self, first: int, count: int, rate: int) -> np.ndarray:
        """Linear gain for frames ``first .. first + count`` (interpolated between blocks)."""
        t = (np.arange(first, first + count) + 0.5) / rate
        centres = (np.arange(len(self.gains_db)) + 0.5) * self.block_s
        db = np.interp(t, centres, self.gains_db) if len(centres) else np.zeros(count)
        return np.asarray(10.0 ** (db / 20.0), dtype=np.float32)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def gain_curve(levels: np.ndarray, *, max_gain_db: float = 12.0, block_s: float = BLOCK_S) -> GainCurve:
    """The leveler's gain for each 100 ms block of ``levels`` (K-weighted power per block)."""
    from scipy import ndimage

    n = len(levels)
    flat = GainCurve(np.zeros(n), block_s, 0.0, 0.0)
    if n < 5:
        return flat
    with np.errstate(divide="ignore"):
        level_db = 10 * np.log10(np.maximum(levels, 1e-30))
    live = level_db > -100
    if live.sum() < 5:
        return flat
    floor_db = float(np.percentile(level_db[live], 10))
    floor_power = 10 ** (floor_db / 10)
    smooth_db = 10 * np.log10(np.maximum(ndimage.uniform_filter1d(levels, 3, mode="nearest"), 1e-30))
    speech = smooth_db > max(floor_db + SPEECH_OVER_FLOOR_DB, -70.0)
    # Bridge short gaps, drop short bursts.
    for s, e in _runs(~speech):
        if e - s < BRIDGE_BLOCKS and s > 0 and e < n:
            speech[s:e] = True
    for s, e in _runs(speech):
        if e - s < MIN_RUN_BLOCKS:
            speech[s:e] = False
    phrases: list[tuple[int, int]] = []
    for s, e in _runs(speech):
        pieces = max(1, round((e - s) / PHRASE_BLOCKS))
        bounds = np.linspace(s, e, pieces + 1).round().astype(int)
        phrases += list(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
    if not phrases:
        return flat
    power = np.array([max(float(levels[s:e].mean()) - floor_power, floor_power * 0.1) for s, e in phrases])
    phrase_db = 10 * np.log10(power)
    length = np.array([e - s for s, e in phrases], dtype=float)
    centre = np.array([(s + e) / 2 * block_s for s, e in phrases])
    # Each phrase's neighbours lie in a window of the (time-ordered) phrases: memory grows with
    # the phrases in 30 s, not with the square of the episode's.
    lo = np.searchsorted(centre, centre - NEIGHBOUR_S, side="left")
    hi = np.searchsorted(centre, centre + NEIGHBOUR_S, side="right")
    smoothed = np.empty_like(phrase_db)
    for i in range(len(phrases)):
        near_db, near_len = phrase_db[lo[i] : hi[i]], length[lo[i] : hi[i]]
        w = near_len * (np.abs(near_db - phrase_db[i]) <= SAME_SPEAKER_DB)
        smoothed[i] = float(np.dot(w, near_db) / w.sum())
    target = 10 * np.log10(np.average(10 ** (smoothed / 10), weights=length))
    phrase_gain = np.clip(target - smoothed, -max_gain_db, max_gain_db)
    gains = np.full(n, np.nan)
    for (s, e), g in zip(phrases, phrase_gain, strict=True):
        gains[s:e] = g
    # Pauses: the smaller neighbour's gain, never above 0 dB; the speech's gain reaches 100 ms
    # into the pause first, so the change happens in the pause, not on the first syllable.
    for s, e in _runs(np.isnan(gains)):
        before = gains[s - 1] if s > 0 else np.nan
        after = gains[e] if e < n else np.nan
        pause = min(0.0, np.nanmin([before, after]) if not (np.isnan(before) and np.isnan(after)) else 0.0)
        gains[s:e] = pause
        if e - s > 2:
            if s > 0:
                gains[s] = before
            if e < n:
                gains[e - 1] = after
    gains = ndimage.uniform_filter1d(gains, 3, mode="nearest")
    spread = float(np.percentile(phrase_db, 90) - np.percentile(phrase_db, 10))
    return GainCurve(gains, block_s, float(speech.mean()), spread)
