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
from collections.abc import Callable, Iterable, Sequence
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

    def close(run: list[str], start: int) -> None:
        """Keep a finished run: without the joining words at its end, and a clause's common
        first word alone left out."""
        while run and run[-1].casefold() in _JOINERS:
            run.pop()
        if run and not (len(run) == 1 and start == 0 and common(run[0])):
            found.append(" ".join(run))

    for clause in _CLAUSE.split(_clean(text)):
        words = _WORD.findall(clause)
        run: list[str] = []
        start = 0
        for i, word in enumerate([*words, ""]):
            # An acronym after a word ("Pacehaven EUR 40 million", "Apple CEO") is no part of
            # that word's name: the run ends before it, and it stands alone.
            acronym = len(word) > 1 and word.isupper() and word.isalpha()
            if acronym and run and not run[-1].isupper():
                close(run, start)
                run = []
            if word[:1].isupper() and word.casefold() not in _COMMON:
                if not run:
                    start = i
                run.append(word)
            elif run and word.casefold() in _JOINERS:
                run.append(word)
            else:
                close(run, start)
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


# -- names the engine wrote in another spelling -------------------------------------------------

RESPELL_SIMILARITY = 0.8  # how alike a heard run and a name must sound (0-1) to be respelt
RESPELL_MIN_LETTERS = 5  # a shorter one-word name is respelt only where it was split in two
# Everyday words alone ("salt market key") stand for a name of two or more words only when
# they sound this close to it; for a one-word name never ("looking" is not "Luoxing").
RESPELL_PLAIN_SIMILARITY = 0.88
_PUNCTUATION = ".,;:!?\"“”‘’'()[]-–—"
_POSSESSIVE = re.compile(r"['’]s$", re.I)
_SOUNDS = (("ph", "f"), ("ck", "k"), ("q", "k"), ("c", "k"), ("z", "s"), ("x", "ks"), ("y", "i"), ("our", "or"))


def _letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isalpha())


def _sound(letters: str) -> str:
    """A spelling's rough sound: common English letter groups that say the same thing made one,
    doubled letters single, a final silent e dropped ("Vale" and "vail" -> "val", "vail")."""
    for a, b in _SOUNDS:
        letters = letters.replace(a, b)
    letters = re.sub(r"(.)\1+", r"\1", letters)
    return letters[:-1] if len(letters) > 3 and letters.endswith("e") else letters


def _skeleton(sound: str) -> str:
    """The consonants of a sound after its first letter: what a misheard name keeps."""
    return sound[:1] + re.sub(r"[aeiou]", "", sound[1:])


def _alike(heard: str, name: str) -> float:
    from difflib import SequenceMatcher

    a, b = _sound(heard), _sound(name)
    if a[:1] != b[:1]:
        return 0.0
    spelled = SequenceMatcher(None, a, b).ratio()
    consonants = SequenceMatcher(None, _skeleton(a), _skeleton(b)).ratio()
    return (spelled + consonants) / 2


def respellings(words: Sequence[str], vocabulary: Iterable[str]) -> list[tuple[str, str]]:
    """Where the engine wrote one of the vocabulary's names in another spelling ("Imogen Vail",
    "Tally weave", "Corvain"), the (heard, name) pairs to correct, as ``[corrections]`` do.

    ``words`` is the transcript's words in order. A run of words is taken for a name when it
    has the name's letters split otherwise ("Pace Haven"), or when it sounds alike
    (``RESPELL_SIMILARITY``: spelling and consonants compared after folding letter groups that
    say the same, same first sound, about the same length) and holds at least one word that is
    not an everyday word: "for the" never becomes "Forth", nor "March" "Marsh". A run never
    crosses a sentence's end; one-word names under ``RESPELL_MIN_LETTERS`` letters are only
    joined, never respelt. A heard form that two names fit equally well is left alone."""
    names = []
    for term in terms(vocabulary):
        parts = term.split()
        names.append((term, "".join(_letters(_POSSESSIVE.sub("", w)) for w in parts), len(parts)))
        if 1 < len(parts) <= 3 and all(p[:1].isupper() for p in parts):
            # A person's or place's name is also said in part: "Okafor" once "Marisol Okafor"
            # has been introduced. Only uncommon parts, long enough to be told apart.
            for part in dict.fromkeys((parts[0], parts[-1])):
                letters = _letters(part)
                if len(letters) >= RESPELL_MIN_LETTERS and not common(part):
                    names.append((part, letters, 1))
    names = [(t, letters, n) for t, letters, n in dict.fromkeys(names) if letters]
    if not names:
        return []
    known = {letters for _, letters, _ in names}  # a name as said is never respelt as another
    bare = [w.strip(_PUNCTUATION) for w in words]
    keys = [_letters(_POSSESSIVE.sub("", w)) for w in bare]  # "Santiago's" is the name, said
    # An everyday word, but not a fragment Whisper marks as one ("tally -wee"): a name it broke.
    everyday = [not k or (common(b) and not w.startswith("-")) for w, b, k in zip(words, bare, keys, strict=True)]

    def alike(i: int, k: int, letters: str) -> float:
        heard = "".join(keys[i : i + k])
        return 1.0 if heard == letters else _alike(heard, letters) if heard else 0.0

    def fit(i: int, k: int, letters: str, n: int) -> float:
        """How well words[i:i+k] stand for a name of n words with these letters (0: not)."""
        run = words[i : i + k]
        if (
            len(run) < k
            or not all(keys[i : i + k])
            or any(w.rstrip("\"”')").endswith((".", ",", ";", ":", "?", "!")) for w in run[:-1])
        ):
            return 0.0  # a name does not run across punctuation
        heard = "".join(keys[i : i + k])
        if heard == letters:
            return 0.0 if k == n else 1.0  # the name itself, or its letters split otherwise: "Pace Haven"
        if not heard or k < n or heard in known:
            return 0.0  # fewer words than the name only where they hold its letters: "Portcarrow"
        if abs(len(heard) - len(letters)) > (max(2, len(letters) // 5) if k == n else 2):
            return 0.0
        if n == 1 and len(letters) < RESPELL_MIN_LETTERS:
            return 0.0
        score = _alike(heard, letters)
        plain = all(everyday[i : i + k])
        if score < RESPELL_SIMILARITY or (plain and (n == 1 or score < RESPELL_PLAIN_SIMILARITY)):
            return 0.0
        # One word more than the name ("salt market key" for "Saltmarket Quay") only where
        # both its ends belong to it: not "Distillery in", "to The Daily Six".
        if k > n and score <= max(alike(i, k - 1, letters), alike(i + 1, k - 1, letters)):
            return 0.0
        return score

    best: dict[str, tuple[float, str | None]] = {}
    for i in range(len(words)):
        for name, letters, n in names:
            # The run that fits best here; as many words as the name has where two fit as well.
            score, k = max((fit(i, k, letters, n), -abs(k - n), k) for k in {max(1, n - 1), n, n + 1})[::2]
            if score <= 0.0:
                continue
            form = " ".join(bare[i : i + k])
            key = form.casefold()
            if key == name.casefold():
                continue
            was = best.get(key)
            if was is None or score > was[0]:
                best[key] = (score, name)
            elif score == was[0] and was[1] != name:
                best[key] = (score, None)  # two names fit as well: neither
    return [(heard, name) for heard, (_, name) in best.items() if name is not None]
