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
A short item that opens a story just before a cue phrase is a part of its own, so it
neither swallows nor splits a neighbour. The parts that are not stories (intro, sponsor
reads, short items, outro: ``kinds``) are found first and their boundaries kept; the
stretches between them are split on their own. A long story told in turns (what happened,
background, quotes, reactions) can look like several to the splitter; a cut across which
the same people, places and things are named (lexical cohesion, as in TextTiling) is a turn
of one story, and goes (``_join_similar``). The stories of one episode are of like length,
and how long is the episode's own: a second pass, told the typical story of the first, makes
a part far from it cost more (``length_prior``).

Every signal is a sum or an average over several sentences, and the evidence for a real
boundary is large next to its noise: a transcript that differs in a word or a timing (another
CPU, beam size, engine) gives the same stories.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from ..records import Transcript, Word
from ..text import content_words, join_words
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
    r"^(?:and |so |now )?(?:finally|lastly|to end|to finish|next up|moving on|in other news|"
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


COMMA_PAUSE = 0.6  # a sentence the recogniser carries on past a comma may pause this long


def _continues(word: Word | None, prev_end: float, reach: float = 0.3) -> bool:
    """Whether ``word`` carries on a sentence the transcript ended too early: a full stop
    the recogniser put mid-clause ("... the row between Robert Wing Shop. keepers and
    cyclists ...") is followed straight on (within ``reach`` seconds) by a lower-case word."""
    if word is None or word.start - prev_end > reach:
        return False
    head = word.text.strip().lstrip("\"'(")
    return bool(head) and head[0].islower()


def sentences(transcript: Transcript, *, max_pause: float = 1.0) -> list[Sentence]:
    """Sentences from word timings and punctuation (Whisper segments cross both): a sentence
    ends at a full stop (unless a lower-case word follows at once: a stop put mid-clause), a
    change of speaker (unless it falls mid-sentence, a lower-case word straight on), a pause
    over ``max_pause`` seconds, or a comma followed by a cue phrase."""
    out: list[Sentence] = []
    current: list[Word] = []
    speaker = None
    held = False  # the sentence's speaker holds to its end (see below)

    def close() -> None:
        nonlocal held
        held = False
        if current:
            out.append(Sentence(current[0].start, current[-1].end, join_words(w.text for w in current), speaker))
            current.clear()

    words = [(seg.speaker, w) for seg in transcript.segments for w in seg.words or [Word(seg.start, seg.end, seg.text)]]
    plain = [w for _, w in words]
    prev_end = None
    for k, (who, word) in enumerate(words):
        if (
            current
            and who != speaker
            and (
                held
                or (
                    prev_end is not None
                    and not _ends_sentence(current[-1].text)
                    and _continues(word, prev_end, COMMA_PAUSE if current[-1].text.endswith(",") else 0.3)
                )
            )
        ):
            # the recogniser heard one sentence going on ("... your customers see, reading at
            # the link in the show notes."): a change of speaker in the middle of it is the
            # speaker labels' turn edge falling a word or two off, and the sentence stays
            # with whoever began it (after a comma a speaker takes a breath: "Kwame, | what
            # did people at the meeting say?")
            who, held = speaker, True
        if current and (
            who != speaker or (prev_end is not None and word.start - prev_end > max_pause) or _inner_cue_at(plain, k)
        ):
            close()
        speaker = who
        current.append(word)
        prev_end = word.end
        following = words[k + 1] if k + 1 < len(words) else None
        if _ends_sentence(word.text) and not (
            following is not None and following[0] == who and _continues(following[1], word.end)
        ):
            close()
    close()
    return [s for s in out if s.text]


# "Next" and "and now" open a story as a transition ("Next, the weather", "And now to
# sport"), not as time ("Next year the council ...", "And now, all of its plants are ...").
_NOT_A_CUE = re.compile(
    r"^(?:and |so |now |well )?(?:next,? (?:year|week|month|day|time|season|weekend|morning|summer|winter|"
    r"spring|autumn|fall|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|\d)|"
    r"and now,? (?!(?:to|for|over|on|onto|a|an|the|some|our|news|sport|business|finally|another)\b))"
)


# A guest brought in opens the segment they join for ("Joining us now is Lena Voss, the
# engineer who ...", "My guest this week is ...").
GUEST_INTRO = re.compile(
    r"^(?:and |so |now )?(?:joining (?:us|me)\b|(?:my|our) guests? (?:today |this week |now )?(?:is|are)\b|"
    r"with (?:me|us) (?:now|in the studio) (?:is|are)\b)"
)


def is_cue(text: str) -> bool:
    head = text.lower().lstrip(" \"'")
    if _STORY_RE.search(" ".join(head.split()[:8])) or GUEST_INTRO.match(head):
        return True
    return bool(_CUE_RE.match(head)) and not _NOT_A_CUE.match(head)


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


def _turns(sents: list[Sentence]) -> np.ndarray:
    """1 before each sentence where another named speaker takes over (0 for the first, and
    everywhere on a transcript that names no one)."""
    return np.array(
        [0.0]
        + [1.0 if a.speaker and b.speaker and a.speaker != b.speaker else 0.0 for a, b in itertools.pairwise(sents)]
    )


def first_name(speaker: object) -> str:
    """A speaker label's first word, lower case ("" for none)."""
    words = str(speaker or "").split()
    return words[0].lower() if words else ""


def _vocative(text: str) -> str:
    """The word a sentence opens by calling out ("Sam, have you been ...", "So, Owen, ..."),
    lower case; "" where it opens otherwise."""
    head = re.sub(r"^(?:so|and|now|ok(?:ay)?|right|well)\s*,?\s+", "", text.strip(" \"'").lower())
    m = re.match(r"([a-z][\w'-]*)\s*,", head)
    return m.group(1) if m else ""


