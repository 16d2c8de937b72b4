"""Words back into text, as a reader expects it.

Whisper's word timings split some words at punctuation: "3,000" comes as "3" and ",000",
"cold-hearted" as "cold" and "-hearted", "Mara's" as "Mara" and "'s". Joined with a space
each, they would read "3 ,000". ``join_words`` puts every piece that starts with
punctuation against the word before it, so numbers, currency and units read as in the
transcript ("4,000", "$2.5 million", "900,000 RMB") wherever podkit writes words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# A piece that continues the word before it: closing punctuation, a comma or full stop
# inside a number, a hyphenated or apostrophe continuation.
_ATTACHES = re.compile(r"^(?:[,;:!?%)\]}\u2019\u201d]|\.(?!\d)|'(?:s|re|ve|ll|d|m|t)\b|-[^\W\d]|,\d)", re.I)
# Pieces that continue a number only: ".5" after "2" is "2.5", "-21" after "2020" is
# "2020-21"; after a word they start one ("about .5", "it was -5 degrees").
_NUMBER_TAIL = re.compile(r"^[.-]\d")
# A piece after which the next one attaches with no space: an opening bracket or quote, a
# currency sign, a hyphen at the end of a word ("co-" + "op").
_OPENS = re.compile(r"(?:[(\[{$\u00a3\u20ac\u00a5\u2018\u201c]|\w-)$")


def join_words(words: Iterable[str]) -> str:
    """The pieces, each stripped, joined with single spaces except where punctuation binds them."""
    out = ""
    for raw in words:
        word = raw.strip()
        if not word:
            continue
        attaches = _ATTACHES.match(word) or (_NUMBER_TAIL.match(word) and out[-1:].isdigit())
        if out and not attaches and not _OPENS.search(out):
            out += " "
        out += word
    return out


def ends_sentence(word: str) -> bool:
    """Whether a transcript word closes a sentence: it ends with ".", "?" or "!", before any
    closing quote or bracket."""
    return word.rstrip("\"')\u201d\u2019]").endswith((".", "?", "!"))


def tidy(text: str) -> str:
    """Text with the spaces Whisper's pieces left before punctuation removed ("3 ,000",
    "end ." -> "3,000", "end.")."""
    text = re.sub(r"(\d) ([.,]\d)", r"\1\2", text)
    return re.sub(r"\s+([,.;:!?%)\]}])(?=\s|$|[,.;:!?])", r"\1", text).strip()


# Words that name no subject: function words, reporting verbs, time words, fillers. What is
# left of a sentence without them is what it is about (its people, places and things).
_STOP_TEXT = """a an the and or but so of to in on at for with from by as is are was were be been being it its
    this that these those there here they them their we our us you your he she his her i me my mine not no yes
    do does did done have has had will would can could should may might must just also very really quite more
    most much many some any all about into over after before than then now well what which who whom whose when
    where why how said says say told tell get got going go goes one two three first last next week year today
    yesterday if because while though although up down out off again still even only own same other such too
    back make made like know think thing things way lot bit people time good new see thanks thank okay right yeah
    went come came comes take took taken put give gave keep kept want need let seem seems look feel felt"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


_WORD = re.compile(r"[a-z][a-z'-]+")


# British and American spellings of one word meet (the recogniser writes either, even within
# one episode: "Recycling center ..." then "The centre asks ..."): each pattern is applied to
# a stem, which it rewrites to one spelling.
_SPELLINGS = (
    (
        re.compile(
            r"^(colo|harbo|neighbo|labo|favo|hono|humo|rumo|behavio|flavo|armo|endeavo|odo|vigo|parlo|"
            r"savio|glamo|splendo|valo|vapo|clamo)ur"
        ),
        r"\1r",
    ),
    (re.compile(r"^(cent|theat|met|kilomet|centimet|millimet|lit|fib|calib|spect|sab|somb|meag|lust)re?$"), r"\1er"),
    (re.compile(r"(?<=\w{3})([iy])s(e?)$"), r"\1z\2"),  # organise, analyse
    (re.compile(r"(?<=\w{3}[aeiou])ll$"), "l"),  # travelled, cancelling, labelled
    (re.compile(r"(?<=\w{2})ogue$"), "og"),  # catalogue, dialogue
    (re.compile(r"^(defen|offen|licen|preten)ce$"), r"\1se"),
)
_SPELLED = {
    "programme": "program",
    "tonne": "ton",
    "tonn": "ton",
    "grey": "gray",
    "aluminium": "aluminum",
    "tyre": "tire",
    "kerb": "curb",
}


def _one_spelling(word: str) -> str:
    if word in _SPELLED:
        return _SPELLED[word]
    for pattern, repl in _SPELLINGS:
        word = pattern.sub(repl, word)
    return word


def stem(word: str) -> str:
    """A light English stem, enough that "ferry"/"ferries" and "crew"/"crews" meet, and
    British and American spellings of a word ("centre"/"center", "harbours"/"harbors",
    "organised"/"organized") too."""
    word = word.strip("'-").removesuffix("'s")
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            base = word[: -len(suffix)] + repl
            # the consonant doubled before -ing/-ed: "swimming", "planned" meet "swim", "plan"
            if suffix in ("ing", "ed") and len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "aeioulsz":
                base = base[:-1]
            return _one_spelling(base)
    return _one_spelling(word)


def content_words(text: str) -> list[str]:
    """The stems of the words that name something (not in STOP_WORDS), in order."""
    return [stem(w) for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in STOP_WORDS]
