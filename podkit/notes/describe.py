"""Each story's heading, summary and links, chosen from its own words (extractive, offline).

- Heading: a headline that names the story's subject. Candidates are the clauses (a
  sentence cut at commas and joining words) of the story's opening sentences, with the
  presenter's lead-in ("Next up,", "Our second story comes from X, where", "Sport,",
  "Ben,") taken off, and the titles of the links that belong to it. The one chosen means
  most like the whole story and holds the most of its salient terms: the words and word
  pairs said often in this story and seldom in the episode's others (TF-IDF across the
  episode's stories), which are its people, places and things. At most 60 characters, cut
  before a joining word, sentence case.
- Summary: two or three of the story's sentences, in their order: its lead (what happened)
  first, then the most central of the rest; no greetings, sign-offs or questions to a co-host.
- Links: each sidecar link goes to the story its title and description are most similar to,
  when similar enough; the others go to a closing "Links" section.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from ..records import Link
from ..text import STOP_WORDS, content_words, stem
from .embed import embed
from .segment import GUEST_INTRO, Sentence, first_name, is_chatter

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
# A day that is the news stays: "collected on Tuesday instead of Thursday", "closed from next
# week", "open until this weekend", "no trams on Monday or Tuesday".
_FILLER = re.compile(
    r"(?<!\bfrom)(?<!\buntil)(?<!\bby)(?<!\bsince)(?<!\binstead)(?<!\bthan)(?<!\bof)"
    r"\s+(?:on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?: (?:morning|afternoon|evening|night))?"
    r"|last (?:week|month|year|night)|this (?:week|month|year|weekend)|next (?:week|month|year)"
    r"|in bright sunshine|almost entirely|just like books)\b(?!,? (?:instead|rather than|not)\b)"
    r"(?! (?:or|and|to|through) (?:on )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
    re.I,
)
# Openings a headline never has: discourse markers, a presenter's hand-over, a vocative.
_OPENING = re.compile(
    r"^(?:(?i:and|so|but|now|well|right|okay|ok|oh|yes|also|meanwhile|plus|then|thanks|thank you)\b[,:]?\s*"
    r"|(?i:for (?:anyone|those|listeners)(?: who)? [^,]{0,40}),\s*"
    r"|(?:[A-Z][a-z]+),\s+(?=[a-z]|I\b|the\b|The\b|what|how|why|tell)"
    r"|(?i:let's|time for|over to|staying with|sticking with|turning to|switching to|on to|onto)\b[^,]*,\s*"
    r"|(?i:take note|heads up|(?:a |one )?(?:quick |last )?(?:reminder|warning)|one more thing"
    r"|for your diary)[,:.]\s*)+",
)
_SPLIT = re.compile(
    r",\s+|;\s+|\s+(?:which|who|after|because|while|so that|and then)\s+|,?\s+so\s+(?=we|they|i|he|she|it)"
)


# "We also published a guide to setting up a business account" -> "Guide to setting up a
# business account": the show's own pointer names its item by what it made.
_WE_MADE = re.compile(
    r"^we(?:'ve| have)?\s+(?:also\s+)?(?:just\s+)?(?:publish(?:ed)?|put together|wrote|written|made|posted|updated)\s+"
    r"(?=(?:a|an|our|the)\s+(?:\w+\s+)?(?:guide|explainer|list|checklist|map|calculator|tool|tracker|faq|primer)\b)",
    re.I,
)


def _clean(text: str) -> str:
    text = re.sub(r"\.\s+(?=[a-z])", " ", text)  # a full stop the recogniser put mid-clause
    text = _strip_lead(text)
    made = _WE_MADE.sub("", text)
    if made != text:
        text = re.sub(r"^(?:our|a|an|the)\s+(?=\w)", "", made, flags=re.I)
    text = _WHEN.sub("", text)  # a clause's own "for eight years ..." (the sentence's goes in ``_compressed``)
    text = _FILLER.sub("", text)
    text = re.sub(r"^(?:the|a|an)\s+(?=\w)", "", text, flags=re.I)  # headlines drop the leading article
    text = text.strip(" ,.;:!?\"'")
    return text[:1].upper() + text[1:] if text else text


def _strip_lead(text: str) -> str:
    """Take off a presenter's lead-in: "Our first story comes from X, where", "Next up,",
    "And so,", "Ben, ...", however many are stacked."""
    text = text.strip()
    for _ in range(3):
        before = text
        text = _WHERE.sub("", text)
        text = _STORY_INTRO.sub("", text)
        text = _LEAD_IN.sub("", text)
        text = _OPENING.sub("", text)
        if text == before:
            break
    return text[:1].upper() + text[1:] if text else text


# "X confirmed this week that it will build ..." reads as a headline "X will build ...".
_REPORTED = re.compile(
    r"^(?P<who>[^,]{3,60}?) (?:has |have )?(?:said|says|confirmed|confirms|announced|announces|told \w+(?: \w+){0,3})"
    r"(?: (?:this|last) (?:week|month|year)| on \w+day| yesterday| today)? that (?:it|they|he|she) ",
    re.I,
)


# "X, a running and cycling app with 3 million users, has been fined ..." -> "X has been fined ..."
_APPOSITIVE = re.compile(
    r"^([^,]{2,40}), (?:a|an|the|which|who)? ?.{3,90}?, ((?:has|have|is|are|was|were|will|would|said|says)\b)"
)


# "X, the Austin startup that makes route planning software, laid off 140 people" ->
# "X laid off 140 people": a named subject, its appositive (opening on an article) between
# commas, then a verb with more words after it (a past or present form, or a common one).
# Past forms that do not end in -ed, for telling a clause with a verb from a phrase without one.
_PAST_FORMS = (
    r"won|lost|made|took|sold|bought|found|fell|rose|grew|began|became|went|came|left|paid|told|gave|kept|"
    r"shut|struck|hit|cut|set|put"
)
_VERB_ON = r"((?:[a-z]+ed|[a-z]+s|had|laid|got|" + _PAST_FORMS + r"|will|would|can|could|must|may)\b)(?=\s+\S+\s+\S+)"
_APPOSITIVE_NP = re.compile(r"^([A-Z][^,]{1,40}), (?:a|an|the) [^,]{3,100}, " + _VERB_ON)
# "Judge X, in federal court in San Francisco, ruled ..." -> "Judge X ruled ...": a place or
# setting between commas after a named subject, then its verb, is an aside; without it the
# subject and its verb are one clause (cut at the commas, "Judge X, in federal court in San
# Francisco" is a fragment with no verb).
_ASIDE = re.compile(
    r"^([A-Z][^,]{1,40}), (?:in|at|from|outside|near|inside|speaking (?:in|at|to)) [^,]{3,60}, " + _VERB_ON
)
# "The path between the weir and the footbridge is closed" -> "The path is closed": where a
# thing lies, between its subject and its verb, a headline leaves out.
_BETWEEN = re.compile(r"\s+between\s+[^,]{1,40}?\s+and\s+[^,]{1,40}?(?=\s+(?:is|are|was|were|will|has|have|had)\b)")
# "Early this morning, ...", "On Tuesday, ...", "Last week, ...": when, not what.
_WHEN = re.compile(
    r"^(?:(?:early|late|earlier|later)\s+)?(?:(?:on|by|since|until|this|last|next)\s+)?"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tonight|"
    r"(?:this|last|next) (?:week|weekend|month|year|morning|afternoon|evening|night)|morning|night|weekend)"
    r"(?:\s+(?:morning|afternoon|evening|night))?,\s+(?=\S)"
    # "From January, ...", "In March the club ...": a month is when, too (with no comma,
    # only before the subject)
    r"|^(?:from|in|by|since|until|early|late)\s+(?:january|february|march|april|may|june|july|august|september|"
    r"october|november|december)(?:\s+\d+)?"
    r"(?:\s*,\s+(?=\S)|\s+(?=(?:(?:the|a|an|its|their|his|her|our|this|these|those)\b|(?-i:[A-Z0-9]))))"
    # "For six months, ...", "After three years, ...", "Over the summer, ...": how long, not what
    r"|^(?:for|after|over|within|in)\s+(?:(?:the|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
    r"\d+|a few|several|many|(?:the )?(?:past|last|next))\s+)*"
    r"(?:hours?|days?|weeks?|months?|years?|decades?|summer|winter|spring|autumn|weekend)"
    # with no comma, only before the subject ("for eight years the club trained"), never
    # inside a longer phrase ("after three years of repairs")
    r"(?:\s*,\s+(?=\S)|\s+(?=(?:(?:the|a|an|its|their|his|her|our|this|these|those)\b|(?-i:[A-Z0-9]))))",
    re.I,
)


def _compressed(sentence: str) -> str:
    """The sentence without what a headline leaves out before its subject speaks: a leading
    "when" ("On Tuesday, ") and the subject's appositive ("X, the ... startup, laid off ...").
    Done before the lead-ins are taken off, where "X, the ..." still reads as an appositive
    rather than someone addressed by name."""
    text = re.sub(r"^(?:and|so|but|now|well|plus|also|meanwhile)\b,?\s*", "", sentence.strip(), flags=re.I)
    text = _WHEN.sub("", text)
    text = text[:1].upper() + text[1:]
    text = _APPOSITIVE.sub(r"\1 \2", text)
    text = _APPOSITIVE_NP.sub(r"\1 \2", text)
    text = _ASIDE.sub(r"\1 \2", text)
    text = _BETWEEN.sub("", text)
    return text if text != sentence.strip() and len(text.split()) >= 4 else sentence


def _clauses(sentence: str) -> list[str]:
    """The sentence itself and its leading clauses, cleaned; a prefix that stops inside a list
    ("Pacehaven, running" before ", and cycling") is none."""
    cleaned = _clean(_compressed(sentence))
    reported = _REPORTED.match(cleaned)
    if reported:
        cleaned = f"{reported.group('who')} {cleaned[reported.end() :]}"
    cleaned = _APPOSITIVE.sub(r"\1 \2", cleaned)
    pieces = _SPLIT.split(cleaned)
    out, acc = [cleaned], ""
    for n, piece in enumerate(pieces):
        acc = f"{acc}, {piece}" if acc else piece
        following = pieces[n + 1] if n + 1 < len(pieces) else ""
        if not re.match(r"(?:and|or|but|as well as)\b", following):
            out.append(_clean(acc))
    # a main clause after a lead-in ("Listeners keep asking, so we published a guide ...");
    # a piece with no conjunction is the sentence's predicate or an aside ("..., ruled on
    # Thursday that ...", "..., in federal court in San Francisco,"), no clause of its own
    for piece in pieces[1:]:
        main = re.sub(r"^(?:so|and|but|then)\s+", "", piece)
        if main != piece and len(main.split()) >= 4:
            out.append(_clean(main))
    # the main clause after an opening condition or time ("If you walk along the river, the
    # Corvell path is closed from Monday ..."): the rest of the sentence
    main = cleaned.split(", ", 1)[1] if _SUBORDINATE.match(cleaned) and ", " in cleaned else ""
    if len(main.split()) >= 4:
        out.append(_clean(main))
    return [c for c in dict.fromkeys(out) if c]


_BREAK_BEFORE = {
    "outside",
    "near",
    "over",
    "across",
    "through",
    "against",
    "despite",
    "including",
    "amid",
    "between",
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
    "that",
    "would",
    "could",
    "who",
    "which",
    "instead",  # "..., instead | of Thursday"
    "rather",
    "until",  # "closed to all traffic from 10 until | 4"
    "between",
    "than",
    "into",
    "about",
}


# "... then laid off 140 people | a month later": a time phrase ends what a headline says
_TIME_PHRASE = re.compile(
    r"^(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+) (?:day|week|month|year|hour)s? "
    r"(?:later|ago|after|before|earlier)|(?:last|next|earlier|later) (?:week|weekend|month|year|night)|"
    r"yesterday|today|tonight)\b",
    re.I,
)


_PLACE_BEFORE_VERB = re.compile(
    r"\s+(?:in|at|on|across|around|near) (?:the )?[A-Z][\w'-]+(?: [A-Z][\w'-]+){0,2}"
    r"(?=\s+(?:will|would|has|have|had|is|are|was|were|can|could|must|[a-z]{3,}ed)\b)"
)
_NO_END_WHOLE = {"a", "an", "the", "of", "and", "or", "its", "their", "his", "her", "our", "that", "which", "who"}


def _shorten(text: str, limit: int = MAX_TITLE) -> str:
    """At most ``limit`` characters, cut before a preposition, a joining word or a time
    phrase so the phrase stays whole ("...has recorded its first album" rather than "...its
    first")."""
    if len(text) <= limit:
        # a whole clause may still end on an article or a joining word where the recogniser
        # broke it ("... a guide to the | which ..."); not on a preposition, which may be a
        # verb's ("scan their face to get in")
        words = text.split()
        while len(words) > 2 and words[-1].lower() in _NO_END_WHOLE:
            words.pop()
        return " ".join(words)
    # where the subject is, before its verb, goes before the news is cut short ("Every primary
    # school in Northgate will run ..." -> "Every primary school will run ...")
    text = _PLACE_BEFORE_VERB.sub("", text)
    if len(text) <= limit:
        return text
    words = text.split()
    best = None
    for i in range(1, len(words)):
        head = " ".join(words[:i])
        if len(head) > limit:
            break
        if (
            words[i].lower().strip(",") in _BREAK_BEFORE
            or words[i - 1].endswith(",")
            or _TIME_PHRASE.match(" ".join(words[i : i + 4]))
        ):
            best = head
    if best is None or len(best) < 20:
        best = text[: limit + 1].rsplit(" ", 1)[0]
    words = best.rstrip(",;:").split()
    # never end on a joining word, inside an amount ("a $14" of "a $14 billion plant") or on
    # a possessive whose noun was cut ("trained an hour's"; a name's stays: "save Penhallow's")
    while len(words) > 2 and (
        words[-1].lower() in _NO_END
        or re.match(r"^[$\u00a3\u20ac]?\d", words[-1])
        or re.match(r"^[a-z][\w-]*['\u2019]s$", words[-1])
    ):
        words.pop()
    return " ".join(words).rstrip(",;:")


# A clause that ends on a pronoun ("Listeners keep asking us about this") points at a subject
# it does not name: a lead-in, never a headline.
_POINTS_AWAY = re.compile(r"\b(?:this|that|it|them|these|those)$", re.I)
# A clause that opens on a word pointing back ("It's the question every investor asks",
# "He said ...", "His grandfather says ...") names nothing: the thing it speaks of was named before.
_POINTS_BACK = re.compile(
    r"^(?:it|it's|he|she|they|they're|this|that|that's|these|those|there's|his|her|their|its)\b", re.I
)
# One host asking or telling the other ("Have you been to the new pool yet", "How did you get
# to work", "You spent a lot of this week ...") speaks to a person, not of the story's subject.
_TO_YOU = re.compile(
    # "Zara what did you make of ...": the name called out, its comma not heard
    r"^(?:[A-Z][a-z'-]+ (?=(?:what|how|why|where|when|did|do|does|have|can|are)\b))?"
    r"(?:you|your|(?:have|has|did|do|does|are|were|was|can|could|would|will|how|what|why|where|when)\b[^,]*\byou)\b",
    re.I,
)


_CONJUNCTION = re.compile(r"^(?:and|but|so|or|yet|then)\s+", re.I)
# A phrase that only says where or when ("At a large house on the Mill Road", "In the
# corridor of the old wing"): cut from its sentence, with no verb of its own, it names no news;
# "On Tuesday the council voted ..." has one, and "Over 4,000 runners ...", "Up to 200 jobs
# ..." and "Inside the race to ..." are headlines.
_PLACE_ONLY = re.compile(r"^(?:at|in|on|near|outside|along|across|around|behind|beside|through)\s[^,]*$", re.I)
_A_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|must|shall|should|does|did|"
    r"[a-z]{3,}ed|" + _PAST_FORMS + r"|opens|closes|wins|reopens)\b",
    re.I,
)