def _addressee(s: Sentence, names: set[str]) -> str:
    """The first name of the speaker ``s`` opens by naming, where that is one of ``names``;
    "" otherwise. Nobody opens a sentence by calling out their own name: where the label
    says so ("Elliot, you were at the weir on Sunday, weren't you?" labelled Elliot), the
    voices were told apart wrongly, and the other host is speaking to them."""
    name = _vocative(s.text)
    if name in names:
        return name
    # the comma not heard: "Zara what did you make of the drawings?" (a host's own name only)
    m = _CALLED_NO_COMMA.match(s.text.strip(" \"'").lower())
    if not name and m and m.group(1) in names:
        return m.group(1)
    # a name the recogniser spells another way each time ("Elliott" in the intro, "Elliot,"
    # when called out)
    near = [n for n in names if SequenceMatcher(None, name, n).ratio() >= NAME_LIKENESS]
    if name and near:
        return near[0]
    # a name heard as another word ("Imogen, how did you get to work?" -> "Imagine, how did
    # you ..."): a word called out before a question to "you" is a name all the same
    if name and not _NOT_CALLED.fullmatch(name) and _ASKS_YOU.search(s.text):
        return name
    return ""


_CALLED_NO_COMMA = re.compile(
    r"^(?:so |and |now )?([a-z][\w'-]*) (?:what|how|why|who|where|when|which|(?:do|did|does|have|can|could|would|"
    r"will|are|were) you)\b"
)
# words that open a question to "you" without calling anyone ("Honestly, did you ...")
_NOT_CALLED = re.compile(
    r"(?:look|listen|wait|yes|yeah|no|oh|hey|sorry|actually|anyway|also|but|or|then|first|plus|still|sure|"
    r"fine|alright|ok|okay|true|really|please|sir|guys|folks|everyone|friends|because|if|when|\w+ly)"
)
_ASKS_YOU = re.compile(r"^[^,]+,\s+[^?]*\byou\b[^?]*\?$", re.I)


# How hosts say their names at the start of a show: "I'm Freya Holt", "and with me as
# always is Sam Okafor", "joining me is Priya".
_SAYS_NAME = re.compile(
    r"\b(?:I'm|I am|my name is|with me(?: as always| today| this week)?(?: is)?|joining me(?: is)?|"
    r"(?:my|our) co-?host,?)\s+([A-Z][a-z'-]+)"
)
NAME_LIKENESS = 0.85  # how alike two spellings of one name are (difflib's ratio)
NAMES_SAID_S = 90.0  # how far into the episode the hosts' names are listened for
_NOT_NAMES = {"The", "Here", "Back", "So", "Not", "Delighted", "Glad", "Joined"}  # "With me is The ..."


def _said_names(sents: list[Sentence]) -> set[str]:
    """The first names the hosts give themselves and each other at the start of the show,
    lower case ("I'm Freya Holt." / "And I'm Sam Okafor.")."""
    said = (m.group(1) for s in sents if s.start <= NAMES_SAID_S for m in _SAYS_NAME.finditer(s.text))
    return {name.lower() for name in said if name not in _NOT_NAMES}


def _addresses(sents: list[Sentence]) -> np.ndarray:
    """1 at each sentence that opens by naming one of the show's hosts ("Sam, have you been
    to the new pool yet?", "So, Owen, ..."): one host handing the talk to the other, the way
    two-host shows open a story. The names are the first words of the speaker labels (who
    speaks when, from a sidecar's ``speakers``); where the transcript names no two speakers,
    the names the hosts give themselves in the intro ("I'm Freya Holt."). Between two hosts
    a question tagged "..., didn't you?" is to the other host, its name heard or not."""
    names = {first_name(s.speaker) for s in sents} - {""}
    if len(names) < 2:
        names = _said_names(sents)
    out = np.zeros(len(sents))
    if not names:
        return out
    for i, s in enumerate(sents[1:], 1):
        called = _addressee(s, names) or (len(names) >= 2 and _TAG_TO_YOU.search(s.text.strip()))
        out[i] = 1.0 if called and not _follows_up(i, sents) else 0.0
    return out


# a question tagged to the other host ("..., didn't you?"), whose name the recogniser lost
# ("Dev, you spent Monday at St Bride's, didn't you?" heard as "Then you spent ...")
_TAG_TO_YOU = re.compile(
    r",\s*(?:didn't|weren't|haven't|hadn't|aren't|don't|wasn't|won't|couldn't|wouldn't|did|were|have|are) you\?$",
    re.I,
)


FOLLOW_UP_BACK = 8  # sentences before a handing whose words it may take up
_POINTS_AT_SAID = re.compile(r"\b(?:it|there|that|these|those|them)\b", re.I)


def _follows_up(i: int, sents: list[Sentence]) -> bool:
    """Whether the host named at sentence ``i`` is asked about what was just said, not handed
    a new story: two-host shows pass the talk by name inside a story too ("Clara, what did the
    buyers make of it?", "Priya, what stands in the way?"). A handing that opens a story names
    its subject, words not said in the lines before ("Sam, have you been to the new pool
    yet?"); a follow-up names at most one, or two with a word pointing back at what was said
    ("Owen, you live in one of these new compounds."). A bare name ("Owen,") is read with the
    line after it."""
    text = sents[i].text
    if len(content_words(text)) <= 1 and i + 1 < len(sents):
        text += " " + sents[i + 1].text
    said = {w for s in sents[max(0, i - FOLLOW_UP_BACK) : i] for w in content_words(s.text)}
    new = [w for w in content_words(text)[1:] if w not in said]  # [1:]: the name
    return len(new) <= 1 or (len(new) <= 2 and bool(_POINTS_AT_SAID.search(text)))


# lines shorter than this just before a handing (without speaker labels) or a notice are a
# host's reaction to the story before
REACTION_S = 5.0


def _handed_at(cand: int, sents: list[Sentence], ev: Evidence) -> int | None:
    """Where a host hands the talk to the other by name (within ``REFINE_SENTENCES`` after
    ``cand``), when the lines from ``cand`` up to it are all the named host's own. The talk
    is handed to whoever opens the next story, so what that host said just before is a
    reaction to the story before ("Six hours on one line of a spreadsheet." / "Imogen, how
    did you actually get to work on Monday?"), not the next one's opening. None otherwise,
    and where a cue phrase at ``cand`` opens a story all the same."""
    if ev.cue[cand]:
        return None
    for j in range(cand + 1, min(cand + REFINE_SENTENCES, len(sents) - 1) + 1):
        if ev.address[j]:  # a host named there (``_addresses``): the word called out
            who = _vocative(sents[j].text)
            if not any(sents[i].speaker for i in range(cand, j + 1)):
                # no labels to tell who spoke: short lines before the handing are a reaction
                short = all(sents[i].end - sents[i].start < REACTION_S for i in range(cand, j))
                return j if short else None
            return j if all(first_name(sents[i].speaker) == who for i in range(cand, j)) else None
    return None


