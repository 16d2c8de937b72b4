"""An episode's transcript split into its parts (intro, stories, short items, sponsor reads,
outro), each story with a heading, a summary, its time and its links (extractive and
offline: all-MiniLM-L6-v2 sentence embeddings).

Without a rundown the parts that are not stories are found first (``kinds``) and kept; the
stretches between them are split into stories (``segment``). With the producer's rundown
(sidecar ``[[stories]]``) the stories are exactly those, in that order (``rundown``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..clock import clock
from ..records import Link, RundownItem, Transcript
from .describe import (
    assign_links,
    headings,
    headline_for,
    main_topics,
    paragraphs_for,
    preview_phrases,
    summary_for,
)
from .embed import embed
from .kinds import fixed_parts, kinds_of
from .language import opening_line
from .options import NotesOptions
from .rundown import follow_rundown
from .segment import (
    Sentence,
    _time_at,
    _typical,
    choose_boundaries,
    edge_notices,
    evidence,
    join_fragments,
    refine,
    sentences,
    split_long,
)

# Parts that are not stories have plain titles (chapters show them; the notes leave them out).
PLAIN_TITLES = {"intro": "Intro", "sponsor": "Sponsor", "outro": "Outro"}
NOTE_KINDS = ("story", "short")  # the kinds the show notes give a section


@dataclass
class Story:
    start: float  # the first part starts at 0.0: chapters cover the whole episode
    end: float
    title: str
    summary: str
    text: str
    links: list[Link] = field(default_factory=list)
    kind: str = "story"  # story, short, intro, sponsor, outro


@dataclass
class Notes:
    stories: list[Story]  # every part, in order (``told`` gives the stories and short items)
    links: list[Link] = field(default_factory=list)  # links that fit no story
    # The opening line: "This week, Kejie joined us to talk about ..." (empty when the sidecar
    # gives a description)
    synopsis: str = ""
    warnings: list[str] = field(default_factory=list)  # e.g. rundown stories not placed
    # The page around the stories (``page.dress`` fills them in; empty: not written)
    byline: str = ""  # "By Mara Quill"
    date: str = ""  # "20 November 2026"
    before: str = ""  # the show's Markdown before the stories, placeholders filled in
    after: str = ""  # and after them
    language: str = "en"  # the show's: the language names of links are written in it

    @property
    def told(self) -> list[Story]:
        return [s for s in self.stories if s.kind in NOTE_KINDS]


def _found_parts(sents: list[Sentence], emb: np.ndarray, opt: NotesOptions, duration: float) -> list[tuple[int, str]]:
    """(first sentence, kind) of every part, with no rundown to follow. The stories of one
    episode are of like length, and how long they are is the episode's own (one-minute items
    read by one voice, four-minute stories two hosts talk through): a first pass finds the
    stories, and their typical length (``_typical``) then makes a part far from it cost more
    in a second (``length_prior``)."""
    ev = evidence(sents, emb, opt)
    fixed = fixed_parts(sents, duration, ev, opt)
    bounds = sorted({x for p in fixed for x in (p.first, p.end) if 0 < x < len(sents)})
    inside = {i for p in fixed for i in range(p.first + 1, p.end)}  # a fixed part is whole
    firsts = {p.first for p in fixed}

    def split(typical: float | None) -> list[int]:
        starts = choose_boundaries(sents, emb, opt, duration, fixed=bounds, ev=ev, typical=typical, fixed_firsts=firsts)
        starts = sorted({0, *(i for i in starts if i not in inside), *bounds})
        if opt.stories is not None:  # a number fixed by the producer is kept
            return starts
        starts = join_fragments(starts, firsts, set(bounds), sents, ev, duration, opt.min_story_s)
        starts = split_long(starts, firsts, sents, ev, duration, opt, typical)
        # each cut placed with the whole stories either side; a cut placed so may leave a
        # fragment, which joins its story
        starts = refine(starts, sents, ev, keep=set(bounds), opt=opt, duration=duration, handings=True)
        starts = join_fragments(starts, firsts, set(bounds), sents, ev, duration, opt.min_story_s)
        # a one-sentence notice glued to a story's edge is an item of its own
        return edge_notices(starts, firsts, sents, ev, duration, opt)

    starts = split(None)
    parts = kinds_of(starts, fixed, sents, opt.min_story_s, duration)
    if opt.stories is None and opt.length_prior:
        ends = [*(first for first, _ in parts[1:]), len(sents)]
        lengths = np.array(
            [
                _time_at(b, sents, duration) - _time_at(a, sents, duration)
                for (a, kind), b in zip(parts, ends, strict=True)
                if kind == "story"
            ]
        )
        if len(lengths) >= 3:
            parts = kinds_of(split(_typical(lengths)), fixed, sents, opt.min_story_s, duration)
    return parts


def make_notes(
    transcript: Transcript,
    links: Sequence[Link] = (),
    options: NotesOptions | None = None,
    *,
    rundown: Sequence[RundownItem] = (),
    description: str = "",
    guests: Sequence[str] = (),
    language: str = "en",
) -> Notes:
    """The episode's parts and show notes. ``rundown``: the producer's stories, in order;
    ``description``: the sidecar's (then the notes open with no line of their own);
    ``guests``: the names the opening line gives; ``language``: the show's, the opening
    line's."""
    opt = options or NotesOptions()
    sents = sentences(transcript)
    if not sents:
        return Notes([], list(links), language=language)
    emb = embed([s.text for s in sents])
    duration = max(transcript.duration, sents[-1].end)
    warnings: list[str] = []
    planned: dict[int, RundownItem] = {}
    if rundown:
        parts, planned, unplaced = follow_rundown(sents, emb, opt, duration, rundown)
        warnings += [
            f"rundown story {item.title!r} could not be placed with confidence (its time went to the "
            "stories around it); check that it was told, or take it out of the rundown"
            for item in unplaced
        ]
    else:
        parts = _found_parts(sents, emb, opt, duration)
    stories: list[Story] = []
    spans = []
    for (a, kind), (b, _) in itertools.pairwise([*parts, (len(sents), "")]):
        part = sents[a:b]
        spans.append((a, b))
        stories.append(
            Story(
                start=0.0 if a == 0 else float(part[0].start),
                end=float(part[-1].end),
                title=PLAIN_TITLES.get(kind, ""),
                summary="",
                text=" ".join(s.text for s in part),
                kind=kind,
            )
        )
    for story, nxt in itertools.pairwise(stories):
        story.end = nxt.start  # chapters are contiguous: each runs until the next begins
    stories[-1].end = float(duration)

    told = [k for k, s in enumerate(stories) if s.kind in NOTE_KINDS]
    centroids = []
    for k in told:
        a, b = spans[k]
        centroid = emb[a:b].mean(axis=0)
        centroids.append(centroid / (np.linalg.norm(centroid) + 1e-9))
    leftover = list(links)
    if told:
        per_story, leftover = assign_links(list(links), np.array(centroids))
        for k, assigned in zip(told, per_story, strict=True):
            stories[k].links = assigned
    # the phrases an intro previewed the stories with are candidate headings (no rundown:
    # with one, its titles are the headings)
    intro = [sents[i] for (a, b), s in zip(spans, stories, strict=True) if s.kind == "intro" for i in range(a, b)]
    previews = preview_phrases(intro) if not rundown else []
    titles = headings(
        [sents[spans[k][0] : spans[k][1]] for k in told], centroids, [stories[k].links for k in told], previews
    )
    for k, centroid, title in zip(told, centroids, titles, strict=True):
        a, b = spans[k]
        story = stories[k]
        item = planned.get(a)
        story.title = item.title if item else title
        long = opt.summary == "long" and story.kind == "story" and story.end - story.start >= opt.long_story_s
        given = item.summary if item and item.summary else ""
        if given:
            story.summary = given
        elif long:
            story.summary = "\n\n".join(paragraphs_for(sents[a:b], emb[a:b], centroid))
        else:
            story.summary = summary_for(sents[a:b], emb[a:b], centroid)
        if item and item.links:
            story.links = list(item.links)
    if rundown:
        warnings += [
            f"the {s.kind} at {clock(s.start)} is in no rundown story (podkit headed it {s.title!r}); "
            "add it to the rundown"
            for s, (a, _) in ((stories[k], spans[k]) for k in told)
            if a not in planned
        ]
    notes = Notes(stories, leftover, warnings=warnings, language=language)
    if not description.strip():
        main = [s for s in notes.told if s.kind == "story"]
        topics = main_topics([s.title for s in main], [s.end - s.start for s in main], [s.text for s in main])
        notes.synopsis = opening_line(list(guests), topics, language)
    return notes


def headline(notes: Notes) -> str:
    """The lead story's heading, at most 70 characters: the episode's title where the sidecar
    gives none ("" when the notes found no story)."""
    lead = next((s for s in notes.told if s.kind == "story"), None) or next(iter(notes.told), None)
    return headline_for(lead.title) if lead else ""


def split_stories(transcript: Transcript, options: NotesOptions | None = None) -> list[Story]:
    """The stories and short items (no intro, sponsor or outro)."""
    return make_notes(transcript, (), options).told