# A clause that opens on a condition or a time ("If you walk along the river", "When the
# roof failed") is no headline: what happened is in the clause after it.
_SUBORDINATE = re.compile(
    r"^(?:if|when|whenever|while|although|though|unless|once|as soon as|until|because)\b(?!-)", re.I
)  # "Once-mighty chain closes" is a headline
# A host speaking of themself ("I tried, but the queue went around the car park", "My advice:
# ...") tells their own part in it: talk between the hosts, never a headline.
_SELF = re.compile(r"\bI(?:'m|'ve|'d|'ll)?(?![\w'])|^(?i:my|me)\b")


def _only_where(candidate: str) -> bool:
    """Whether ``candidate`` is a phrase of where or when with no verb (``_PLACE_ONLY``)."""
    return bool(_PLACE_ONLY.match(candidate)) and not _A_VERB.search(candidate)


def _speaks_of_self(candidate: str) -> bool:
    """Whether a host speaks of themself in ``candidate``; "I" after a name mid-phrase is a
    numeral ("World War I", "Charles I")."""
    for m in _SELF.finditer(candidate):
        before = candidate[: m.start()].split()
        if m.group() == "I" and len(before) > 1 and before[-1][:1].isupper():
            continue
        return True
    return False


def _names_nothing(candidate: str) -> bool:
    """A heading candidate that opens with a hand-over, a conjunction, a word pointing back or
    words to the other host, speaks of the host themself, brings a guest in, or has a clause
    pointing away ("Listeners keep asking us about this, so we ...")."""
    pieces = candidate.split(",")
    return bool(
        _OPENING.match(candidate)
        or _CONJUNCTION.match(candidate)  # a clause cut from a list: "Or 15% for developers ..."
        or _SUBORDINATE.match(candidate)
        or _only_where(candidate)
        or _POINTS_BACK.match(candidate)
        or _TO_YOU.match(candidate)
        or _speaks_of_self(candidate)
        or GUEST_INTRO.match(candidate.lower())  # "Joining us now is Lena Voss": who, not what
        or any(_POINTS_AWAY.search(piece.strip(" .")) for piece in pieces)
        # a later clause whose subject points back ("Park said no, so he sued"): a line of
        # the telling, whose subject was named before, not a headline
        or any(_POINTS_BACK.match(_CONJUNCTION.sub("", piece.strip())) for piece in pieces[1:])
    )


