"""studio: what a sound engineer does before mastering: hum and noise reduction, a leveler
that brings speakers and passages to one loudness, multitrack levelling and gating, and an
intro, outro and music bed around the episode.

The long recording streams (numpy blocks through ffmpeg; memory flat in duration): one pass
measures it (levels, noise, hum), one processes it into a float WAV that the normalise stage
then masters. Intro and outro are short clips read whole with pydub. Names are re-exported
lazily, so reading the options loads neither numpy nor ffmpeg's glue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .chain import StudioReport, analyse, process
    from .options import StudioOptions

__all__ = ["StudioOptions", "StudioReport", "analyse", "process"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "StudioOptions": ".options",
        "StudioReport": ".chain",
        "analyse": ".chain",
        "process": ".chain",
    },
)
