"""Lazy re-exports for package faces.

A stage package's ``__init__`` only re-exports names from its modules (beets'
``importer/__init__.py`` is the model), and it does so lazily: importing
``podkit.transcribe.options`` to read a default must not load numpy, ffmpeg glue and the
Whisper engines with it. Each package lists its names for type checkers under
``TYPE_CHECKING`` and hands the same map to ``lazy_exports``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_exports(package: str, names: dict[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``names`` maps each public name to
    the module (relative to the package) that defines it; it is imported on first use."""

    def getattr_(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)  # found directly from now on
        return value

    def dir_() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names})

    return getattr_, dir_
