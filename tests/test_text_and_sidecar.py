"""Words back into text (``join_words``, ``tidy``), Markdown escaping (``md``), Whisper loop
detection (``looped_words``) and the sidecar's rundown (``[[stories]]``), through the API
and, for a bad rundown, through the real ``podkit notes --sidecar`` command."""

from __future__ import annotations

import json

import pytest

from podkit.config import load_sidecar
from podkit.errors import ConfigError
from podkit.notes.writers import md
from podkit.records import Link, RundownItem, Segment, Word
from podkit.text import join_words, tidy
from podkit.transcribe.stream import LOOP_WORDS, looped_words

from .cli_helpers import one_line_error
from .conftest import podkit, write_sidecar

# -- join_words / tidy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pieces,text",
    [
        (["900", ",000", "RMB"], "900,000 RMB"),
        (["a", "record", "4", ",000", "runners."], "a record 4,000 runners."),
        (["$", "2", ".5", "million"], "$2.5 million"),
        (["\u00a3", "5", "a", "head"], "\u00a35 a head"),
        (["50", "%"], "50%"),
        (["cold", "-hearted"], "cold-hearted"),
        (["Mara", "'s", "bike"], "Mara's bike"),
        (["we", "'re", "here"], "we're here"),
        (["don", "'t", "go"], "don't go"),
        (["co-", "op"], "co-op"),
        (["(", "see", "above", ")"], "(see above)"),
        (["[", "laughs", "]"], "[laughs]"),
        (["she", "said", "\u201c", "hello", "\u201d", "twice"], "she said \u201chello\u201d twice"),
        (["the", "end", "."], "the end."),
        (["really", "?"], "really?"),
    ],
)
def test_join_words_binds_punctuation_to_its_word(pieces, text):
    assert join_words(pieces) == text


def test_join_words_takes_pieces_with_whisper_spaces():
    # Whisper's word pieces carry a leading space where a new word starts.
    pieces = [" It", " was", " a", " record", " 4", ",000", " runners", "."]
    assert join_words(pieces) == "It was a record 4,000 runners."
    assert join_words([" 900", ",000", " RMB "]) == "900,000 RMB"
    assert join_words([" $", "2", ".5", " million"]) == "$2.5 million"
    assert join_words([" cold", "-hearted", " man"]) == "cold-hearted man"


def test_join_words_keeps_ordinary_words_apart():
    assert join_words(["hello", "world", "again"]) == "hello world again"
    assert join_words([" hello", " world"]) == "hello world"
    # A comma at the end of a piece does not glue the next word on.
    assert join_words(["next,", "year"]) == "next, year"
    assert join_words(["4,000", "runners"]) == "4,000 runners"
    # A hyphen inside a word does not glue either; only a trailing one does.
    assert join_words(["well-known", "fact"]) == "well-known fact"
    # A lone dash between words is a dash, not a hyphen.
    assert join_words(["rock", "-", "solid"]) == "rock - solid"
    # 's only binds as an apostrophe suffix, not as the start of a longer word.
    assert join_words(["the", "'sixties"]) == "the 'sixties"


def test_join_words_drops_empty_pieces_and_single_spaces():
    assert join_words(["", " ", "a", "  ", "b"]) == "a b"
    assert join_words([]) == ""
    assert "  " not in join_words([" a ", "  b  ", " c"])


def test_join_words_takes_any_iterable():
    assert join_words(w for w in ["3", ",000", "people"]) == "3,000 people"


def test_join_words_keeps_a_negative_number_apart():
    assert join_words([" It", " was", " -5", " degrees"]) == "It was -5 degrees"


@pytest.mark.parametrize(
    "text,want",
    [
        ("3 ,000 runners .", "3,000 runners."),
        ("end .", "end."),
        ("a , b", "a, b"),
        ("$2 .5 million", "$2.5 million"),
        ("Hello !", "Hello!"),
        ("  padded text  ", "padded text"),
        ("4,000 runners. It rose 2.5%.", "4,000 runners. It rose 2.5%."),
    ],
)
def test_tidy_removes_spaces_before_punctuation(text, want):
    assert tidy(text) == want


def test_tidy_leaves_spaces_between_words_and_after_punctuation():
    assert tidy("one, two. three") == "one, two. three"
    # A full stop that ends a sentence before a number is not a decimal point.
    assert tidy("It was 3. 5 more came.") == "It was 3. 5 more came."


# -- md: Markdown escaping ----------------------------------------------------------------------


def test_md_leaves_ordinary_prose_alone():
    for text in [
        "4,000 runners. It rose 2.5%.",
        "AT&T said yes (mostly); prices fell!",
        "a # b, C# and a - b",
        "x 1. y",
        "Mara's co-op: $2.5 million?",
    ]:
        assert md(text) == text
        assert "\\." not in md(text)