HEAD_SENTENCES = 6  # how many of a story's opening sentences give heading candidates
W_SALIENT = 2.0
LEAD_BONUS = 0.1  # the lead sentence, where news names its subject (the next one: half)
LINK_BONUS = 0.1  # a link that belongs to the story: its title is a strong candidate


def title_for(
    sents: list[Sentence],
    centroid: np.ndarray,
    salience: dict[str, float] | None = None,
    links: list[Link] | None = None,
    previews: Sequence[str] = (),
) -> str:
    """The candidate (opening clause or link title) that means most like the story and holds
    most of its salient terms; the lead sentence, where news names its subject, is preferred."""
    candidates: list[str] = []
    bonus: list[float] = []
    substantive = [s for s in sents if _substance(s.text)] or sents
    # a clause ending on a host's name is talk to the host ("..., Owen?") or a word the
    # recogniser heard as one ("Shoppers, for their part, are torn" -> "..., art Owen")
    hosts = {first_name(s.speaker) for s in sents} - {""}
    for rank, s in enumerate(substantive[:HEAD_SENTENCES]):
        for whole in _clauses(_substance(s.text) or s.text):
            c = _shorten(whole)
            if len(c) >= 15 and c not in candidates and not _names_nothing(c) and not _ends_on(c, hosts):
                candidates.append(c)
                # a clause cut to fit may end mid-phrase: a whole one is better
                bonus.append(
                    (LEAD_BONUS if rank == 0 else LEAD_BONUS / 2 if rank == 1 else 0.0) - (0.1 if c != whole else 0.0)
                )
    for link in links or []:
        c = _shorten(_clean(link.title))
        if len(c) >= 15 and c not in candidates:
            candidates.append(c)
            bonus.append(LINK_BONUS)
    for phrase in previews:
        c = _shorten(_clean(phrase))
        if len(c) >= 15 and c not in candidates and not _names_nothing(c):
            candidates.append(c)
            bonus.append(PREVIEW_BONUS)
    if not candidates:
        return _shorten(_clean(substantive[0].text)) or "Story"
    vecs = embed(candidates)
    scores = vecs @ centroid + np.array(bonus) + 0.001 * np.array([min(len(c), 50) for c in candidates])
    if salience:
        scores += W_SALIENT * np.array([_coverage(c, salience) for c in candidates])
    best = candidates[int(np.argmax(scores))]
    return _sentence_case(best, " ".join(s.text for s in sents))


