"""Intro, outro and music bed around the (processed) recording.

The clips are short, so pydub reads each whole (any format ffmpeg reads), converted to the
show's rate and the episode's channels: a mono clip on a stereo episode plays the same in both
channels, a stereo clip on a mono episode is mixed down. Each is brought to the speech's own
loudness (BS.1770) before the normalise stage masters the whole, so a jingle mastered hot
does not jump out. The recording itself streams: its speech (trimmed as the normalise stage
trims it) is written into a float WAV with the intro before it and the outro after it;
``crossfade_s`` lets them overlap, the intro's end and the outro's start fading over it.

The music bed is looped under the speech, from the first to the last sound, 18 dB under the
speech's loudness in pauses and 30 dB under it while someone speaks (the duck comes 100 ms
before the speech and lifts 300 ms after it, over 300 ms ramps), fading in and out over 2 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import MediaError
from ..ffmpeg import Decoder, probe
from ..normalise.meter import LoudnessMeter
from ..normalise.options import NormaliseOptions
from ..normalise.process import FADE_S, analyse, speech_bounds
from ..records import Progress
from .options import MAX_CLIP_S, StudioOptions
from .wav import FloatWav

BED_FADE_S = 2.0
MAX_BED_S = 900.0


@dataclass(frozen=True)
class Placement:
    """Where the parts lie, in seconds."""

    speech_at: float  # where the speech starts in the published audio
    speech_start: float  # where the kept speech starts in the recording
    speech_end: float  # and ends
    intro_end: float  # where the intro ends in the published audio (0: no intro)
    outro_start: float | None  # where the outro starts (None: no outro)
    duration: float  # of the whole

    def to_dict(self) -> dict[str, float | None]:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in vars(self).items()}


def load_clip(path: Path, *, rate: int, channels: int, what: str, longest: float = MAX_CLIP_S) -> np.ndarray:
    """A short clip as float32 frames x channels; one-line MediaErrors naming the file."""
    if not path.is_file():
        raise MediaError(f"the {what} file is missing; put it in the show folder or fix [studio] {what}", path=path)
    info = probe(path)  # a clear error for a file that is not audio
    if info.duration is not None and info.duration > longest:
        raise MediaError(
            f"is {info.duration:.0f} s long; the {what} may be at most {longest:.0f} s (cut it, or check the file)",
            path=path,
        )
    from pydub import AudioSegment
    from pydub.exceptions import CouldntDecodeError

    try:
        seg = AudioSegment.from_file(str(path)).set_frame_rate(rate).set_channels(channels).set_sample_width(2)
    except (CouldntDecodeError, OSError, IndexError) as exc:
        raise MediaError(f"cannot be read as the {what} ({exc}); export it again as WAV or MP3", path=path) from None
    samples = np.array(seg.get_array_of_samples(), dtype=np.float32) / 32768.0
    clip = samples.reshape(-1, channels)
    if len(clip) < rate * 0.1:
        raise MediaError(f"is too short for the {what} (under 0.1 s)", path=path)
    return clip


def _loudness(x: np.ndarray, rate: int) -> float:
    meter = LoudnessMeter(rate, x.shape[1], true_peak=False)
    meter.feed(x)
    return meter.result().integrated


def _matched(clip: np.ndarray, rate: int, level: float, path: Path, what: str) -> np.ndarray:
    loud = _loudness(clip, rate)
    if loud == -math.inf:
        raise MediaError(f"is silent; the {what} needs sound", path=path)
    return clip * np.float32(10 ** ((level - loud) / 20))


def _bed_gains(levels_db: np.ndarray, level: float, options: StudioOptions) -> np.ndarray:
    """The bed's gain (dB) for each 100 ms block of the speech: ducked where someone speaks."""
    from scipy import ndimage

    speech = levels_db > level - 20.0
    ducked = ndimage.binary_dilation(speech, structure=np.ones(5, bool), origin=-1) if speech.any() else speech
    gains = np.where(ducked, options.bed_duck_db, options.bed_db)
    return np.asarray(ndimage.uniform_filter1d(gains, 3, mode="nearest"))


