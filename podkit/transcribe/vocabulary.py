"""The show's vocabulary as the words Whisper is given before each window of a recording.

``TranscribeOptions.vocabulary`` holds what podkit gathers for an episode: the show's own
``vocabulary``, its title, author and hosts, the episode's speakers, its title, description,
link titles and rundown titles. ``glossary`` turns that into one short line of names,
``"Mara Quill, Theo Brandt, Riverside, Skylark."``, and ``lead`` puts it in front of the
previous window's last words, the prompt each window is transcribed with: the names first,
the words just said after them, shortened at their start so that the two fit in
``PROMPT_TOKENS`` (Whisper keeps only a prompt's last 223 tokens: text after the names would
otherwise push them out). Whisper conditions every later 30-second stretch of the window on
what it wrote before, so a name once heard right stays right.

Measured on the evaluation corpus (bench/vocabulary.py), this form beat faster-whisper's
``hotwords`` (the glossary in front of every 30-second stretch): with ``hotwords`` tiny.en
skipped whole passages (word error on a 15-minute roundup 0.22 -> 0.37, and 0.44 without the
previous text), while the prompt kept it at 0.22 and recalled as many names.

Only names go in: a short entry made of capitalised words ("Mara Quill", "Circuit and Coin")
or one uncommon word ("podkit") is kept whole; from a longer one (a story title, a
description) only its runs of capitalised words ("Port Carrow City Council"), a sentence's
first word only when it is not a common word ("Tallyweave lays off 140 ..." gives
"Tallyweave"; "Council deadlocks over ..." nothing). Whole titles in the prompt cost room and
get written where they were not said. A word is common when Whisper's byte-pair vocabulary has
it, lower case, as one token: the model needs no help with those. Entries are deduplicated
case-insensitively, a single word already in a kept phrase is left out, and the line is held
to ``MAX_TOKENS``, whole names only.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

MAX_TOKENS = 100  # the glossary's length in Whisper tokens, at most
PROMPT_TOKENS = 200  # the glossary and the previous words together, at most (Whisper keeps 223)
NAME_WORDS = 6  # an entry of at most this many capitalised words is one name, kept whole

# Small words that start or join sentences: never a name on their own, whatever the tokenizer.
_COMMON_WORDS = """a an the and but or nor so yet i i'm we our you your he she it its they their them this
    that these those here there what when where why how who which if then than of to in on at by
    for with from as is are was were be been has have had do does did not no my me his her us new
    after before over under up down out off into about more most all any some each every one two
    three four five six seven eight nine ten first second third next last also plus hello hi hey
    good welcome today"""
_COMMON = frozenset(_COMMON_WORDS.split())
# Lower-case words that may sit inside a name: "Bank of England", "Circuit and Coin".
_JOINERS = frozenset({"of", "and", "&", "de", "del", "da", "di", "du", "la", "le", "van", "von", "der"})
_WORD = re.compile(r"[^\W_](?:[\w'’.&+-]*[^\W_])?")
_CLAUSE = re.compile(r"(?<=[.!?])\s+|\s+[-–—]\s+|[,;:()\[\]{}\"“”«»|/]")


@functools.lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], int] | None:
    """Whisper's English byte-pair tokenizer (the bundled tiny.en's, which every checkout has):
    text -> its number of tokens. None where it cannot be loaded."""
    try:
        import tokenizers

        from .models import resolve

        folder = resolve("tiny.en").ct2_dir
        tok = tokenizers.Tokenizer.from_file(str(Path(folder or ".") / "tokenizer.json"))
    except Exception:  # noqa: BLE001 - any failure: fall back to counting characters
        return None
    return lambda text: len(tok.encode(text, add_special_tokens=False).ids)


def tokens(text: str) -> int:
    """``text``'s length in Whisper tokens (about one per 3 characters where no tokenizer loads)."""
    count = _tokenizer()
    return count(text) if count else -(-len(text) // 3)


def common(word: str) -> bool:
    """Whether ``word`` is an everyday word: a stop word, or one Whisper token in lower case."""
    key = re.sub(r"['’]s$", "", word.casefold())
    if key in _COMMON:
        return True
    count = _tokenizer()
    return count is not None and count(" " + key) == 1


def _clean(text: str) -> str:
    """One line of plain text: Unicode compatibility forms folded, control and symbol characters
    (markup, emoji, quotes) turned to spaces, runs of space collapsed."""
    text = re.sub(r"<[^<>]*>", " ", unicodedata.normalize("NFKC", text))
    text = "".join(c if unicodedata.category(c)[0] in "LNPZ" or c in "&+$" else " " for c in text)
    text = re.sub(r"[\"“”«»<>\[\]{}|\\^`~*#_=]", " ", text)
    return " ".join(text.split())


def _is_name(words: list[str]) -> bool:
    """A whole entry that is one name: a single uncommon word in any case ("podkit", "iPhone"),
    or a few capitalised words ("Mara Quill", "Circuit and Coin")."""
    if len(words) == 1:
        return not common(words[0])
    return (
        0 < len(words) <= NAME_WORDS
        and words[0][:1].isupper()
        and all(w[:1].isupper() or w[:1].isdigit() or w.casefold() in _JOINERS for w in words)
    )


def names_in(text: str) -> list[str]:
    """The runs of capitalised words in a longer text, in order: its names. A run is cut at
    punctuation and never ends on a joining word; a clause's first word alone is a name only
    when it is not a common word (a title's or sentence's capital)."""
    found: list[str] = []
    for clause in _CLAUSE.split(_clean(text)):
        words = _WORD.findall(clause)
        run: list[str] = []
        start = 0
        for i, word in enumerate([*words, ""]):
            if word[:1].isupper() and word.casefold() not in _COMMON:
                if not run:
                    start = i
                run.append(word)
            elif run and word.casefold() in _JOINERS:
                run.append(word)
            else:
                while run and run[-1].casefold() in _JOINERS:
                    run.pop()
                if run and not (len(run) == 1 and start == 0 and common(run[0])):
                    found.append(" ".join(run))
                run = []
    return found


def terms(vocabulary: Iterable[str]) -> list[str]:
    """The names in ``vocabulary``, each once (case-insensitively), in the order given: short
    name entries whole, the names in longer ones (``names_in``); a one-word name already part
    of a kept phrase is left out."""
    kept: list[str] = []
    keys: set[str] = set()
    inside: set[str] = set()
    for entry in vocabulary:
        text = _clean(entry).strip(" ,;:.!?-–—'’")
        words = text.split()
        for term in [text] if _is_name(words) else names_in(text):
            term = term.strip(" ,;:.!?-–—'’")
            key = term.casefold()
            if not any(c.isalpha() for c in term) or key in keys or (" " not in key and key in inside):
                continue
            keys.add(key)
            inside.update(key.split())
            kept.append(term)
    return kept


def glossary(vocabulary: Iterable[str], max_tokens: int = MAX_TOKENS) -> str | None:
    """``vocabulary`` as one line for Whisper's context: ``"Mara Quill, Skylark, Riverside."``,
    at most ``max_tokens`` tokens (a name that does not fit is left out, whole); None when it holds no name."""
    line = ""
    for term in terms(vocabulary):
        longer = f"{line}, {term}" if line else term
        if tokens(f" {longer}.") <= max_tokens:
            line = longer
    return f"{line}." if line else None


def lead(line: str | None, previous: str | None, max_tokens: int = PROMPT_TOKENS) -> str | None:
    """A window's prompt: the glossary ``line``, then the ``previous`` window's last words, cut
    at their start (whole words) so that both fit in ``max_tokens``. Without a glossary, the
    previous words unchanged."""
    if not line:
        return previous
    words = (previous or "").split()
    room = max_tokens - tokens(" " + line)
    while words and tokens(" " + " ".join(words)) > room:
        words = words[max(1, len(words) // 8) :]  # an eighth at a time: a few tokenizer calls
    return " ".join([line, *words])