def _ends_on(candidate: str, names: set[str]) -> bool:
    """Whether the candidate's last word is one of ``names`` (lower case)."""
    words = candidate.split()
    return bool(words) and words[-1].strip(".,?!").lower() in names


def _substance(text: str) -> str:
    """What a sentence says of its story, without the clauses that say nothing of it: a
    sentence of substance that ends with a pointer ("..., so we published a guide to freezing
    your credit, the link is in the show notes") is chatter as a whole (its pointer names no
    subject), but its other clauses name the item, and a short item may have no other
    sentence. "" for a sentence with nothing left (a greeting, a sign-off)."""
    if not is_chatter(text):
        return text
    pieces = [p for p in re.split(r"(?<=,)\s+", text) if p.strip()]
    kept = [p for p in pieces if not is_chatter(p.strip(" ,."))]
    if is_chatter(pieces[0].strip(" ,.")) or len(kept) == len(pieces) or len(" ".join(kept).split()) < 6:
        return ""  # chatter from its first words ("Welcome to ..."), or nothing else said
    return " ".join(kept).rstrip(" ,.") + "."


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]+|\d[\d,.]*")


def _terms(text: str) -> list[str]:
    """Content words and neighbouring content-word pairs, lower case ("ferry", "night shift")."""
    words = [stem(w.lower()) for w in _TOKEN.findall(text)]
    out = []
    prev = None
    for w in words:
        content = len(w) > 2 and w not in STOP_WORDS
        if content:
            out.append(w)
            if prev:
                out.append(f"{prev} {w}")
        prev = w if content else None
    return out


