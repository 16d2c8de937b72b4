"""notes: split an episode's transcript into its stories, each with a title, a summary, its
time and its links; write chapters and show notes."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Transcript
from .segment import SegmentOptions, choose_boundaries, embed, sentences


@dataclass
class Story:
    start: float
    end: float
    title: str
    summary: str
    text: str
    links: list = field(default_factory=list)


def split_stories(transcript: Transcript, options: SegmentOptions | None = None) -> list[Story]:
    opt = options or SegmentOptions()
    sents = sentences(transcript)
    if not sents:
        return []
    emb = embed([s.text for s in sents])
    duration = max(transcript.duration, sents[-1].end)
    starts = choose_boundaries(sents, emb, opt, duration)
    stories = []
    for a, b in zip(starts, starts[1:] + [len(sents)]):
        part = sents[a:b]
        text = " ".join(s.text for s in part)
        stories.append(Story(0.0 if a == 0 else part[0].start, part[-1].end, "", "", text))
    return stories
