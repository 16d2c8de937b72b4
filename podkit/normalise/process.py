"""normalise: loudness to target, true-peak safe, silence trimmed, MP3.

Two streaming passes over the decoded audio (memory does not grow with duration):

1. measure BS.1770-4 integrated loudness, true peak and a 100 ms level track;
2. apply one linear gain to the target, a look-ahead limiter only where that gain would lift
   the true peak above the ceiling, trim leading/trailing silence, encode CBR MP3.

When limiting is needed, a dry run of gain + limiter (no encoding) measures the loudness the
limiter takes away, and the gain makes it up. When the output could come near the ceiling, the
MP3 is measured while it is being encoded (on the second core) and, if lossy coding pushed it
over the ceiling or off target, pass 2 runs again with the correction.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import MediaError
from ..ffmpeg import Decoder, Mp3Encoder, follow, probe
from ..records import NormaliseResult, Progress
from .limiter import Limiter
from .meter import LoudnessMeter, Measurement, measure_file
from .options import NormaliseOptions

MIN_DURATION = 1.0  # seconds of audio a recording needs
FADE_S = 0.01  # fade at trimmed edges, so a cut never clicks


@functools.cache
def encoder_gain_db(rate: int, channels: int, bitrate_kbps: int) -> float:
    """Level change (dB) of the MP3 encoder at these settings, measured once per process.

    libmp3lame does not keep the level: at 128 kbit/s it lowers it by about 0.45 dB (a
    factor of 0.95), at 192 kbit/s by about 0.27 dB, the same for speech and tones. Pass 2
    pre-compensates, so the output lands on target without a second encode.
    """
    # A voiced, harmonic tone: a noise probe would add the codec's own noise to the reading.
    t = np.arange(rate * 3) / rate
    tone = np.sum([np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 16)], axis=0) * 0.05
    probe_signal = np.repeat(tone[:, None], channels, axis=1).astype(np.float32)
    before = LoudnessMeter(rate, channels, true_peak=False)
    before.feed(probe_signal)
    with tempfile.TemporaryDirectory(prefix="podkit-cal-") as tmp:
        out = Path(tmp) / "probe.mp3"
        enc = Mp3Encoder(out, rate=rate, channels=channels, bitrate_kbps=bitrate_kbps)
        enc.write(probe_signal)
        enc.close()
        after = measure_file(out)
    return after.integrated - before.result().integrated


def _report(progress: Progress | None, step: str) -> Callable[[float, float | None], None]:
    def tick(done: float, total: float | None) -> None:
        if progress:
            progress(step, done, total)

    return tick


def analyse(path: Path, options: NormaliseOptions, progress: Progress | None = None) -> tuple[int, Measurement]:
    """Pass 1: check the recording is usable and measure it. Returns (channels, Measurement)."""
    path = Path(path)
    size = path.stat().st_size
    if size == 0:
        raise MediaError("is empty (0 bytes); copy the recording again", path=path)
    info = probe(path)
    channels = 1 if info.channels == 1 else 2
    rate = options.sample_rate
    meter = LoudnessMeter(rate, channels)
    dec = Decoder(path, rate=rate, channels=channels)
    tick = _report(progress, "measuring")
    for chunk in dec.chunks():
        meter.feed(chunk)
        tick(dec.frames / rate, info.duration)
    m = meter.result()
    if info.duration and info.duration > MIN_DURATION and m.duration < 0.9 * info.duration - 0.5:
        raise MediaError(
            f"is truncated: only {m.duration:.1f} s of the {info.duration:.1f} s its header "
            "declares can be decoded; copy or export it again",
            path=path,
        )
    if m.duration < MIN_DURATION:
        raise MediaError(
            f"is too short ({m.duration:.2f} s); a recording needs at least {MIN_DURATION:g} s",
            path=path,
        )
    if m.integrated == -math.inf:
        raise MediaError(
            "is silent (nothing above -70 LUFS); check that the right track was exported",
            path=path,
        )
    return channels, m


def speech_bounds(m: Measurement, options: NormaliseOptions) -> tuple[float, float]:
    """Seconds (start, end) to keep: first to last sound, plus lead and tail silence."""
    if not options.trim_silence:
        return 0.0, m.duration
    threshold = max(m.integrated - options.silence_below, -70.0)
    active = np.flatnonzero(m.levels_db() > threshold)
    first, last = int(active[0]), int(active[-1])
    start = max(0.0, first * m.sub_block_s - options.lead_s)
    end = min(m.duration, (last + 1) * m.sub_block_s + options.tail_s)
    return start, end


class _Sink(Protocol):
    def write(self, frames: np.ndarray) -> None: ...


def _render(
    src: Path,
    sink: _Sink,
    *,
    channels: int,
    gain_db: float,
    ceiling_db: float | None,
    start_s: float,
    end_s: float,
    options: NormaliseOptions,
    progress: Progress | None,
    step: str,
) -> Limiter | None:
    """Decode, gain, limit, trim and fade ``src`` into ``sink`` (an encoder or a meter).

    ``gain_db`` is the gain into the sink; ``ceiling_db`` switches the limiter on.
    """
    rate = options.sample_rate
    start_f, end_f = round(start_s * rate), round(end_s * rate)
    fade = max(1, round(FADE_S * rate))
    gain = np.float32(10.0 ** (gain_db / 20.0))
    limiter = Limiter(rate, channels, ceiling_db) if ceiling_db is not None else None
    dec = Decoder(src, rate=rate, channels=channels)
    tick = _report(progress, step)
    chunks = dec.chunks()
    pos = 0
    try:
        for chunk in chunks:
            lo, hi = max(start_f - pos, 0), min(end_f - pos, len(chunk))
            first = pos
            pos += len(chunk)
            tick(pos / rate, end_s)
            if hi <= lo:
                if pos >= end_f:
                    break
                continue
            part = chunk[lo:hi] * gain
            idx = np.arange(first + lo, first + hi)
            env = np.minimum(1.0, np.minimum(idx - start_f, end_f - 1 - idx) / fade)
            if env.min() < 1.0:
                part *= env[:, None].astype(np.float32)
            sink.write(limiter.process(part) if limiter else part)
        if limiter:
            sink.write(limiter.flush())
    finally:
        chunks.close()
    return limiter


class _MeterSink:
    def __init__(self, rate: int, channels: int):
        self.meter = LoudnessMeter(rate, channels, true_peak=False)

    def write(self, frames: np.ndarray) -> None:
        self.meter.feed(frames)


class _OutputMeter:
    """Measures the MP3 while the encoder is still writing it (a second core's work)."""

    def __init__(self, out: Path, encoder: Mp3Encoder, rate: int, channels: int):
        self.meter = LoudnessMeter(rate, channels)
        self.error: BaseException | None = None
        out.touch()
        source = follow(out, encoder.finished)
        self.decoder = Decoder(out, rate=rate, channels=channels, source=source)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for chunk in self.decoder.chunks():
                self.meter.feed(chunk)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller in result()
            self.error = exc

    def result(self) -> Measurement:
        self.thread.join()
        if self.error:
            raise self.error
        return self.meter.result()


def normalise(
    src: str | Path,
    out: str | Path,
    options: NormaliseOptions | None = None,
    *,
    target: float | None = None,
    progress: Progress | None = None,
    verify: bool | None = None,
) -> NormaliseResult:
    """Normalise ``src`` into the MP3 ``out`` (written in place: callers pass a temp path).

    ``target`` overrides the options' stereo/mono target. ``verify`` None measures the output
    only when it may come near the ceiling; True always; False never.
    """
    src, out = Path(src), Path(out)
    options = options or NormaliseOptions()
    rate = options.sample_rate
    channels, m = analyse(src, options, progress)
    goal = target if target is not None else options.target_for(channels)
    start_s, end_s = speech_bounds(m, options)
    ceiling = options.true_peak
    limit_at = ceiling - options.codec_headroom
    # The encoder changes the level by a fixed amount: aim the signal into it accordingly.
    codec_db = encoder_gain_db(rate, channels, options.bitrate_for(channels))
    gain_db = goal - m.integrated - codec_db  # into the encoder
    first = NormaliseResult(
        channels=channels,
        input_loudness=m.integrated,
        input_true_peak=m.true_peak,
        target=goal,
        gain_db=gain_db + codec_db,
        start_s=start_s,
        end_s=end_s,
        duration=end_s - start_s,
        limited=False,
        max_reduction_db=0.0,
        output_loudness=goal,
        output_true_peak=m.true_peak + gain_db + codec_db,
        verified=False,
    )
    render = functools.partial(
        _render, src, channels=channels, start_s=start_s, end_s=end_s, options=options, progress=progress
    )
    for attempt in range(1, options.max_passes + 1):
        limit = m.true_peak + gain_db > limit_at
        if limit:
            # Limiting lowers loudness a little: measure by how much (no encode) and make it up.
            dry = _MeterSink(rate, channels)
            render(dry, gain_db=gain_db, ceiling_db=limit_at, step="limiting")
            gain_db += goal - codec_db - dry.meter.result().integrated
        predicted_peak = min(m.true_peak + gain_db, limit_at) + codec_db
        check = verify if verify is not None else (limit or predicted_peak > ceiling - options.verify_margin)
        enc = Mp3Encoder(out, rate=rate, channels=channels, bitrate_kbps=options.bitrate_for(channels))
        monitor = _OutputMeter(out, enc, rate, channels) if check else None
        try:
            limiter = render(enc, gain_db=gain_db, ceiling_db=limit_at if limit else None, step="encoding")
            enc.close()
        except BaseException:
            enc.abort()
            if monitor:
                monitor.thread.join()
            raise
        result = dataclasses.replace(
            first,
            passes=attempt,
            gain_db=gain_db + codec_db,
            limited=bool(limiter and limiter.reduced_frames),
            max_reduction_db=limiter.max_reduction_db if limiter else 0.0,
            output_loudness=goal,
            output_true_peak=predicted_peak,
        )
        if not monitor:
            return result
        got = monitor.result()
        result = dataclasses.replace(
            result, verified=True, output_loudness=got.integrated, output_true_peak=got.true_peak
        )
        loud_off = goal - got.integrated
        peak_over = got.true_peak - ceiling
        if abs(loud_off) <= 0.3 and peak_over <= 0.0:
            return result
        if attempt == options.max_passes:
            note = f"after {attempt} passes: {got.integrated:.1f} LUFS, {got.true_peak:.1f} dBTP"
            return dataclasses.replace(result, notes=(note,))
        if peak_over > 0.0:
            limit_at -= peak_over + 0.2
        gain_db += loud_off
    raise AssertionError("unreachable: the last pass always returns")