FEW_REPEATED = 3  # a story that comes back to fewer words than this names its subject in its lead


def salient_terms(parts: list[list[Sentence]]) -> list[dict[str, float]]:
    """Each part's terms weighted by TF-IDF across the parts: what this story says often and
    the others seldom (the first mention counts double: news names its subject first)."""
    counts = []
    for part in parts:
        tally: dict[str, float] = {}
        spread: dict[str, int] = {}
        substantive = [_substance(s.text) for s in part if _substance(s.text)] or [s.text for s in part]
        for rank, text in enumerate(substantive):
            for t in _terms(text):
                tally[t] = tally.get(t, 0.0) + (2.0 if rank < 2 else 1.0)
            for t in set(_terms(text)):
                spread[t] = spread.get(t, 0) + 1
        # a subject is come back to: a term of one sentence only (or a misheard word) is none;
        # but a short story may come back to almost nothing ("water", twice), and says its
        # subject once, in its lead: then the lead's terms count too
        kept = {t: c for t, c in tally.items() if spread[t] >= 2 or len(substantive) < 3}
        if sum(" " not in t for t in kept) < FEW_REPEATED and substantive:
            kept |= {t: tally[t] for t in _terms(substantive[0])}
        counts.append(kept)
    n = len(parts)
    df: dict[str, int] = {}
    for tally in counts:
        for t in tally:
            df[t] = df.get(t, 0) + 1
    out = []
    for tally in counts:
        weights = {t: c * (np.log((n + 1) / df[t]) + 0.1) for t, c in tally.items() if c >= 2 or " " in t}
        top = max(weights.values(), default=1.0)
        out.append({t: w / top for t, w in weights.items()})
    return out


