"""publish: the feed read by the parsers apps use (feedparser, podcastparser) and by XPath."""

from __future__ import annotations

import json
import re
import shutil
import uuid

import pytest
from lxml import etree
from PIL import Image

from .conftest import HOSTILE_TITLE, make_show, podkit

pytestmark = pytest.mark.slow

NS = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
}
NS_PSC = {"psc": "http://podlove.org/simple-chapters"}
TITLE = HOSTILE_TITLE


@pytest.fixture(scope="module")
def show(published_sample):
    """The sample show with a hostile title, through the real ``podkit run`` (conftest)."""
    return published_sample


def test_feedparser_reads_every_episode(show):
    import feedparser

    media = show / "public" / "media" / "2026-11-20-weekly-roundup.mp3"
    d = feedparser.parse(str(show / "public" / "feed.xml"))
    assert not d.bozo, d.bozo_exception
    assert d.feed.title == "Test Show" and d.feed.language == "en"
    (e,) = d.entries
    assert e.title == TITLE  # escaped in XML, the same text for the app
    (enc,) = e.enclosures
    assert enc.href == "https://pod.example.com/media/2026-11-20-weekly-roundup.mp3"
    assert int(enc.length) == media.stat().st_size and enc.type == "audio/mpeg"
    assert 140 <= int(e.itunes_duration) <= 147
    assert e.id and not e.guidislink
    # feedparser 6 maps only "yes"/"clean" for itunes:explicit; Apple's current "true" reads as
    # None there. podcastparser and the XPath test below check the flag itself.
    assert "itunes_explicit" in e
    assert "00:00 " in e.summary


def test_podcastparser_reads_every_episode(show):
    import podcastparser

    with open(show / "public" / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse("https://pod.example.com/feed.xml", fh)
    (ep,) = parsed["episodes"]
    assert ep["title"] == TITLE
    assert ep["enclosures"][0]["url"].endswith("/media/2026-11-20-weekly-roundup.mp3")
    assert ep["enclosures"][0]["mime_type"] == "audio/mpeg"
    assert ep["enclosures"][0]["file_size"] == (show / "public/media/2026-11-20-weekly-roundup.mp3").stat().st_size
    assert 140 <= ep["total_time"] <= 147
    assert ep["guid"] and ep["explicit"] is True


def test_podcasting20_tags_and_the_files_they_point_to(show):
    import webvtt

    root = etree.parse(str(show / "public" / "feed.xml"))
    guid = root.findtext("channel/podcast:guid", namespaces=NS)
    assert guid == str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "pod.example.com/feed.xml"))
    assert root.find("channel/atom:link[@rel='self']", NS).get("href") == "https://pod.example.com/feed.xml"
    assert root.findtext("channel/itunes:explicit", namespaces=NS) == "false"
    assert root.findtext("channel/item/itunes:explicit", namespaces=NS) == "true"
    cat = root.find("channel/itunes:category", NS)
    assert cat.get("text") == "News" and cat.find("itunes:category", NS).get("text") == "Tech News"
    types = {t.get("type"): t.get("url") for t in root.findall("channel/item/podcast:transcript", NS)}
    assert set(types) == {"text/vtt", "application/x-subrip", "application/json", "text/html"}
    local = lambda url: show / "public" / url.split("https://pod.example.com/", 1)[1]
    assert len(webvtt.read(str(local(types["text/vtt"])))) > 20
    assert json.loads(local(types["application/json"]).read_text())["version"] == "1.0.0"
    chapters = root.find("channel/item/podcast:chapters", NS)
    assert chapters.get("type") == "application/json+chapters"
    published = json.loads(local(chapters.get("url")).read_text())
    made = json.loads((show / "transcripts" / "2026-11-20-weekly-roundup.chapters.json").read_text())
    assert published == made and len(published["chapters"]) >= 2
    assert [p.text for p in root.findall("channel/item/podcast:person", NS)] == ["Mara Quill", "Theo Brandt"]
    assert "<script>" not in (show / "public" / "feed.xml").read_text()
    # No cover configured: podkit drew one, 3000x3000, and the feed points at it.
    assert root.find("channel/itunes:image", NS).get("href") == "https://pod.example.com/cover.png"
    with Image.open(show / "public" / "cover.png") as img:
        assert img.size == (3000, 3000)


def test_publishing_again_changes_nothing(show):
    feed = show / "public" / "feed.xml"
    before, mtime = feed.read_bytes(), feed.stat().st_mtime_ns
    proc = podkit("run", str(show))
    assert proc.returncode == 0
    assert feed.read_bytes() == before and feed.stat().st_mtime_ns == mtime


