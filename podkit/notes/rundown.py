"""Follow the producer's rundown (sidecar ``[[stories]]``): find where each planned story
starts, in the planned order.

The intro, sponsor reads and outro are found as without a rundown (``kinds``), and short
items found mark likely starts; the sentences between the intro, sponsor reads and outro are
cut into the planned stories by dynamic programming over (sentence, story): every sentence
earns how much more it means like its story than like the rundown as a whole (its embedding
against the story's title, summary and link titles, and the content words it shares with
them), every boundary earns the evidence at it (pause, cue phrase), and the stories keep
their order.

Without a rundown a change of subject (the few sentences after a gap unlike the few before)
is evidence for a boundary; with one it is not counted. Where the stories are known, how
much each sentence means like each of them already says where the subject changes, and the
generic change of subject fires in the wrong places at a story's edge: a garbled sentence
("Based on the 30 days to file its appeal and the regular chance ...") or a co-host's quip
unlike the sentences before it pulled a story's start 10-20 s early (to the last garbled
line of the story before), against what the sentences themselves said.

A story whose span does not mean more like it than like its neighbours, or is too short to
be a story at all, is not placed: it is reported, its sentences go to its neighbours, and
the rest are placed again.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..records import RundownItem
from ..text import content_words
from .embed import embed
from .kinds import Part, fixed_parts, kinds_of
from .options import NotesOptions
from .segment import Sentence, evidence, refine

MIN_MARGIN = 0.02  # how much more a span must mean like its story than like a neighbour
MIN_PLACED_S = 5.0  # a span shorter than this is no placement, unless it is sure:
SURE_MARGIN = 0.1  # a one-line item ("Mill Lane closes Thursday.") that means this much more like its story
BOUNDARY_WEIGHT = 0.25  # weight of the boundary evidence against the sentences' similarity
# how much surer the stories' own sentences must be to move a placed start (the alignment
# weighed the same edge evidence against the rundown's text already)
REFINE_MARGIN = 0.1
BLOCK_START = 1.0  # a sponsor read or intro between two sentences: a story likely starts after it
# Weight of the content words a sentence shares with a story's rundown text (TF-IDF cosine)
# against its embedding's likeness: names and numbers said as written anchor a story even
# where the embedding of a short sentence says little.
W_WORDS = 0.75
# A story's first sentence counts once more, by how much it means like the story: a news
# story opens on its lead ("The Saturday farmers market is moving indoors ..."), so a line
# that means little either way between two stories ("The extra traffic has also brought
# complaints ...") ends the story before rather than opening the next (a host handing the
# talk on is found after, by ``refine``).
LEAD_WEIGHT = 0.5
# A run of sentences at a placed story's start or end that all mean less than this like its
# rundown text (its embedding's cosine) and lasts UNLISTED_S or more is a story the rundown
# does not list: told between two listed ones, the alignment gives it to one of them.
UNLISTED_LIKENESS = 0.2
UNLISTED_S = 40.0


def _item_text(item: RundownItem) -> str:
    return ". ".join([item.title, item.summary, *(link.title for link in item.links)]).strip(". ")


def _align(scores: np.ndarray, bonus: np.ndarray) -> list[int]:
    """Each sentence's story (column), non-decreasing, every story used at least once, best
    total of ``scores`` plus, at each sentence that starts a story, ``bonus`` and
    ``LEAD_WEIGHT`` times how much it means like that story (O(m k))."""
    m, k = scores.shape
    lead = LEAD_WEIGHT * np.clip(scores, 0.0, None)
    table = np.full((m, k), -np.inf)
    back = np.zeros((m, k), dtype=bool)  # True: this sentence starts story j
    table[0][0] = scores[0][0]
    for i in range(1, m):
        stay = table[i - 1]
        move = np.concatenate([[-np.inf], table[i - 1][:-1] + bonus[i] + lead[i][1:]])
        back[i] = move > stay
        table[i] = np.maximum(stay, move) + scores[i]
    labels, j = [0] * m, k - 1
    for i in range(m - 1, -1, -1):
        labels[i] = j
        if back[i][j]:
            j -= 1
    return labels


def _unlisted(
    placed: dict[int, RundownItem],
    vectors: dict[int, np.ndarray],
    bounds: set[int],
    sents: list[Sentence],
    emb: np.ndarray,
    duration: float,
) -> tuple[dict[int, RundownItem], set[int]]:
    """The placed stories less what their rundown text does not speak of, and the starts of
    the parts that leaves: a run at a story's start or end that means nothing like it
    (``UNLISTED_LIKENESS``, ``UNLISTED_S``; "Fire crews spent Thursday night fighting a
    blaze ..." placed as the head of "Harbour Bridge closed on Saturday night") is a story
    the rundown does not list, a part of its own (``make_notes`` reports it). A span none
    of whose sentences means like its story is left as placed. ``vectors``: each rundown
    item's text embedded, by ``id`` of the item."""
    starts = sorted(placed)
    out, extra = dict(placed), set()
    for x in starts:
        vector = vectors[id(placed[x])]
        end = min((y for y in bounds | set(starts) if y > x), default=len(sents))
        low = [float(emb[i] @ vector) < UNLISTED_LIKENESS for i in range(x, end)]
        head = next((n for n, is_low in enumerate(low) if not is_low), len(low))
        tail = next((n for n, is_low in enumerate(reversed(low)) if not is_low), len(low))
        if head == len(low):
            continue
        if head and sents[x + head].start - sents[x].start >= UNLISTED_S:
            out[x + head] = out.pop(x)
            extra.add(x)
        ends_at = sents[end].start if end < len(sents) else duration
        if tail and ends_at - sents[end - tail].start >= UNLISTED_S:
            extra.add(end - tail)
    return out, extra


def _shared_words(texts: list[str], items: list[str]) -> np.ndarray:
    """Each text's TF-IDF cosine (content words, IDF over ``texts``: the episode's sentences)
    with each item's text; a word the episode never says weighs nothing."""
    docs = [content_words(t) for t in texts]
    df = Counter(w for d in docs for w in set(d))
    vocab = {w: k for k, w in enumerate(sorted(df))}
    idf = np.array([math.log((len(docs) + 1) / df[w]) for w in sorted(df)])

    def rows(bags: list[list[str]]) -> np.ndarray:
        out = np.zeros((len(bags), len(vocab)))
        for r, bag in enumerate(bags):
            for w in bag:
                if w in vocab:
                    out[r, vocab[w]] += idf[vocab[w]]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.asarray(np.divide(out, norms, out=np.zeros_like(out), where=norms > 0))

    return np.asarray(rows(docs) @ rows([content_words(t) for t in items]).T)


def _kept_out(old: int, new: int, fixed: Sequence[Part]) -> int:
    """A story start moved from ``old`` to ``new``, unless that takes it into a sponsor read,
    the intro or the outro, or across one: a one-line item told just before a read keeps its
    line ("The valley schools swimming gala has moved ...", then "Today's show is supported
    by ...")."""
    lo, hi = min(old, new), max(old, new)
    return old if any(p.first <= new < p.end or lo < p.first <= hi for p in fixed) else new


def follow_rundown(
    sents: list[Sentence], emb: np.ndarray, opt: NotesOptions, duration: float, rundown: Sequence[RundownItem]
) -> tuple[list[tuple[int, str]], dict[int, RundownItem], list[RundownItem]]:
    """(every part as (first sentence, kind), the rundown story starting at each placed
    story's first sentence, the rundown stories not placed)."""
    ev = evidence(sents, emb, opt)
    found = fixed_parts(sents, duration, ev, opt)
    fixed = [p for p in found if p.kind != "short"]
    # a short item found is no rundown story of its own, but where it starts and ends a
    # planned one likely does
    edges = {x for p in found if p.kind == "short" for x in (p.first, p.end)}
    taken = {i for p in fixed for i in range(p.first, p.end)}
    free = [i for i in range(len(sents)) if i not in taken]
    items = list(rundown)
    unplaced: list[RundownItem] = []
    placed: dict[int, RundownItem] = {}
    by_item: dict[int, np.ndarray] = {}
    if free:
        texts = [_item_text(item) for item in items]
        vectors = embed(texts)
        by_item = {id(item): v for item, v in zip(items, vectors, strict=True)}
        sims = emb[free] @ vectors.T
        sims -= sims.mean(axis=1, keepdims=True)  # against the rundown as a whole
        shared = _shared_words([sents[i].text for i in free], texts)
        shared -= shared.mean(axis=1, keepdims=True)
        weights = ev.weights[free]
        # pause, cue phrase, change of speaker, a host addressing the other; no change of
        # subject (see above)
        bonus = BOUNDARY_WEIGHT * np.array([ev.edge(i, opt) for i in free])
        for n, i in enumerate(free[1:], 1):
            if i != free[n - 1] + 1 or i in edges:
                bonus[n] += BLOCK_START
        keep = list(range(len(items)))
        while keep and len(keep) <= len(free):
            scores = (sims[:, keep] + W_WORDS * shared[:, keep]) * weights[:, None]
            labels = _align(scores, bonus)
            weak = []
            for col, item_no in enumerate(keep):
                span = [n for n, lab in enumerate(labels) if lab == col]
                first, last = free[span[0]], free[span[-1]]
                own = float(sims[span, item_no].mean())
                neighbours = [keep[c] for c in (col - 1, col + 1) if 0 <= c < len(keep)]
                rival = max((float(sims[span, other].mean()) for other in neighbours), default=-1.0)
                short = sents[last].end - sents[first].start < MIN_PLACED_S
                if own - rival < (SURE_MARGIN if short else MIN_MARGIN):
                    weak.append((own - rival, item_no))
            if not weak:
                starts = [free[n] for n, lab in enumerate(labels) if n == 0 or lab != labels[n - 1]]
                placed = {first: items[item_no] for first, item_no in zip(starts, keep, strict=True)}
                break
            keep.remove(min(weak)[1])  # the least sure first; then place the rest again
        unplaced = [items[n] for n in range(len(items)) if items[n] not in placed.values()]
    else:
        unplaced = items
    if len(placed) > 1:
        # each placed start moved to where its two stories' own sentences meet: a rundown
        # title is a few words, the story told around it says much more (a host's quip on
        # the story before is about that story, even where it is the other voice)
        decided = {x for p in fixed for x in (p.first, p.end)} | edges
        starts = sorted(placed)
        moved = refine(
            starts,
            sents,
            ev,
            keep=decided | {starts[0]},
            opt=opt,
            duration=duration,
            margin=REFINE_MARGIN,
            handings=True,
        )
        if len(moved) == len(starts):
            placed = {_kept_out(old, new, fixed): placed[old] for old, new in zip(starts, moved, strict=True)}
    placed, unlisted = _unlisted(placed, by_item, {x for p in fixed for x in (p.first, p.end)}, sents, emb, duration)
    firsts = {p.first for p in fixed} | set(placed) | unlisted
    # what follows a sponsor read (or the intro) up to the next part starts a part of its
    # own where no placed story starts in it: a story the rundown does not list is told
    # there, not read on as "Sponsor" (``make_notes`` reports it)
    for end in sorted({p.end for p in fixed if p.end < len(sents)} - firsts):
        if min((x for x in firsts if x > end), default=len(sents)) not in placed:
            firsts.add(end)
    if 0 not in firsts:  # no intro found and the first story placed later: it starts at 0
        if placed:
            earliest = min(placed)
            placed[0] = placed.pop(earliest)
            firsts.discard(earliest)
        firsts.add(0)
    return kinds_of(sorted(firsts), fixed, sents, opt.min_story_s, duration), placed, unplaced