def _coverage(candidate: str, salience: dict[str, float], top: int = 6) -> float:
    """How much of the story's most salient terms the candidate holds (0-1)."""
    best = sorted(salience.items(), key=lambda kv: -kv[1])[:top]
    total = sum(w for _, w in best) or 1.0
    have = set(_terms(candidate))
    return sum(w for t, w in best if t in have) / total


def _sentence_case(text: str, story_text: str) -> str:
    """A title-case heading ("Tied Vote Sends City Budget Back") in sentence case, keeping
    the words the story itself capitalises mid-sentence (names)."""
    words = text.split()
    caps = [w for w in words[1:] if w[:1].isupper()]
    if len(words) > 3 and len(caps) > 0.6 * (len(words) - 1):
        lower_elsewhere = set(re.findall(r"(?<=[a-z,] )([a-z][\w'-]*)", story_text))
        words = [words[0]] + [w.lower() if w.lower() in lower_elsewhere else w for w in words[1:]]
    out = " ".join(words)
    return out[:1].upper() + out[1:]


def headings(
    parts: list[list[Sentence]],
    centroids: list[np.ndarray],
    links: list[list[Link]] | None = None,
    previews: Sequence[str] = (),
) -> list[str]:
    """A heading for each story of an episode, chosen with the others in view (a term shared
    by every story names none of them). ``previews``: the phrases the intro named the coming
    stories with (``preview_phrases``), each a candidate for the story it clearly means."""
    salience = salient_terms(parts)
    texts = [" ".join(s.text for s in sents) for sents in parts]
    offered = (
        assign_previews(list(previews), np.array(centroids), texts) if previews and centroids else [[]] * len(parts)
    )
    out = []
    for k, (sents, centroid) in enumerate(zip(parts, centroids, strict=True)):
        own_links = links[k] if links else []
        out.append(title_for(sents, centroid, salience[k], own_links, offered[k]))
    return out


# What opens an intro's preview of the stories: "Coming up:", "This week,", "Today we have",
# "We've also got", "Plus" (after a greeting or a name in the same sentence, as recognisers
# run them together).
_PREVIEW_LEAD = re.compile(
    r"^(?:.*?\b(?:coming up|this week|today|on the show(?: today| this week)?|on today's show|in this episode|"
    r"later(?: in the show| on)?)\b(?:,? we(?:'ve| have)?(?: also)? (?:got|have))?|"
    r".*?\bwe(?:'ve| have)?(?: also)? (?:got|have)\b|^(?:and )?plus\b|^(?:and )?also\b)[,:]?\s*",
    re.I,
)
_PREVIEW_SPLIT = re.compile(
    r"\s*[,;:]\s+(?:(?:and|plus|also)\s+)?|\s+(?:and|plus)\s+(?=(?:a|an|the|what|how|why|whether|our)\b)"
)
_ATTACHES = re.compile(r"^(?:then|but|which|who|where|before|after|to|with|as|at|in|on|from|for|of|by|over)\b", re.I)
_CHATTER_WORD = re.compile(r"^(?:and |plus |also |oh |so )*(?:yes|yeah|well|right|more|lots more|much more)$", re.I)
PREVIEW_WORDS = (3, 20)  # a phrase shorter or longer than this names no story
PREVIEW_MIN_SIMILARITY = 0.25
PREVIEW_MARGIN = 0.04  # how much more it must mean like its story than like any other
# a phrase the intro named its story with wins over the story's own sentences: a producer
# wrote it as a headline (of several for one story, the likeliest)
PREVIEW_BONUS = 1.0


def preview_phrases(intro: Sequence[Sentence]) -> list[str]:
    """The phrases an intro names the coming stories with ("Coming up: the council's budget
    fight over the ferry subsidy, the ferry workers' strike that left commuters stranded, and
    a school robotics team heading for the national final"): a producer writes them like
    headlines, so each is a candidate heading for the story it means."""
    out: list[str] = []
    for s in intro:
        lead = _PREVIEW_LEAD.match(s.text)
        if not lead or is_chatter(s.text[lead.end() :]):
            continue
        pieces: list[str] = []
        follows = False  # the piece before was kept: this one may carry it on
        for raw in _PREVIEW_SPLIT.split(s.text[lead.end() :].strip().rstrip(".!?")):
            piece = re.sub(r"^(?:and|plus|also)\s+", "", raw.strip(), flags=re.I)
            if not piece or _CHATTER_WORD.match(piece):
                follows = False
                continue
            short_name = len(piece.split()) < PREVIEW_WORDS[0] and piece[:1].isupper()
            if pieces and follows and (_ATTACHES.match(piece) or short_name):
                pieces[-1] += ", " + piece  # "..., then laid off 140 people"; "..., Arizona"
            else:
                pieces.append(piece)
            follows = True
        for piece in pieces:
            # a headline has no article or preposition to open it ("a yes from the council
            # for a bigger stadium" -> "Council for a bigger stadium")
            piece = re.sub(r"^(?:(?:from|for|with|of|about|on|at|in)\s+)?(?:a|an|the)\s+", "", piece, flags=re.I)
            if len(piece) > MAX_TITLE:
                # too long for a heading: the noun phrase before its relative clause ("old
                # bookshop on Tanner's Row | that its readers refused to let die")
                head = re.match(r"^(.{15,}?)\s+(?:that|which|who|where)\s", piece)
                piece = head.group(1) if head and len(head.group(1)) <= MAX_TITLE else piece
            if PREVIEW_WORDS[0] <= len(piece.split()) <= PREVIEW_WORDS[1]:
                out.append(piece[:1].upper() + piece[1:])
    return out


