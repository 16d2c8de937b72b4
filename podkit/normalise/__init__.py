"""normalise: loudness to target, true-peak safe, silence trimmed, MP3.

The work is in ``process`` (the two streaming passes), ``meter`` (BS.1770-4 loudness and
true peak) and ``limiter``; ``options`` holds the stage's settings. Names are re-exported
lazily, so reading the options loads neither numpy nor ffmpeg's glue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ..records import NormaliseResult
    from .meter import LoudnessMeter, Measurement, measure_file
    from .options import NormaliseOptions
    from .process import normalise

__all__ = ["LoudnessMeter", "Measurement", "NormaliseOptions", "NormaliseResult", "measure_file", "normalise"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "LoudnessMeter": ".meter",
        "Measurement": ".meter",
        "measure_file": ".meter",
        "NormaliseOptions": ".options",
        "NormaliseResult": "..records",
        "normalise": ".process",
    },
)
