"""Split a transcript into stories: sentences, then boundaries from four signals.

1. coherence: how well each story's sentences hang together (all-MiniLM-L6-v2 embeddings:
   the squared length of their sum over their number);
2. a change of subject at the gap: how different the few sentences after it are from the
   few before it (their mean embeddings, cosine), against the episode's typical change;
3. pauses: how long the silence in the gap is, against the episode's own typical pause;
4. cue phrases a presenter uses to move on ("next up", "moving on", "finally", ...).

The split maximises, by dynamic programming, the stories' coherence plus the evidence at
their boundaries, less a cost per story, with every story at least the minimum length (so
the number of stories chooses itself; a sidecar may fix it). Greetings and sign-offs
("Welcome to ...", "I'm Mara.") weigh nothing in a story's coherence: they belong to no
subject, and a story that opens with them must not look like two. Sentences Whisper ran
together are cut where a cue phrase follows a comma ("..., and to end the bulletin, ...").
A short item that opens a story just before a cue phrase joins the story before it, so it
neither swallows nor splits a neighbour.

Every signal is a sum or an average over several sentences, and the evidence for a real
boundary is large next to its noise: a transcript that differs in a word or a timing (another
CPU, beam size, engine) gives the same stories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..records import Transcript, Word
from .options import NotesOptions

CUES = (
    "next up",
    "next,",
    "next ",
    "moving on",
    "finally",
    "and finally",
    "lastly",
    "to end",
    "turning to",
    "in other news",
    "meanwhile",
    "elsewhere",
    "now to",
    "over to",
    "and now",
    "a quick",
    "our first story",
    "our second story",
    "our third story",
    "our next story",
    "our other story",
    "our last story",
    "another story",
    "in sport",
    "in football",
    "in business",
    "in technology",
    "on to",
    "onto",
    "switching to",
    "staying with",
)
_CUE_RE = re.compile(r"^(?:and |so |now |well )?(?:" + "|".join(re.escape(c.strip(" ,")) for c in CUES) + r")\b")
_STORY_RE = re.compile(r"\b(?:our|the) (?:first|second|third|next|last|other|final) (?:story|item)\b")
# Cues strong enough to start a sentence after a comma ("..., and finally, ..."); "next" is
# not one of them ("..., next year the council ...").
_INNER_CUE_RE = re.compile(
    r"^(?:and |so |now )?(?:finally|lastly|to end|to finish|next up|moving on|in other news|meanwhile|"
    r"turning to|elsewhere|(?:our|the) (?:first|second|third|next|last|final|other) (?:story|item))\b"
)
# Greetings, self-introductions and sign-offs: no subject of their own.
CHATTER = re.compile(
    r"^(?:welcome|hello|hi|good (?:morning|afternoon|evening)|thanks|thank you|that's all|"
    r"you are listening|you're listening|this is|here is|here's)\b"
    r"|\b(?:for this week|for today|in the show notes|thanks for listening)\b"
    r"|^(?:and |so )?(?:i'm|i am|my name is) [\w'-]+(?: [\w'-]+)?[.!,]?$",
    re.I,
)


@dataclass
class Sentence:
    start: float
    end: float
    text: str
    speaker: str | None = None


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.?!][\"')\]]*$", text))


def _inner_cue_at(words: list[Word], k: int) -> bool:
    """Whether a cue phrase starts at ``words[k]``, right after a comma."""
    if k == 0 or not re.search(r"[,;:]$", words[k - 1].text):
        return False
    head = " ".join(w.text for w in words[k : k + 6]).lower().lstrip(" \"'")
    return bool(_INNER_CUE_RE.match(head))


def sentences(transcript: Transcript, *, max_pause: float = 1.0) -> list[Sentence]:
    """Sentences from word timings and punctuation (Whisper segments cross both): a sentence
    ends at a full stop, a change of speaker, a pause over ``max_pause`` seconds, or a comma
    followed by a cue phrase."""
    out: list[Sentence] = []
    current: list[Word] = []
    speaker = None

    def close() -> None:
        if current:
            out.append(Sentence(current[0].start, current[-1].end, " ".join(w.text for w in current).strip(), speaker))
            current.clear()

    words = [(seg.speaker, w) for seg in transcript.segments for w in seg.words or [Word(seg.start, seg.end, seg.text)]]
    plain = [w for _, w in words]
    prev_end = None
    for k, (who, word) in enumerate(words):
        if current and (
            who != speaker or (prev_end is not None and word.start - prev_end > max_pause) or _inner_cue_at(plain, k)
        ):
            close()
        speaker = who
        current.append(word)
        prev_end = word.end
        if _ends_sentence(word.text):
            close()
    close()
    return [s for s in out if s.text]


def is_cue(text: str) -> bool:
    head = text.lower().lstrip(" \"'")
    return bool(_CUE_RE.match(head)) or bool(_STORY_RE.search(" ".join(head.split()[:8])))


def is_chatter(text: str) -> bool:
    return bool(CHATTER.search(text.strip()))


def _pause_z(sents: list[Sentence]) -> np.ndarray:
    """Standardised log pause before each sentence (0 for the first), clipped to [0, 2]: a
    long pause is evidence for a boundary, a short one is none against it (some hosts read
    straight on), and one odd word timing must not outvote everything else."""
    pauses = np.array([0.0] + [max(0.0, sents[i].start - sents[i - 1].end) for i in range(1, len(sents))])
    z = np.log(pauses + 0.05)
    z = (z - np.median(z)) / (z.std() + 1e-9)
    z[0] = 0.0
    return np.asarray(np.clip(z, 0.0, 2.0))


def _cues(sents: list[Sentence]) -> np.ndarray:
    return np.array([0.0] + [1.0 if is_cue(s.text) else 0.0 for s in sents[1:]])


def _shift_z(weighted: np.ndarray, weights: np.ndarray, window: int) -> np.ndarray:
    """A change of subject before each sentence (0 for the first): one minus the cosine of the
    mean embeddings of the ``window`` sentences before and after the gap, standardised
    against the episode's own gaps and clipped to [0, 3]."""
    n = len(weighted)
    shift = np.zeros(n)
    csum = np.vstack([np.zeros((1, weighted.shape[1])), np.cumsum(weighted, axis=0)])
    for i in range(1, n):
        before = csum[i] - csum[max(0, i - window)]
        after = csum[min(n, i + window)] - csum[i]
        nb, na = float(np.linalg.norm(before)), float(np.linalg.norm(after))
        if nb > 0 and na > 0 and weights[max(0, i - window) : i].any() and weights[i : i + window].any():
            shift[i] = 1.0 - float(before @ after) / (nb * na)
    if n < 3:
        return shift
    z = (shift - np.median(shift[1:])) / (shift[1:].std() + 1e-9)
    z[0] = 0.0
    return np.asarray(np.clip(z, 0.0, 3.0))


