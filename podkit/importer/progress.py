"""How a front end hears about an import's downloads (the CLI draws the bars)."""

from __future__ import annotations


class ImportProgress:
    """Called from several threads at once. The default says nothing."""

    def start(self, episodes: int, total_bytes: int | None, done_bytes: int) -> None:
        """``episodes`` downloads begin; ``total_bytes`` when every enclosure says its length,
        ``done_bytes`` already in partial downloads."""

    def advance(self, nbytes: int) -> None:
        """``nbytes`` more arrived (less than 0: a download started over)."""

    def finished(self, name: str, error: str | None) -> None:
        """One episode's download ended, with ``error`` when it failed."""
