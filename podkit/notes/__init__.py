"""notes: split an episode's transcript into its parts (intro, stories, short items, sponsor
reads, outro), each story with a heading, a summary, its time and its links; write chapters
and show notes.

The work is in ``segment`` (sentences and story boundaries), ``kinds`` (the parts that are
not stories), ``rundown`` (following a producer's rundown), ``describe`` (headings,
summaries in one paragraph or several, links, the opening line, the headline), ``language``
(the words the notes write themselves, in the show's language), ``stories`` (all together)
and ``writers`` (the files, the page around the stories, the host's edit read back);
``options`` holds the stage's settings. Names are re-exported lazily: reading the options loads no
embedding model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from .options import NotesOptions
    from .stories import Notes, Story, make_notes, split_stories
    from .writers import chapter_list, write_notes

__all__ = ["Notes", "NotesOptions", "Story", "chapter_list", "make_notes", "split_stories", "write_notes"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "NotesOptions": ".options",
        "Notes": ".stories",
        "Story": ".stories",
        "make_notes": ".stories",
        "split_stories": ".stories",
        "chapter_list": ".writers",
        "write_notes": ".writers",
    },
)