def choose_boundaries(sents: list[Sentence], emb: np.ndarray, opt: NotesOptions, duration: float) -> list[int]:
    """Sentence indices that start a story (0 first), by dynamic programming.

    A story's coherence is |sum of its sentences' unit embeddings|^2 / their number (its
    sentences' mean similarity to each other, times their number; greetings and sign-offs
    weigh nothing); each boundary adds its change of subject, pause and cue evidence; each
    story costs ``story_cost``. The best split under the minimum story length wins; with
    ``stories`` fixed, the best split into exactly that many. Free: O(n^2) over sentences,
    each step vectorised; fixed: O(k n^2).
    """
    n = len(sents)
    if n == 0:
        return [0]
    weights = np.array([0.0 if is_chatter(s.text) else 1.0 for s in sents])
    weighted = emb * weights[:, None]
    bonus = (
        opt.w_pause * _pause_z(sents)
        + opt.w_cue * _cues(sents)
        + opt.w_shift * _shift_z(weighted, weights, opt.shift_window)
    )
    bonus[0] = 0.0
    times = np.array([0.0] + [s.start for s in sents[1:]] + [duration])
    csum = np.vstack([np.zeros((1, emb.shape[1])), np.cumsum(weighted, axis=0)])
    wsum = np.concatenate([[0.0], np.cumsum(weights)])

    def gains(j: int) -> tuple[np.ndarray, np.ndarray]:
        """For a story ending before sentence j: the value of starting it at each i < j that
        leaves it long enough, and those i."""
        starts = np.flatnonzero(times[j] - times[:j] >= opt.min_story_s)
        totals = csum[j] - csum[starts]
        counts = wsum[j] - wsum[starts]
        coherence = np.divide(
            np.einsum("ij,ij->i", totals, totals), counts, out=np.zeros(len(starts)), where=counts > 0
        )
        return coherence - opt.story_cost + bonus[starts], starts

    neg = -np.inf
    if opt.stories is None:
        best = np.full(n + 1, neg)
        back = np.zeros(n + 1, dtype=int)
        best[0] = 0.0
        for j in range(1, n + 1):
            value, starts = gains(j)
            if len(starts):
                total = best[starts] + value
                pick = int(np.argmax(total))
                best[j], back[j] = total[pick], starts[pick]
        if best[n] == neg:
            return [0]
        cuts, j = [], n
        while j > 0:
            j = int(back[j])
            cuts.append(j)
    else:
        k_max = opt.stories
        table = np.full((k_max + 1, n + 1), neg)
        links = np.zeros((k_max + 1, n + 1), dtype=int)
        table[0][0] = 0.0
        for j in range(1, n + 1):
            value, starts = gains(j)
            if not len(starts):
                continue
            for k in range(1, k_max + 1):
                total = table[k - 1][starts] + value
                pick = int(np.argmax(total))
                table[k][j], links[k][j] = total[pick], starts[pick]
        reachable = [k for k in range(1, k_max + 1) if table[k][n] > neg]
        if not reachable:
            return [0]
        # Exactly as many as asked when the minimum length allows; else as many as fit.
        k = k_max if k_max in reachable else max(reachable, key=lambda kk: (table[kk][n], kk))
        cuts, j = [], n
        for kk in range(k, 0, -1):
            j = int(links[kk][j])
            cuts.append(j)
    return _items_join_previous(sorted(cuts), sents, opt, duration)


def _items_join_previous(cuts: list[int], sents: list[Sentence], opt: NotesOptions, duration: float) -> list[int]:
    """A story that opens with a short item and then a cue ("A quick note: ... And to end
    the bulletin, ...") really starts at the cue: the item closes the story before it."""
    out = list(cuts)
    for pos in range(1, len(out)):
        i = out[pos]
        nxt = out[pos + 1] if pos + 1 < len(out) else len(sents)
        for k in range(i + 1, min(i + opt.item_sentences, nxt - 1) + 1):
            end = duration if pos + 1 == len(out) else sents[nxt].start
            if (
                is_cue(sents[k].text)
                and end - sents[k].start >= opt.min_story_s
                and sents[k].start - sents[i].start < opt.min_story_s
            ):
                out[pos] = k
                break
    return out
