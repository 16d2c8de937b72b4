"""The notes stage's options: the single source of its defaults (podkit.toml [notes])."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NotesOptions:
    min_story_s: float = 20.0  # the shortest story, in seconds
    stories: int | None = None  # fixed by the sidecar (``stories = N``); None: found
    story_cost: float = 1.0  # what a story must add in coherence to be worth a boundary
    w_pause: float = 0.5  # weight of a long pause at a boundary
    w_cue: float = 1.5  # weight of a cue phrase ("next up", "moving on") opening a story
    w_shift: float = 0.75  # weight of a change of subject across the gap
    shift_window: int = 3  # sentences on each side of a gap compared for that change
    # Neighbouring parts that mean this much like each other (against how much each means
    # like itself) are one story told in turns (background, quotes, numbers, reactions) and
    # are joined; a part of n sentences must clear join_small / n more (it says less).
    join_affinity: float = 0.5
    join_small: float = 0.5
    item_sentences: int = 2  # a piece this short before a cue is an item, not a story start
