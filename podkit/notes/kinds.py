"""The parts of an episode that are not stories: the intro, sponsor reads, short items and
the outro, found from what presenters say in them.

Each finder works on sentences and returns sentence indices; together they fix boundaries
that the story splitter then keeps (``fixed_parts``):

- intro: from the start, greetings, the hosts introducing themselves and their guest, and
  the preview of what is coming ("Coming up ...", "Plus ...", "Let's get into it"), within
  the first ninety seconds;
- outro: from the sign-off ("That's all for this week", "Thanks for listening", "the links
  are in the show notes", "see you next week") to the end, within the last ninety seconds;
  a sign-off shorter than ``MIN_PART_S`` is cut off its story only where the story keeps a
  story's length without it (``kinds_of``);
- sponsor: a read that opens with "brought to you by" / "supported by" / "a word from our
  sponsor" / "support for ... comes from" / "..., who back the show" and runs while it speaks
  of offers, codes and web addresses;
- short: a one- or two-sentence item that points somewhere ("We also published a guide ...",
  "Drivers, take note ...", "A quick reminder ...") or corrects an earlier show ("One
  correction from last week's show: ...").

The patterns are English, as the bundled models are; a show in another language gets its
intro and outro from the greetings alone and no sponsor or short items (they then stay
inside the stories around them, as before).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .options import NotesOptions
from .segment import Evidence, Sentence, intro_end, is_chatter

INTRO_MAX_S = 90.0
INTRO_GAP = 3  # at most this many sentences between two that say they are the intro's
MIN_PART_S = 10.0  # an intro or outro shorter than this stays in the story next to it
SHORT_OUTRO_S = 5.0  # ... unless a sign-off this long leaves its story a story's length
OUTRO_MAX_S = 90.0
SPONSOR_MAX_S = 120.0
SPONSOR_OPEN_S = 60.0  # a read whose offer is not heard: how far its end is looked for
SHORT_MAX_S = 25.0
HEADLINES_MAX = 8  # the headlines read after "First, the headlines": at most this many
HEADLINES_MAX_S = 90.0  # within this long
HEADLINE_LIKENESS = 0.2  # a line this like the next is a story's, told on in the next
SIGN_OFF_BEFORE_S = 20.0  # how far before the first outro phrase a sign-off is looked for

_LETS_BEGIN = r"let's (?:get (?:into|started|going)|dive|begin|start)"  # how a host closes the intro
_INTRO = re.compile(
    r"\b(?:welcome (?:to|back)|coming up|on the show (?:today|this week)|on today's show|in this episode|"
    r"this week (?:we|on)|today we|later (?:in the show|on)|plus,|^(?:and )?plus\b|also (?:today|this week|coming)|"
    r"we (?:also )?have|we've (?:also )?got|we (?:also )?have got|we also got|^(?:and |so )?this week[:,]|"
    r"also on the show|and later|^(?:and |so )?today[:,]|"
    r"(?:first|here are|here's|now|let's start with|starting with),? (?:the|today's|this week's) headlines|"
    + _LETS_BEGIN
    + r"|joining (?:me|us)|with me (?:today|this week|as always)|"
    r"good to (?:be here|have you)|thanks for having me|i'm your host|my (?:co-?host|guest))",
    re.I,
)
# the preview's last item, put in a sentence of its own by a full stop the recogniser heard
_PREVIEW_GOES_ON = re.compile(r"^(?:and|also|plus)\b", re.I)
_HEADLINES = re.compile(r"\b(?:the|today's|this week's|our) headlines\b", re.I)
# "Let's get into it.", "First, the headlines.": the intro ends there
_INTRO_CLOSE = re.compile(rf"\b{_LETS_BEGIN}|\bon with the show|{_HEADLINES.pattern}", re.I)
_OUTRO = re.compile(
    r"\b(?:that's (?:all|it) for|that is (?:all|it) for|that's (?:our|the) show|thanks? (?:you )?for listening|"
    r"see you next (?:week|time)|until next (?:week|time)|next week,? we|join us next|"
    r"(?:links?|everything) .{0,60}\b(?:in|on) the (?:show )?notes|get in touch|contact us|"
    r"subscribe|rate (?:and|&) review|bye for now|take care)",
    re.I,
)
_SIGN_OFF = re.compile(
    r"\b(?:that's|that is) (?:all|it|our show|the show)\b|\bfor (?:this week|today|this episode)\b", re.I
)
_SPONSOR_OPEN = re.compile(
    r"\b(?:brought to you by|(?:supported|sponsored|presented|made possible) by|"
    r"(?:a word|a message) from (?:our|this week's|today's) sponsor|our sponsor|thanks to our sponsor|"
    r"support for [^,.]{1,60}? comes from|"  # "Support for the Ledger comes from ...", public radio's way
    # "A quick word about Fernleaf, who back the show", "Thanks to Fernleaf for supporting us"
    r"who (?:back|backs|support|supports|sponsor|sponsors) (?:the|this|our) (?:show|podcast|episode)|"
    r"thanks to [^,.]{1,40}? for (?:supporting|sponsoring|backing) (?:the|this|our|us))",
    re.I,
)
_SPONSOR_BODY = re.compile(
    r"\b(?:promo(?:tion)? code|(?:use|with|enter) (?:the )?code|discount|\d+ ?(?:%|percent) off|off your first|"
    r"free (?:trial|month|shipping|consultation|call)|first (?:month|order|project|year)|sign up|"
    r"dot com|dot org|dot net|\.com|\.org|slash|visit|offer|listeners (?:get|of this show)|subscription|code|"
    # "show them this episode and your first coffee is free", "mention the show"
    r"first \w+ (?:is |are )?free|(?:show|tell) (?:them|us) (?:this|the) (?:episode|show)|"
    r"mention (?:this|the) (?:episode|show|podcast))",
    re.I,
)
_SHORT = re.compile(
    r"^(?:\w+, )?(?:we (?:also )?(?:wrote|made) (?:a|an|our)|"
    # the recogniser may drop the "We" after a pause: "Also published a guide ..."
    r"(?:we(?:'ve| have)? )?(?:also )?(?:published|put together|put out) (?:a|an|our)|"
    r"(?:drivers|listeners|residents|parents|commuters|readers),? (?:take note|please note|a reminder)|"
    r"(?:a )?quick (?:\w+ )?(?:note|reminder|heads-up|heads up)|(?:a )?reminder:?|heads up|"
    r"listeners keep asking|if you missed it|"
    # a correction of an earlier show: "One correction from last week's show: ..."
    r"(?:one|a) (?:quick |small )?(?:correction|clarification)|we got (?:something|that|one thing) wrong)",
    re.I,
)


@dataclass(frozen=True)
class Part:
    kind: str  # intro, sponsor, short, outro
    first: int  # sentence index
    end: int  # one past the last sentence


def _intro(sents: list[Sentence], first: int = 0) -> Part | None:
    """The intro, one run from sentence ``first`` (0, or the end of a sponsor read the show
    opens on)."""
    if first >= len(sents):
        return None
    last = None
    begin = 0.0 if first == 0 else sents[first].start
    for i in range(first, len(sents)):
        if sents[i].start - begin > INTRO_MAX_S or i > (last if last is not None else first - 1) + INTRO_GAP:
            break  # the intro is one run from the start: a story's lead "This week, ..." is not
        if _INTRO.search(sents[i].text) or (is_chatter(sents[i].text) and i <= (last or first) + 2):
            last = i
        elif last == i - 1 and _PREVIEW_GOES_ON.match(sents[i].text) and sents[i].start - sents[last].end <= 0.3:
            last = i  # "We have the trams, the rain. | And a bakery that is shrinking fast."
    if last is None or last + 1 >= len(sents) or sents[last + 1].start - begin < MIN_PART_S:
        return None
    return Part("intro", first, last + 1)


def _sign_off(sents: list[Sentence], duration: float) -> int | None:
    """The sentence the sign-off starts on, if one is said in the last OUTRO_MAX_S."""
    for i, s in enumerate(sents):
        if s.start >= duration - OUTRO_MAX_S and _OUTRO.search(s.text) and i > 0:
            # the sign-off may open with lines the phrases miss ("That is all for this
            # week's ..." heard as "Not immoral for this week's ...", the links read out as
            # sentences of their own): it starts at the first sign-off shortly before
            for j in range(1, i):
                if s.start - sents[j].start <= SIGN_OFF_BEFORE_S and _SIGN_OFF.search(sents[j].text):
                    return j
            return i
    return None


def _outro(sents: list[Sentence], duration: float) -> Part | None:
    i = _sign_off(sents, duration)
    return Part("outro", i, len(sents)) if i is not None and duration - sents[i].start >= MIN_PART_S else None


def _sponsors(sents: list[Sentence], bonus: np.ndarray) -> list[Part]:
    out = []
    i = 0
    while i < len(sents):
        if not _SPONSOR_OPEN.search(sents[i].text):
            i += 1
            continue
        last = i
        j = i + 1
        while j < len(sents) and sents[j].start - sents[i].start <= SPONSOR_MAX_S:
            if _SPONSOR_BODY.search(sents[j].text) or _SPONSOR_OPEN.search(sents[j].text):
                last = j
            elif j - last > 4:  # what the product does, between the opening and the offer
                break
            j += 1
        if last == i and not _SPONSOR_BODY.search(sents[i].text):
            # an opening with no offer heard after it (missed by the transcript, or a read
            # with none): the read runs to the likeliest story start within SPONSOR_OPEN_S
            ends = [j for j in range(i + 1, len(sents)) if sents[j].start - sents[i].start <= SPONSOR_OPEN_S]
            last = max(ends, key=lambda j: (bonus[j], -j)) - 1 if ends else i
        elif last + 1 < len(sents):
            # the offer said once more and misheard ("Promo cold circuit."): the read runs on
            # to the likeliest story start within MIN_PART_S after its last offer
            tail = [j for j in range(last + 1, len(sents)) if sents[j].start - sents[last + 1].start < MIN_PART_S]
            last = max(tail, key=lambda j: (bonus[j], -j)) - 1
        out.append(Part("sponsor", i, last + 1))
        i = last + 1
    return out


def _shorts(sents: list[Sentence], bonus: np.ndarray) -> list[Part]:
    """A short item runs from its opening to the likeliest story start within SHORT_MAX_S
    (the strongest evidence: a cue phrase, a change of subject, a pause)."""
    out = []
    for i, s in enumerate(sents):
        if not _SHORT.search(s.text):
            continue
        ends = [j for j in range(i + 1, len(sents)) if sents[j].start - s.start <= SHORT_MAX_S]
        if not ends:
            continue
        if ends[-1] + 1 < len(sents) and sents[ends[-1] + 1].start - s.start <= SHORT_MAX_S:
            ends.append(ends[-1] + 1)
        end = max(ends, key=lambda j: (bonus[j], -j))
        out.append(Part("short", i, end))
    return out


def fixed_parts(sents: list[Sentence], duration: float, ev: Evidence, opt: NotesOptions) -> list[Part]:
    """The episode's non-story parts, in order and not overlapping. A part whose end is not
    said (a sponsor read's, a short item's) ends at the likeliest story start, where the
    speakers are named a change of speaker and a host addressing the other counting too; the
    intro takes on the tail of its preview (``segment.intro_end``)."""
    bonus = ev.bonus + opt.w_turn * ev.turn + opt.w_address * ev.address
    sponsors = _sponsors(sents, bonus)
    # a show may open on a sponsor read (a pre-roll) before its greeting: the intro follows it
    pre = next((p for p in sponsors if p.first == 0), None)
    intro = _intro(sents, pre.end if pre else 0)
    outro = _outro(sents, duration)
    lo = intro.end if intro else 0
    hi = outro.first if outro else len(sents)
    taken: list[Part] = [p for p in (pre if intro else None, intro, outro) if p]
    for part in [*sponsors, *_shorts(sents, bonus)]:
        if part.first < lo or part.end > hi or _overlaps(part, taken):
            continue
        taken.append(part)
    taken.sort(key=lambda p: p.first)
    if intro and not _INTRO_CLOSE.search(sents[intro.end - 1].text):  # "Let's get into it." ends it
        k = taken.index(intro)
        limit = taken[k + 1].first if len(taken) > k + 1 else len(sents)
        # a cold open (a line from a story before the greeting) is the intro's, but what the
        # intro's tail is judged by is its greeting and preview on
        opening = next(
            (i for i in range(intro.first, intro.end) if _INTRO.search(sents[i].text) or is_chatter(sents[i].text)),
            intro.first,
        )
        intro = taken[k] = Part("intro", intro.first, intro_end(intro.end, limit, sents, ev, opt, duration, opening))
    if intro and _HEADLINES.search(sents[intro.end - 1].text):
        for part in _headlines(sents, intro.end, ev):
            if _overlaps(part, taken):
                break
            taken.append(part)
        taken.sort(key=lambda p: p.first)
    return taken


def _overlaps(part: Part, taken: Sequence[Part]) -> bool:
    return any(part.first < t.end and t.first < part.end for t in taken)


def _headlines(sents: list[Sentence], first: int, ev: Evidence) -> list[Part]:
    """The headlines read after the intro says so ("First, the headlines."): one sentence
    each, back to back, each a short item; the run ends at the first sentence the next one
    goes on about (the first story told at length), within ``HEADLINES_MAX_S`` and at most
    ``HEADLINES_MAX`` of them."""
    out: list[Part] = []
    i = first
    while i + 1 < len(sents) and len(out) < HEADLINES_MAX:
        told = sents[i + 1].start - sents[i].start
        if sents[i + 1].start - sents[first].start > HEADLINES_MAX_S or told >= SHORT_MAX_S:
            break
        if float(ev.weighted[i] @ ev.weighted[i + 1]) >= HEADLINE_LIKENESS:
            break  # the next line tells on about this one: a story, not a headline
        out.append(Part("short", i, i + 1))
        i += 1
    return out


def kinds_of(
    starts: list[int], fixed: Sequence[Part], sents: list[Sentence], min_story_s: float, duration: float
) -> list[tuple[int, str]]:
    """(first sentence, kind) of each part starting at ``starts``: a fixed part's own kind,
    else a story, or a short item when shorter than ``min_story_s``. A scrap under
    ``MIN_PART_S`` right after a sponsor read is the read's tail (its offer said once more,
    "Promo code CIRCUIT."), not an item: the read runs on over it."""
    by_first = {p.first: p.kind for p in fixed}
    out: list[tuple[int, str]] = []
    for a, b in itertools.pairwise([*starts, len(sents)]):
        kind = by_first.get(a)
        if kind is None:
            end = duration if b == len(sents) else sents[b].start
            length = end - (0.0 if a == 0 else sents[a].start)
            if out and out[-1][1] == "sponsor" and length < MIN_PART_S:
                continue
            kind = "short" if length < min_story_s else "story"
        out.append((a, kind))
    # a sign-off too short to be found as the outro ("That's the show for this week. See you
    # next week.") is one where the last story keeps a story's length without it: a
    # two-sentence story that signs off in its last line keeps the line
    if out and out[-1][1] == "story" and "outro" not in by_first.values():
        last = out[-1][0]
        i = _sign_off(sents, duration)
        if (
            i is not None
            and i > last
            and duration - sents[i].start >= SHORT_OUTRO_S
            and sents[i].start - (0.0 if last == 0 else sents[last].start) >= min_story_s
        ):
            out.append((i, "outro"))
    return out
