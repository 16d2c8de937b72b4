"""The import's options: the single source of their defaults (podkit.toml ``[import]``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportOptions:
    # Imported audio was mastered by whoever published it: podkit publishes it as it is
    # (an MP3 copied, anything else encoded without gain) unless this asks for the
    # normalise stage's loudness, peak and trim.
    normalise: bool = False
