"""transcribe: speech to timed text, offline, with either Whisper engine.

``transcribe_file`` decodes the recording (16 kHz mono; or one track per channel when the
speakers sit on separate channels), runs the engine, and returns a ``Transcript``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..ffmpeg import Decoder, probe
from ..model import Segment, Transcript
from .engines import ENGINES, SAMPLE_RATE, Transcription, make_engine
from .formats import FORMATS, write
from .models import DEFAULT_MODEL, resolve

__all__ = ["TranscribeOptions", "transcribe_file", "transcribe_tracks", "write", "FORMATS", "ENGINES"]

Progress = Callable[[str, float, float | None], None]


@dataclass(frozen=True)
class TranscribeOptions:
    """The single source of the transcribe stage's defaults (podkit.toml [transcribe])."""

    engine: str = "faster-whisper"
    model: str = DEFAULT_MODEL
    language: str | None = None
    beam_size: int = 5
    device: str = "cpu"
    vad: bool = True
    threads: int | None = None
    batch_size: int = 0  # > 0: faster-whisper's batched pipeline (fast on a GPU)
    formats: tuple[str, ...] = FORMATS

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine {self.engine!r}; use one of {', '.join(ENGINES)}")
        if self.device not in ("cpu", "cuda"):
            raise ConfigError(f"unknown device {self.device!r}; use cpu or cuda")
        if self.beam_size < 1:
            raise ConfigError("beam size must be 1 or more")


def load_audio(path: Path, *, channels: int = 1) -> np.ndarray:
    """The file at 16 kHz as float32: ``(n,)`` mono, or ``(n, channels)``."""
    dec = Decoder(path, rate=SAMPLE_RATE, channels=channels, chunk_frames=SAMPLE_RATE * 30)
    parts = list(dec.chunks())
    audio = np.concatenate(parts) if parts else np.zeros((0, channels), np.float32)
    return audio[:, 0].copy() if channels == 1 else audio


def _run(engine, audio: np.ndarray, options: TranscribeOptions, speaker: str | None,
         progress: Progress | None, label: str) -> tuple[Transcription, list[Segment]]:
    result = engine.transcribe(audio, language=options.language, beam_size=options.beam_size,
                               vad=options.vad, batch_size=options.batch_size)
    segments = []
    for seg in result.segments:  # the work happens here: the iterator is lazy
        seg.speaker = speaker
        segments.append(seg)
        if progress:
            progress(label, seg.end, result.duration)
    if progress:
        progress(label, result.duration, result.duration)
    return result, segments


def transcribe_file(path: str | Path, options: TranscribeOptions | None = None, *,
                    speakers: tuple[str, ...] = (), tracks: str | None = None,
                    progress: Progress | None = None) -> Transcript:
    """Transcribe ``path``. With ``tracks="channels"`` each channel is one speaker
    (``speakers`` names them in channel order); their segments are merged by time."""
    path = Path(path)
    options = options or TranscribeOptions()
    engine = make_engine(options.engine, resolve(options.model), device=options.device,
                         threads=options.threads)
    if tracks == "channels":
        info = probe(path)
        if info.channels < 2:
            raise ConfigError(f"tracks = \"channels\" needs a multichannel recording; this one has {info.channels}", path=path)
        audio = load_audio(path, channels=info.channels)
        merged: list[Segment] = []
        language, duration = "en", len(audio) / SAMPLE_RATE
        for ch in range(info.channels):
            name = speakers[ch] if ch < len(speakers) else f"Speaker {ch + 1}"
            result, segs = _run(engine, np.ascontiguousarray(audio[:, ch]), options, name, progress,
                                f"transcribing {name}")
            language = result.language
            merged.extend(segs)
        merged.sort(key=lambda s: (s.start, s.end))
        return Transcript(language, duration, merged)
    audio = load_audio(path)
    speaker = speakers[0] if len(speakers) == 1 else None
    result, segs = _run(engine, audio, options, speaker, progress, "transcribing")
    return Transcript(result.language, result.duration, segs)


def transcribe_tracks(paths: list[Path], options: TranscribeOptions | None = None, *,
                      speakers: tuple[str, ...] = (), offset: float = 0.0,
                      duration: float | None = None, progress: Progress | None = None) -> Transcript:
    """One file per speaker: each transcribed alone, then merged by time.

    ``offset`` seconds are taken off every timing (the silence normalise trimmed from the
    mix), and speech outside ``[0, duration]`` is dropped, so the timings match the mix.
    """
    options = options or TranscribeOptions()
    engine = make_engine(options.engine, resolve(options.model), device=options.device,
                         threads=options.threads)
    merged: list[Segment] = []
    language, longest = "en", 0.0
    for i, path in enumerate(paths):
        name = speakers[i] if i < len(speakers) else Path(path).stem
        result, segs = _run(engine, load_audio(Path(path)), options, name, progress, f"transcribing {name}")
        language, longest = result.language, max(longest, result.duration)
        for seg in segs:
            seg.start, seg.end = seg.start - offset, seg.end - offset
            for w in seg.words:
                w.start, w.end = w.start - offset, w.end - offset
            merged.append(seg)
    end = duration if duration is not None else longest - offset
    kept = [s for s in merged if s.end > 0 and s.start < end]
    for seg in kept:
        seg.words = [w for w in seg.words if w.end > 0 and w.start < end]
        for w in seg.words:
            w.start, w.end = max(0.0, w.start), min(end, w.end)
        seg.start, seg.end = max(0.0, seg.start), min(end, seg.end)
    kept.sort(key=lambda s: (s.start, s.end))
    return Transcript(language, end, kept)
