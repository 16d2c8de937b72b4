"""cluster: the Ray side of ``podkit run DIR --cluster ADDRESS``.

``connect`` joins a running Ray cluster (a bounded wait, one-line errors: Ray not installed,
no cluster at the address); ``pool`` holds the ``Transcriber`` actors, one per worker slot,
each loading its Whisper model once and running the driver's stage jobs, and gives a job
back as lost when its actor dies so the driver can run it again. Nothing here writes to the
show: the driver (``podkit.runner.cluster``) is its only writer. Ray is an optional extra
(``pip install 'podkit[cluster]'``); importing this package does not import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .connect import Connection, import_ray
    from .pool import ActorSpec, Done, Pool, Transcriber

# ``connect`` (the function) is imported from ``.connect`` itself: the package's attribute of
# that name is the submodule once it is loaded.
__all__ = ["ActorSpec", "Connection", "Done", "Pool", "Transcriber", "import_ray"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Connection": ".connect",
        "import_ray": ".connect",
        "ActorSpec": ".pool",
        "Done": ".pool",
        "Pool": ".pool",
        "Transcriber": ".pool",
    },
)
