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
    # A cut inside a stretch whose two sides share this much of their content words (TF-IDF
    # cosine of the join_window sentences on each side) is a turn of one story, not a new one.
    join_cohesion: float = 0.08
    join_window: int = 16
    max_story_s: float = 480.0  # a longer part gets back its changes of topic as chapters
    item_sentences: int = 2  # a piece this short before a cue is an item, not a story start
