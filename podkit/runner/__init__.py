"""runner: the order of the stages, resume after a crash, failure isolation, the lock, and
the catalog's one writer.

``local`` runs the episodes in this process (``podkit run``); ``stages`` adapts each stage to
one episode (inputs, fingerprint, files); ``status`` and ``rebuild`` read and remake the
catalog; ``reporter`` is how a front end hears about progress. Names are re-exported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .local import Outcome, RunReport, run_show
    from .rebuild import RebuildReport, rebuild_show
    from .reporter import Reporter
    from .stages import STAGE_NAMES, STAGES
    from .status import EpisodeStatus, ShowStatus, show_status

__all__ = [
    "STAGES",
    "STAGE_NAMES",
    "EpisodeStatus",
    "Outcome",
    "RebuildReport",
    "Reporter",
    "RunReport",
    "ShowStatus",
    "rebuild_show",
    "run_show",
    "show_status",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Outcome": ".local",
        "RunReport": ".local",
        "run_show": ".local",
        "RebuildReport": ".rebuild",
        "rebuild_show": ".rebuild",
        "Reporter": ".reporter",
        "STAGES": ".stages",
        "STAGE_NAMES": ".stages",
        "EpisodeStatus": ".status",
        "ShowStatus": ".status",
        "show_status": ".status",
    },
)