@dataclass(frozen=True)
class Evidence:
    """What the splitter knows of each sentence: its weight in a story's coherence (0 for
    greetings and sign-offs), its weighted embedding, and the evidence for a story starting
    at it (pause, cue phrase, change of subject)."""

    weights: np.ndarray
    weighted: np.ndarray
    bonus: np.ndarray
    # its parts, each unweighted: the standardised pause, the cue phrase (0 or 1), the change
    # of subject (the rundown weighs them its own way)
    pause: np.ndarray
    cue: np.ndarray
    shift: np.ndarray
    # where the speakers are named: a change of speaker, and a host addressing the other by
    # name (both 0 everywhere otherwise); evidence for where a found story's edge lies (the
    # address is also in ``bonus``: two-host shows open stories that way)
    turn: np.ndarray
    address: np.ndarray

    def edge(self, i: int, opt: NotesOptions) -> float:
        """The evidence for a cut right before sentence ``i`` that places a story's edge:
        a pause, a cue phrase, a change of speaker, a host addressing the other."""
        return float(
            opt.w_pause * self.pause[i]
            + opt.w_cue * self.cue[i]
            + opt.w_turn * self.turn[i]
            + opt.w_address * self.address[i]
        )


def evidence(sents: list[Sentence], emb: np.ndarray, opt: NotesOptions) -> Evidence:
    weights = np.array([0.0 if is_chatter(s.text) else 1.0 for s in sents])
    weighted = emb * weights[:, None]
    pause, cue, shift = _pause_z(sents), _cues(sents), _shift_z(weighted, weights, opt.shift_window)
    turn, address = _turns(sents), _addresses(sents)
    bonus = opt.w_pause * pause + opt.w_cue * cue + opt.w_shift * shift + opt.w_address * address
    if len(bonus):
        bonus[0] = 0.0
    return Evidence(weights, weighted, bonus, pause, cue, shift, turn, address)


