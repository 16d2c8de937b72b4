"""Settings: the show's ``podkit.toml`` and the episodes' sidecars, validated.

``schema`` is the engine (keys, kinds, checks), ``show`` the show's settings, ``sidecar``
the episodes' sidecars, ``template`` what ``podkit init`` writes. Each stage's options are
that stage's own record (``podkit.<stage>.options``); this package reads them from the file.
"""

from __future__ import annotations

from .schema import Key, check_url, read_toml, validate
from .show import CONFIG_NAME, ShowConfig, load_show
from .sidecar import AUDIO_EXTENSIONS, EPISODE_TYPES, Sidecar, load_sidecar, sidecar_path
from .template import init_show, render_show_toml

__all__ = [
    "AUDIO_EXTENSIONS",
    "CONFIG_NAME",
    "EPISODE_TYPES",
    "Key",
    "ShowConfig",
    "Sidecar",
    "check_url",
    "init_show",
    "load_show",
    "load_sidecar",
    "read_toml",
    "render_show_toml",
    "sidecar_path",
    "validate",
]
