"""importer: an existing show's feed and its media brought into a show folder.

``source`` reads a feed (feedparser) into records; ``fetch`` is the network (the feed, the
artwork, resumable verified downloads); ``settings`` writes ``podkit.toml`` and the
sidecars; ``run`` is ``podkit import`` itself; ``asis`` publishes imported audio without a
loudness change (the normalise stage calls it); ``options`` holds ``[import]``. Names are
re-exported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .fetch import FeedError
    from .options import ImportOptions
    from .progress import ImportProgress
    from .run import ImportReport, import_feed
    from .source import SourceFeed, SourceItem, SourceShow, parse_feed

__all__ = [
    "FeedError",
    "ImportOptions",
    "ImportProgress",
    "ImportReport",
    "SourceFeed",
    "SourceItem",
    "SourceShow",
    "import_feed",
    "parse_feed",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "FeedError": ".fetch",
        "ImportOptions": ".options",
        "ImportProgress": ".progress",
        "ImportReport": ".run",
        "import_feed": ".run",
        "SourceFeed": ".source",
        "SourceItem": ".source",
        "SourceShow": ".source",
        "parse_feed": ".source",
    },
)