@pytest.mark.parametrize(
    "text,want",
    [
        ("*great*", "\\*great\\*"),
        ("_x_", "\\_x\\_"),
        ("<b>", "\\<b\\>"),
        ("[a](b)", "\\[a\\](b)"),
        ("`code`", "\\`code\\`"),
        ("a | b", "a \\| b"),
        ("back\\slash", "back\\\\slash"),
        ("&amp;", "\\&amp;"),
        ("&#35;", "\\&#35;"),
        ("AT&T", "AT&T"),
    ],
)
def test_md_escapes_inline_markup(text, want):
    assert md(text) == want


@pytest.mark.parametrize(
    "text,want",
    [
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("> quote", "\\> quote"),
        ("1. one", "1\\. one"),
        ("2026. was a year", "2026\\. was a year"),
        ("3) three", "3\\) three"),
    ],
)
def test_md_escapes_block_markers_at_line_start(text, want):
    assert md(text) == want


def test_md_escapes_block_markers_only_at_line_start():
    assert md("see # heading") == "see # heading"
    assert md("a - item") == "a - item"
    assert md("in 2026. was") == "in 2026. was"
    assert md("1 + 1 = 2") == "1 + 1 = 2"


def test_md_escapes_a_trailing_hash():
    assert md("issue #") == "issue \\#"
    assert md("C# and F#") == "C# and F\\#"
    assert md("We're #1") == "We're #1"


def test_md_escapes_block_markers_on_every_line():
    assert md("Line one.\n# not a heading") == "Line one.\n\\# not a heading"
    assert md("Line one.\n- not a list") == "Line one.\n\\- not a list"


def _plain_text(markdown: str) -> str:
    """What a CommonMark parser reads: the text of one paragraph, or fail if it sees markup."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], markdown
    children = tokens[1].children or []
    assert all(c.type in ("text", "softbreak") for c in children), [(c.type, c.content) for c in children]
    return "".join("\n" if c.type == "softbreak" else c.content for c in children)


ROUND_TRIP = [
    "4,000 runners. It rose 2.5%.",
    "*great* news and _x_ marks",
    "<b>bold</b> and <!-- a comment -->",
    "[a](b) and ![img](c) and <http://example.org>",
    "`code` and a | b",
    "# heading",
    "- item",
    "+ item",
    "> quote",
    "1. one",
    "2026. was a year",
    "3) three",
    "AT&T &amp; &#35; &copy;",
    "issue #",
    "C# and F#",
    "back\\slash and \\*",
    "***",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_md_renders_back_to_the_plain_text(text):
    pytest.importorskip("markdown_it", reason="reference check: markdown-it-py is not installed")
    assert _plain_text(md(text)) == text


@pytest.mark.parametrize("title", ["issue #", "C#", "*great* news", "Intro ##", "We're #1"])
def test_md_in_a_heading_renders_back_to_the_title(title):
    markdown_it = pytest.importorskip("markdown_it", reason="reference check: markdown-it-py is not installed")
    tokens = markdown_it.MarkdownIt("commonmark").parse("## " + md(title))
    assert [t.type for t in tokens] == ["heading_open", "inline", "heading_close"]
    assert [c.type for c in tokens[1].children] == ["text"]
    assert tokens[1].children[0].content == title


# -- looped_words: Whisper repetition loops ----------------------------------------------------------


def seg(text: str, start: float = 0.0, end: float = 5.0) -> Segment:
    words = text.split()
    step = (end - start) / max(len(words), 1)
    return Segment(start, end, text, [Word(start + i * step, start + (i + 1) * step, w) for i, w in enumerate(words)])


def test_a_phrase_loop_reaches_loop_words():
    loop = seg("Caro My Caro My Caro My Caro My Caro My Caro My")
    assert looped_words([loop]) >= LOOP_WORDS
    assert looped_words([loop]) == 12


def test_a_loop_after_real_speech_is_found():
    text = "Welcome back to the show. " + "Thank you. " * 8 + "And now the news."
    assert looped_words([seg(text)]) == 16 >= LOOP_WORDS


def test_ordinary_speech_with_repeats_is_below_loop_words():
    speech = [
        seg("No, no, no, that's not what I said at all."),
        seg("It was very very cold, and the the wind was strong."),
        seg("It is what it is, and that is that."),
    ]
    assert looped_words(speech) < LOOP_WORDS
    assert looped_words(speech) == 0
    assert looped_words([]) == 0


def test_a_single_word_counts_from_eight_repeats():
    assert looped_words([seg(" ".join(["okay"] * 10))]) == 10
    assert looped_words([seg(" ".join(["okay"] * 10))]) >= 8
    assert looped_words([seg(" ".join(["okay"] * 8))]) == 8
    assert looped_words([seg(" ".join(["okay"] * 7))]) == 0


def test_a_phrase_counts_from_four_repeats():
    assert looped_words([seg("we go " * 4)]) == 8
    assert looped_words([seg("we go " * 3)]) == 0
    assert looped_words([seg("one two three four " * 4)]) == 16
    assert looped_words([seg("one two three four " * 3)]) == 0


def test_case_and_punctuation_do_not_hide_a_loop():
    assert looped_words([seg("Caro my, caro My. CARO my! caro my? Caro My... caro MY")]) == 12


def test_a_loop_spread_across_two_segments_is_found():
    first = seg("So he sang Caro My Caro My Caro My", 0.0, 4.0)
    second = seg("Caro My Caro My Caro My", 4.0, 8.0)
    assert looped_words([first]) < LOOP_WORDS and looped_words([second]) < LOOP_WORDS
    assert looped_words([first, second]) >= LOOP_WORDS


# -- the sidecar's rundown ---------------------------------------------------------------------------


RUNDOWN = """
title = "Weekly roundup"

