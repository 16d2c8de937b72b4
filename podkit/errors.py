"""The podkit error family: every expected failure is one of these.

    PodkitError            exit 1  an expected failure, with a message a user can act on
    ├── ConfigError        exit 2  podkit.toml, a sidecar, a command-line value or a model
    │                              that is not here: the fix is in what the user asked for
    ├── CatalogError       exit 2  the catalog is damaged or was made by a newer podkit
    ├── BusyError          exit 3  another podkit process holds the show's lock
    ├── MediaError         exit 1  a recording (or a file podkit made from it) cannot
    │                              become an episode: unreadable, silent, too short ...
    └── ToolError          exit 1  an external program (ffmpeg) is missing or failed

Which layer raises what:

- ``config`` (settings and sidecars): ConfigError.
- ``catalog``: CatalogError, BusyError (the lock).
- ``ffmpeg``: MediaError for a file ffmpeg cannot read or write, ToolError when the
  program itself is missing.
- the stages (``normalise``, ``transcribe``, ``notes``, ``tag``, ``publish``): MediaError for
  their input, ConfigError for an option or model that cannot be used here.
- ``runner``: none of its own; it records a stage's error (any exception, PodkitError or
  not) against that episode and goes on with the others.

Front ends turn them into one line and an exit code (``podkit.cli``); nothing else in the
library prints them. Anything that is not a PodkitError is a bug: the CLI still prints one
line (the traceback with ``--debug``).
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
    """podkit.toml, a sidecar, a command-line value or a model choice is invalid."""

    exit_code = 2


class CatalogError(PodkitError):
    """The catalog database is unreadable or from a newer podkit."""

    exit_code = 2


class BusyError(PodkitError):
    """Another podkit process holds the show's lock."""

    exit_code = 3


class MediaError(PodkitError):
    """A recording cannot be turned into an episode (unreadable, silent, too short ...)."""


class ToolError(PodkitError):
    """An external program (ffmpeg) is missing or failed unexpectedly."""
