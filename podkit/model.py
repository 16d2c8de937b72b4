"""The records that flow through the pipeline."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .catalog import EpisodeRow
from .config import Sidecar


def slugify(name: str) -> str:
    """Lowercase ASCII letters, digits and hyphens: 'Épisode 1: Café!' -> 'episode-1-cafe'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:80].rstrip("-") or "episode"


def title_from_name(stem: str) -> str:
    return re.sub(r"[_\s]+", " ", stem).strip() or stem


@dataclass
class Episode:
    """One recording on its way to a published episode."""

    row: EpisodeRow
    recording: Path  # the recording; for a multitrack episode, its sidecar
    sidecar: Sidecar
    tracks: tuple[Path, ...] = ()  # one file per speaker, mixed for publishing

    @property
    def slug(self) -> str:
        return self.row.slug

    @property
    def guid(self) -> str:
        return self.row.guid

    @property
    def source(self) -> str:
        return self.row.source

    @property
    def title(self) -> str:
        return self.sidecar.title or title_from_name(self.recording.stem)

    @property
    def pub_date(self) -> dt.datetime:
        return self.sidecar.pub_date or dt.datetime.fromisoformat(self.row.pub_date)


@dataclass
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass
class Segment:
    """A stretch of speech with its words (timings in seconds from the episode's start)."""

    start: float
    end: float
    text: str
    words: list[Word]
    speaker: str | None = None

    def shift(self, seconds: float) -> None:
        """Move the segment and its words by ``seconds`` (a window's place in the file)."""
        if seconds:
            self.start, self.end = self.start + seconds, self.end + seconds
            for w in self.words:
                w.start, w.end = w.start + seconds, w.end + seconds


@dataclass
class Transcript:
    language: str
    duration: float
    segments: list[Segment]
