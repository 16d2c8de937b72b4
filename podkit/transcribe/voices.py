"""Who speaks when on one track: the sidecar names the people on a recording
(``speakers = ["Imogen Vale", "Marcus Reddy"]``), and each stretch of the transcript gets
one of those names.

1. Turns: each segment's words are cut into stretches at pauses (``TURN_GAP_S``) and
   sentence ends: a speaker changes there, seldom mid-phrase.
2. Voices: the recording is streamed (16 kHz mono, memory flat in duration) into 10 ms
   frames of mel cepstra; a stretch's voice is the mean and spread of its louder frames'
   cepstra (coefficients 1-19: the vocal tract's shape, not the level), standardised over
   the episode.
3. Grouping: the stretches of a second or more are grouped into as many voices as the
   sidecar names (Ward's hierarchical clustering, then k-means from there: deterministic,
   no random start), and every stretch is scored against each voice. A best path over the
   stretches (Viterbi) with a cost for changing speaker gives each its voice: a short
   "Right." between two of one host's lines stays with the voice that fits it best only
   when its sound says so clearly.
4. Names: a voice that says "I'm Marcus ..." / "my name is ..." / "this is ..." with one of
   the sidecar's names (the first name, matched loosely: the recogniser may spell it "Imogen
   Mail") is that person; the others take the remaining names in the sidecar's order, by
   who speaks first.

Segments are split where their speaker changes, each keeping its words. A recording with
too little speech to tell voices apart (fewer than three stretches of a second per voice)
is left without names, rather than given wrong ones.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.fft
from scipy.cluster.hierarchy import fcluster, linkage

from ..ffmpeg import Decoder
from ..records import Progress, Segment, Transcript, Word
from ..text import ends_sentence, join_words

log = logging.getLogger(__name__)

RATE = 16000
WIN = 400  # 25 ms frames
HOP = 160  # every 10 ms
NFFT = 512
N_MELS = 40
N_CEPS = 20  # cepstra 1..19 kept (0 is the level)
TURN_GAP_S = 0.2  # a pause this long between words may be a change of speaker
MIN_FIT_S = 1.0  # stretches this long or longer shape the voices
MIN_FIT_PER_VOICE = 3
SWITCH_COST = 0.5  # what a change of speaker costs on the best path (in per-dimension distance)
MAX_LINKAGE = 1500  # stretches given to the hierarchical grouping at most (evenly taken)


def _mel_bank() -> np.ndarray:
    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    edges = 700.0 * (10 ** (np.linspace(mel(np.array(60.0)), mel(np.array(7600.0)), N_MELS + 2) / 2595.0) - 1.0)
    bins = np.fft.rfftfreq(NFFT, 1.0 / RATE)
    bank = np.zeros((N_MELS, len(bins)))
    for m in range(N_MELS):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        rise = (bins - lo) / (mid - lo)
        fall = (hi - bins) / (hi - mid)
        bank[m] = np.clip(np.minimum(rise, fall), 0.0, None)
    return bank


def frame_features(
    path: Path, progress: Progress | None = None, total: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per 10 ms frame: mel cepstra 1..19 (float32) and the log energy."""
    bank = _mel_bank().T
    window = np.hamming(WIN).astype(np.float32)
    carry = np.zeros(0, np.float32)
    ceps: list[np.ndarray] = []
    energy: list[np.ndarray] = []
    done = 0
    for chunk in Decoder(path, rate=RATE, channels=1, chunk_frames=RATE * 30).chunks():
        x = np.concatenate([carry, chunk[:, 0]])
        n = 1 + (len(x) - WIN) // HOP if len(x) >= WIN else 0
        if n:
            idx = np.arange(WIN)[None, :] + HOP * np.arange(n)[:, None]
            power = np.abs(np.fft.rfft(x[idx] * window, NFFT)) ** 2
            logmel = np.log(power @ bank + 1e-10)
            ceps.append(scipy.fft.dct(logmel, type=2, norm="ortho", axis=1)[:, 1:N_CEPS].astype(np.float32))
            energy.append(np.log(power.sum(axis=1) + 1e-10).astype(np.float32))
            carry = x[n * HOP :]
        else:
            carry = x
        done += len(chunk)
        if progress:
            progress("telling the voices apart", done / RATE, total)
    if not ceps:
        return np.zeros((0, N_CEPS - 1), np.float32), np.zeros(0, np.float32)
    return np.concatenate(ceps), np.concatenate(energy)


@dataclass(frozen=True)
class Stretch:
    first: int  # the transcript's words [first, end), counted over all its segments
    end: int
    start_s: float
    end_s: float
    text: str

    @property
    def length(self) -> float:
        return self.end_s - self.start_s


def _words(transcript: Transcript) -> list[Word]:
    """Every word in order (a segment without word timings counts as one)."""
    return [w for seg in transcript.segments for w in (seg.words or [Word(seg.start, seg.end, seg.text)])]


def stretches(words: list[Word]) -> list[Stretch]:
    """The words cut at pauses of ``TURN_GAP_S`` and at sentence ends."""
    out = []
    first = 0
    for k in range(1, len(words) + 1):
        if k == len(words) or words[k].start - words[k - 1].end >= TURN_GAP_S or ends_sentence(words[k - 1].text):
            chosen = words[first:k]
            out.append(Stretch(first, k, chosen[0].start, chosen[-1].end, join_words(w.text for w in chosen)))
            first = k
    return out


