"""Multitrack: one file per speaker, each levelled and gated against the others' bleed, then
summed (streaming: one pass measures every track, one mixes them).

A track's 100 ms blocks are its own speech where it is at least 10 dB over its own noise
floor *and* no more than ``BLEED_DB`` under the loudest other track at that moment: a
speaker's voice in a neighbour's microphone arrives 20 dB or so down, so it never opens
that neighbour's gate, while two people talking at once keep both open. Closed, a track is
``GATE_DB`` down (a gate that shuts fully makes the room's noise switch on and off). The gate
opens one block early and holds two blocks late, with 200 ms ramps. Each track's own speech
is brought to the tracks' common loudness (their power mean) with one gain, at most
``max_gain_db``. Tracks of different lengths are padded with silence to the longest; every
track is resampled to the show's rate, so different sample rates mix as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

import numpy as np

from ..ffmpeg import Decoder, probe
from ..normalise.meter import LoudnessMeter
from ..records import Progress
from .wav import FloatWav

BLOCK_S = 0.1  # the meter's sub-blocks: one gate value each
BLEED_DB = 10.0
GATE_DB = -40.0
OVER_FLOOR_DB = 10.0


@dataclass(frozen=True)
class TrackPlan:
    path: Path
    gain_db: float  # the levelling gain of the track's own speech
    gate: np.ndarray  # linear gain per 100 ms block (gate times levelling)
    speech_share: float


def _levels(path: Path, rate: int) -> np.ndarray:
    meter = LoudnessMeter(rate, 1, true_peak=False)
    for chunk in Decoder(path, rate=rate, channels=1).chunks():
        meter.feed(chunk)
    return meter.result().levels


def plan_tracks(paths: list[Path], *, rate: int = 44100, max_gain_db: float = 12.0) -> list[TrackPlan]:
    from scipy import ndimage

    levels = [_levels(p, rate) for p in paths]
    n = max(len(lv) for lv in levels)
    power = np.zeros((len(paths), n))
    for i, lv in enumerate(levels):
        power[i, : len(lv)] = lv
    with np.errstate(divide="ignore"):
        db = 10 * np.log10(np.maximum(power, 1e-30))
    own = np.zeros_like(db, dtype=bool)
    for i in range(len(paths)):
        live = db[i] > -100
        floor = float(np.percentile(db[i][live], 10)) if live.any() else -100.0
        others = np.delete(db, i, axis=0).max(axis=0) if len(paths) > 1 else np.full(n, -300.0)
        own[i] = (db[i] > max(floor + OVER_FLOOR_DB, -70.0)) & (db[i] >= others - BLEED_DB)
    speech_db = np.array(
        [10 * np.log10(power[i][own[i]].mean()) if own[i].any() else np.nan for i in range(len(paths))]
    )
    known = speech_db[~np.isnan(speech_db)]
    target = 10 * np.log10(np.mean(10 ** (known / 10))) if len(known) else 0.0
    plans = []
    for i, path in enumerate(paths):
        gain_db = 0.0 if np.isnan(speech_db[i]) else float(np.clip(target - speech_db[i], -max_gain_db, max_gain_db))
        opened = ndimage.binary_dilation(own[i], structure=np.ones(4, bool), origin=-1) if own[i].any() else own[i]
        gate_db = np.where(opened, gain_db, gain_db + GATE_DB)
        gate_db = ndimage.uniform_filter1d(gate_db, 3, mode="nearest")
        plans.append(TrackPlan(path, gain_db, (10 ** (gate_db / 20)).astype(np.float32), float(own[i].mean())))
    return plans


def mix_levelled(
    paths: list[Path], out: Path, *, rate: int = 44100, max_gain_db: float = 12.0, progress: Progress | None = None
) -> list[TrackPlan]:
    """Level, gate and sum ``paths`` into the float WAV ``out``."""
    channels = 2 if max(probe(p).channels for p in paths) > 1 else 1
    if progress:
        progress("studio: measuring tracks", 0.0, None)
    plans = plan_tracks(paths, rate=rate, max_gain_db=max_gain_db)
    block = round(rate * BLOCK_S)
    centres = (np.arange(max(len(p.gate) for p in plans)) + 0.5) * block
    streams = [Decoder(p, rate=rate, channels=channels).chunks() for p in paths]
    pos = 0
    with FloatWav(out, rate=rate, channels=channels) as wav:
        for chunks in zip_longest(*streams):
            n = max(len(c) for c in chunks if c is not None)
            t = np.arange(pos, pos + n) + 0.5
            y = np.zeros((n, channels), dtype=np.float32)
            for plan, chunk in zip(plans, chunks, strict=True):
                if chunk is None:
                    continue
                g = np.interp(t[: len(chunk)], centres[: len(plan.gate)], plan.gate).astype(np.float32)
                y[: len(chunk)] += chunk * g[:, None]
            wav.write(y)
            pos += n
            if progress:
                progress("studio: mixing tracks", pos / rate, None)
    return plans


def write_gated(plans: list[TrackPlan], folder: Path, *, rate: int = 16000) -> list[Path]:
    """Each track with its gate applied (not its levelling gain), as a mono float WAV at
    ``rate`` in ``folder``: what transcription hears, so a voice bleeding into another
    speaker's microphone is not transcribed there as that speaker's."""
    outs = []
    for i, plan in enumerate(plans):
        out = folder / f"{i:02d}-{plan.path.stem}.gated.wav"
        centres = (np.arange(len(plan.gate)) + 0.5) * BLOCK_S
        gate = plan.gate / np.float32(10 ** (plan.gain_db / 20))  # the gate alone
        pos = 0
        with FloatWav(out, rate=rate, channels=1) as wav:
            for chunk in Decoder(plan.path, rate=rate, channels=1).chunks():
                t = (np.arange(pos, pos + len(chunk)) + 0.5) / rate
                wav.write(chunk * np.interp(t, centres, gate).astype(np.float32)[:, None])
                pos += len(chunk)
        outs.append(out)
    return outs
