"""What the runner tells a front end while it works."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..ingest import Episode


class Reporter:
    """The runner's voice. The default says nothing; the CLI's draws progress bars."""

    def episode(self, episode: Episode, stages: list[str]) -> None:
        """``episode`` is about to run ``stages`` (some may turn out up to date)."""

    def stage(self, episode: Episode, stage: str) -> None:
        """``stage`` starts on ``episode``."""

    def progress(self, step: str, done: float, total: float | None) -> None:
        """A long step moved on: ``done`` of ``total`` seconds of audio (total None: unknown)."""

    def stage_done(self, episode: Episode, stage: str, seconds: float, error: str | None) -> None:
        """``stage`` ended on ``episode``, with ``error`` when it failed."""

    def warn(self, message: str) -> None:
        """Worth saying, not a failure."""

    def cluster(
        self, audio_done: float, audio_total: float, episodes_done: int, episodes_total: int, workers: int
    ) -> None:
        """``podkit run --cluster``: ``audio_done`` of ``audio_total`` seconds of audio and
        ``episodes_done`` of ``episodes_total`` episodes are finished, on ``workers`` workers."""