def test_podkit_feed_lints_clean(show):
    proc = podkit("lint", str(show / "public" / "feed.xml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s), 0 warning(s)" in proc.stdout


BROKEN = [
    (
        "<itunes:explicit>false</itunes:explicit>",
        "<itunes:explicit>no</itunes:explicit>",
        "channel/itunes:explicit: must be true or false",
    ),
    (
        '<itunes:category text="News">',
        '<itunes:category text="Cooking">',
        "'Cooking' is not an Apple Podcasts category",
    ),
    (
        '<itunes:category text="Tech News"/>',
        '<itunes:category text="Gossip"/>',
        "'Gossip' is not a subcategory of 'News'",
    ),
    ('type="audio/mpeg"', 'type="text/html"', "enclosure: type must be an audio or video MIME type"),
    ('length="', 'length="-', "enclosure: length must be the file's size in bytes"),
    ('url="https://pod.example.com/media/', 'url="/media/', "enclosure: url is not absolute"),
    ("<podcast:guid>", "<podcast:guid>not-", "channel/podcast:guid: not a UUID"),
    (
        'type="application/json+chapters"',
        'type="application/json"',
        "podcast:chapters: type must be application/json+chapters",
    ),
    (
        'type="application/x-subrip"',
        'type="video/mp4"',
        "podcast:transcript: type 'video/mp4' is not a transcript type",
    ),
    ("<title>Test Show</title>", "<title></title>", "channel/title: missing or empty"),
    ("</rss>", "", "is not well-formed XML"),
]


@pytest.mark.parametrize("old,new,message", BROKEN, ids=[b[2][:30] for b in BROKEN])
def test_broken_feeds_give_their_error(show, tmp_path, old, new, message):
    text = (show / "public" / "feed.xml").read_text()
    assert old in text
    bad = tmp_path / "feed.xml"
    bad.write_text(text.replace(old, new, 1))
    proc = podkit("lint", str(bad))
    assert proc.returncode == 1
    assert message in proc.stderr, proc.stderr


def test_duplicate_guids_and_bad_uuid_version(show, tmp_path):
    text = (show / "public" / "feed.xml").read_text()
    start, end = text.index("<item>"), text.index("</item>") + len("</item>")
    doubled = text[:end] + text[start:end] + text[end:]
    doubled = re.sub(r"<podcast:guid>[^<]+</podcast:guid>", f"<podcast:guid>{uuid.uuid4()}</podcast:guid>", doubled)
    bad = tmp_path / "feed.xml"
    bad.write_text(doubled)
    proc = podkit("lint", str(bad))
    assert proc.returncode == 1
    assert "is also the guid of item 1" in proc.stderr
    assert "must be a UUIDv5, this is version 4" in proc.stderr


def test_small_artwork_is_an_error(show, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(show / "public", site)
    Image.new("RGB", (600, 600)).save(site / "cover.png")
    proc = podkit("lint", str(site / "feed.xml"))
    assert proc.returncode == 1 and "artwork is 600x600" in proc.stderr


def test_podcast_guid_survives_a_move_and_extras_are_published(tmp_path):
    """Configured funding and hosts appear; podcast:guid stays when the show's URL changes."""
    root = make_show(
        tmp_path / "s",
        funding_url='"https://pod.example.com/support"',
        funding_text='"Buy us a coffee & cake"',
        hosts='["Ana Host", "Ben <B>"]',
    )
    from .conftest import speech

    speech(root / "audio" / "one.wav", seconds=6)
    assert podkit("run", str(root)).returncode == 0
    feed = etree.parse(str(root / "public" / "feed.xml"))
    first = feed.findtext("channel/podcast:guid", namespaces=NS)
    assert first == str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "pod.example.com/feed.xml"))
    funding = feed.find("channel/podcast:funding", NS)
    assert funding.get("url") == "https://pod.example.com/support" and funding.text == "Buy us a coffee & cake"
    assert [p.text for p in feed.findall("channel/podcast:person", NS)] == ["Ana Host", "Ben <B>"]
    config = root / "podkit.toml"
    config.write_text(config.read_text().replace("https://pod.example.com", "https://new-host.example.net"))
    assert podkit("run", str(root)).returncode == 0
    moved = etree.parse(str(root / "public" / "feed.xml"))
    assert moved.find("channel/atom:link[@rel='self']", NS).get("href") == "https://new-host.example.net/feed.xml"
    assert moved.findtext("channel/podcast:guid", namespaces=NS) == first
    lint = podkit("lint", str(root / "public" / "feed.xml"))
    assert lint.returncode == 0 and "not the UUIDv5 of this feed's URL" in lint.stdout  # a warning


def test_chapters_for_spotify_and_apple(show):
    """psc:chapters (Podlove Simple Chapters, what Spotify and AntennaPod read) and the
    description's "00:00:00 Title" lines give the same chapters as the JSON file."""
    import feedparser
    import podcastparser

    made = json.loads((show / "transcripts" / "2026-11-20-weekly-roundup.chapters.json").read_text())["chapters"]
    assert len(made) >= 3
    with open(show / "public" / "feed.xml", "rb") as fh:
        (ep,) = podcastparser.parse("https://pod.example.com/feed.xml", fh)["episodes"]
    assert [c["title"] for c in ep["chapters"]] == [c["title"] for c in made]
    starts = [c["start"] for c in ep["chapters"]]
    assert starts[0] == 0 and starts == sorted(starts)
    assert starts[1:] == [int(c["startTime"]) for c in made[1:]]  # podcastparser keeps whole seconds
    marks = etree.parse(str(show / "public" / "feed.xml")).findall("channel/item/psc:chapters/psc:chapter", NS_PSC)
    assert [m.get("start") for m in marks][1:] == [
        f"00:{int(c['startTime']) // 60:02d}:{c['startTime'] % 60:06.3f}" for c in made[1:]
    ]
    (entry,) = feedparser.parse(str(show / "public" / "feed.xml")).entries
    lines = [line for line in entry.summary.splitlines() if re.match(r"^\d\d:\d\d:\d\d ", line)]
    assert len(lines) == len(made) and lines[0].startswith("00:00:00 ")
    for line, chapter in zip(lines, made, strict=True):
        h, m, s = map(int, line[:8].split(":"))
        assert h * 3600 + m * 60 + s == int(chapter["startTime"]) and line[9:] == chapter["title"]


def test_captions_season_and_episode_tags(show):
    root = etree.parse(str(show / "public" / "feed.xml"))
    rel = {t.get("type"): t.get("rel") for t in root.findall("channel/item/podcast:transcript", NS)}
    assert rel == {
        "text/vtt": "captions",
        "application/x-subrip": "captions",
        "application/json": None,
        "text/html": None,
    }
    assert root.findtext("channel/item/podcast:season", namespaces=NS) == "1"
    assert root.findtext("channel/item/podcast:episode", namespaces=NS) == "12"
