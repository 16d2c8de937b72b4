"""The two Whisper engines behind one interface.

``engine.transcribe(audio)`` returns a ``Transcription`` at once (language, duration) with a
*lazy* ``segments`` iterator: the work happens while you iterate it. Models are loaded once
per process. Audio is 16 kHz mono float32: one window of a recording (``audio_windows``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..errors import ConfigError
from ..records import Segment, Word
from .models import ModelSource, openai_checkpoint
from .options import check_engine

SAMPLE_RATE = 16000


@dataclass
class Transcription:
    language: str
    duration: float
    segments: Iterator[Segment] = field(repr=False)


class Engine(Protocol):
    name: str

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        beam_size: int = 5,
        vad: bool = True,
        batch_size: int = 0,
        prompt: str | None = None,
        condition: bool = True,
    ) -> Transcription: ...


def _said(text: str, words: list[Word]) -> bool:
    """Whether a segment was really said. A lone "." in a pause is not speech, nor is text
    whose words take no time at all: Whisper's "Thank you very much." invented at the end of
    a recording comes with most of its words 0 ms long."""
    if not any(c.isalnum() for c in text):
        return False
    instant = sum(w.end - w.start < 0.02 for w in words)
    return not words or 2 * instant <= len(words)


def default_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Silero VAD (bundled with faster-whisper): where someone speaks, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    stamps = get_speech_timestamps(audio, VadOptions())
    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


class FasterWhisperEngine:
    name = "faster-whisper"

    def __init__(
        self, source: ModelSource, *, device: str = "cpu", threads: int | None = None, compute_type: str | None = None
    ):
        if source.ct2_dir is None:
            raise ConfigError(f"faster-whisper needs a CTranslate2 model folder, not {source.origin}")
        self.source = source
        self.device = device
        self.compute_type = compute_type or ("float16" if device == "cuda" else "int8")
        self.threads = threads or default_threads()

    @staticmethod
    @functools.lru_cache(maxsize=4)
    def _load(path: str, device: str, compute_type: str, threads: int) -> Any:
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(path, device=device, compute_type=compute_type, cpu_threads=threads)
        except (RuntimeError, ValueError) as exc:
            if device == "cuda":
                raise ConfigError(f"cannot run on CUDA here ({exc}); use --device cpu") from None
            raise ConfigError(f"cannot load the model ({exc}); give another --model", path=path) from None

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        beam_size: int = 5,
        vad: bool = True,
        batch_size: int = 0,
        prompt: str | None = None,
        condition: bool = True,
    ) -> Transcription:
        model = self._load(str(self.source.ct2_dir), self.device, self.compute_type, self.threads)
        options: dict[str, Any] = {
            "language": language,
            "beam_size": beam_size,
            "word_timestamps": True,
            "vad_filter": vad,
            "initial_prompt": prompt,
            "condition_on_previous_text": condition,
        }
        if batch_size:
            from faster_whisper import BatchedInferencePipeline

            segments, info = BatchedInferencePipeline(model).transcribe(audio, batch_size=batch_size, **options)
        else:
            segments, info = model.transcribe(audio, **options)

        def convert() -> Iterator[Segment]:
            for seg in segments:
                words = [Word(w.start, w.end, w.word.strip(), w.probability) for w in seg.words or []]
                text = seg.text.strip()
                if _said(text, words):
                    yield Segment(seg.start, seg.end, text, words)

        return Transcription(info.language, info.duration, convert())


class OpenAIWhisperEngine:
    name = "openai-whisper"

    def __init__(self, source: ModelSource, *, device: str = "cpu", threads: int | None = None):
        self.source = source
        self.device = device
        self.threads = threads or default_threads()

    @staticmethod
    @functools.lru_cache(maxsize=2)
    def _load(checkpoint: str, device: str, heads: tuple[tuple[int, int], ...]) -> Any:
        import torch
        import whisper

        model = whisper.load_model(checkpoint, device=device)
        if heads:  # the model's own alignment heads make word timings right
            mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
            for layer, head in heads:
                mask[layer, head] = True
            model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
        return model

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        language: str | None = None,
        beam_size: int = 5,
        vad: bool = True,
        batch_size: int = 0,
        prompt: str | None = None,
        condition: bool = True,
    ) -> Transcription:
        import torch
        import whisper

        if self.device == "cuda" and not torch.cuda.is_available():
            raise ConfigError("cannot run on CUDA here (torch sees no CUDA device); use --device cpu")
        torch.set_num_threads(self.threads)
        heads = tuple(tuple(h) for h in self.source.config().get("alignment_heads", []))
        model = self._load(str(openai_checkpoint(self.source)), self.device, heads)
        duration = len(audio) / SAMPLE_RATE
        regions = speech_regions(audio) if vad else [(0.0, duration)]
        if not regions:
            return Transcription(language or "en", duration, iter(()))
        if not model.is_multilingual:
            language = "en"

        def run() -> Iterator[Segment]:
            result = whisper.transcribe(
                model,
                audio,
                language=language,
                beam_size=beam_size if beam_size > 1 else None,
                best_of=beam_size if beam_size > 1 else None,
                word_timestamps=True,
                fp16=self.device == "cuda",
                verbose=None,
                condition_on_previous_text=condition,
                initial_prompt=prompt,
            )
            for seg in result["segments"]:
                text = seg["text"].strip()
                words = [
                    Word(w["start"], w["end"], w["word"].strip(), w.get("probability", 1.0))
                    for w in seg.get("words", [])
                ]
                if not _said(text, words) or not any(s < seg["end"] and seg["start"] < e for s, e in regions):
                    continue  # nothing was said there: VAD keeps invented text out
                yield Segment(seg["start"], seg["end"], text, words)

        return Transcription(language or "en", duration, run())


def make_engine(name: str, source: ModelSource, *, device: str = "cpu", threads: int | None = None) -> Engine:
    problem = check_engine(name)
    if problem:
        raise ConfigError(f"transcribe engine {problem}")
    if name == "openai-whisper":
        return OpenAIWhisperEngine(source, device=device, threads=threads)
    return FasterWhisperEngine(source, device=device, threads=threads)
