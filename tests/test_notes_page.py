"""The show-notes page a producer publishes: byline and date, an opening line naming the
guests, the show's own text before and after the stories, stories told in paragraphs, links
labelled with their language; read back from the HTML (lxml), the feed (feedparser, XPath)
and the .notes.md."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree, html

from podkit.config import load_show
from podkit.config.sidecar import load_sidecar
from podkit.errors import ConfigError
from podkit.notes import NotesOptions, make_notes
from podkit.notes.language import date_label, language_name, opening_line
from podkit.notes.stories import Notes, Story, headline
from podkit.notes.writers import dress, read_markdown, to_html, to_markdown, write_notes
from podkit.publish import PublishedEpisode, publish
from podkit.records import Link, Person

from .conftest import SAMPLE, SAMPLE_SIDECAR, make_show, podkit, write_sidecar
from .test_notes_kinds import FERRY, FIRE, INTRO, OUTRO, ROBOTS, SHORT, SPONSOR, _episode

NS = {"podcast": "https://podcastindex.org/namespace/1.0"}
BEFORE = "Feel free to [contact us](mailto:desk@example.com) if you have insights on {title}. Dig in!"
AFTER = "Thanks to {guests}. <script>alert(1)</script> Published {date}."
GUIDE = Link("The Guide to WeChat Account Setup", "https://example.com/guide", label="Read it here", language="en")


def _page_notes() -> Notes:
    notes = Notes(
        [
            Story(0.0, 20.0, "Intro", "", "", kind="intro"),
            Story(
                20.0,
                140.0,
                "Show your face to enter: convenient or scary?",
                "A court ruled on face scans at a park.\n\nThe park took 900,000 RMB in fees; *shoppers* split.\n\n"
                "Rules on face data come next year.",
                "",
                [
                    Link("Court ruling", "https://example.com/ruling", label="Read more", language="zh-Hant"),
                    Link("Analysis", "https://example.com/analysis", "about it", language="en"),
                    Link("Plain", "https://example.com/plain"),
                ],
            ),
            Story(140.0, 150.0, "The guide to WeChat account setup", "We wrote a guide.", "", [GUIDE], "short"),
            Story(150.0, 160.0, "Outro", "", "", kind="outro"),
        ],
        [Link("Loose", "https://example.com/loose")],
        "This week, Kejie joined us to talk about face scans.",
    )
    return dress(
        notes,
        host="Mara Quill",
        date=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC),
        guests=["Kejie", "Ana *Bold*"],
        title="Face scans",
        before=BEFORE,
        after=AFTER,
    )


def test_language_words():
    assert language_name("en") == "English" and language_name("zh-Hant") == "Chinese (Traditional)"
    assert language_name("en", "fr") == "anglais" and language_name("xx") == "xx"
    assert date_label(dt.date(2026, 11, 20)) == "20 November 2026"
    assert date_label(dt.date(2026, 11, 20), "es") == "20 de noviembre de 2026"
    assert date_label(dt.date(2026, 11, 20), "ja") == "2026-11-20"
    assert opening_line(["Kejie"], ["fake bird nests", "facial-recognition trends in China"]) == (
        "This week, Kejie joined us to talk about fake bird nests and facial-recognition trends in China."
    )
    assert opening_line([], ["a", "b", "c"]) == "This week: a, b and c."
    assert opening_line(["A", "B"], []) == "This week, A and B joined us."


def test_notes_markdown_has_the_page_and_reads_back(tmp_path):
    made = _page_notes()
    text = to_markdown(made)
    lines = text.splitlines()
    assert lines[0] == "*By Mara Quill · 20 November 2026*"
    assert lines[2] == made.synopsis
    assert "insights on Face scans. Dig in!" in text and "Thanks to Kejie and Ana \\*Bold\\*." in text
    assert "- Read more (Chinese (Traditional)): [Court ruling](<https://example.com/ruling>)" in lines
    assert "- Read more (English): [Analysis](<https://example.com/analysis>)" in lines
    assert "- Read more: [Plain](<https://example.com/plain>)" in lines
    assert "- The Guide to WeChat Account Setup. [Read it here (English)](<https://example.com/guide>)" in lines
    assert "The park took 900,000 RMB in fees; \\*shoppers\\* split." in lines
    assert text.index("Dig in!") < text.index("## Show your face") < text.index("## Links") < text.index("Thanks to")
    path = tmp_path / "ep.notes.md"
    path.write_text(text)
    back = read_markdown(path, _page_notes())
    assert [(s.start, s.end, s.title, s.kind, s.summary, s.links) for s in back.stories] == [
        (s.start, s.end, s.title, s.kind, s.summary, s.links) for s in made.stories
    ]
    assert (back.byline, back.date, back.synopsis, back.links) == (made.byline, made.date, made.synopsis, made.links)
    assert (back.before, back.after) == (made.before, made.after)
    assert to_markdown(back) == text


def test_an_edited_page_reads_the_hosts_labels_paragraphs_and_text(tmp_path):
    text = to_markdown(_page_notes())
    text = text.replace("- Read more (English): [Analysis]", "- Background (French): [Analyse]")
    text = text.replace("Rules on face data come next year.", "Rules come next year.\nA second line.")
    text = text.replace("Dig in!", "Dig in! [bad](javascript:alert(1))")
    path = tmp_path / "ep.notes.md"
    path.write_text(text)
    back = read_markdown(path, _page_notes())
    story = back.told[0]
    assert story.links[1] == Link("Analyse", "https://example.com/analysis", label="Background", language="fr")
    assert story.summary.split("\n\n")[-1] == "Rules come next year. A second line."
    page = html.fromstring(to_html(back))
    # the host's Markdown is rendered, but a javascript: link is no link
    assert not page.xpath("//a[starts-with(@href, 'javascript')]")
    assert "[bad](javascript:alert(1))" in page.text_content()


def test_notes_html_is_the_page_between_the_headers():
    page = html.fromstring(to_html(_page_notes()))
    assert page.xpath("string(//p[@class='synopsis'])").startswith("This week, Kejie joined us")
    before = page.xpath("//div[contains(@class, 'before')]")[0]
    assert before.xpath("string(.//a[@href='mailto:desk@example.com'])") == "contact us"
    after = page.xpath("//div[contains(@class, 'after')]")[0]
    assert not page.xpath("//script") and "<script>alert(1)</script>" in after.text_content()
    assert "Thanks to Kejie and Ana *Bold*." in after.text_content() and "20 November 2026" in after.text_content()
    story = page.xpath("//article[@id='story-1']")[0]
    assert [p.text_content().strip() for p in story.xpath("p")][1:] == [
        "The park took 900,000 RMB in fees; *shoppers* split.",
        "Rules on face data come next year.",
    ]
    items = [li.text_content() for li in story.xpath(".//ul[@class='links']/li")]
    assert items == [
        "Read more (Chinese (Traditional)): Court ruling",
        "Read more (English): Analysis",
        "Read more: Plain",
    ]
    assert [a.get("hreflang") for a in story.xpath(".//ul/li/a")] == ["zh-Hant", "en", None]
    pointer = page.xpath("//article[contains(@class, 'short')]/p[@class='pointer']")[0]
    assert pointer.text_content() == "The Guide to WeChat Account Setup. Read it here (English)"
    assert pointer.xpath("a")[0].get("hreflang") == "en" and pointer.xpath("string(a)") == "Read it here (English)"
    # the order of the page: opening line, the show's text, the stories, the loose links, the closing text
    order = [el.get("class") for el in page.xpath("./*")]
    assert order[:2] == ["synopsis", "show-text before"] and order[-2:] == ["links", "show-text after"]


@pytest.fixture(scope="module")
def roundup():
    """The two-host roundup of test_notes_kinds, its ferry story with a hand-over in it."""
    ferry = [*FERRY[:5], ("Ben", "Stay tuned, because the ferry subsidy fight is far from over."), *FERRY[5:]]
    parts = [("intro", INTRO), ("story", ferry), ("sponsor", SPONSOR), ("story", FIRE), ("short", SHORT)]
    transcript, _ = _episode([*parts, ("story", ROBOTS), ("outro", OUTRO)])
    return transcript


def test_long_summaries_follow_the_story_in_its_own_sentences(roundup):
    notes = make_notes(roundup, options=NotesOptions(summary="long"), guests=["Kejie"])
    stories = [s for s in notes.told if s.kind == "story"]
    assert len(stories) == 3 and all(s.end - s.start >= 30 for s in stories), [(s.start, s.end) for s in stories]
    words = " ".join(seg.text for seg in roundup.segments)
    for story in stories:
        paragraphs = story.summary.split("\n\n")
        assert 2 <= len(paragraphs) <= 4, story.summary
        said = []
        for para in paragraphs:
            sentences = re.split(r"(?<=[.!?])\s+", para)
            assert 1 <= len(sentences) <= 3, para
            said += sentences
        assert len(said) == len(set(said)), story.summary  # never a sentence twice
        for sentence in said:
            assert sentence.rstrip(".") in story.text or sentence[1:].rstrip(".") in story.text, sentence
            assert sentence.rstrip(".")[1:] in words
        assert not re.search(r"stay tuned|next up|moving on|that's all|thanks for listening", story.summary, re.I)
    # a short item keeps one paragraph; the opening line names the guest and the main topics
    short = next(s for s in notes.told if s.kind == "short")
    assert "\n\n" not in short.summary
    assert notes.synopsis.startswith("This week, Kejie joined us to talk about ")
    assert notes.synopsis.count(" and ") >= 1 and notes.synopsis.endswith(".")
    assert headline(notes) == stories[0].title and len(headline(notes)) <= 70
    # the default stays one paragraph a story
    assert all("\n\n" not in s.summary for s in make_notes(roundup).told)


def test_sidecar_and_settings_keys(tmp_path):
    root = make_show(tmp_path / "show")
    config = root / "podkit.toml"
    config.write_text(
        config.read_text().replace('summary = "short"\n', f"summary = 'long'\nbefore = '{BEFORE}'\nafter = 'Bye.'\n")
    )
    show = load_show(root)
    assert show.notes.summary == "long" and show.notes.before == BEFORE and show.notes.after == "Bye."
    rec = write_sidecar(
        root / "audio",
        'host = "Theo Brandt"\nbefore = ""\n'
        'guests = [{ name = "Kejie" }, { name = "Ana", role = "Co-Host", href = "https://ana.example", '
        'img = "https://ana.example/a.png" }]\n'
        '[[links]]\ntitle = "Guide"\nurl = "https://example.com/g"\nlabel = "Read it here"\nlanguage = "zh-Hant"\n',
    )
    side = load_sidecar(rec)
    assert side.guests == (
        Person("Kejie"),
        Person("Ana", "co-host", "cast", "https://ana.example", "https://ana.example/a.png"),
    )
    assert side.host == "Theo Brandt" and side.before == "" and side.after is None
    assert side.links[0] == Link("Guide", "https://example.com/g", label="Read it here", language="zh-Hant")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('guests = [{ name = "K", role = "boss" }]', "'guests' entry 'K': role 'boss' is not a Podcasting 2.0 role"),
        ('guests = [{ name = "K", href = "javascript:x" }]', "'guests' entry 'K': href must be an absolute http"),
        ('guests = [{ name = "K", email = "k@x.org" }]', "'guests' must be a list of tables with name"),
        ('before = "[x](javascript:alert(1))"', "'before' links to 'javascript:alert(1)'"),
        ('after = "## Heading"', "'after' has a '## ' heading line"),
        ('host = ""', "'host' must not be empty"),
        ('[[links]]\ntitle = "T"\nurl = "https://e.org"\nlanguage = "English"', "'links' entry 'T': language must"),
        ('[[links]]\ntitle = "T"\nurl = "https://e.org"\nlabel = " "', "'links' entry 'T': label must not be empty"),
    ],
)
def test_bad_page_keys_say_which(tmp_path, text, message):
    rec = write_sidecar(tmp_path, text)
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        load_sidecar(rec)
    assert str(err.value).startswith(str(rec.with_suffix(".toml")))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('summary = "medium"', "'notes.summary' must be one of short, long"),
        ('before = "<a href=\\"x\\">[y](vbscript:z)</a>"', "'notes.before' links to 'vbscript:z'"),
    ],
)
def test_bad_notes_settings_say_which(tmp_path, line, message):
    root = make_show(tmp_path / "show")
    config = root / "podkit.toml"
    config.write_text(config.read_text().replace('summary = "short"\n', f"{line}\n"))
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_show(root)


def test_feed_and_page_carry_guests_byline_and_the_notes(tmp_path):
    import feedparser

    show = load_show(make_show(tmp_path / "show"))
    show.media_dir.mkdir(parents=True)
    (show.media_dir / "ep.mp3").write_bytes(b"\xff\xfb" * 100)
    show.transcripts_dir.mkdir(exist_ok=True)
    write_notes(_page_notes(), show.transcripts_dir / "ep")
    guests = (Person("Kejie", href="https://kejie.example"), Person("Ana", "co-host", img="https://a.example/a.png"))
    episode = PublishedEpisode(
        slug="ep",
        guid="guid-1",
        title="Show your face to enter",
        pub_date=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC),
        description="This week, Kejie joined us to talk about face scans.\n\n00:00:00 Intro",
        duration=160.0,
        speakers=("Mara Quill", "Kejie"),
        guests=guests,
        byline="By Mara Quill",
        date_label="20 November 2026",
    )
    publish(show, [episode])
    feed_path = show.public_dir / "feed.xml"
    item = etree.parse(str(feed_path)).find("channel/item")
    persons = [
        (p.text, p.get("role"), p.get("group"), p.get("href"), p.get("img")) for p in item.findall("podcast:person", NS)
    ]
    assert persons == [
        ("Mara Quill", None, None, None, None),
        ("Kejie", "guest", "cast", "https://kejie.example", None),
        ("Ana", "co-host", "cast", None, "https://a.example/a.png"),
    ]
    entry = feedparser.parse(str(feed_path)).entries[0]
    assert entry.description.startswith("This week, Kejie joined us")
    content = html.fromstring(entry.content[0].value)
    assert "Dig in!" in content.text_content() and "Thanks to Kejie" in content.text_content()
    assert content.xpath("string(//a[@hreflang='zh-Hant'])") == "Court ruling"
    page = html.parse(str(show.public_dir / "episodes" / "ep" / "index.html")).getroot()
    assert page.xpath("string(//header//span[@class='byline'])") == "By Mara Quill"
    assert page.xpath("string(//header//time)") == "20 November 2026"
    guests_on_page = page.xpath("//section[@class='guests']//li")
    assert [li.text_content().split()[0] for li in guests_on_page] == ["Kejie", "Ana"]
    assert guests_on_page[0].xpath("a")[0].get("href") == "https://kejie.example"
    # the opening line is said once on the page (the notes hold it)
    assert page.text_content().count("Kejie joined us") == 1


@pytest.mark.slow
def test_a_roundup_run_publishes_the_whole_page(tmp_path):
    """podkit run on the sample show with guests, labelled links, the show's own text and long
    summaries, and no sidecar title: the page, the feed and the .notes.md all carry them."""
    import feedparser

    root = make_show(tmp_path / "show")
    config = root / "podkit.toml"
    config.write_text(config.read_text().replace('summary = "short"\n', f"summary = 'long'\nbefore = '{BEFORE}'\n"))
    shutil.copy(SAMPLE, root / "audio")
    side = SAMPLE_SIDECAR.read_text()
    side = re.sub(r"(?m)^(title|description) = .*\n", "", side, count=2)
    side = side.replace(
        'url = "https://library.example.org/telescopes"',
        'url = "https://library.example.org/telescopes"\nlabel = "Read it here"\nlanguage = "en"',
    )
    side = 'guests = [{ name = "Kejie", href = "https://kejie.example" }]\nafter = "Thanks, {guests}!"\n' + side
    (root / "audio" / SAMPLE_SIDECAR.name).write_text(side)
    proc = podkit("run", str(root))
    assert proc.returncode == 0, proc.stderr
    slug = SAMPLE.stem
    md = (root / "transcripts" / f"{slug}.notes.md").read_text()
    assert md.startswith("*By Ana Host · 20 November 2026*\n\nThis week, Kejie joined us to talk about ")
    assert "Dig in!" in md and md.rstrip().endswith("Thanks, Kejie!")
    assert "Read it here (English)" in md
    sections = re.split(r"(?m)^## ", md)[1:]
    long_ones = [s for s in sections if not s.startswith("Links")]
    assert any(s.count("\n\n") >= 4 for s in long_ones)  # heading, paragraphs, links: some story in paragraphs
    feed = etree.parse(str(root / "public" / "feed.xml"))
    item = feed.find("channel/item")
    guest = item.find("podcast:person[@role='guest']", NS)
    assert guest.text == "Kejie" and guest.get("href") == "https://kejie.example"
    title = item.findtext("title")
    assert title and title != "2026-11-20-weekly-roundup" and len(title) <= 70
    notes_title = re.search(r"(?m)^## (.+)$", md).group(1)
    assert title == notes_title.replace("\\", "")[:70] or title in notes_title
    entry = feedparser.parse(str(root / "public" / "feed.xml")).entries[0]
    assert "Thanks, Kejie!" in entry.content[0].value and 'hreflang="en"' in entry.content[0].value
    assert entry.description.startswith("This week, Kejie joined us")
    page = html.parse(str(root / "public" / "episodes" / slug / "index.html")).getroot()
    assert page.xpath("string(//h1)") == title
    assert page.xpath("string(//header//span[@class='byline'])") == "By Ana Host"
    assert page.xpath("string(//section[@class='guests']//a)") == "Kejie"
    assert page.xpath("//div[contains(@class, 'before')]//a[@href='mailto:desk@example.com']")
    status = podkit("status", str(root), "--json")
    assert title in status.stdout
    # an edit of the page in notes.md flows to the page, and the run keeps it
    path: Path = root / "transcripts" / f"{slug}.notes.md"
    path.write_text(md.replace("Thanks, Kejie!", "Thanks, Kejie, and see you soon!"))
    assert podkit("run", str(root)).returncode == 0
    page = html.parse(str(root / "public" / "episodes" / slug / "index.html")).getroot()
    assert "Thanks, Kejie, and see you soon!" in page.xpath("string(//div[contains(@class, 'after')])")