[[stories]]
title = "  The budget  "
summary = "Where the money goes."
links = [
  { title = "Budget paper", url = "https://example.org/budget" },
  { title = "Reaction", url = "http://news.example.com/r?id=1", description = "what they said" },
]

[[stories]]
title = "The marathon"

[[stories]]
title = "Weather"
summary = "Cold."
"""


def test_a_rundown_in_order_with_titles_summaries_and_links(tmp_path):
    side = load_sidecar(write_sidecar(tmp_path, RUNDOWN))
    assert side.stories is None
    assert side.title == "Weekly roundup"
    assert isinstance(side.rundown, tuple) and all(isinstance(r, RundownItem) for r in side.rundown)
    assert [r.title for r in side.rundown] == ["The budget", "The marathon", "Weather"]
    assert [r.summary for r in side.rundown] == ["Where the money goes.", "", "Cold."]
    budget, marathon, weather = side.rundown
    assert budget.links == (
        Link("Budget paper", "https://example.org/budget"),
        Link("Reaction", "http://news.example.com/r?id=1", "what they said"),
    )
    assert marathon.links == () and weather.links == ()
    assert side.links == ()  # the episode's own links are separate from the stories'
    assert side.to_dict()["rundown"][0] == {
        "title": "The budget",
        "summary": "Where the money goes.",
        "links": [
            {"title": "Budget paper", "url": "https://example.org/budget", "description": ""},
            {"title": "Reaction", "url": "http://news.example.com/r?id=1", "description": "what they said"},
        ],
    }


def test_stories_as_a_number_gives_no_rundown(tmp_path):
    side = load_sidecar(write_sidecar(tmp_path, "stories = 3"))
    assert side.stories == 3
    assert side.rundown == ()


def test_no_sidecar_gives_no_rundown(tmp_path):
    rec = tmp_path / "alone.mp3"
    rec.write_bytes(b"x")
    side = load_sidecar(rec)
    assert side.stories is None and side.rundown == ()


def test_a_bad_rundown_link_names_the_story_and_the_link(tmp_path):
    rec = write_sidecar(tmp_path, '[[stories]]\ntitle = "Budget"\nlinks = [{ title = "Paper", url = "ftp//x" }]')
    with pytest.raises(ConfigError, match="'stories' entry 'Budget': links entry 'Paper'"):
        load_sidecar(rec)


# -- through the command line: podkit notes --sidecar validates the rundown -----------------------------


def test_notes_with_a_bad_rundown_is_one_line_exit_2(tmp_path):
    src = tmp_path / "t.json"
    src.write_text(json.dumps({"version": "1.0.0", "segments": [{"startTime": 0, "endTime": 0.5, "body": "Hi."}]}))
    bad = tmp_path / "bad.toml"
    bad.write_text('[[stories]]\ntitle = "Budget"\nlinks = [{ title = "Paper", url = "ftp//x" }]\n')
    out = tmp_path / "out"
    proc = podkit("notes", str(src), "--sidecar", str(bad), "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    line = one_line_error(proc)  # one line, no traceback
    assert "bad.toml" in line and "ftp//x" in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "t.json"]

    bad.write_text('[[stories]]\ntitle = ""\n')
    proc = podkit("notes", str(src), "--sidecar", str(bad), "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    line = one_line_error(proc)
    assert "bad.toml" in line and "empty title" in line
    assert not out.exists()


def test_number_pieces_join_only_to_numbers():
    assert join_words(["2020", "-21", "season"]) == "2020-21 season"
    assert join_words(["about", ".5", "percent"]) == "about .5 percent"
    assert join_words(["It", "was", "-5", "degrees"]) == "It was -5 degrees"
    assert join_words(["well-", "known"]) == "well-known"


def test_md_escapes_strikethrough_and_setext():
    assert md("~~gone~~") == "\\~\\~gone\\~\\~"
    assert md("Title\n===") == "Title\n\\==="


def test_content_words_are_stemmed_and_skip_function_words():
    from podkit.text import content_words, stem

    assert stem("ferries") == stem("ferry") == "ferry"
    assert stem("crews") == "crew" and stem("boss") == "boss"
    assert content_words("The ferries and the crews said they would strike.") == ["ferry", "crew", "strike"]
    # a consonant doubled before -ing or -ed: "swimming" is "swim" (a double l, s or z stays)
    assert stem("swimming") == stem("swim") == "swim" and stem("planned") == stem("plans") == "plan"
    assert stem("called") == "call" and stem("fizzing") == "fizz" and stem("added") == stem("add") == "add"
    # verbs of going and coming name no subject: "went" was a story's most salient term
    assert content_words("I went to the pool and came back.") == ["pool"]


def test_british_and_american_spellings_of_a_word_meet():
    """The recogniser writes either spelling, even within one episode ("Recycling center
    ..." then "The centre asks ..."): both stem alike, and words that only look alike do not."""
    from podkit.text import stem

    pairs = [
        ("centre", "center"),
        ("centres", "centers"),
        ("theatres", "theaters"),
        ("harbours", "harbors"),
        ("neighbourhood", "neighborhood"),
        ("organised", "organized"),
        ("analyse", "analyze"),
        ("travelled", "traveled"),
        ("catalogue", "catalog"),
        ("defence", "defense"),
        ("programme", "program"),
        ("tonnes", "tons"),
        ("grey", "gray"),
    ]
    for british, american in pairs:
        assert stem(british) == stem(american), (british, american)
    for word, other in [("four", "for"), ("hour", "her"), ("acre", "acer"), ("central", "center"), ("meter", "met")]:
        assert stem(word) != stem(other), (word, other)


def test_unheard_speech_is_measured_in_gaps_between_words():
    """A window whose words skip a passage of speech is recognised (and done again)."""
    import numpy as np

    from podkit.transcribe.stream import UNHEARD_S, unheard

    rate = 16000
    rng = np.random.default_rng(1)
    speech = (0.1 * rng.standard_normal(20 * rate)).astype(np.float32)  # 20 s of "speech"
    audio = np.concatenate([speech, np.zeros(10 * rate, np.float32)])  # then 10 s of silence
    offset = 300.0  # the window's place in the recording: word times are on the file's clock

    def said(*spans):
        words = [Word(offset + a, offset + b, "word") for a, b in spans]
        return [Segment(words[0].start, words[-1].end, "word " * len(words), words)]

    every_second = said(*[(t, t + 1.0) for t in range(20)])
    assert unheard(every_second, audio, offset) == 0.0  # the trailing silence is no speech
    skipped = said(*[(t, t + 0.9) for t in range(5)], *[(t, t + 0.9) for t in range(15, 20)])
    assert 9.5 <= unheard(skipped, audio, offset) <= 10.5 and unheard(skipped, audio, offset) >= UNHEARD_S - 0.5
    assert unheard([], audio, offset) == 20.0
    short_gaps = said(*[(t, t + 0.9) for t in range(0, 20, 3)], (19.0, 20.0))  # 2.1 s gaps: pauses
    assert unheard(short_gaps, audio, offset) == 0.0


def test_a_loop_is_said_once_and_the_speech_around_it_kept():
    """What Whisper invents in a loop ("Mm-hmm." over a passage, split into "Mm" "-hmm." as
    it writes the words) is said once; the real words before and after, and the other
    segments, are kept with their times."""
    from podkit.transcribe.stream import drop_loops

    before = seg("So ten months of runway, not the three years people assumed.", 150.0, 159.0)
    loop = Segment(
        160.0, 164.0, "", [Word(160.0 + k * 0.1, 160.05 + k * 0.1, t) for k, t in enumerate(["Mm", "-hmm."] * 20)]
    )
    loop.text = " ".join(w.text for w in loop.words)
    after = seg("Told us the round was priced for a boom.", 164.0, 166.0)
    out = drop_loops([before, loop, after])
    assert [s.text for s in out] == [before.text, "Mm-hmm.", after.text]
    assert out[1].end == pytest.approx(160.15) and out[1].start == 160.0
    assert looped_words(out) == 0
    # ordinary speech with repeats is left alone, segments and all
    speech = [seg("No, no, no, that's not what I said at all."), seg("It was very very cold.")]
    assert drop_loops(speech) == speech and [s.text for s in speech][1] == "It was very very cold."
