"""An episode's transcript split into its stories, each with a title, a summary, its time
and its links (extractive and offline: all-MiniLM-L6-v2 sentence embeddings)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..records import Link, Transcript
from .describe import assign_links, summary_for, title_for
from .embed import embed
from .options import NotesOptions
from .segment import choose_boundaries, sentences


@dataclass
class Story:
    start: float  # the first story starts at 0.0: chapters cover the whole episode
    end: float
    title: str
    summary: str
    text: str
    links: list[Link] = field(default_factory=list)


@dataclass
class Notes:
    stories: list[Story]
    links: list[Link] = field(default_factory=list)  # links that fit no story


def make_notes(transcript: Transcript, links: Sequence[Link] = (), options: NotesOptions | None = None) -> Notes:
    opt = options or NotesOptions()
    sents = sentences(transcript)
    if not sents:
        return Notes([], list(links))
    emb = embed([s.text for s in sents])
    duration = max(transcript.duration, sents[-1].end)
    starts = choose_boundaries(sents, emb, opt, duration)
    stories, centroids = [], []
    for a, b in itertools.pairwise([*starts, len(sents)]):
        part, vecs = sents[a:b], emb[a:b]
        centroid = vecs.mean(axis=0)
        centroid /= np.linalg.norm(centroid) + 1e-9
        centroids.append(centroid)
        stories.append(
            Story(
                start=0.0 if a == 0 else float(part[0].start),
                end=float(part[-1].end),
                title=title_for(part, centroid),
                summary=summary_for(part, vecs, centroid),
                text=" ".join(s.text for s in part),
            )
        )
    for story, nxt in itertools.pairwise(stories):
        story.end = nxt.start  # chapters are contiguous: each runs until the next begins
    stories[-1].end = float(duration)
    per_story, leftover = assign_links(list(links), np.array(centroids))
    for story, assigned in zip(stories, per_story, strict=True):
        story.links = assigned
    return Notes(stories, leftover)


def split_stories(transcript: Transcript, options: NotesOptions | None = None) -> list[Story]:
    return make_notes(transcript, (), options).stories
