"""What apps and directories read: the tags hosts ask for, moving and ending a show, OP3,
the upload command and WebSub after a publish, and the lint checks directories enforce.

Read back with feedparser and podcastparser, and with XPath for what they ignore; the WebSub
hub is a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import re
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from .conftest import make_show, podkit, speech

pytestmark = pytest.mark.slow

NS = {
    "podcast": "https://podcastindex.org/namespace/1.0",
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "atom": "http://www.w3.org/2005/Atom",
    "psc": "http://podlove.org/simple-chapters",
}
P20_GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")  # Podcasting 2.0: podcast:guid
FRIEND_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
FRIEND_URL = "https://friends.example.org/feed.xml"
LONG = "Harbour news & more — " * 250  # over 4000 bytes
UPLOAD = 'printf "%s|%s\\n" "$PODKIT_PUBLIC_DIR" "$PODKIT_FEED" >> uploads.log; test ! -e fail-upload'


class Hub:
    """A WebSub hub on 127.0.0.1 that records each publish notification."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, list[str]]]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                hub.posts.append((self.headers.get("Content-Type", ""), urllib.parse.parse_qs(body.decode())))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def hub():
    h = Hub()
    yield h
    h.close()


@pytest.fixture(scope="module")
def hosted(tmp_path_factory, hub):
    root = make_show(
        tmp_path_factory.mktemp("dirs") / "show",
        type='"serial"',
        podroll=f'["{FRIEND_URL}", "{FRIEND_GUID}"]',
        new_feed_url='"https://new.example.net/feed.xml"',
        block="true",
        complete="true",
        op3="true",
        websub_hub=f'"{hub.url}"',
        podping="true",
        hosts='["Ana Host"]',
        after_publish=f"'''{UPLOAD}'''",  # a TOML literal string: no escapes
        after_publish_timeout="60",
    )
    config = root / "podkit.toml"
    config.write_text(config.read_text() + 'applepodcastsverify = "ab12-cd34 & <ef>"\n')
    audio = root / "audio"
    speech(audio / "trailer.wav", seconds=6)
    (audio / "trailer.toml").write_text(
        'title = "Coming soon"\nepisode_type = "trailer"\nseason = 2\nseason_name = "Harbour <Lights>"\n'
        'episode = 1\nepisode_display = "Prologue"\npub_date = 2026-11-01T08:00:00Z\n'
    )
    speech(audio / "full.wav", seconds=8, start=30)
    (audio / "full.toml").write_text(
        f'title = "The first one"\nseason = 2\nepisode = 2\npub_date = 2026-11-08T08:00:00Z\ndescription = "{LONG}"\n'
    )
    proc = podkit("run", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return root


def feed(root: Path) -> etree._ElementTree:
    return etree.parse(str(root / "public" / "feed.xml"))


def guid_of(root: Path) -> str:
    return feed(root).findtext("channel/podcast:guid", namespaces=NS)


def test_channel_tags_hosts_ask_for(hosted, hub):
    import feedparser
    import podcastparser

    tree = feed(hosted)
    txt = tree.find("channel/podcast:txt", NS)
    assert txt.get("purpose") == "applepodcastsverify" and txt.text == "ab12-cd34 & <ef>"
    items = tree.findall("channel/podcast:podroll/podcast:remoteItem", NS)
    assert [(i.get("feedGuid"), i.get("feedUrl")) for i in items] == [
        (
            str(uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"), "friends.example.org/feed.xml")),
            FRIEND_URL,
        ),
        (FRIEND_GUID, None),
    ]
    assert tree.find("channel/podcast:podping", NS).get("usesPodping") == "true"
    assert tree.findtext("channel/itunes:block", namespaces=NS) == "Yes"
    assert tree.findtext("channel/itunes:complete", namespaces=NS) == "Yes"
    assert tree.findtext("channel/itunes:type", namespaces=NS) == "serial"
    with open(hosted / "public" / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse("https://pod.example.com/feed.xml", fh)
    assert parsed["new_url"] == "https://new.example.net/feed.xml"
    d = feedparser.parse(str(hosted / "public" / "feed.xml"))
    assert not d.bozo, d.bozo_exception
    assert [link.href for link in d.feed.links if link.rel == "hub"] == [hub.url]
    trailer = tree.find("channel/podcast:trailer", NS)
    media = hosted / "public" / "media" / "trailer.mp3"
    assert trailer.text == "Coming soon" and trailer.get("season") == "2"
    assert int(trailer.get("length")) == media.stat().st_size and trailer.get("type") == "audio/mpeg"
    assert trailer.get("pubdate") == "Sun, 01 Nov 2026 08:00:00 +0000"
    assert trailer.get("url") == f"https://op3.dev/e,pg={guid_of(hosted)}/pod.example.com/media/trailer.mp3"


def test_item_tags_op3_and_a_description_that_fits(hosted):
    import feedparser
    import podcastparser

    guid = guid_of(hosted)
    with open(hosted / "public" / "feed.xml", "rb") as fh:
        parsed = podcastparser.parse("https://pod.example.com/feed.xml", fh)
    by_title = {e["title"]: e for e in parsed["episodes"]}
    trailer, full = by_title["Coming soon"], by_title["The first one"]
    assert trailer["enclosures"][0]["url"] == f"https://op3.dev/e,pg={guid}/pod.example.com/media/trailer.mp3"
    assert full["enclosures"][0]["url"] == f"https://op3.dev/e,pg={guid}/pod.example.com/media/full.mp3"
    assert trailer["enclosures"][0]["file_size"] == (hosted / "public/media/trailer.mp3").stat().st_size
    assert (trailer["season"], trailer["number"], full["number"]) == (2, 1, 2)
    tree = feed(hosted)
    item = next(i for i in tree.findall("channel/item") if i.findtext("title") == "Coming soon")
    season = item.find("podcast:season", NS)
    assert (season.text, season.get("name")) == ("2", "Harbour <Lights>")
    episode = item.find("podcast:episode", NS)
    assert (episode.text, episode.get("display")) == ("1", "Prologue")
    assert item.findtext("itunes:episodeType", namespaces=NS) == "trailer"
    entry = next(e for e in feedparser.parse(str(hosted / "public" / "feed.xml")).entries if e.title == "The first one")
    assert len(entry.summary.encode()) <= 4000 and entry.summary.startswith("Harbour news & more")
    assert "…" in entry.summary


def test_the_feed_lints_without_errors(hosted):
    proc = podkit("lint", str(hosted / "public" / "feed.xml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s)" in proc.stdout


def test_after_publish_runs_once_per_change_and_retries_a_failure(hosted):
    log = hosted / "uploads.log"
    lines = log.read_text().splitlines()
    assert lines == [f"{hosted / 'public'}|{hosted / 'public' / 'feed.xml'}"]
    assert podkit("run", str(hosted)).returncode == 0
    assert log.read_text().splitlines() == lines  # nothing changed: not run again
    # A change, and the upload fails: reported, exit 1, the local publish stands.
    (hosted / "fail-upload").write_text("")
    config = hosted / "podkit.toml"
    config.write_text(config.read_text().replace('title = "Test Show"', 'title = "Test Show 2"'))
    proc = podkit("run", str(hosted))
    assert proc.returncode == 1
    assert re.search(r"after_publish exited with status 1; public/ is published here and the next run", proc.stderr)
    assert "Traceback" not in proc.stderr
    assert feed(hosted).findtext("channel/title") == "Test Show 2"
    assert len(log.read_text().splitlines()) == 2
    # Nothing changed since, but the last upload failed: the next run tries again.
    (hosted / "fail-upload").unlink()
    assert podkit("run", str(hosted)).returncode == 0
    assert len(log.read_text().splitlines()) == 3
    assert podkit("run", str(hosted)).returncode == 0
    assert len(log.read_text().splitlines()) == 3


def test_websub_hub_hears_of_each_changed_feed(hosted, hub):
    feed_url = "https://pod.example.com/feed.xml"
    assert hub.posts, "the hub was not notified"
    kind, form = hub.posts[0]
    assert kind == "application/x-www-form-urlencoded"
    assert form == {"hub.mode": ["publish"], "hub.url": [feed_url]}
    before = len(hub.posts)
    assert podkit("run", str(hosted)).returncode == 0
    assert len(hub.posts) == before  # the feed did not change


def test_a_moved_feed_keeps_its_guid_and_says_so(tmp_path):
    root = make_show(tmp_path / "s")
    speech(root / "audio" / "one.wav", seconds=6)
    assert podkit("run", str(root)).returncode == 0
    first = guid_of(root)
    config = root / "podkit.toml"
    config.write_text(config.read_text().replace("https://pod.example.com", "https://moved.example.net"))
    proc = podkit("run", str(root))
    assert proc.returncode == 0
    assert "the feed URL is now https://moved.example.net/feed.xml" in proc.stdout + proc.stderr
    assert f"podcast:guid stays {first}" in proc.stdout + proc.stderr
    assert guid_of(root) == first
    again = podkit("run", str(root))
    assert "the feed URL is now" not in again.stdout + again.stderr  # said once


BAD_SETTINGS = [
    ("podkit.toml", 'podroll = ["not a feed"]\n', "'podroll' entry 'not a feed' is neither a feed GUID"),
    ("podkit.toml", "op3 = 1\n", "'op3' must be true or false"),
    ("podkit.toml", 'websub_hub = "ftp://hub"\n', "'websub_hub' must be an absolute http(s) URL"),
    ("podkit.toml", "after_publish_timeout = 0\n", "'after_publish_timeout' must be more than 0"),
    ("audio/one.toml", 'season_name = "Two"\n', "'season_name' needs 'season'"),
    ("audio/one.toml", 'episode_display = "Prologue"\n', "'episode_display' needs 'episode'"),
]


@pytest.mark.parametrize("file,line,message", BAD_SETTINGS, ids=[b[2][:24] for b in BAD_SETTINGS])
def test_bad_settings_are_one_line(tmp_path, file, line, message):
    root = make_show(tmp_path / "s")
    (root / "audio" / "one.mp3").write_bytes(b"x")
    target = root / file
    target.write_text(line + (target.read_text() if target.exists() else ""))
    proc = podkit("run", str(root))
    assert message in proc.stderr, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    if file == "podkit.toml":  # the show's settings: nothing runs
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    else:  # an episode's sidecar: that recording is reported, the run goes on
        assert proc.returncode == 1


def test_a_txt_table_is_checked(tmp_path):
    root = make_show(tmp_path / "s")
    config = root / "podkit.toml"
    config.write_text(config.read_text() + f'verify = "{"x" * 4001}"\n')
    proc = podkit("run", str(root))
    assert proc.returncode == 2 and "'txt.verify' is 4001 characters; the most is 4000" in proc.stderr


# -- the lint ------------------------------------------------------------------------------------


def lint_text(tmp_path: Path, text: str) -> str:
    path = tmp_path / "feed.xml"
    path.write_text(text)
    proc = podkit("lint", str(path))
    return proc.stdout + proc.stderr


def replace_once(text: str, pattern: str, new: str) -> str:
    out, count = re.subn(pattern, new, text, count=1, flags=re.S)
    assert count == 1, pattern
    return out


FEED_BREAKS = [
    (r"<itunes:episode>1</itunes:episode>", "", "error: item 2 (Coming soon)/itunes:episode: missing: a serial show"),
    (
        r"<itunes:season>2</itunes:season>",
        "<itunes:season>0</itunes:season>",
        "itunes:season: must be a positive integer",
    ),
    (r'(<podcast:episode display="Prologue">)1', r"\g<1>-1", "podcast:episode: must be a positive number"),
    (r'(<enclosure url="[^"]*media/)trailer', r"\1full", "error: item 2 (Coming soon)/enclosure: url"),
    (r"<itunes:author>[^<]*</itunes:author>", "", "error: channel/itunes:author: missing"),
    (r"<pubDate>[^<]*</pubDate>", "", "/pubDate: missing (Spotify requires"),
    (
        r"<itunes:block>Yes</itunes:block>",
        "<itunes:block>yes</itunes:block>",
        'warning: channel/itunes:block: Apple acts only on "Yes"',
    ),
    (
        r"<description>Harbour",
        "<description>" + "é" * 2100 + "Harbour",
        # its size holds the notes' own words, which differ by a byte or two as the engine hears them
        "bytes; Apple and Spotify take at most 4000",
    ),
    (r'feedGuid="[^"]*"', 'feedGuid="nope"', "remoteItem feedGuid must be a feed's GUID"),
]


@pytest.mark.parametrize("pattern,new,message", FEED_BREAKS, ids=[b[2][:30] for b in FEED_BREAKS])
def test_lint_knows_what_directories_reject(hosted, tmp_path, pattern, new, message):
    text = replace_once((hosted / "public" / "feed.xml").read_text(), pattern, new)
    assert message in lint_text(tmp_path, text)


def test_lint_needs_an_episode(hosted, tmp_path):
    text = re.sub(r"<item>.*</item>", "", (hosted / "public" / "feed.xml").read_text(), flags=re.S)
    out = lint_text(tmp_path, text)
    assert "error: channel/item: no episodes" in out


CHAPTERS = """<psc:chapters version="1.2">{}</psc:chapters>"""


@pytest.mark.parametrize(
    "starts,message",
    [
        (["00:00:00.000", "00:00:20.000"], "2 chapter(s): Apple and Spotify show chapters only from 3 on"),
        (["00:00:00.000", "00:00:04.000", "00:00:30.000", "00:01:00.000"], "chapter 1 is under 10 s"),
        (["00:00:00.000", "00:01:00.000", "00:00:30.000"], "chapters are out of order"),
    ],
)
def test_lint_warns_on_chapters_apps_drop(hosted, tmp_path, starts, message):
    text = re.sub(r"<psc:chapters.*?</psc:chapters>", "", (hosted / "public" / "feed.xml").read_text(), flags=re.S)
    marks = "".join(f'<psc:chapter start="{s}" title="C{n}"/>' for n, s in enumerate(starts))
    text = replace_once(text, r"</item>", CHAPTERS.format(marks) + "</item>")
    text = re.sub(r"<itunes:duration>[^<]*</itunes:duration>", "<itunes:duration>120</itunes:duration>", text)
    out = lint_text(tmp_path, text)
    assert f"psc:chapters: {message}" in out


def test_lint_reads_description_chapter_lines(hosted, tmp_path):
    text = (hosted / "public" / "feed.xml").read_text()
    text = replace_once(
        text,
        r"<description>Harbour[^<]*</description>",
        "<description>00:05 Intro\n00:40 News\n01:10 Sport</description>",
    )
    text = re.sub(r"<itunes:duration>[^<]*</itunes:duration>", "<itunes:duration>120</itunes:duration>", text)
    assert "description: the first chapter must start at 00:00" in lint_text(tmp_path, text)


def artwork(site: Path, mode: str, size: tuple[int, int] = (1400, 1400), fmt: str = "PNG") -> None:
    color = {"CMYK": (0, 0, 0, 0), "RGBA": (1, 2, 3, 0), "L": 5}.get(mode, (1, 2, 3))
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format=fmt)
    (site / "cover.png").write_bytes(buf.getvalue())


@pytest.mark.parametrize(
    "mode,fmt,message",
    [
        ("CMYK", "JPEG", "is a JPEG file named .png"),
        ("CMYK", "JPEG", "artwork is CMYK; Apple requires RGB"),
        ("RGBA", "PNG", "artwork has an alpha channel"),
    ],
)
def test_lint_checks_the_artwork_file(hosted, tmp_path, mode, fmt, message):
    import shutil

    site = tmp_path / "site"
    shutil.copytree(hosted / "public", site)
    artwork(site, mode, fmt=fmt)
    proc = podkit("lint", str(site / "feed.xml"))
    assert proc.returncode == 1, proc.stderr
    assert re.search(rf"error: channel/itunes:image: (\S+ )?{re.escape(message)}", proc.stderr), proc.stderr


def test_fit_description_keeps_the_chapter_lines():
    from podkit.publish.publisher import fit_description

    text = "Ünïcode words " * 400 + "\n\n00:00:00 Intro\n00:01:00 News\n00:02:00 Sport"
    fitted = fit_description(text)
    assert len(fitted.encode()) <= 4000
    assert fitted.endswith("…\n\n00:00:00 Intro\n00:01:00 News\n00:02:00 Sport")
    assert fit_description("short") == "short"


def test_lint_wants_transcript_speakers_to_be_persons(hosted, tmp_path):
    site = tmp_path / "site"
    import shutil

    shutil.copytree(hosted / "public", site)
    vtt = next((site / "transcripts").glob("full.vtt"))
    text = vtt.read_text()
    cue = re.search(r"--> [\d:.]+\n", text)
    vtt.write_text(text[: cue.end()] + "<v Zed Stranger>" + text[cue.end() :])
    proc = podkit("lint", str(site / "feed.xml"))
    assert "speaker(s) 'Zed Stranger' are not a podcast:person of the item or show" in proc.stdout