def assign_previews(phrases: list[str], centroids: np.ndarray, texts: Sequence[str] = ()) -> list[list[str]]:
    """Each story's preview phrases: a phrase goes to the story it means most like, when that
    is clear (``PREVIEW_MIN_SIMILARITY``, ``PREVIEW_MARGIN`` over the next story). With the
    stories' ``texts``, only to a story that says one of its words (one not every story says;
    "flower bed" said "flowerbed" too): a teaser ("a lot of very patient volunteers with
    clipboards") can mean more like a story it does not name (patients: the measles story)
    than like its own, but the story it previews says what it names."""
    out: list[list[str]] = [[] for _ in range(len(centroids))]
    if not phrases or not len(centroids):
        return out
    sims = embed(phrases) @ centroids.T
    said = [set(content_words(t)) for t in texts]
    everywhere = set.intersection(*said) if said else set()
    for p, row in enumerate(sims):
        if said:
            pairs = itertools.pairwise(re.findall(r"[a-z]+", phrases[p].lower()))
            words = set(content_words(phrases[p] + " " + " ".join(a + b for a, b in pairs))) - everywhere
            row = np.where([bool(words & own) for own in said], row, -1.0)
        order = np.argsort(-row)
        best = int(order[0])
        second = float(row[order[1]]) if len(order) > 1 else -1.0
        if row[best] >= PREVIEW_MIN_SIMILARITY and row[best] - second >= PREVIEW_MARGIN:
            out[best].append(phrases[p])
    return out


def synopsis_for(titles: list[str]) -> str:
    """ "This week: A; B; and C." from the stories' headings."""
    if not titles:
        return ""
    heads = [t.rstrip(".?!") for t in titles]
    body = heads[0] if len(heads) == 1 else "; ".join(heads[:-1]) + "; and " + heads[-1]
    return f"This week: {body}."


SUMMARY_CHARS = 420  # a summary stops growing past this, once it has two sentences


def summary_for(sents: list[Sentence], emb: np.ndarray, centroid: np.ndarray, limit: int = 3) -> str:
    """Two to ``limit`` sentences of the story's own, in order: its lead first (news says
    what happened in its first substantive sentence), then the most central of the rest;
    never a greeting, sign-off, question to a co-host or a reaction of a few words."""
    usable = (
        [
            i
            for i, s in enumerate(sents)
            if not is_chatter(s.text) and not s.text.rstrip().endswith("?") and len(s.text.split()) >= 6
        ]
        or [i for i, s in enumerate(sents) if not is_chatter(s.text)]
        or list(range(len(sents)))
    )
    lead = usable[0]
    ranked = sorted(usable[1:], key=lambda i: -float(emb[i] @ centroid))
    chosen = [lead]
    length = len(sents[lead].text)
    for i in ranked:
        if len(chosen) >= limit or (len(chosen) >= 2 and length + len(sents[i].text) > SUMMARY_CHARS):
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


# -- the long summary: paragraphs that follow the story's arc ----------------------------------

# What a presenter says to move the show along, never what happened: hand-overs, transitions,
# sign-offs, teasers. A sentence holding one is no summary's.
_TRANSITION = re.compile(
    r"\b(?:moving on|next up|up next|coming up|after the break|stay tuned|over to you|back to you|"
    r"let's (?:turn|move|go|get|hear|talk|start|begin)|that's (?:it|all)|see you|join us|"
    r"thanks for (?:listening|joining)|until next time|take it away|before we go|"
    r"more on that|we'll be right back|i'll hand|welcome (?:to (?:the|our|this)|back))\b",
    re.I,
)
LONG_PARAGRAPH_S = 40.0  # about one paragraph for each this much of a story
PARAGRAPH_CHARS = 340  # a paragraph stops growing past this, once it has a sentence
_FUTURE = re.compile(r"\b(?:will|would|plans?|expects?|next|could|may|hopes?|aims?|deadline|vote)\b", re.I)
_NUMBER = re.compile(r"\d")


