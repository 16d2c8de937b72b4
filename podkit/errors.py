"""The podkit error family: every expected failure is one of these.

Front ends turn them into one line and an exit code (``podkit.cli``); nothing else in the
library prints them.
"""
from __future__ import annotations

from pathlib import Path


class PodkitError(Exception):
    """An expected failure with a message a user can act on."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(PodkitError):
    """podkit.toml, a sidecar or a command-line value is invalid."""

    exit_code = 2


class MediaError(PodkitError):
    """A recording cannot be turned into an episode (unreadable, silent, too short ...)."""


class ToolError(PodkitError):
    """An external program (ffmpeg) is missing or failed unexpectedly."""


class BusyError(PodkitError):
    """Another podkit process holds the show's lock."""

    exit_code = 3


class CatalogError(PodkitError):
    """The catalog database is unreadable or from a newer podkit."""

    exit_code = 2
