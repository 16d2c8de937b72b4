"""Each story's title, summary and links, chosen from its own words (extractive, offline).

- Title: the clause (a sentence cut at commas and joining words) of the story's opening
  sentences that is closest in meaning to the whole story, at most 60 characters, with the
  presenter's lead-in ("Next up,", "Our second story comes from X, where") taken off.
- Summary: up to three of the story's most central sentences, in their order, without
  greetings and sign-offs.
- Links: each sidecar link goes to the story its title and description are most similar to,
  when similar enough; the others go to a closing "Links" section.
"""

from __future__ import annotations

import re

import numpy as np

from ..records import Link
from .embed import embed
from .segment import Sentence, is_chatter

MAX_TITLE = 60
LINK_MIN_SIMILARITY = 0.3
_LEAD_IN = re.compile(
    r"^(?:(?:and |so |now )?(?:next up|next|moving on(?: to \w+)?|finally|lastly|and finally|to end(?: the \w+)?"
    r"|first|turning to \w+|in other news|meanwhile|elsewhere|a quick (?:\w+ )?note|in \w+)\s*[,:.]?\s*)",
    re.I,
)
_STORY_INTRO = re.compile(
    r"^(?:and |so )?our (?:first|second|third|next|other|last|final) (?:story|item)"
    r"(?: \w+){0,2}? (?:is|in|comes from) (?:about |on )?",
    re.I,
)
_WHERE = re.compile(r"^.*?\b(?:story|item|news)\b.*?,\s*where\s+", re.I)
# Time and manner phrases a headline can do without.
_FILLER = re.compile(
    r"\s+(?:on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: (?:morning|afternoon|evening|night))?"
    r"|last (?:week|month|year|night)|this (?:week|month|year|weekend)|next (?:week|month|year)"
    r"|in bright sunshine|almost entirely|just like books)\b",
    re.I,
)
_SPLIT = re.compile(r",\s+|;\s+|\s+(?:which|who|after|because|while|so that|and then)\s+")


def _clean(text: str) -> str:
    text = _strip_lead(text)
    text = _FILLER.sub("", text)
    text = re.sub(r"^(?:The|A|An)\s+(?=\w)", "", text)  # headlines drop the leading article
    text = text.strip(" ,.;:!?\"'")
    return text[:1].upper() + text[1:] if text else text


def _strip_lead(text: str) -> str:
    """Take off a presenter's lead-in: "Our first story comes from X, where", "Next up,"."""
    text = _WHERE.sub("", text.strip())
    text = _STORY_INTRO.sub("", text)
    text = _LEAD_IN.sub("", text)
    return text[:1].upper() + text[1:] if text else text


def _clauses(sentence: str) -> list[str]:
    """The sentence itself and its leading clauses, cleaned."""
    cleaned = _clean(sentence)
    pieces = _SPLIT.split(cleaned)
    out, acc = [cleaned], ""
    for piece in pieces:
        acc = f"{acc}, {piece}" if acc else piece
        out.append(_clean(acc))
    return [c for c in dict.fromkeys(out) if c]


_BREAK_BEFORE = {
    "on",
    "in",
    "with",
    "after",
    "for",
    "from",
    "at",
    "by",
    "and",
    "which",
    "who",
    "while",
    "because",
    "as",
    "to",
    "into",
    "than",
    "since",
    "during",
    "but",
    "where",
    "when",
}
_NO_END = {
    "a",
    "an",
    "the",
    "of",
    "to",
    "and",
    "or",
    "in",
    "on",
    "for",
    "with",
    "at",
    "by",
    "from",
    "its",
    "their",
    "his",
    "her",
    "our",
    "has",
    "have",
    "is",
    "are",
    "was",
    "will",
    "be",
}


def _shorten(text: str, limit: int = MAX_TITLE) -> str:
    """At most ``limit`` characters, cut before a preposition or joining word so the phrase
    stays whole ("...has recorded its first album" rather than "...its first")."""
    if len(text) <= limit:
        return text
    words = text.split()
    best = None
    for i in range(1, len(words)):
        head = " ".join(words[:i])
        if len(head) > limit:
            break
        if words[i].lower().strip(",") in _BREAK_BEFORE or words[i - 1].endswith(","):
            best = head
    if best is None or len(best) < 20:
        best = text[: limit + 1].rsplit(" ", 1)[0]
    words = best.rstrip(",;:").split()
    while len(words) > 2 and words[-1].lower() in _NO_END:
        words.pop()
    return " ".join(words).rstrip(",;:")


def title_for(sents: list[Sentence], centroid: np.ndarray) -> str:
    """The opening sentences' clause closest to the story's meaning; the lead sentence, where
    news names its subject, is preferred."""
    candidates: list[str] = []
    lead_bonus: list[float] = []
    substantive = [s for s in sents if not is_chatter(s.text)] or sents
    for rank, s in enumerate(substantive[:3]):
        for c in _clauses(s.text):
            c = _shorten(c)
            if len(c) >= 15 and c not in candidates:
                candidates.append(c)
                lead_bonus.append(0.15 if rank == 0 else 0.0)
    if not candidates:
        return _shorten(_clean(substantive[0].text)) or "Story"
    vecs = embed(candidates)
    scores = vecs @ centroid + np.array(lead_bonus) + 0.001 * np.array([len(c) for c in candidates])
    best = candidates[int(np.argmax(scores))]
    return best[:1].upper() + best[1:]


def summary_for(sents: list[Sentence], emb: np.ndarray, centroid: np.ndarray, limit: int = 3) -> str:
    keep = [i for i, s in enumerate(sents) if not is_chatter(s.text)] or list(range(len(sents)))
    ranked = sorted(keep, key=lambda i: -float(emb[i] @ centroid))
    chosen: list[int] = []
    length = 0
    for i in ranked:
        if len(chosen) >= limit or (chosen and length + len(sents[i].text) > 320):
            break
        chosen.append(i)
        length += len(sents[i].text)
    return " ".join(_strip_lead(sents[i].text) for i in sorted(chosen))


def assign_links(links: list[Link], story_vectors: np.ndarray) -> tuple[list[list[Link]], list[Link]]:
    """(links per story, leftover links)."""
    per_story: list[list[Link]] = [[] for _ in range(len(story_vectors))]
    leftover: list[Link] = []
    if not links:
        return per_story, leftover
    vecs = embed([f"{link.title}. {link.description}".strip(". ") for link in links])
    for link, vec in zip(links, vecs, strict=True):
        sims = story_vectors @ vec
        best = int(np.argmax(sims)) if len(sims) else -1
        if best >= 0 and sims[best] >= LINK_MIN_SIMILARITY:
            per_story[best].append(link)
        else:
            leftover.append(link)
    return per_story, leftover