def summary_worthy(text: str) -> bool:
    """A sentence a summary may quote: no greeting or sign-off, no transition or hand-over,
    no question, no reaction of a few words (once the presenter's lead-in is off)."""
    if is_chatter(text) or _TRANSITION.search(text) or text.rstrip().endswith("?"):
        return False
    return len(_strip_lead(text).split()) >= 6


def _arc(usable: list[int], emb: np.ndarray, k: int) -> list[list[int]]:
    """``usable`` (sentence indexes, in order) in ``k`` runs: cut near each equal share, at
    the gap across which the subject changes most (two sentences each side)."""
    n = len(usable)
    cuts: list[int] = []
    for j in range(1, k):
        target = round(j * n / k)
        lo, hi = max((cuts[-1] if cuts else 0) + 1, target - 2), min(n - (k - j), target + 2)
        best, best_sim = max(lo, min(target, hi)), 2.0
        for c in range(lo, hi + 1):
            before = emb[usable[max(0, c - 2) : c]].mean(axis=0)
            after = emb[usable[c : c + 2]].mean(axis=0)
            sim = float(before @ after / (np.linalg.norm(before) * np.linalg.norm(after) + 1e-9))
            if sim < best_sim - 1e-6:
                best, best_sim = c, sim
        cuts.append(best)
    bounds = [0, *cuts, n]
    return [usable[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def paragraphs_for(sents: list[Sentence], emb: np.ndarray, centroid: np.ndarray, max_paragraphs: int = 4) -> list[str]:
    """Two to ``max_paragraphs`` paragraphs of one to three of the story's own sentences, in
    order, one for each stretch of its arc: what happened (its lead first), how it unfolded
    (sentences with numbers weigh a little more), what it means or what comes next (in the
    last). Each sentence is the most central of its stretch, to the stretch and the story;
    none is used twice or nearly repeated; no transition, sign-off or question. A story with
    too few such sentences gets one paragraph."""
    usable = [i for i, s in enumerate(sents) if summary_worthy(s.text)]
    if len(usable) < 2:
        return [summary_for(sents, emb, centroid)]
    span = sents[-1].end - sents[0].start
    k = max(2, min(max_paragraphs, round(span / LONG_PARAGRAPH_S), len(usable)))
    used: list[int] = []
    seen: set[str] = set()
    paragraphs = []
    for n, run in enumerate(_arc(usable, emb, k)):
        local = emb[run].mean(axis=0)
        local = local / (np.linalg.norm(local) + 1e-9)

        def score(i: int, n: int = n, local: np.ndarray = local) -> float:
            text = sents[i].text
            value = float(emb[i] @ centroid) + float(emb[i] @ local)
            value += 0.05 * bool(_NUMBER.search(text)) + (0.05 * bool(_FUTURE.search(text)) if n == k - 1 else 0.0)
            return value

        ranked = sorted(run, key=lambda i: -score(i))
        if n == 0:  # news says what happened first
            ranked = [run[0], *(i for i in ranked if i != run[0])]
        room = 1 + (len(run) >= 4) + (len(run) >= 7)
        chosen: list[int] = []
        length = 0
        for i in ranked:
            if len(chosen) >= room or (chosen and length + len(sents[i].text) > PARAGRAPH_CHARS):
                break
            key = " ".join(_strip_lead(sents[i].text).casefold().split())
            if key in seen or any(float(emb[i] @ emb[j]) > 0.92 for j in used):
                continue  # a sentence said again, or nearly
            chosen.append(i)
            used.append(i)
            seen.add(key)
            length += len(sents[i].text)
        if chosen:
            paragraphs.append(" ".join(_strip_lead(sents[i].text) for i in sorted(chosen)))
    return paragraphs


# -- the opening line and the episode's headline ----------------------------------------------

MAX_HEADLINE = 70
MAIN_TOPICS = 3


def topic_phrase(title: str, story_text: str) -> str:
    """A heading as a phrase inside a sentence: its first letter lower case unless the story
    writes that word with a capital mid-sentence (a name)."""
    words = title.split()
    first = words[0] if words else ""
    if not first[:1].isupper() or (first.isupper() and len(first) > 1):
        return title
    if len(words) > 1 and words[1][:1].isupper():
        return title  # "Port Carrow council ...": a name of two words
    named = re.search(rf"(?<=[a-z,] ){re.escape(first)}\b", story_text)
    return title if named else title[:1].lower() + title[1:]


def main_topics(titles: list[str], lengths: list[float], texts: list[str], most: int = MAIN_TOPICS) -> list[str]:
    """The ``most`` longest stories' headings, in the order told, as phrases."""
    keep = sorted(sorted(range(len(titles)), key=lambda k: -lengths[k])[:most])
    return [topic_phrase(titles[k].rstrip(".?!"), texts[k]) for k in keep]


def headline_for(title: str) -> str:
    """The lead story's heading as the episode's title (at most 70 characters)."""
    return _shorten(title.strip(), MAX_HEADLINE)
