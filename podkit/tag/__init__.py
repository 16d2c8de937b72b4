"""tag: ID3v2 on the episode MP3 with mutagen.

The work is in ``id3`` (frames, cover, chapters); ``options`` holds the stage's settings.
Names are re-exported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .id3 import Chapter, Cover, TagInfo, read_cover, tag_file, write_tags
    from .options import TagOptions

__all__ = ["Chapter", "Cover", "TagInfo", "TagOptions", "read_cover", "tag_file", "write_tags"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Chapter": ".id3",
        "Cover": ".id3",
        "TagInfo": ".id3",
        "read_cover": ".id3",
        "tag_file": ".id3",
        "write_tags": ".id3",
        "TagOptions": ".options",
    },
)
