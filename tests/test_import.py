"""``podkit import FEED DIR``: feeds in the shapes hosts write, served from 127.0.0.1 (with
redirects, a dropped connection, a 404) or read from a file; what lands in the show folder;
bad input as one line; imported audio published as it is; and one run end to end."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import socket
import subprocess
import threading
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from podkit.config import load_show, load_sidecar
from podkit.errors import ConfigError
from podkit.importer.settings import sidecar_text, toml_string
from podkit.importer.source import html_to_text, parse_feed

from .cli_helpers import free_port
from .conftest import ebur128, ffmpeg, make_show, podkit

SHOW_GUID = "917393e3-1b1e-5cef-ace4-edaa54e1f810"


# -- a host on 127.0.0.1 -----------------------------------------------------------------------


class Host:
    """What the test server serves: files (with byte ranges and an ETag), redirects, and paths
    whose next answer stops halfway through the body."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.redirects: dict[str, str] = {}
        self.drop_once: set[str] = set()
        self.log: list[tuple[str, str | None]] = []  # (path, Range header)
        self.base = ""

    def media_requests(self) -> list[tuple[str, str | None]]:
        return [r for r in self.log if r[0].startswith("/media/")]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _empty(self, status: int, **headers: str) -> None:
        self.send_response(status)
        for key, value in {**headers, "Content-Length": "0"}.items():
            self.send_header(key, value)
        self.end_headers()

    def do_GET(self) -> None:
        host: Host = self.server.host  # type: ignore[attr-defined]
        path = self.path
        host.log.append((path, self.headers.get("Range")))
        if path in host.redirects:
            return self._empty(302, Location=host.redirects[path])
        if path not in host.files:
            return self._empty(404)
        body, ctype = host.files[path]
        status, start = 200, 0
        rng = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if rng and self.headers.get("If-Range", '"v1"') == '"v1"':
            start = int(rng.group(1))
            if start >= len(body):
                return self._empty(416, **{"Content-Range": f"bytes */{len(body)}"})
            status = 206
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) - start))
        self.send_header("ETag", '"v1"')
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        self.end_headers()
        chunk = body[start:]
        if path in host.drop_once:  # half the body, then the connection drops
            host.drop_once.discard(path)
            self.wfile.write(chunk[: len(chunk) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(chunk)


@pytest.fixture
def host():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site = Host()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.host = site  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, bytes]:
    """Three seconds of real audio in the forms hosts serve, and a cover."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("media")
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-ac", "2", "-b:a", "96k", str(folder / "a.mp3"))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=3", "-c:a", "aac", "-b:a", "64k", str(folder / "b.m4a"))
    Image.new("RGB", (1400, 1400), (180, 30, 30)).save(folder / "art.jpg", quality=70)
    return {name: (folder / name).read_bytes() for name in ("a.mp3", "b.m4a", "art.jpg")}


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd"
     xmlns:pod="https://podcastindex.org/namespace/1.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>The Old Show</title>
  <link>https://old.example.com/show</link>
  <language>en-us</language>
  <description><![CDATA[<p>Stories from the <b>harbour</b> &amp; beyond.</p>]]></description>
  <pod:guid>{guid}</pod:guid>
  <itunes:owner>
    <itunes:name>Harbour Media</itunes:name><itunes:email>owner@old.example.com</itunes:email>
  </itunes:owner>
  <itunes:author>Mara Quill</itunes:author>
  <itunes:category text="news"><itunes:category text="Tech News"/></itunes:category>
  <itunes:category text="Comedy"/>
  <itunes:image href="/art/cover.jpg"/>
  <itunes:explicit>Yes</itunes:explicit>
  {items}
</channel>
</rss>
"""

ITEMS = """
  <item>
    <title>Ferry &amp; fares</title>
    <guid>ferry-2024</guid>
    <pubDate>Fri, 5 Jan 2024 10:00:00 EST</pubDate>
    <description><![CDATA[<p>The council <a href="https://council.example.org/budget">budget</a>.</p>
      <p>Next up: rain.</p>]]></description>
    <enclosure url="media/a.mp3"/>
    <itunes:season> 2 </itunes:season><itunes:episode>Episode 7</itunes:episode>
    <itunes:episodeType>Full</itunes:episodeType><itunes:explicit>false</itunes:explicit>
  </item>
  <item>
    <title>Bonus: the wool store</title>
    <guid isPermaLink="false">urn:uuid:2b1d0b5c-0000-4000-8000-000000000002</guid>
    <pubDate>Sat, 06 Jan 2024 08:00 GMT</pubDate>
    <description>Plain text: 5 &amp;lt; 6 &amp;amp; &lt;i&gt;kept&lt;/i&gt;.</description>
    <enclosure url="https://www.example.invalid/b.txt" type="text/plain" length="3"/>
    <enclosure url="/go/b" type="audio/x-m4a" length="{b_length}"/>
    <itunes:episodeType>BONUS</itunes:episodeType>
  </item>
"""


def serve_show(host: Host, media: dict[str, bytes], items: str = ITEMS, **extra: str) -> str:
    host.files["/art/cover.jpg"] = (media["art.jpg"], "image/jpeg")
    host.files["/feeds/media/a.mp3"] = (media["a.mp3"], "")  # no type, no length in the feed
    host.files["/media/b.m4a"] = (media["b.m4a"], "audio/mp4")
    host.redirects["/go/b"] = "/cdn/b"  # two hops, as tracking prefixes do
    host.redirects["/cdn/b"] = f"{host.base}/media/b.m4a"
    feed = RSS.format(guid=SHOW_GUID, items=items.format(b_length=len(media["b.m4a"]), **extra))
    host.files["/feeds/show.xml"] = (feed.encode(), "application/rss+xml")
    return f"{host.base}/feeds/show.xml"


def sidecars(show: Path) -> dict[str, object]:
    """guid -> sidecar, for each sidecar in audio/."""
    found = {}
    for path in sorted((show / "audio").glob("*.toml")):
        side = load_sidecar(path.with_suffix(".mp3"))
        found[side.guid] = side
    return found


# -- a feed from a host ----------------------------------------------------------------------------


def test_import_makes_the_show_and_its_episodes(host, media, tmp_path):
    feed = serve_show(host, media)
    show_dir = tmp_path / "show"
    proc = podkit("import", feed, str(show_dir), "--url", "https://new.example.net/pod")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "2 episode(s) downloaded" in proc.stdout

    show = load_show(show_dir)
    assert (show.title, show.author, show.email, show.owner) == (
        "The Old Show",
        "Mara Quill",
        "owner@old.example.com",
        "Harbour Media",
    )
    assert (show.language, show.category, show.explicit) == ("en-us", "News/Tech News", True)
    assert show.url == "https://new.example.net/pod"
    assert show.description == "Stories from the harbour & beyond."
    assert show.podcast_guid == SHOW_GUID
    assert show.import_.normalise is False
    assert show.cover is not None and show.cover.read_bytes() == media["art.jpg"]
    assert "Comedy" in show.config_path.read_text()  # the other category is named, not lost

    audio = sorted(p.name for p in (show_dir / "audio").iterdir())
    assert audio == [
        "2024-01-05-ferry-fares.mp3",
        "2024-01-05-ferry-fares.toml",
        "2024-01-06-bonus-the-wool-store.m4a",
        "2024-01-06-bonus-the-wool-store.toml",
    ]
    assert (show_dir / "audio" / audio[0]).read_bytes() == media["a.mp3"]
    assert (show_dir / "audio" / audio[2]).read_bytes() == media["b.m4a"]
    ferry = load_sidecar(show_dir / "audio" / audio[0])
    assert ferry.guid == "ferry-2024"  # as written: not resolved against the feed's URL
    assert ferry.imported_from == f"{host.base}/feeds/media/a.mp3"
    assert ferry.title == "Ferry & fares"
    assert ferry.pub_date == dt.datetime(2024, 1, 5, 15, 0, tzinfo=dt.UTC)
    assert (ferry.season, ferry.episode, ferry.episode_type, ferry.explicit) == (2, 7, "full", False)
    assert ferry.description == "The council budget (https://council.example.org/budget).\n\nNext up: rain."
    bonus = load_sidecar(show_dir / "audio" / audio[2])
    assert bonus.guid == "urn:uuid:2b1d0b5c-0000-4000-8000-000000000002"
    assert bonus.pub_date == dt.datetime(2024, 1, 6, 8, 0, tzinfo=dt.UTC)
    assert (bonus.episode_type, bonus.explicit, bonus.episode) == ("bonus", None, None)
    assert bonus.description == "Plain text: 5 < 6 & kept."
    assert ("/go/b", None) in host.log and ("/cdn/b", None) in host.log  # redirects followed


def test_a_dropped_download_resumes_and_a_second_import_fetches_nothing(host, media, tmp_path):
    feed = serve_show(host, media)
    host.drop_once.add("/media/b.m4a")
    show_dir = tmp_path / "show"
    proc = podkit("import", feed, str(show_dir), "--url", "https://new.example.net/", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    resumed = [rng for path, rng in host.media_requests() if path == "/media/b.m4a"]
    assert resumed[0] is None and resumed[1] == f"bytes={len(media['b.m4a']) // 2}-", host.log
    assert (show_dir / "audio" / "2024-01-06-bonus-the-wool-store.m4a").read_bytes() == media["b.m4a"]
    assert not list((show_dir / "audio").glob("*.part")) and not list((show_dir / "audio").glob(".*"))

    host.log.clear()
    config = (show_dir / "podkit.toml").read_text()
    proc = podkit("import", feed, str(show_dir))
    assert proc.returncode == 0, proc.stderr
    assert "0 episode(s) downloaded, 2 already here" in proc.stdout
    assert host.log == [("/feeds/show.xml", None)]  # only the feed: no audio, no artwork
    assert (show_dir / "podkit.toml").read_text() == config


def test_a_partial_download_left_by_a_killed_import_is_resumed(host, media, tmp_path):
    feed = serve_show(host, media)
    show_dir = tmp_path / "show"
    (show_dir / "audio").mkdir(parents=True)
    make_show(show_dir)  # an existing show: its settings are kept, what it lacks is added
    half = len(media["b.m4a"]) // 3
    (show_dir / "audio" / "2024-01-06-bonus-the-wool-store.m4a.part").write_bytes(media["b.m4a"][:half])
    proc = podkit("import", feed, str(show_dir))
    assert proc.returncode == 0, proc.stderr
    assert ("/media/b.m4a", f"bytes={half}-") in host.log
    assert (show_dir / "audio" / "2024-01-06-bonus-the-wool-store.m4a").read_bytes() == media["b.m4a"]
    show = load_show(show_dir)
    assert show.title == "Test Show" and show.podcast_guid == SHOW_GUID and show.cover is not None


def test_bad_items_are_a_line_each_and_the_others_are_imported(host, media, tmp_path):
    items = (
        ITEMS
        + """
  <item><title>Show notes only</title><guid>post-1</guid></item>
  <item><title>Again</title><guid>ferry-2024</guid><enclosure url="/media/a.mp3" type="audio/mpeg"/></item>
  <item><title>Gone</title><guid>gone</guid><enclosure url="/media/gone.mp3" type="audio/mpeg" length="9"/></item>
  <item><title>Page</title><guid>page</guid><enclosure url="/media/page.mp3" type="audio/mpeg"/></item>
  <item><title>Local</title><guid>local</guid><enclosure url="file:///etc/hostname"/></item>
"""
    )
    feed = serve_show(host, media, items)
    host.files["/media/page.mp3"] = (b"<!doctype html><html><body>Sign in</body></html>", "text/html")
    del host.files["/art/cover.jpg"]  # the artwork is a 404
    show_dir = tmp_path / "show"
    proc = podkit("import", feed, str(show_dir), "--url", "https://new.example.net/")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    failed = [ln for ln in proc.stderr.splitlines() if ln.startswith("failed: ")]
    assert len(failed) == 6, proc.stderr
    said = "\n".join(failed)
    assert "'Show notes only' has no audio enclosure" in said
    assert "'Again' has the GUID of item 'Ferry & fares'" in said
    assert f"{host.base}/media/gone.mp3: cannot download it: HTTP 404" in said
    assert f"{host.base}/media/page.mp3: the server sent a web page or text, not audio" in said
    assert f"{host.base}/art/cover.jpg: cannot fetch the artwork: HTTP 404" in said
    assert "file:///etc/hostname: is not an http(s) URL" in said  # a feed on the web never reads local files
    assert set(sidecars(show_dir)) == {"ferry-2024", "urn:uuid:2b1d0b5c-0000-4000-8000-000000000002"}
    assert not [p for p in (show_dir / "audio").iterdir() if "gone" in p.name or "page" in p.name]
    assert load_show(show_dir).cover is None  # podkit draws one; a later import adds the artwork


NOT_A_SHOW = {
    "text": (b"just some words, no markup", "text/plain", "is not an RSS or Atom feed"),
    "html": (
        b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/feeds/real.xml">'
        b"</head><body>Our podcast</body></html>",
        "text/html",
        "is a web page, not a feed; its feed is {base}/feeds/real.xml",
    ),
    "no items": (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title></channel></rss>',
        "application/rss+xml",
        "has no episodes (no items)",
    ),
    "no enclosures": (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
        b"<item><title>A post</title><guid>p1</guid></item></channel></rss>",
        "application/xml",
        "no item has an audio enclosure",
    ),
}


@pytest.mark.parametrize("case", sorted(NOT_A_SHOW))
def test_what_is_not_a_show_is_one_line_and_nothing_is_made(host, tmp_path, case):
    body, ctype, message = NOT_A_SHOW[case]
    host.files["/feed"] = (body, ctype)
    proc = podkit("import", f"{host.base}/feed", str(tmp_path / "show"))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(f"podkit: error: {host.base}/feed: ")
    assert message.format(base=host.base) in lines[0]
    assert not (tmp_path / "show").exists()


def test_no_such_feed_and_a_closed_port_are_one_line(tmp_path):
    proc = podkit("import", str(tmp_path / "missing.xml"), str(tmp_path / "show"))
    assert proc.returncode == 2 and "no such feed file or http(s) URL" in proc.stderr
    url = f"http://127.0.0.1:{free_port()}/feed.xml"
    proc = podkit("import", url, str(tmp_path / "show"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"podkit: error: {url}: cannot fetch the feed: ")
    assert not (tmp_path / "show").exists()


# -- a feed from a file, and other generators' shapes -------------------------------------------------

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
  <title type="html">Night &amp;amp; Day</title>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <author><name>Sam Vale</name><email>sam@atom.example</email></author>
  <link rel="alternate" href="https://atom.example/"/>
  <logo>{base}/art/cover.jpg</logo>
  <itunes:explicit>clean</itunes:explicit>
  <entry>
    <title>Late shift</title>
    <id>tag:atom.example,2023:late-shift</id>
    <published>2023-11-02T22:15:00-05:00</published>
    <updated>2023-11-03T09:00:00Z</updated>
    <summary type="html">&lt;p&gt;On the &lt;em&gt;night&lt;/em&gt; bus.&lt;/p&gt;</summary>
    <link rel="alternate" href="https://atom.example/late-shift"/>
    <link rel="enclosure" href="{base}/media/b.m4a" length="{length}"/>
  </entry>
</feed>
"""


def test_an_atom_feed_from_a_file(host, media, tmp_path):
    serve_show(host, media)
    feed = tmp_path / "atom.xml"
    feed.write_text(ATOM.format(base=host.base, length=len(media["b.m4a"])))
    proc = podkit("import", str(feed), str(tmp_path / "show"))
    assert proc.returncode == 0, proc.stderr
    assert "published at https://atom.example/ (the feed's website)" in proc.stderr
    show = load_show(tmp_path / "show")
    assert (show.title, show.author, show.email, show.explicit) == (
        "Night & Day",
        "Sam Vale",
        "sam@atom.example",
        False,
    )
    assert show.podcast_guid == "" and show.cover is not None
    (rec,) = (tmp_path / "show" / "audio").glob("*.m4a")
    side = load_sidecar(rec)
    assert side.guid == "tag:atom.example,2023:late-shift"
    assert side.pub_date == dt.datetime(2023, 11, 3, 3, 15, tzinfo=dt.UTC)
    assert side.description == "On the night bus."


def test_a_feed_written_by_feedgen(tmp_path):
    """Another generator's RSS (python-feedgen with its podcast extension), parsed."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.title("Generated")
    fg.link(href="https://gen.example/", rel="alternate")
    fg.description("Made by feedgen")
    fg.language("de")
    fg.podcast.itunes_author("Gen Author")
    fg.podcast.itunes_owner(name="Gen Owner", email="owner@gen.example")
    fg.podcast.itunes_category("Technology")
    fg.podcast.itunes_explicit("no")
    fg.podcast.itunes_image("https://gen.example/art.png")
    for n in (1, 2):
        fe = fg.add_entry()
        fe.id(f"gen-{n}")
        fe.title(f"Folge {n}")
        fe.description(f"<p>Teil <i>{n}</i></p>")
        fe.enclosure(f"https://cdn.gen.example/{n}.mp3", str(1000 * n), "audio/mpeg")
        fe.pubDate(dt.datetime(2022, 3, n, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))))
        fe.podcast.itunes_episode(n)
    parsed = parse_feed(fg.rss_str(), "https://gen.example/feed.xml")
    show = parsed.show
    assert (show.title, show.author, show.owner_email, show.language) == (
        "Generated",
        "Gen Author",
        "owner@gen.example",
        "de",
    )
    assert (show.categories, show.explicit, show.artwork) == (("Technology",), False, "https://gen.example/art.png")
    by_guid = {item.guid: item for item in parsed.items}
    assert set(by_guid) == {"gen-1", "gen-2"}
    two = by_guid["gen-2"]
    assert two.pub_date == dt.datetime(2022, 3, 2, 6, 30, tzinfo=dt.UTC)
    assert two.episode == 2
    assert two.enclosure is not None and (two.enclosure.url, two.enclosure.length) == (
        "https://cdn.gen.example/2.mp3",
        2000,
    )
    assert two.description == "Teil 2"


@pytest.mark.parametrize(
    "written",
    [
        "Fri, 05 Jan 2024 15:00:00 GMT",
        "Fri, 5 Jan 2024 15:00:00 +0000",
        "5 Jan 2024 10:00:00 EST",
        "Fri, 05 Jan 2024 16:00:00 +0100",
        "Fri, 05 Jan 24 15:00:00 Z",
        "Friday, 05 Jan 2024 15:00:00 UT",
        "Fri, 05 Jan 2024 07:00:00 PST",
        "2024-01-05T15:00:00Z",
    ],
)
def test_dates_in_rfc_822_variants(written):
    xml = RSS.format(
        guid=SHOW_GUID,
        items=f'<item><title>x</title><guid>g</guid><pubDate>{written}</pubDate><enclosure url="/a.mp3"/></item>',
    )
    (item,) = parse_feed(xml.encode(), "https://h.example/feed.xml").items
    assert item.pub_date == dt.datetime(2024, 1, 5, 15, 0, tzinfo=dt.UTC)
    assert item.enclosure is not None and item.enclosure.url == "https://h.example/a.mp3"


@pytest.mark.parametrize(
    ("value", "explicit"),
    [("yes", True), ("Yes", True), ("true", True), ("explicit", True), ("clean", False), ("No", False), ("", None)],
)
def test_itunes_explicit_in_its_forms(value, explicit):
    xml = RSS.format(guid=SHOW_GUID, items="").replace("<itunes:explicit>Yes", f"<itunes:explicit>{value}")
    xml = xml.replace("</channel>", '<item><guid>g</guid><enclosure url="/a.mp3"/></item></channel>')
    assert parse_feed(xml.encode(), "https://h.example/f").show.explicit is explicit


def test_html_descriptions_become_text():
    assert (
        html_to_text("<p>One&nbsp;<b>two</b></p><ul><li>a</li><li>b</li></ul>x<br>y") == "One two\n\n- a\n\n- b\n\nx\ny"
    )
    assert html_to_text('<a href="https://e.org/">https://e.org/</a> <script>alert(1)</script>') == "https://e.org/"


def test_sidecars_survive_any_text(tmp_path):
    from podkit.importer.source import Enclosure, SourceItem

    tricky = 'He said "hi" \\ left\n\n"""triple""" and a tab\tand \x01 bell'
    item = SourceItem(
        guid='g "1"',
        title="Ünïcode \"title\" '''",
        description=tricky,
        pub_date=dt.datetime(2024, 1, 5, tzinfo=dt.UTC),
        enclosure=Enclosure("https://e.example/a b.mp3", "", None),
    )
    path = tmp_path / "a.toml"
    path.write_text(sidecar_text(item, feed="f.xml", when=dt.datetime.now(dt.UTC), path=path))
    side = load_sidecar(tmp_path / "a.mp3")
    assert (side.guid, side.title, side.description) == (item.guid, item.title, tricky)
    assert tomllib.loads(f"v = {toml_string(chr(127) + 'x')}")["v"] == "\x7fx"


# -- settings, ingest and the normalise stage ---------------------------------------------------------


def test_import_settings_are_checked(tmp_path):
    show = make_show(tmp_path / "show", podcast_guid='"not-a-uuid"')
    with pytest.raises(ConfigError, match="'podcast_guid' must be a UUID"):
        load_show(show)
    show = make_show(tmp_path / "show2")
    with open(show / "podkit.toml", "a") as fh:
        fh.write('\n[import]\nnormalise = "yes"\n')
    with pytest.raises(ConfigError, match=r"'import\.normalise' must be true or false"):
        load_show(show)


def test_ingest_keeps_the_sidecar_guid_and_refuses_it_twice(tmp_path):
    from podkit.catalog import Catalog
    from podkit.ingest import ingest

    show_dir = make_show(tmp_path / "show")
    for name, data in (("a", b"first"), ("b", b"second")):
        (show_dir / "audio" / f"{name}.mp3").write_bytes(data)
        (show_dir / "audio" / f"{name}.toml").write_text('guid = "kept-guid"\n')
    with Catalog(show_dir / ".podkit") as catalog:
        found = ingest(load_show(show_dir), catalog)
        (episode,) = found.episodes
        assert episode.guid == "kept-guid"
        (problem,) = found.problems.values()
        assert "guid 'kept-guid' is already that of" in problem
        # The episode's audio downloaded again (other bytes): the same episode, GUID kept.
        (show_dir / "audio" / "b.toml").unlink()
        (show_dir / "audio" / "b.mp3").unlink()
        (show_dir / "audio" / episode.source).write_bytes(b"downloaded again")
        again = ingest(load_show(show_dir), catalog)
        assert [(e.guid, e.slug) for e in again.episodes] == [("kept-guid", episode.slug)]


def test_imported_audio_is_published_as_it_is(media, tmp_path):
    from podkit.importer.asis import publish_as_is
    from podkit.normalise import NormaliseOptions

    mp3, m4a = tmp_path / "a.mp3", tmp_path / "b.m4a"
    mp3.write_bytes(media["a.mp3"])
    m4a.write_bytes(media["b.m4a"])
    copied = publish_as_is(mp3, tmp_path / "out-a", NormaliseOptions())
    assert (tmp_path / "out-a").read_bytes() == media["a.mp3"]
    assert copied.gain_db == 0 and copied.verified and copied.duration == pytest.approx(3.0, abs=0.1)
    encoded = publish_as_is(m4a, tmp_path / "out-b", NormaliseOptions())
    loudness, _ = ebur128(tmp_path / "out-b")
    assert loudness == pytest.approx(encoded.input_loudness, abs=0.7)  # no gain: only the codec's change
    assert encoded.input_loudness < -17  # far from the -16 LUFS a normalised episode gets


# -- the whole way: import, run, republish --------------------------------------------------------------


def speech(path: Path, text: str) -> bytes:
    wav = path.with_suffix(".wav")
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), text], check=True, capture_output=True)
    ffmpeg("-i", str(wav), "-ac", "1", "-b:a", "64k", str(path))
    return path.read_bytes()


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng to speak the episodes")
def test_an_imported_show_is_republished_with_its_guids(host, media, tmp_path):
    import feedparser

    feed = serve_show(host, media)
    one = speech(tmp_path / "one.mp3", "Welcome to the old show. Today the ferry fares go up again.")
    two = speech(tmp_path / "two.m4a", "This is the bonus episode about the old wool store on the wharf.")
    host.files["/feeds/media/a.mp3"] = (one, "audio/mpeg")
    host.files["/media/b.m4a"] = (two, "audio/mp4")
    show_dir = tmp_path / "show"
    proc = podkit("import", feed, str(show_dir), "--url", "https://new.example.net/pod", "-q")
    assert proc.returncode == 0, proc.stderr
    proc = podkit("run", str(show_dir))
    assert proc.returncode == 0, proc.stderr

    old = feedparser.parse(host.files["/feeds/show.xml"][0])
    new = feedparser.parse((show_dir / "public" / "feed.xml").read_bytes())
    assert new.feed.get("podcast_guid") == SHOW_GUID
    assert {e.id: e.published_parsed for e in new.entries} == {
        "ferry-2024": old.entries[0].published_parsed,
        "urn:uuid:2b1d0b5c-0000-4000-8000-000000000002": old.entries[1].published_parsed,
    }
    status = json.loads(podkit("status", str(show_dir), "--json").stdout)
    for ep in status["episodes"]:
        assert ep["imported"] and ep["imported_from"].startswith(host.base)
        assert {st["status"] for st in ep["stages"].values()} == {"done"}
        norm = ep["stages"]["normalise"]["result"]
        assert norm["gain_db"] == 0 and norm["output_loudness"] == norm["input_loudness"]
        assert (show_dir / "transcripts" / f"{ep['slug']}.chapters.json").is_file()
    assert "(imported)" in podkit("status", str(show_dir)).stdout