def assemble(
    speech: Path,
    out: Path,
    options: StudioOptions,
    root: Path,
    normalise_options: NormaliseOptions,
    *,
    progress: Progress | None = None,
) -> Placement:
    """Intro + the trimmed speech + outro (and the bed under the speech) into the float WAV ``out``."""
    rate = normalise_options.sample_rate
    # The clips first (a missing or unreadable one fails at once), then the recording.
    info = probe(speech)
    channels = 1 if info.channels == 1 else 2
    clips: dict[str, tuple[Path, np.ndarray]] = {}
    for what in ("intro", "outro", "music_bed"):
        name = getattr(options, what)
        if name:
            path = root / name
            longest = MAX_BED_S if what == "music_bed" else MAX_CLIP_S
            clips[what] = (path, load_clip(path, rate=rate, channels=channels, what=what, longest=longest))
    channels, m = analyse(speech, normalise_options, progress)  # the recording's own checks
    start, end = speech_bounds(m, normalise_options)
    length = end - start
    level = m.integrated
    matched: dict[str, np.ndarray] = {}
    for what, (path, clip) in clips.items():
        matched[what] = _matched(clip, rate, level, path, what)
        if what != "music_bed" and len(clip) / rate > length:
            raise MediaError(
                f"the {what} ({len(clip) / rate:.1f} s) is longer than the episode's speech ({length:.1f} s); "
                f"check that [studio] {what} names the jingle, not a whole recording",
                path=path,
            )
    intro, outro, bed = matched.get("intro"), matched.get("outro"), matched.get("music_bed")
    length_f = round(length * rate)
    start_f = round(start * rate)
    xf_in = min(round(options.crossfade_s * rate), len(intro) // 2, length_f // 2) if intro is not None else 0
    xf_out = min(round(options.crossfade_s * rate), len(outro) // 2, length_f // 2) if outro is not None else 0
    if intro is not None and xf_in:
        intro = intro.copy()
        intro[-xf_in:] *= np.linspace(1.0, 0.0, xf_in, dtype=np.float32)[:, None]
    if outro is not None and xf_out:
        outro = outro.copy()
        outro[:xf_out] *= np.linspace(0.0, 1.0, xf_out, dtype=np.float32)[:, None]
    speech_at = (len(intro) - xf_in) if intro is not None else 0
    outro_at = speech_at + length_f - xf_out if outro is not None else None
    total = max(speech_at + length_f, (outro_at or 0) + (len(outro) if outro is not None else 0))
    bed_db = _bed_gains(m.levels_db()[round(start / m.sub_block_s) :], level, options) if bed is not None else None
    fade = max(1, round(FADE_S * rate))
    pos = 0  # frames written

    def overlay(y: np.ndarray, at: int) -> None:
        """Add the intro and outro where they overlap output frames ``at .. at + len(y)``."""
        for clip, where in ((intro, 0), (outro, outro_at)):
            if clip is None or where is None:
                continue
            lo, hi = max(at, where), min(at + len(y), where + len(clip))
            if hi > lo:
                y[lo - at : hi - at] += clip[lo - where : hi - where]

    with FloatWav(out, rate=rate, channels=channels) as wav:
        if speech_at:
            head = np.zeros((speech_at, channels), dtype=np.float32)
            overlay(head, 0)
            wav.write(head)
            pos = speech_at
        dec = Decoder(speech, rate=rate, channels=channels)
        read = 0
        chunks = dec.chunks()
        try:
            for chunk in chunks:
                lo, hi = max(start_f - read, 0), min(start_f + length_f - read, len(chunk))
                first = read
                read += len(chunk)
                if hi <= lo:
                    if read >= start_f + length_f:
                        break
                    continue
                y = chunk[lo:hi].copy()
                k = np.arange(first + lo, first + hi) - start_f  # frame in the kept speech
                env = np.minimum(1.0, np.minimum(k, length_f - 1 - k) / fade)
                if env.min() < 1.0:
                    y *= env[:, None].astype(np.float32)
                if bed is not None and bed_db is not None:
                    centres = (np.arange(len(bed_db)) + 0.5) * m.sub_block_s
                    g_db = np.interp(k / rate, centres, bed_db) if len(centres) else np.full(len(k), options.bed_db)
                    ramp = np.minimum(1.0, np.minimum(k, length_f - 1 - k) / (BED_FADE_S * rate))
                    g = (10 ** (g_db / 20) * ramp).astype(np.float32)
                    y += bed[k % len(bed)] * g[:, None]
                overlay(y, pos)
                wav.write(y)
                pos += len(y)
                if progress:
                    progress("studio: intro and outro", pos / rate, total / rate)
        finally:
            chunks.close()
        if pos < total:
            tail = np.zeros((total - pos, channels), dtype=np.float32)
            overlay(tail, pos)
            wav.write(tail)
            pos = total
    return Placement(
        speech_at=speech_at / rate,
        speech_start=start,
        speech_end=end,
        intro_end=len(intro) / rate if intro is not None else 0.0,
        outro_start=outro_at / rate if outro_at is not None else None,
        duration=total / rate,
    )
