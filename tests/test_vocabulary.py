"""The show's vocabulary: the glossary line built from it, and the real tiny.en spelling an
invented name right with it (espeak-ng speech) where it misspells it without."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from podkit.transcribe import TranscribeOptions, transcribe_file
from podkit.transcribe.vocabulary import MAX_TOKENS, PROMPT_TOKENS, glossary, lead, names_in, respellings, terms, tokens

from .conftest import ffmpeg


def test_short_names_kept_whole_and_deduplicated_case_insensitively():
    vocab = ["Mara Quill", "Skylark", "mara quill", "SKYLARK", "Theo Brandt", "Mara Quill"]
    assert terms(vocab) == ["Mara Quill", "Skylark", "Theo Brandt"]
    assert glossary(vocab) == "Mara Quill, Skylark, Theo Brandt."


def test_a_single_name_word_already_in_a_phrase_is_left_out():
    assert terms(["Port Carrow City Council", "Carrow", "Port Carrow"]) == ["Port Carrow City Council", "Port Carrow"]


def test_names_pulled_out_of_titles_and_sentences():
    # A title's first word is a name only when it is not an everyday word.
    assert names_in("Tallyweave lays off 140 a month after $85 million raise") == ["Tallyweave"]
    assert names_in("Council deadlocks over Gullhaven ferry subsidy in budget") == ["Gullhaven"]
    assert names_in("Chip factory plan stirs water fears in Dunmore Wells") == ["Dunmore Wells"]
    # Runs are cut at punctuation, joiners stay inside a name but never end one.
    assert names_in("A visit to the Bank of England, then Port Carrow and") == ["Bank of England", "Port Carrow"]
    assert names_in(
        "Riverside puts solar panels on every school roof, the Skylark weather station software forecasts "
        "offline, and the central library lends telescopes."
    ) == ["Riverside", "Skylark"]
    # A sentence of common words has no names; nor does a short title in sentence case.
    assert terms(["The public library lends telescopes", "Choir wins national competition", "Intro"]) == []


def test_single_word_entries_in_any_case_but_not_everyday_words():
    assert terms(["podkit", "iPhone", "Intro", "library"]) == ["podkit", "iPhone"]


def test_odd_characters_are_cleaned():
    vocab = [
        "  Mara\tQuill\n",
        '<b>"Skylark"</b> beta',
        "Zoë Ångström",
        "Café 😀 Noir",
        "\x00\x07",
        "",
        "Obscura|Labs{}",
    ]
    line = glossary(vocab)
    assert line is not None
    assert line == "Mara Quill, Skylark, Zoë Ångström, Café Noir, Obscura Labs."
    assert not re.search(r"[\x00-\x1f\"<>{}|]", line)


def test_empty_vocabulary_gives_no_glossary():
    assert glossary([]) is None
    assert glossary(["", "   ", "the", "$85 million"]) is None


def test_the_glossary_is_capped_in_tokens_whole_names_only():
    names = [f"Quellington{chr(65 + i % 26)}{chr(65 + i // 26)}x Vorn" for i in range(200)]
    line = glossary(names)
    assert line is not None and line.endswith(".")
    assert tokens(" " + line) <= MAX_TOKENS
    kept = line[:-1].split(", ")
    assert kept == names[: len(kept)] and 5 < len(kept) < 200
    assert glossary(names, max_tokens=10) == f"{names[0]}."
    # A name longer than the cap is left out; a later one that fits still goes in.
    assert glossary(["Alpha " * 30 + "Beta", "Skylark"], max_tokens=20) == "Skylark."


def test_the_prompt_leads_with_the_names_and_cuts_the_previous_words_at_their_start():
    said = " ".join(f"word{i}" for i in range(400))
    prompt = lead("Mara Quill, Skylark.", said)
    assert prompt is not None and prompt.startswith("Mara Quill, Skylark. ")
    assert prompt.endswith("word399") and "word0 " not in prompt
    assert tokens(" " + prompt) <= PROMPT_TOKENS
    assert lead("Mara Quill.", "we spoke to her") == "Mara Quill. we spoke to her"
    assert lead("Mara Quill.", None) == "Mara Quill."
    # No vocabulary: the previous words exactly as before, and no prompt where there were none.
    assert lead(None, said) == said and lead(None, None) is None


# -- the real engine -------------------------------------------------------------------------

SENTENCE = (
    "Welcome back to the show. Today Mara Quill talks to Tessaly Vorn about the Skylark weather "
    "station, and what Brindlemoor council plans next."
)
NAMES = ("Tessaly Vorn", "Brindlemoor")


def _respelt(text: str, *vocabulary: str) -> dict[str, str]:
    return dict(respellings(text.split(), vocabulary))


def test_names_written_otherwise_are_respelt():
    vocab = ("Imogen Vale", "Saltmarket Quay", "Pacehaven", "Marcus Reddy", "Port Carrow")
    said = "Imogen Vail reports from salt market key. Tickets in Pace Haven rose, says mark us ready of Port Caro."
    assert _respelt(said, *vocab) == {
        "imogen vail": "Imogen Vale",
        "salt market key": "Saltmarket Quay",
        "pace haven": "Pacehaven",
        "mark us ready": "Marcus Reddy",
        "port caro": "Port Carrow",
        # A name's uncommon parts are names too, said alone: wherever "Caro" was heard alone.
        "caro": "Carrow",
        "salt market": "Saltmarket",
    }
    # A name of the vocabulary as heard is never respelt as another ("Kelloway" is not "Calloway").
    assert _respelt("Kelloway Point and the Calloway Wool Store", "Kelloway Point", "Calloway Wool Store") == {}
    # A possessive is the name said, not another spelling; the name itself is left as it is.
    assert _respelt("Santiago's plant and Imogen Vale's report", "Santiago", "Imogen Vale") == {}


@pytest.mark.parametrize(
    ("said", "vocabulary"),
    [
        ("we were looking at it", ("Luoxing",)),  # an everyday word never becomes a one-word name
        ("the march went on", ("Owen Marsh", "Marsh")),
        ("a tour of the Distillery in town", ("Distillery",)),  # never swallows the word beside it
        ("welcome to The Daily Six", ("The Daily Six",)),
        ("sales in the series rose", ("Series C",)),  # never half a name
        ("Imogen. Vail said so", ("Imogen Vale",)),  # never across a sentence's end
        ("Wrenn said", ("Wren",)),  # a short one-word name is only ever joined
        ("Carro said", ("Carron", "Carrow")),  # two names fit as well: neither
        ("", ("Imogen Vale",)),
        ("Imogen Vail", ()),
    ],
)
def test_what_is_not_respelt(said, vocabulary):
    assert _respelt(said, *vocabulary) == {}


def test_a_short_name_split_in_two_is_joined():
    assert _respelt("the Wr en report", "Wren") == {"wr en": "Wren"}


@pytest.fixture(scope="module")
def invented_names(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("vocab")
    wav = folder / "names.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), SENTENCE], check=True)
    out = folder / "names.mp3"
    ffmpeg("-i", str(wav), "-ac", "1", "-ar", "44100", str(out))
    return out


@pytest.mark.slow
def test_tiny_en_spells_invented_names_only_with_the_vocabulary(invented_names):
    plain = " ".join(s.text for s in transcribe_file(invented_names).segments)
    vocab = ("Weekly Roundup", "Mara Quill", "Tessaly Vorn", "Brindlemoor council lends telescopes")
    told = transcribe_file(invented_names, TranscribeOptions(vocabulary=vocab))
    heard = " ".join(s.text for s in told.segments)
    for name in NAMES:
        assert name not in plain, plain
        assert name in heard, heard
    # The rest is heard as well as before, and the glossary is not written into the transcript.
    assert "weather station" in heard.lower() and "Weekly Roundup" not in heard
    assert all(w.end > w.start for s in told.segments for w in s.words)


def test_an_acronym_after_a_name_is_not_part_of_it():
    assert names_in("Regulator fines Pacehaven EUR 40 million") == ["Pacehaven", "EUR"]
    assert names_in("a report from NASA and the BBC") == ["NASA", "BBC"]