def _region_table(
    ev: Evidence,
    times: np.ndarray,
    lo: int,
    hi: int,
    opt: NotesOptions,
    k_max: int | None,
    typical: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Best scores of sentences ``lo..hi-1`` cut into k stories (row k), with back links;
    ``k_max`` None: any number (row 0 then holds the best over all k). With ``typical`` (the
    episode's typical story, in seconds), a part costs ``length_prior`` times the square of
    the log of its length over it."""
    n = hi - lo
    w = ev.weights[lo:hi]
    csum = np.vstack([np.zeros((1, ev.weighted.shape[1])), np.cumsum(ev.weighted[lo:hi], axis=0)])
    wsum = np.concatenate([[0.0], np.cumsum(w)])
    t = times[lo : hi + 1]  # t[i]: when sentence lo+i starts; t[n]: when the region ends
    bonus = ev.bonus[lo:hi].copy()
    bonus[0] = 0.0  # the region's own start is fixed: no evidence needed or earned

    def gains(j: int) -> tuple[np.ndarray, np.ndarray]:
        starts = np.flatnonzero(t[j] - t[:j] >= opt.min_story_s)
        if not len(starts) and j == n:
            starts = np.array([0])  # a region shorter than a story is one part
        totals = csum[j] - csum[starts]
        counts = wsum[j] - wsum[starts]
        coherence = np.divide(
            np.einsum("ij,ij->i", totals, totals), counts, out=np.zeros(len(starts)), where=counts > 0
        )
        value = coherence - opt.story_cost + bonus[starts]
        if typical and opt.length_prior:
            value -= opt.length_prior * np.log(np.maximum(t[j] - t[starts], 1.0) / typical) ** 2
        return value, starts

    rows = 1 if k_max is None else k_max + 1
    table = np.full((rows, n + 1), -np.inf)
    links = np.zeros((rows, n + 1), dtype=int)
    if k_max is None:
        table[0][0] = 0.0
        for j in range(1, n + 1):
            value, starts = gains(j)
            if len(starts):
                total = table[0][starts] + value
                pick = int(np.argmax(total))
                table[0][j], links[0][j] = total[pick], starts[pick]
        return table, links
    table[0][0] = 0.0
    for j in range(1, n + 1):
        value, starts = gains(j)
        if not len(starts):
            continue
        for k in range(1, k_max + 1):
            total = table[k - 1][starts] + value
            pick = int(np.argmax(total))
            table[k][j], links[k][j] = total[pick], starts[pick]
    return table, links


def _trace(links: np.ndarray, row: int, n: int, lo: int, free: bool) -> list[int]:
    cuts, j, k = [], n, row
    while j > 0:
        j = int(links[k][j])
        cuts.append(lo + j)
        if not free:
            k -= 1
    return sorted(cuts)


def choose_boundaries(
    sents: list[Sentence],
    emb: np.ndarray,
    opt: NotesOptions,
    duration: float,
    fixed: Sequence[int] = (),
    ev: Evidence | None = None,
    typical: float | None = None,
    fixed_firsts: Collection[int] = (),
) -> list[int]:
    """Sentence indices that start a part (0 first), by dynamic programming.

    ``fixed`` are starts decided already (an intro's end, a sponsor read, a short item): the
    parts between them are split on their own. A story's coherence is |sum of its sentences'
    unit embeddings|^2 / their number (its sentences' mean similarity to each other, times
    their number; greetings and sign-offs weigh nothing); each boundary adds its change of
    subject, pause and cue evidence; each story costs ``story_cost``. The best split under the
    minimum story length wins; with ``stories`` fixed, the best split into exactly that many
    stories (over all the regions together). ``typical``: the episode's typical story length,
    where a first pass found it; a part far from it, shorter or longer, costs more
    (``length_prior``). ``fixed_firsts``: where the decided parts (not stories) start.
    Free: O(n^2) over sentences, each step vectorised; fixed: O(k n^2).
    """
    n = len(sents)
    if n == 0:
        return [0]
    ev = ev or evidence(sents, emb, opt)
    times = np.array([0.0] + [s.start for s in sents[1:]] + [duration])
    bounds = sorted({0, *(f for f in fixed if 0 < f < n)})
    regions = list(itertools.pairwise([*bounds, n]))
    cuts: list[int] = []
    if opt.stories is None:
        for lo, hi in regions:
            table, links = _region_table(ev, times, lo, hi, opt, None, typical)
            cuts += _trace(links, 0, hi - lo, lo, free=True) if np.isfinite(table[0][hi - lo]) else [lo]
    else:
        wanted = opt.stories
        tables = [_region_table(ev, times, lo, hi, opt, wanted, typical) for lo, hi in regions]
        # spread the stories over the regions: each region gets at least one
        best: dict[int, tuple[float, list[int]]] = {0: (0.0, [])}
        for (lo, hi), (table, _) in zip(regions, tables, strict=True):
            nxt: dict[int, tuple[float, list[int]]] = {}
            for used, (score, ks) in best.items():
                for k in range(1, wanted + 1):
                    if used + k <= max(wanted, len(regions)) and np.isfinite(table[k][hi - lo]):
                        cand = (score + float(table[k][hi - lo]), [*ks, k])
                        if used + k not in nxt or cand[0] > nxt[used + k][0]:
                            nxt[used + k] = cand
            best = nxt or {0: (0.0, [1] * len(regions))}
        target = min(best, key=lambda used: (abs(used - wanted), -best[used][0]))
        for (lo, hi), (table, links), k in zip(regions, tables, best[target][1], strict=True):
            cuts += _trace(links, k, hi - lo, lo, free=False) if np.isfinite(table[k][hi - lo]) else [lo]
    cuts = sorted(set(cuts) | set(bounds))
    if opt.stories is None:  # a number fixed by the producer is kept
        cuts = _join_similar(cuts, sents, opt, keep=set(bounds), duration=duration, fixed_firsts=fixed_firsts)
    cuts = refine(cuts, sents, ev, keep=set(bounds), opt=opt, duration=duration)
    return _items_join_previous(cuts, sents, opt, duration)


FRAGMENT_SHARE = 0.5  # a story part under half the episode's typical story (``_typical``) is a fragment


def _unit(rows: np.ndarray) -> np.ndarray:
    """The direction of the rows' sum (their meaning together)."""
    total: np.ndarray = rows.sum(axis=0)
    return total / (float(np.linalg.norm(total)) or 1.0)


def _time_at(i: int, sents: list[Sentence], duration: float) -> float:
    """When the part starting at sentence ``i`` starts (0 for the first; the episode's end
    past the last sentence)."""
    return 0.0 if i == 0 else duration if i >= len(sents) else sents[i].start


def _typical(lengths: np.ndarray) -> float:
    """The episode's typical story length, from the parts' lengths (``split_long`` leaves out
    the part it judges): the length of the part a moment of the episode most likely falls in
    (the median weighed by time), leaving out the longest part. Weighed by time, a story the
    splitter cut into sub-topics of 20-40 s (a heatwave's hospital, care homes, reservoirs and
    farms) does not make those pieces typical; the longest part left out, two stories the
    splitter did not tell apart do not make the real ones around them fragments. With two
    parts, their mean."""
    if len(lengths) < 3:
        return float(np.median(lengths))
    order = np.sort(lengths)[:-1]
    return float(order[np.searchsorted(np.cumsum(order), order.sum() / 2)])


def join_fragments(
    starts: list[int],
    fixed_firsts: set[int],
    keep: set[int],
    sents: list[Sentence],
    ev: Evidence,
    duration: float,
    min_story_s: float,
) -> list[int]:
    """Join the fragments a long roundup's splitter leaves: stories of one episode are of
    like length, and a part under half the typical one (``_typical`` of the parts as the
    splitter left them) is a piece of a story, cut off where its telling turned (a sub-topic, a quip, a figure).
    It joins the neighbouring story it means more like (its sentences' mean embedding), by
    dropping the cut between them; the caller then places the cut left again (``refine``). A
    decided start (an intro's end, a sponsor read, a short item) and a cue phrase are never
    dropped, and the parts that are not stories (``fixed_firsts``) are left alone, as is a
    part under ``min_story_s`` (a short item). The shortest fragment goes first, then the
    lengths are looked at again, against the typical story of the parts as the splitter left
    them (parts grown by joining would make ever more of the others fragments).

    A quick story told with no cue phrase is taken for a fragment too; one opened by a cue
    phrase ("A quick one:", "Finally,") or a host handing the talk on by name keeps its section."""
    out = sorted(set(starts))
    n = len(sents)

    def removable(i: int) -> bool:
        return 0 < i < n and i not in keep and not is_cue(sents[i].text) and not ev.address[i]

    typical = None  # of the parts as the splitter left them
    while True:
        bounds = [*out, n]
        parts = [(k, bounds[k], bounds[k + 1]) for k in range(len(out)) if bounds[k] not in fixed_firsts]
        lengths = np.array([_time_at(b, sents, duration) - _time_at(a, sents, duration) for _, a, b in parts])
        if len(parts) < 3:
            return out
        typical = _typical(lengths) if typical is None else typical
        joined = False
        for idx in np.argsort(lengths):
            k, a, b = parts[int(idx)]
            if lengths[idx] >= FRAGMENT_SHARE * typical:
                continue
            if lengths[idx] < min_story_s:
                continue  # a short item: a section of its own, never glued to a story
            here = _unit(ev.weighted[a:b])
            # it joins the neighbour it means more like (its sentences' mean embedding)
            like_before = float(here @ _unit(ev.weighted[out[k - 1] : a])) if k > 0 else -1.0
            like_after = float(here @ _unit(ev.weighted[b : bounds[bounds.index(b) + 1]])) if b < n else -1.0
            choices = []
            if removable(a) and k > 0 and out[k - 1] not in fixed_firsts:
                choices.append((like_before - like_after, a))
            if b < n and removable(b) and b not in fixed_firsts:
                choices.append((like_after - like_before, b))
            if choices:
                out.remove(max(choices)[1])  # the cut whose neighbour it joins
                joined = True
                break
        if not joined:
            return out


LONG_SHARE = 1.5  # a story part half as long again as the episode's typical story may be two


def split_long(
    starts: list[int],
    fixed_firsts: set[int],
    sents: list[Sentence],
    ev: Evidence,
    duration: float,
    opt: NotesOptions,
    typical: float | None = None,
) -> list[int]:
    """Split a story part much longer than the episode's typical story (``LONG_SHARE`` times
    ``_typical`` of the other parts) where two stories
    that share their words meet: "Fitness app fined over a data leak" and "Judge rules app
    store must let developers link out" both speak of apps, users and millions, so lexical
    cohesion joins them and no cut inside pays for itself. The part is cut in two at the
    best place the splitter finds, placed where the stories' own sentences meet (``refine``);
    the cut is kept only where a story opens there by what is said: a host hands the talk on
    by name ("Owen, I spent my entire weekend reading a 90-page court ruling") or a cue
    phrase, there or a few lines off (``HANDING_REACH``, ``HANDING_S``: the hosts' quips
    before the handing are unlike the story they close, and the splitter cuts at them). A
    long story told by one voice, or told with no handing, stays whole. ``typical``: the
    first pass's typical story, for the length prior of the split into two (``_region_table``)."""
    out = sorted(set(starts))
    n = len(sents)
    times = np.array([_time_at(i, sents, duration) for i in range(n + 1)])
    parts = [(a, b) for a, b in itertools.pairwise([*out, n]) if a not in fixed_firsts]
    lengths = np.array([times[b] - times[a] for a, b in parts])
    if len(parts) < 3:
        return out
    for k, ((a, b), length) in enumerate(zip(parts, lengths, strict=True)):
        if length < LONG_SHARE * _typical(np.delete(lengths, k)) or length < 2 * opt.min_story_s:
            continue
        table, links = _region_table(ev, times, a, b, opt, 2, typical)
        if not np.isfinite(table[2][b - a]):
            continue
        cut = _trace(links, 2, b - a, a, free=False)[1]
        span = [x for x in (a, cut, b) if x < n]
        placed = [
            x for x in refine(span, sents, ev, keep={a, b}, opt=opt, duration=duration, handings=True) if a < x < b
        ]
        # only where a story would open there: a host handing the talk on, or a cue phrase;
        # the words meet a few lines off it where the hosts trade a quip first ("Your legs
        # will thank you too." / "That is not how legs work, Owen." / "Owen, I spent my
        # entire weekend reading a 90-page court ruling ...")
        opens = [
            x
            for x in range(max(a + 1, cut - HANDING_REACH), min(b, cut + HANDING_REACH + 1))
            if (ev.address[x] or ev.cue[x])
            and abs(times[x] - times[cut]) <= HANDING_S
            and min(times[x] - times[a], times[b] - times[x]) >= opt.min_story_s
        ]
        if placed and (ev.address[placed[0]] or ev.cue[placed[0]]):
            out.append(placed[0])
        elif opens:
            out.append(min(opens, key=lambda x: abs(x - cut)))
    return sorted(set(out))


# A notice told in one sentence between two stories ("Tanyard Lane will be closed to traffic
# from Monday for ten days, while ..., and the number 6 bus will run along High Road
# instead."): too short for the splitter to pay for a part, so it is glued to a neighbour.
NOTICE_LIKENESS = 0.3  # it means less than this like the rest of its part and the part across the edge
NOTICE_WORDS = 20  # a notice says what, where and when: at least this many words
NOTICE_MIN_S = 6.0  # and takes at least this long (and less than the shortest story)
# ... and when: a day, a date, a number or a span of time
_SAYS_WHEN = re.compile(
    r"\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|weekend|"
    r"(?:next|this) (?:week|month)|(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"fourteen|twenty|thirty) (?:days?|weeks?|months?|hours?|nights?))\b",
    re.I,
)
_OPENS_POINTING_BACK = re.compile(
    r"^(?:and |but |so )?(?:it|it's|he|she|they|they're|this|that|that's|these|those)\b", re.I
)


def edge_notices(
    starts: list[int], fixed_firsts: set[int], sents: list[Sentence], ev: Evidence, duration: float, opt: NotesOptions
) -> list[int]:
    """A one-sentence item at the first or last sentence of a story part, told with no stock
    phrase, made a part of its own (a short item): a sentence of ``NOTICE_WORDS`` or more and
    ``NOTICE_MIN_S`` or longer, shorter than the shortest story, that says when (a day, a date,
    a number: "from Monday for ten days"), and means less than ``NOTICE_LIKENESS`` like the
    rest of its part and like the part across the edge, so it belongs to neither. A line that
    opens a story by a cue phrase or a host handing the talk on, a line pointing back at what
    was said ("That's the mood, really, ..."), a greeting or a sign-off is no notice; the part
    left must still be a story, and a part gives up one notice at most. A notice may follow a
    host's short reactions at a part's start ("The ones from the art school are apparently
    very good."): they go back to the story before (``REACTION_S``, up to
    ``REFINE_SENTENCES`` of them)."""
    out = sorted(set(starts))
    parts = list(itertools.pairwise([*out, len(sents)]))
    add: set[int] = set()
    drop: set[int] = set()
    for k, (a, b) in enumerate(parts):
        if a in fixed_firsts or b - a < 3:
            continue
        # (notice, the rest of its part, the part across the edge, where the part now starts)
        edges = []
        if k:  # its first sentence, or one after a host's short reactions to the story before
            before = parts[k - 1]
            for i in range(a, min(a + REFINE_SENTENCES, b - 2) + 1):
                if i > a and (
                    before[0] in fixed_firsts
                    or sents[i - 1].end - sents[i - 1].start >= REACTION_S
                    or ev.cue[i - 1]
                    or ev.address[i - 1]
                ):
                    break
                edges.append((i, range(i + 1, b), (before[0], i), i))
        if k + 1 < len(parts):  # its last sentence
            edges.append((b - 1, range(a, b - 1), parts[k + 1], a))
        for i, rest, across, first in edges:
            if _is_notice(i, rest, across, sents, ev, duration, opt):
                drop.add(a)
                add.update({first, i, i + 1})
                break  # one a part: the story left keeps its length
    return sorted(({*out} - drop) | add - {len(sents)})


def _is_notice(
    i: int,
    rest: range,
    across: tuple[int, int],
    sents: list[Sentence],
    ev: Evidence,
    duration: float,
    opt: NotesOptions,
) -> bool:
    """Whether sentence ``i`` is a notice (``edge_notices``) beside the sentences ``rest`` of
    its part and the part ``across`` the edge."""
    text = sents[i].text
    told = _time_at(i + 1, sents, duration) - _time_at(i, sents, duration)
    kept = _time_at(rest.stop, sents, duration) - _time_at(rest.start, sents, duration)
    if (
        len(text.split()) < NOTICE_WORDS
        or not NOTICE_MIN_S <= told < opt.min_story_s
        or kept < opt.min_story_s
        or ev.cue[i]
        or ev.address[i]
        or not ev.weights[i]
        or _OPENS_POINTING_BACK.match(text.strip())
        or not _SAYS_WHEN.search(text)
        # a story's lead, the next line telling on about it ("It says the plant will ...")
        or (rest.start == i + 1 and _OPENS_POINTING_BACK.match(sents[i + 1].text.strip()))
    ):
        return False
    v = ev.weighted[i]
    like_rest = float(v @ _unit(ev.weighted[list(rest)]))
    like_across = float(v @ _unit(ev.weighted[across[0] : across[1]]))
    return max(like_rest, like_across) < NOTICE_LIKENESS


REFINE_SENTENCES = 2  # how far (in sentences, each way) a cut may move to its story's edge
INTRO_NEXT = 10  # the first story's sentences its opening is told by, beyond that reach


def _leans(before: range, after: range, near: range, words: list[set[str]], ev: Evidence) -> dict[int, float] | None:
    """How much more each sentence ``near`` means like the part ``before`` than like the part
    ``after`` (> 0: like the part before): the likeness of its embedding to each part's
    sentences, and the share of its content words each part's sentences say. None where
    either part has no sentence of weight (only greetings, sign-offs)."""
    if not ev.weights[list(before)].any() or not ev.weights[list(after)].any():
        return None
    core_a, core_b = _unit(ev.weighted[list(before)]), _unit(ev.weighted[list(after)])
    bag_a = Counter(w for i in before for w in words[i])
    bag_b = Counter(w for i in after for w in words[i])
    out = {}
    for i in near:
        shared = sum(1 for w in words[i] if bag_a[w]) - sum(1 for w in words[i] if bag_b[w])
        meaning = float(ev.weighted[i] @ core_a - ev.weighted[i] @ core_b)
        out[i] = meaning + 0.05 * shared / max(1, len(words[i]))
    return out


# A line that opens on a word pointing back ("Her words: ...", "She told us ...", "It was
# ...", "They say ...") speaks of what was named before it: no story's lead (a story names its
# subject), so no story starts there. "This week, ..." is a time, not a pointer.
_POINTS_BACK_AT_START = re.compile(
    r"^(?:and |but |so )?(?:it|it's|he|she|they|they're|her|his|their|its|these|those|that|that's|"
    r"this(?! (?:week|weekend|month|year|morning|afternoon|evening|spring|summer|autumn|winter)\b))\b",
    re.I,
)


def _only_a_reaction(i: int, sents: list[Sentence], ev: Evidence) -> bool:
    """Whether sentence ``i`` is a host's reaction or thanks ("Sneaky.", "Thank you, Jo."):
    a line of a word or two that is no cue phrase ("Right, repair." is one), or thanks. A
    story's lead names its subject, so no story starts on one."""
    text = sents[i].text
    return bool(_THANKS.match(text.strip())) or (len(text.split()) <= 2 and not ev.cue[i])


_THANKS = re.compile(r"^(?:thanks|thank you|cheers)\b", re.I)


def _placed(
    a: int,
    c: int,
    b: int,
    near: range,
    cands: range,
    sents: list[Sentence],
    words: list[set[str]],
    ev: Evidence,
    opt: NotesOptions,
    duration: float,
    margin: float = 0.0,
    shortest_before: float | None = None,
) -> int:
    """Where the edge between the part ``[a, c)`` and the part ``[c, b)`` lies among
    ``cands``: each sentence ``near`` it goes to the part whose other sentences (its core,
    ``[a, near.start)`` or ``[near.stop, b)``) it means more like (embeddings, and the
    content words it shares with them), with the evidence at the edge itself (pause, cue
    phrase, change of speaker, a host addressing the other) as a tie-breaker. Neither part
    is made shorter than the minimum story (the part before: than ``shortest_before``, where
    it is no story); ``c`` where nothing is surer by ``margin``."""
    before_min = opt.min_story_s if shortest_before is None else shortest_before

    def start(i: int) -> float:
        return _time_at(i, sents, duration)

    lean = _leans(range(a, near.start), range(near.stop, b), near, words, ev)  # > 0: more like the part before
    if lean is None:
        return c
    handed = _handed_at(c, sents, ev)
    if handed is not None and handed in cands and start(b) - start(handed) >= opt.min_story_s:
        return handed  # a reaction and then the talk handed on: the story starts at the handing
    scores = {}
    for cand in cands:
        if start(cand) - start(a) < before_min or start(b) - start(cand) < opt.min_story_s:
            continue
        if (
            _handed_at(cand, sents, ev) is not None
            or _POINTS_BACK_AT_START.match(sents[cand].text)
            or _only_a_reaction(cand, sents, ev)
        ):
            continue
        scores[cand] = sum(v if i < cand else -v for i, v in lean.items()) + 0.1 * ev.edge(cand, opt)
    if not scores:
        return c
    best = max(scores, key=lambda k: (scores[k], -abs(k - c)))
    return best if scores[best] > scores.get(c, -np.inf) + margin + 1e-9 else c


HANDING_REACH = 6  # how many sentences back a story's start may move to a host handing the talk on
HANDING_S = 45.0  # and how many seconds
# how much more like the story before (per sentence, on average) the lines from the handing
# on may mean and still open the story after: "That tells me everything about your weekend."
# means like neither; the answer to "Sam, who found it?" means clearly like its own story
HANDING_LEAN = 0.05


def _handing_before(
    a: int, c: int, b: int, sents: list[Sentence], words: list[set[str]], ev: Evidence, opt: NotesOptions
) -> int:
    """The story starting at ``c`` moved back to where a host hands the talk to the other by
    name, a few sentences before (``HANDING_REACH``, ``HANDING_S``): "Sam, have you been to
    the new pool yet?" / "I tried on Saturday ..." / "Ashcombe has had no public pool since
    ...": the question and its first answers open the story, and they are short and say little
    (a recogniser that mishears its key word leaves them saying nothing), so a start placed
    by what the sentences mean lands after them. The handing is evidence of its own, so it
    moves unless the sentences from the handing on mean clearly more like the story before
    than like the story after (``HANDING_LEAN`` a sentence; embeddings, and the content words
    they share with each story's other sentences): a host asking the other about the same
    story ("Sam, who found it?") is answered about it. It never makes the story before
    shorter than the minimum, nor moves back over a cue phrase; ``c`` otherwise."""
    first = max(a + 1, c - HANDING_REACH)
    hands = [h for h in range(c - 1, first - 1, -1) if ev.address[h] and sents[c].start - sents[h].start <= HANDING_S]
    if not hands:
        return c
    h = hands[0]  # the nearest: an earlier one belongs to the story before
    if sents[h].start - (0.0 if a == 0 else sents[a].start) < opt.min_story_s or ev.cue[h + 1 : c + 1].any():
        return c
    lean = _leans(range(a, h), range(c, b), range(h, c), words, ev)  # > 0: more like the story before
    if lean is None:
        return c
    return h if sum(lean.values()) < HANDING_LEAN * (c - h) else c


def refine(
    cuts: list[int],
    sents: list[Sentence],
    ev: Evidence,
    keep: set[int],
    opt: NotesOptions,
    duration: float,
    margin: float = 0.0,
    handings: bool = False,
) -> list[int]:
    """Move each cut (not a decided one) to where its two stories meet. The splitter finds
    where the subject changes from a few sentences on each side, and at a story's edge that
    fires a sentence or two off: a host's quip ("Six hours on one line of a spreadsheet.")
    is unlike the lines before it but still about their story, and a question that opens the
    next one is short and says little. Each sentence near the cut goes to the story whose
    other sentences it means more like (``_placed``); the cut moves at most
    ``REFINE_SENTENCES``, only where that is surer by ``margin`` (the caller's own evidence
    placed it), and never makes a story shorter than the minimum. With ``handings`` (where
    the speakers are named) a cut where a host hands the talk on by name stays, and a cut a
    few sentences after one moves back to it (``_handing_before``)."""
    out = sorted(cuts)
    words = [set(content_words(s.text)) for s in sents]
    for pos in range(1, len(out)):
        c, a = out[pos], out[pos - 1]
        b = out[pos + 1] if pos + 1 < len(out) else len(sents)
        if c in keep or (handings and ev.address[c]):
            continue  # decided, or where a host hands the talk on: that is where stories open
        lo, hi = max(a + 1, c - REFINE_SENTENCES), min(b - 1, c + REFINE_SENTENCES)
        near = range(max(a, c - REFINE_SENTENCES), min(b, c + REFINE_SENTENCES))
        if lo < hi:
            out[pos] = _placed(a, c, b, near, range(lo, hi + 1), sents, words, ev, opt, duration, margin)
        if handings:
            out[pos] = _handing_before(a, out[pos], b, sents, words, ev, opt)
    return sorted(set(out))


def intro_end(
    end: int, limit: int, sents: list[Sentence], ev: Evidence, opt: NotesOptions, duration: float, opening: int = 0
) -> int:
    """The intro's end, found after its last preview phrase (``end``), taken on over the
    preview's tail: the recogniser may end the preview's sentence early ("... the Robert
    Wing Shop. Keepers and cyclists over the new cycle lane, and record crowds ..."), and the
    tail says none of the intro's phrases. A sentence after ``end`` goes to the intro where it
    means more like the intro's opening (what the show is, its greeting and introductions;
    not the preview's last sentences, which name the first story too) than like the story
    that follows (its next ``INTRO_NEXT``
    sentences; ``_placed``, moving only later, at most ``REFINE_SENTENCES``, never past a
    cue phrase or a host addressing the other, nor to ``limit``: the next decided part).
    ``opening``: the intro's first greeting or preview; the lines before it are a cold open,
    a line from a story told before the show says what it is ("Two million dollars to keep a
    ferry running."), and mean like that story's lead, not like the intro.
    The caller leaves an intro that closes itself ("Let's get into it.") as it is."""
    b = min(limit, len(sents), end + REFINE_SENTENCES + INTRO_NEXT)
    hi = min(b - 1, end + REFINE_SENTENCES)
    # a cue phrase or a host addressing the other ("So, Dana, five weeks ago ...") opens the
    # first story: the intro is not taken past it
    hi = next((i for i in range(end, hi + 1) if ev.cue[i] or ev.address[i]), hi)
    if hi <= end:
        return end
    words = [set(content_words(s.text)) for s in sents[:b]]
    near = range(max(0, end - REFINE_SENTENCES), min(b, end + REFINE_SENTENCES))
    # an intro is no story: it may be shorter than one
    a = min(opening, near.start)  # no core left before the preview's last lines: the intro ends at ``end``
    return _placed(a, end, b, near, range(end, hi + 1), sents, words, ev, opt, duration, shortest_before=0.0)


class _Words:
    """Each sentence's content words and their IDF over the episode's sentences, for the
    lexical cohesion (TextTiling) of two stretches: the cosine of their TF-IDF vectors."""

    def __init__(self, sents: list[Sentence]) -> None:
        # a greeting or sign-off names no story of its own, but the sign-off names them all
        # ("The bridge closure map and the bus fund's page are in the show notes.")
        self.words = [[] if is_chatter(s.text) else content_words(s.text) for s in sents]
        df = Counter(w for ws in self.words for w in set(ws))
        self.idf = {w: math.log(len(sents) / c) for w, c in df.items()}

    def cohesion(self, lo: int, cut: int, hi: int) -> float:
        """Of the sentences ``lo..cut-1`` with ``cut..hi-1``."""
        before = Counter(w for ws in self.words[lo:cut] for w in ws)
        after = Counter(w for ws in self.words[cut:hi] for w in ws)
        idf = self.idf
        dot = sum(n * after[w] * idf[w] ** 2 for w, n in before.items() if w in after)
        na = math.sqrt(sum((n * idf[w]) ** 2 for w, n in before.items()))
        nb = math.sqrt(sum((n * idf[w]) ** 2 for w, n in after.items()))
        return dot / (na * nb) if na and nb else 0.0


def _fenced(c: int, fences: list[int]) -> tuple[int, int]:
    """The stretch between decided starts that holds the cut ``c``."""
    return max((f for f in fences if f < c), default=0), min((f for f in fences if f > c), default=fences[-1])


def _cohesion(
    sents: list[Sentence], cuts: list[int], keep: set[int], window: int, lex: _Words | None = None
) -> dict[int, float]:
    """Lexical cohesion across each cut (TextTiling): the cosine of the TF-IDF vectors of the
    content words in the ``window`` sentences before and after it, within the stretch
    between decided starts. Stories of a roundup each have their own people, places and
    things; the turns of one story keep coming back to them."""
    lex = lex or _Words(sents)
    fences = sorted({0, len(sents), *keep})
    out = {}
    for c in cuts:
        lo, hi = _fenced(c, fences)
        out[c] = lex.cohesion(max(lo, c - window), c, min(hi, c + window))
    return out


JOIN_PART_S = 55.0  # a part this long is a story's own words to judge the cut beside it by
GIANT_SHARE = 4.0  # a part four times the episode's typical story is never one story


def _join_pieces(cuts: list[int], sents: list[Sentence], opt: NotesOptions, fixed: set[int], lex: _Words) -> list[int]:
    """Join the neighbouring pieces that name the same things, the likeliest first: each
    piece's own sentences (at most ``join_window`` at the cut) against the next one's, again
    after each join. A one-voice show reads one story in a few long sentences, and a window
    of a fixed number of them reaches into the stories either side; a piece is the story's
    own words."""
    out = sorted(set(cuts))
    n = len(sents)
    while True:
        bounds = [*out, n]
        scored = [
            (lex.cohesion(max(bounds[k - 1], c - opt.join_window), c, min(bounds[k + 1], c + opt.join_window)), c)
            for k, c in enumerate(out)
            if k > 0 and c not in fixed
        ]
        if not scored or max(scored)[0] < opt.join_cohesion:
            return out
        out.remove(max(scored)[1])


def _join_similar(
    cuts: list[int],
    sents: list[Sentence],
    opt: NotesOptions,
    keep: set[int],
    duration: float,
    fixed_firsts: Collection[int] = (),
) -> list[int]:
    """Join neighbouring parts that tell one story. The splitter cuts a long story where its
    telling moves on (from what happened to the background, the quotes, the reactions), for
    each such move makes its parts hang together better in meaning; but the turns of one
    story keep naming its people, places and things. First the pieces that name the same
    things join, the likeliest first (``_join_pieces``); then a cut left goes where the
    stretches either side name the same things: a part of ``JOIN_PART_S`` or more is its own
    stretch, a shorter one is read on to ``join_window`` sentences (a piece of a story told in
    short lines says too little alone). A cut at a cue phrase or a decided start (an intro's
    end, a sponsor read, a short item) stays; each cut left is judged on its own
    neighbourhood, so one decision does not lean on another. Lexical cohesion is at least
    ``join_cohesion`` where two stretches tell one story.

    A conversation or interview on one subject names the same things throughout: rather
    than one chapter of half an hour, a part longer than ``max_story_s`` gets back its cuts
    of least cohesion (its changes of topic) until none is that long. So does a story part
    ``GIANT_SHARE`` times the episode's typical story (``_typical`` of the other story
    parts; the parts starting at ``fixed_firsts`` are no stories): a news brief's 40-second
    stories share the generic words of news (a day, a council, work, a station), and read
    sixteen sentences either side, every cut between them once joined them into one."""
    lex = _Words(sents)
    n = len(sents)
    fixed = {c for c in cuts if c == 0 or c in keep or is_cue(sents[c].text)}
    fences = sorted({0, n, *keep})
    pieces = _join_pieces(cuts, sents, opt, fixed, lex)
    bounds = [*pieces, n]

    def time(i: int) -> float:
        return _time_at(i, sents, duration)

    kept = set(fixed)
    for k, c in enumerate(pieces):
        if c in fixed:
            continue
        lo, hi = _fenced(c, fences)
        a, b = bounds[k - 1], bounds[k + 1]
        if time(c) - time(a) >= JOIN_PART_S:  # a long part is its own side
            lo = max(lo, a)
        if time(b) - time(c) >= JOIN_PART_S:
            hi = min(hi, b)
        if lex.cohesion(max(lo, c - opt.join_window), c, min(hi, c + opt.join_window)) < opt.join_cohesion:
            kept.add(c)
    cohesion = _cohesion(sents, cuts, keep, opt.join_window, lex)
    dropped = sorted((cohesion[c], c) for c in cuts if c not in kept)

    def length(a: int, b: int) -> float:
        return time(b) - time(a)

    while dropped:
        bounds = sorted(kept)
        parts = list(itertools.pairwise([*bounds, n]))
        long_parts = [(a, b) for a, b in parts if length(a, b) > opt.max_story_s]
        story = [(a, b) for a, b in parts if a not in fixed_firsts]
        if not long_parts and len(story) >= 2:
            lengths = np.array([length(a, b) for a, b in story])
            k = int(np.argmax(lengths))
            if lengths[k] > GIANT_SHARE * _typical(np.delete(lengths, k)):
                long_parts = [story[k]]
        inside = [(value, c) for value, c in dropped if any(a < c < b for a, b in long_parts)]
        if not inside:
            break
        kept.add(inside[0][1])
        dropped.remove(inside[0])
    return sorted(kept)


def _items_join_previous(cuts: list[int], sents: list[Sentence], opt: NotesOptions, duration: float) -> list[int]:
    """A story that opens with a short item and then a cue ("A quick note: ... And to end
    the bulletin, ...") really starts at the cue: the item is a part of its own."""
    out = sorted(cuts)
    extra = []
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
                extra.append(k)
                break
    return sorted({*out, *extra})
