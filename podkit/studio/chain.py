"""The studio chain on one long recording: a measuring pass, then a processing pass into a
float WAV (dehum, then noise reduction, then the leveler's gain), both streaming. Noise
reduction is spectral (``denoise``: a noise print from the measuring pass) or DeepFilterNet3
(``neural``: needs no noise print), as ``denoise_model`` says."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..ffmpeg import Decoder, probe
from ..normalise.meter import LoudnessMeter, Measurement
from ..records import Progress
from .dehum import SPECTRUM_N, Dehum, Hum, find_hum
from .denoise import Denoiser, NoiseProfile
from .leveler import gain_curve
from .neural import NeuralDenoiser
from .options import StudioOptions
from .wav import FloatWav


@dataclass
class Analysis:
    """What the measuring pass found."""

    rate: int
    channels: int
    measurement: Measurement | None  # BS.1770 loudness and 100 ms levels of the input (for the leveler)
    hum: Hum | None = None
    noise: np.ndarray | None = None  # noise power per STFT bin (when spectral denoise is on)
    spectrum_frames: int = 0
    duration: float = 0.0  # seconds read


@dataclass(frozen=True)
class StudioReport:
    """What the processing pass did (one line each in the stage's record)."""

    hum: Hum | None = None
    denoised: bool = False
    denoise_model: str = "spectral"
    levelled: bool = False
    spread_db: float = 0.0  # the phrases' level range the leveler found
    steps: tuple[str, ...] = field(default=())

    def notes(self) -> tuple[str, ...]:
        lines = []
        if self.hum:
            lines.append(
                f"studio: hum at {self.hum.fundamental:.2f} Hz notched "
                f"({len(self.hum.harmonics)} harmonics, up to {self.hum.strength_db:.0f} dB above the sound around it)"
            )
        if self.denoised:
            neural = self.denoise_model == "deepfilternet"
            lines.append("studio: noise reduced" + (" (DeepFilterNet3)" if neural else ""))
        if self.levelled:
            lines.append(f"studio: levelled (phrases spread over {self.spread_db:.1f} dB before)")
        return tuple(lines)


def _tick(progress: Progress | None, step: str, done: float, total: float | None) -> None:
    if progress:
        progress(step, done, total)


def analyse(path: Path, options: StudioOptions, *, rate: int = 44100, progress: Progress | None = None) -> Analysis:
    """One streaming pass: loudness and 100 ms levels (for the leveler); the mean spectrum
    (for hum, when ``dehum``); the noise print (when ``denoise`` is spectral). DeepFilterNet's
    runtime is loaded first when it is asked for: one ConfigError before a long pass if it cannot."""
    neural = options.denoise and options.denoise_model == "deepfilternet"
    if neural:
        from .neural import runtime

        runtime()
    info = probe(path)
    channels = 1 if info.channels == 1 else 2
    meter = LoudnessMeter(rate, channels, true_peak=False) if options.leveler else None
    profile = NoiseProfile() if options.denoise and not neural else None
    spectrum = np.zeros(SPECTRUM_N // 2 + 1) if options.dehum else None
    window = np.hanning(SPECTRUM_N).astype(np.float32)
    frames = 0
    dec = Decoder(path, rate=rate, channels=channels, chunk_frames=SPECTRUM_N)
    from scipy import fft

    for chunk in dec.chunks():
        if meter is not None:
            meter.feed(chunk)
        if profile is not None:
            profile.feed(chunk)
        if spectrum is not None and len(chunk) == SPECTRUM_N:
            spectrum += np.abs(fft.rfft(chunk.mean(axis=1) * window)) ** 2
            frames += 1
        _tick(progress, "studio: listening", dec.frames / rate, info.duration)
    hum = find_hum(spectrum / frames, rate) if spectrum is not None and frames >= 2 else None
    return Analysis(
        rate=rate,
        channels=channels,
        measurement=meter.result() if meter is not None else None,
        hum=hum,
        noise=profile.noise() if profile else None,
        spectrum_frames=frames,
        duration=dec.frames / rate,
    )


def needs_processing(analysis: Analysis, options: StudioOptions) -> bool:
    return options.processing or analysis.hum is not None


def process(
    path: Path,
    out: Path,
    options: StudioOptions,
    analysis: Analysis,
    *,
    progress: Progress | None = None,
) -> StudioReport:
    """Dehum, denoise and level ``path`` into the float WAV ``out`` (written in place)."""
    rate, channels = analysis.rate, analysis.channels
    m = analysis.measurement
    dehum = Dehum(analysis.hum, rate, channels) if analysis.hum else None
    denoiser: Denoiser | NeuralDenoiser | None = None
    if options.denoise and options.denoise_model == "deepfilternet":
        denoiser = NeuralDenoiser(rate, channels, limit_db=options.model_limit_db)
    elif options.denoise and analysis.noise is not None:
        denoiser = Denoiser(analysis.noise, channels, reduction_db=options.reduction_db)
    curve = (
        gain_curve(m.levels, max_gain_db=options.max_gain_db, block_s=m.sub_block_s)
        if options.leveler and m is not None
        else None
    )
    done = 0

    def finish(y: np.ndarray, wav: FloatWav) -> None:
        nonlocal done
        if curve is not None and len(y):
            y = y * curve.linear_at(done, len(y), rate)[:, None]
        done += len(y)
        wav.write(y)

    with FloatWav(out, rate=rate, channels=channels) as wav:
        dec = Decoder(path, rate=rate, channels=channels)
        for chunk in dec.chunks():
            y = dehum.process(chunk) if dehum else chunk
            if denoiser:
                y = denoiser.process(y)
            finish(y, wav)
            _tick(progress, "studio: processing", dec.frames / rate, analysis.duration)
        if denoiser:
            finish(denoiser.flush(), wav)
    return StudioReport(
        hum=analysis.hum,
        denoised=denoiser is not None,
        denoise_model=options.denoise_model,
        levelled=curve is not None,
        spread_db=curve.spread_db if curve else 0.0,
    )
