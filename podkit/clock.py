"""The one place podkit writes times: clock labels, caption timestamps, lengths.

Every label rounds down, as a player's position does: a story that starts at 59.6 s reads
"00:59" everywhere (notes, chapters list, transcript), so a listener who seeks to the label
hears the start and never misses it.
"""

from __future__ import annotations

import math


def _whole(seconds: float) -> int:
    return max(0, math.floor(seconds)) if math.isfinite(seconds) else 0


def clock(seconds: float) -> str:
    """``MM:SS``, or ``HH:MM:SS`` from an hour on: 59.6 -> "00:59", 3723 -> "01:02:03"."""
    t = _whole(seconds)
    h, m, s = t // 3600, t // 60 % 60, t % 60
    return f"{h:02d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def timestamp(seconds: float, sep: str = ".") -> str:
    """``HH:MM:SS.mmm`` to the millisecond (WebVTT; SubRip with ``sep=","``)."""
    ms = max(0, round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def iso_duration(seconds: float) -> str:
    """An HTML ``<time datetime>`` duration: 59.6 -> "PT59.60S"."""
    return f"PT{max(0.0, seconds):.2f}S"


def length(seconds: float) -> str:
    """An episode's length as listeners read it: "2:26", "1:02:03"."""
    t = round(max(0.0, seconds))
    h, m, s = t // 3600, t // 60 % 60, t % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
