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
_ATTACHES = re.compile(r"^(?:[,.;:!?%)\]}\u2019\u201d]|'(?:s|re|ve|ll|d|m|t)\b|-\w|\.\d|,\d)", re.I)
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
        if out and not _ATTACHES.match(word) and not _OPENS.search(out):
            out += " "
        out += word
    return out


def tidy(text: str) -> str:
    """Text with the spaces Whisper's pieces left before punctuation removed ("3 ,000",
    "end ." -> "3,000", "end.")."""
    text = re.sub(r"(\d) ([.,]\d)", r"\1\2", text)
    return re.sub(r"\s+([,.;:!?%)\]}])(?=\s|$|[,.;:!?])", r"\1", text).strip()