def _voice_of(ceps: np.ndarray, energy: np.ndarray, start: float, end: float) -> np.ndarray | None:
    a, b = int(start * 100), max(int(start * 100) + 1, int(end * 100))
    frames, level = ceps[a:b], energy[a:b]
    if len(frames) < 5:
        return None
    loud = frames[level >= np.percentile(level, 40)]
    return np.concatenate([loud.mean(axis=0), loud.std(axis=0)])


_SELF = re.compile(r"\b(?:i'm|i am|my name is|this is|it's)\s+([A-Za-z][\w'-]+)", re.I)


def _named(text: str, names: tuple[str, ...]) -> str | None:
    """The sidecar name a stretch introduces its speaker as ("I'm Imogen ..."), if any."""
    for said in _SELF.findall(text):
        said = said.lower()
        for name in names:
            first = name.split()[0].lower()
            if said == first or difflib.SequenceMatcher(None, said, first).ratio() >= 0.8:
                return name
    return None


def _kmeans(points: np.ndarray, weights: np.ndarray, centres: np.ndarray, rounds: int = 20) -> np.ndarray:
    for _ in range(rounds):
        labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        moved = centres.copy()
        for k in range(len(centres)):
            mine = labels == k
            if mine.any():
                moved[k] = np.average(points[mine], axis=0, weights=weights[mine])
        if np.allclose(moved, centres):
            break
        centres = moved
    return centres


def _best_path(cost: np.ndarray) -> list[int]:
    """The voice of each stretch: least total cost plus ``SWITCH_COST`` per change."""
    m, k = cost.shape
    total = cost[0].copy()
    back = np.zeros((m, k), dtype=int)
    for i in range(1, m):
        switch = total.min() + SWITCH_COST
        came = np.where(total <= switch, np.arange(k), int(np.argmin(total)))
        total = np.minimum(total, switch) + cost[i]
        back[i] = came
    path = [int(np.argmin(total))]
    for i in range(m - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return path[::-1]


def label_speakers(
    path: Path, transcript: Transcript, names: tuple[str, ...], progress: Progress | None = None
) -> Transcript:
    """``transcript`` with each segment cut at changes of speaker and named from ``names``
    (see the module's docstring); unchanged where the voices cannot be told apart."""
    if len(names) < 2 or not transcript.segments:
        return transcript
    parts = stretches(_words(transcript))
    ceps, energy = frame_features(path, progress, transcript.duration)
    voices = [_voice_of(ceps, energy, p.start_s, p.end_s) for p in parts]
    known = [i for i, v in enumerate(voices) if v is not None]
    fit = [i for i in known if parts[i].length >= MIN_FIT_S]
    if len(fit) < MIN_FIT_PER_VOICE * len(names):
        log.info("%s: too little speech to tell %d voices apart; no speaker names", path, len(names))
        return transcript
    matrix = np.array([voices[i] for i in known], dtype=np.float64)
    fit_rows = np.array([known.index(i) for i in fit])
    mean = matrix[fit_rows].mean(axis=0)
    scale = matrix[fit_rows].std(axis=0) + 1e-6
    z = (matrix - mean) / scale
    sample = fit_rows[np.linspace(0, len(fit_rows) - 1, min(len(fit_rows), MAX_LINKAGE)).astype(int)]
    groups = fcluster(linkage(z[sample], method="ward"), t=len(names), criterion="maxclust")
    centres = np.array([z[sample][groups == g].mean(axis=0) for g in sorted(set(groups))])
    if len(centres) < len(names):
        return transcript
    weights = np.array([min(parts[i].length, 5.0) for i in fit])
    centres = _kmeans(z[fit_rows], weights, centres)
    # each stretch's cost for each voice: its distance per dimension, counted by its length
    # (a long stretch's sound is sure; a word's is not)
    dist = ((z[:, None, :] - centres[None]) ** 2).mean(axis=2)
    cost = np.zeros((len(parts), len(names)))
    for row, i in enumerate(known):
        cost[i] = dist[row] * min(parts[i].length, 3.0)
    voice = _best_path(cost)
    # names: from self-introductions, then in the sidecar's order by who speaks first
    votes: dict[tuple[int, str], int] = {}
    for p, v in zip(parts, voice, strict=True):
        said = _named(p.text, names)
        if said:
            votes[(v, said)] = votes.get((v, said), 0) + 1
    naming: dict[int, str] = {}
    for (v, said), _ in sorted(votes.items(), key=lambda kv: -kv[1]):
        if v not in naming and said not in naming.values():
            naming[v] = said
    rest = [n for n in names if n not in naming.values()]
    for v in dict.fromkeys(voice):
        if v not in naming and rest:
            naming[v] = rest.pop(0)
    who = [""] * parts[-1].end
    for p, v in zip(parts, voice, strict=True):
        who[p.first : p.end] = [naming[v]] * (p.end - p.first)
    return Transcript(transcript.language, transcript.duration, _split(transcript, who))


def _split(transcript: Transcript, who: list[str]) -> list[Segment]:
    """Each segment cut where its words' speaker changes."""
    out: list[Segment] = []
    k = 0
    for seg in transcript.segments:
        if not seg.words:
            out.append(Segment(seg.start, seg.end, seg.text, [], who[k]))
            k += 1
            continue
        runs: list[tuple[str, list[Word]]] = []
        for w in seg.words:
            if runs and runs[-1][0] == who[k]:
                runs[-1][1].append(w)
            else:
                runs.append((who[k], [w]))
            k += 1
        if len(runs) == 1:
            out.append(Segment(seg.start, seg.end, seg.text, seg.words, runs[0][0]))
            continue
        for name, words in runs:
            out.append(Segment(words[0].start, words[-1].end, join_words(x.text for x in words), words, name))
    return out
