"""transcribe: speech to timed text, offline, with either Whisper engine.

The work is in ``stream`` (recordings streamed to an engine in windows cut at pauses),
``engines`` (faster-whisper and openai-whisper behind one interface), ``models`` (which
model, from where), ``convert`` (CTranslate2 weights into an openai-whisper checkpoint) and
``formats`` (the transcript files); ``options`` holds the stage's settings and choices.
Names are re-exported lazily: reading the options loads no engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .formats import read_json, write
    from .options import ENGINES, FORMATS, TranscribeOptions
    from .stream import audio_windows, transcribe_file, transcribe_tracks

__all__ = [
    "ENGINES",
    "FORMATS",
    "TranscribeOptions",
    "audio_windows",
    "read_json",
    "transcribe_file",
    "transcribe_tracks",
    "write",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "read_json": ".formats",
        "write": ".formats",
        "ENGINES": ".options",
        "FORMATS": ".options",
        "TranscribeOptions": ".options",
        "audio_windows": ".stream",
        "transcribe_file": ".stream",
        "transcribe_tracks": ".stream",
    },
)
