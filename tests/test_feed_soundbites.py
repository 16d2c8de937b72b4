"""Each story of the show notes becomes a podcast:soundbite in the feed; lint checks them.
Also the small text pieces the notes and transcripts depend on: Whisper's word pieces
joined as read, Markdown escaping, repetition loops."""

from __future__ import annotations

import datetime as dt

import feedparser
from lxml import etree

from podkit.notes.writers import md
from podkit.publish.feed import PODCAST_NS, Channel, Item, Soundbite, build_feed, soundbites_for
from podkit.publish.lint import lint
from podkit.records import Segment, StoryEntry
from podkit.text import join_words, tidy
from podkit.transcribe.stream import LOOP_WORDS, looped_words


def test_soundbites_from_stories():
    stories = (
        StoryEntry(0.0, 40.0, "Intro", "", kind="intro"),
        StoryEntry(40.0, 230.5, "Ferry subsidy splits the council", "s"),
        StoryEntry(230.5, 262.0, "Sponsor", "", kind="sponsor"),
        StoryEntry(262.0, 300.0, "Wool store fire", "s"),
        StoryEntry(300.0, 310.0, "Bridge closed", "s", kind="short"),
        StoryEntry(310.0, 322.0, "A story under fifteen seconds", "s"),
        StoryEntry(322.0, 350.0, "Outro", "", kind="outro"),
    )
    assert soundbites_for(stories) == (
        Soundbite(40.0, 60.0, "Ferry subsidy splits the council"),
        Soundbite(262.0, 38.0, "Wool store fire"),
    )


def _feed(tmp_path, soundbites):
    channel = Channel(
        title="Harbour Desk",
        link="https://pod.example.org/",
        feed_url="https://pod.example.org/feed.xml",
        description="News from the harbour.",
        language="en",
        author="Ana",
        owner_name="Ana",
        owner_email="ana@example.org",
        image_url="https://pod.example.org/cover.png",
        category=("News", None),
        explicit=False,
    )
    item = Item(
        guid="ep-1",
        title="Episode 1",
        link="https://pod.example.org/episodes/ep-1/",
        pub_date=dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC),
        enclosure_url="https://pod.example.org/media/ep-1.mp3",
        enclosure_length=1000,
        duration=900,
        description="The week.",
        soundbites=soundbites,
    )
    path = tmp_path / "feed.xml"
    path.write_bytes(build_feed(channel, [item]))
    return path


def test_feed_carries_soundbites_escaped(tmp_path):
    bites = (Soundbite(40.0, 60.0, 'Tom & Jerry <live> at the "Wharf"'), Soundbite(262.0, 38.5, "Wool store fire"))
    path = _feed(tmp_path, bites)
    raw = path.read_text()
    assert "Tom &amp; Jerry &lt;live&gt;" in raw
    tree = etree.parse(str(path))
    found = tree.findall(f".//item/{{{PODCAST_NS}}}soundbite")
    assert [(b.get("startTime"), b.get("duration"), b.text) for b in found] == [
        ("40.0", "60.0", 'Tom & Jerry <live> at the "Wharf"'),
        ("262.0", "38.5", "Wool store fire"),
    ]
    assert feedparser.parse(raw).entries[0].title == "Episode 1"  # still a feed an app reads
    assert not [f for f in lint(path) if "soundbite" in f.where]
    assert path.read_bytes() == _feed(tmp_path, bites).read_bytes()  # stable output


def test_lint_checks_soundbites(tmp_path):
    path = _feed(tmp_path, (Soundbite(-1.0, 0.0, "Bad"), Soundbite(10.0, 200.0, "Long")))
    findings = [f for f in lint(path) if "soundbite" in f.where]
    levels = sorted((f.level, f.message.split()[0]) for f in findings)
    assert levels == [("error", "duration"), ("error", "startTime"), ("warning", "duration")]


def test_word_pieces_join_as_read():
    assert join_words(["900", ",000", "RMB"]) == "900,000 RMB"
    assert join_words([" a", " record", " 4", ",000", " runners."]) == "a record 4,000 runners."
    assert join_words(["$", "2", ".5", "million"]) == "$2.5 million"
    assert join_words(["cold", "-hearted"]) == "cold-hearted"
    assert join_words(["Mara", "'s", "show"]) == "Mara's show"
    assert join_words(["next,", "year", "the", "council"]) == "next, year the council"
    assert join_words(["(", "maybe", ")"]) == "(maybe)"
    assert tidy("a record 3 ,000 runners .") == "a record 3,000 runners."


def test_markdown_escapes_only_markup():
    assert md("4,000 runners. It rose 2.5%.") == "4,000 runners. It rose 2.5%."
    assert md("*great* and _x_ <b> [a](b) `c` |") == "\\*great\\* and \\_x\\_ \\<b\\> \\[a\\](b) \\`c\\` \\|"
    assert md("# not a heading") == "\\# not a heading"
    assert md("- not a list") == "\\- not a list"
    assert md("2026. A year") == "2026\\. A year"
    assert md("in 2026. A year") == "in 2026. A year"
    assert md("AT&T") == "AT&T" and md("&amp;") == "\\&amp;"


def test_repetition_loops_are_found():
    def seg(text: str) -> Segment:
        return Segment(0.0, 1.0, text, [])

    assert looped_words([seg("Caro My " * 6)]) >= LOOP_WORDS
    assert looped_words([seg("Caro My Caro My Caro"), seg("My Caro My Caro My Caro My")]) >= LOOP_WORDS
    assert looped_words([seg("no " * 10)]) >= 8
    ordinary = "No, no, no, it was very very late, and the council said the council would wait."
    assert looped_words([seg(ordinary)]) < LOOP_WORDS
