"""The tag stage's options: the single source of its defaults (podkit.toml [tag])."""

from __future__ import annotations

from dataclasses import dataclass

ID3_VERSIONS = (3, 4)


@dataclass(frozen=True)
class TagOptions:
    id3_version: int = 4  # ID3v2.4, or 2.3 for old players
