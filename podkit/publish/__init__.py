"""publish: the RSS feed and the listener pages, from the published episodes.

The work is in ``publisher`` (what goes where, atomically and stably), ``feed`` (RSS with
the iTunes and Podcasting 2.0 tags), ``site`` (the pages), ``lint`` (``podkit lint``) and
``serve`` (``podkit serve``). Names are re-exported lazily: ``podkit lint`` loads only
what it needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .feed import podcast_guid
    from .lint import Finding, lint
    from .publisher import PublishedEpisode, PublishResult, publish
    from .serve import make_server, serve_in_thread

__all__ = [
    "Finding",
    "PublishResult",
    "PublishedEpisode",
    "lint",
    "make_server",
    "podcast_guid",
    "publish",
    "serve_in_thread",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "podcast_guid": ".feed",
        "Finding": ".lint",
        "lint": ".lint",
        "PublishResult": ".publisher",
        "PublishedEpisode": ".publisher",
        "publish": ".publisher",
        "make_server": ".serve",
        "serve_in_thread": ".serve",
    },
)
