"""The notes stage's options: the single source of its defaults (podkit.toml [notes]), and
the checks the settings make of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

SUMMARIES = ("short", "long")  # one paragraph per story, or two to four following its arc
# What a link in the show's own Markdown (``before``/``after``) may point to.
SAFE_SCHEMES = ("http", "https", "mailto")
PLACEHOLDERS = ("{guests}", "{title}", "{date}")


@dataclass(frozen=True)
class NotesOptions:
    min_story_s: float = 20.0  # the shortest story, in seconds
    stories: int | None = None  # fixed by the sidecar (``stories = N``); None: found
    story_cost: float = 1.0  # what a story must add in coherence to be worth a boundary
    # What a part costs for each (log) step its length is from the episode's typical story,
    # squared: the stories of one episode are of like length (0: no such prior)
    length_prior: float = 0.25
    w_pause: float = 0.5  # weight of a long pause at a boundary
    w_cue: float = 1.5  # weight of a cue phrase ("next up", "moving on") opening a story
    w_shift: float = 0.75  # weight of a change of subject across the gap
    # Where speakers are named (a sidecar's speakers): weights of a change of speaker and of
    # a host addressing the other by name in placing a story's edge; the address also counts
    # in finding one (a change of speaker does not: speakers take turns all through a story)
    w_turn: float = 0.5
    w_address: float = 1.0
    shift_window: int = 3  # sentences on each side of a gap compared for that change
    # A cut inside a stretch whose two sides share this much of their content words (TF-IDF
    # cosine of the join_window sentences on each side) is a turn of one story, not a new one.
    join_cohesion: float = 0.08
    join_window: int = 16
    max_story_s: float = 480.0  # a longer part gets back its changes of topic as chapters
    item_sentences: int = 2  # a piece this short before a cue is an item, not a story start
    summary: str = "short"  # "long": 2-4 paragraphs for each story of long_story_s or more
    long_story_s: float = 30.0
    # The show's own Markdown before and after the stories ({guests}, {title}, {date} filled in).
    before: str = ""
    after: str = ""


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def safe_link(url: str) -> bool:
    """A link the notes may write: http(s) or mailto, or one with no scheme at all (a page
    of the same site, "#story-2")."""
    found = _SCHEME.match(url.strip())
    return found is None or found.group(1).lower() in SAFE_SCHEMES


# Link targets as Markdown writes them: [text](target), [label]: target, <scheme:...>.
_TARGETS = re.compile(
    r"\]\(\s*<?((?:[^\s()<>]|\([^\s()<>]*\))+)|^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)|<([a-zA-Z][\w+.-]*:[^\s>]*)>",
    re.M,
)


_SECTION = re.compile(r"^##[ \t]", re.M)


def check_markdown(text: str) -> str | None:
    """``before``/``after``: Markdown whose links are http(s) or mailto (never ``javascript:``)
    and with no '## ' heading (the notes' own sections are those); raw HTML is written as text."""
    if _SECTION.search(text):
        return "has a '## ' heading line, which the notes keep for stories; use '###' or bold text"
    for m in _TARGETS.finditer(text):
        url = next(g for g in m.groups() if g)
        if not safe_link(url):
            return f"links to {url!r}; links must be http(s) or mailto URLs"
    return None
