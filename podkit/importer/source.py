"""A podcast feed as records: the show and its episodes, read with feedparser.

feedparser reads the shapes real hosts and generators write (RSS 0.9x-2.0 and Atom, CDATA,
entities, relative URLs, every RFC 822 date variant, broken XML through its loose parser).
A few iTunes tags it reads in one form only; for those, the feed's own XML is read too, by
namespace and in any case: ``itunes:explicit`` (feedparser knows "yes" and "clean", not
"true", "Yes" or "no"), the channel's ``itunes:author`` (feedparser lets the owner's name
replace it), the nesting of ``itunes:category`` (feedparser flattens it) and ``podcast:guid``
(feedparser keys it by whatever prefix the feed uses).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from ..categories import APPLE_CATEGORIES
from ..config.sidecar import AUDIO_EXTENSIONS, EPISODE_TYPES
from .fetch import FeedError

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
ATOM_NS = "http://www.w3.org/2005/atom"  # lower case, as _local gives it
PODCAST_NS = ("https://podcastindex.org/namespace/1.0", "http://podcastindex.org/namespace/1.0")

# Enclosure types podkit reads, and the file extension each is saved with.
AUDIO_TYPES = {
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/mpeg3": ".mp3",
    "audio/x-mpeg": ".mp3",
    "audio/x-mp3": ".mp3",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/m4a": ".m4a",
    "audio/aac": ".m4a",
    "audio/ogg": ".ogg",
    "audio/vorbis": ".ogg",
    "audio/opus": ".opus",
    "audio/flac": ".flac",
    "audio/x-flac": ".flac",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/wave": ".wav",
    "video/mp4": ".mp4",
    "video/x-m4v": ".mp4",
}


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str  # "" when the feed does not say
    length: int | None  # None when the feed does not say (or says 0)

    @property
    def extension(self) -> str:
        """The extension to save it with: the URL's, else the type's ("" when neither says)."""
        suffix = PurePosixPath(unquote(urlsplit(self.url).path)).suffix.lower()
        if suffix in AUDIO_EXTENSIONS:
            return suffix
        if suffix == ".m4v":
            return ".mp4"
        return AUDIO_TYPES.get(self.type, "")


@dataclass(frozen=True)
class SourceItem:
    """One episode of the source feed."""

    guid: str  # the item's GUID; the enclosure URL where it has none (what apps key on then)
    title: str
    description: str  # plain text (HTML turned into paragraphs, links kept as URLs)
    pub_date: dt.datetime | None
    season: int | None = None
    episode: int | None = None
    episode_type: str | None = None  # full, trailer or bonus
    explicit: bool | None = None
    enclosure: Enclosure | None = None  # the audio; None when the item has none
    other_enclosures: int = 0  # enclosures beside the one taken

    @property
    def name(self) -> str:
        """How a message names the item."""
        return repr(self.title) if self.title else f"GUID {self.guid!r}"


@dataclass(frozen=True)
class SourceShow:
    title: str
    description: str
    link: str  # the show's website
    language: str
    author: str
    owner_name: str
    owner_email: str
    categories: tuple[str, ...]  # "Top" or "Top/Sub" as Apple lists them, in the feed's order
    unknown_categories: tuple[str, ...]  # those Apple does not list
    explicit: bool | None
    artwork: str  # URL, "" when none
    podcast_guid: str


@dataclass(frozen=True)
class SourceFeed:
    url: str  # where it was read from
    show: SourceShow
    items: tuple[SourceItem, ...]
    duplicates: tuple[tuple[SourceItem, SourceItem], ...] = ()  # (left out, the one kept)
    kind: str = ""  # feedparser's name for the format: rss20, atom10 ...


# -- HTML to text ---------------------------------------------------------------------------

_BLOCKS = {
    "p",
    "div",
    "ul",
    "ol",
    "li",
    "blockquote",
    "pre",
    "table",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, int]] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "li":
                self.parts.append("- ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.parts[start:]).strip()
            if href.startswith(("http://", "https://")) and href.rstrip("/") not in text:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Paragraphs of plain text from an HTML description; a link keeps its URL after its text."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _text(detail: Any, fallback: str = "") -> str:
    """A feedparser text construct as plain text."""
    if not detail:
        return fallback.strip()
    value = str(detail.get("value", ""))
    kind = str(detail.get("type", "text/plain"))
    return html_to_text(value) if "html" in kind else value.strip()


# -- the feed's own XML, for the tags feedparser reads in one form only -----------------------


@dataclass
class _Raw:
    explicit: bool | None = None
    author: str = ""
    categories: list[str] = field(default_factory=list)
    podcast_guid: str = ""
    item_explicit: list[bool | None] = field(default_factory=list)
    item_guid: list[str] = field(default_factory=list)  # as written ("" where none)


def _local(tag: object) -> tuple[str, str]:
    """(namespace, local name), both lower case."""
    if not isinstance(tag, str):
        return "", ""
    ns, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return ns.lower(), name.lower()


def _explicit(value: str | None) -> bool | None:
    word = (value or "").strip().lower()
    if word in ("yes", "true", "explicit", "1"):
        return True
    if word in ("no", "false", "clean", "0"):
        return False
    return None


def _raw(data: bytes) -> _Raw:
    from lxml import etree

    raw = _Raw()
    try:
        parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return raw
    if root is None:
        return raw
    channel = next((el for el in root if _local(el.tag) == ("", "channel")), root)
    for el in channel:
        ns, name = _local(el.tag)
        if ns == ITUNES_NS and name == "explicit":
            raw.explicit = _explicit(el.text)
        elif ns == ITUNES_NS and name == "author" and (el.text or "").strip():
            raw.author = (el.text or "").strip()
        elif ns == ITUNES_NS and name == "category":
            top = (el.get("text") or "").strip()
            subs = [(s.get("text") or "").strip() for s in el if _local(s.tag) == (ITUNES_NS, "category")]
            raw.categories += [f"{top}/{s}" for s in subs if s] or [top]
        elif ns in PODCAST_NS and name == "guid" and (el.text or "").strip():
            raw.podcast_guid = (el.text or "").strip()
    items = [el for el in channel if _local(el.tag)[1] in ("item", "entry")]
    for item in items:
        found = [el.text for el in item if _local(el.tag) == (ITUNES_NS, "explicit")]
        raw.item_explicit.append(_explicit(found[0]) if found else None)
        guids = [(el.text or "").strip() for el in item if _local(el.tag) in (("", "guid"), (ATOM_NS, "id"))]
        raw.item_guid.append(guids[0] if guids else "")
    return raw


# -- categories -------------------------------------------------------------------------------


def _category(value: str) -> str | None:
    """``value`` ("News/Tech News", "technology", "News & Politics") as Apple lists it, or None."""

    def canon(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("&", " and ")).strip()

    top, _, sub = (p.strip() for p in value.partition("/"))
    for name, subs in APPLE_CATEGORIES.items():
        if canon(name) != canon(top):
            continue
        if not sub:
            return name
        found = next((s for s in subs if canon(s) == canon(sub)), None)
        return f"{name}/{found}" if found else name
    return None


# -- items ------------------------------------------------------------------------------------


def _number(value: Any) -> int | None:
    """A season or episode number however written ("3", " 03 ", "Episode 3"); None when it
    is not a positive whole number."""
    m = re.fullmatch(r"\D{0,20}?(\d{1,9})\s*", str(value or "").strip())
    number = int(m.group(1)) if m else 0
    return number if number >= 1 else None


def _date(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC)
    return None


def _enclosures(entry: Any, base: str) -> list[Enclosure]:
    out = []
    for link in entry.get("links", []):
        if link.get("rel") != "enclosure" or not link.get("href"):
            continue
        url = urljoin(base, str(link["href"]).strip())
        kind = str(link.get("type") or "").split(";")[0].strip().lower()
        if kind == "text/html":  # feedparser's guess for a link without a type
            kind = ""
        length = str(link.get("length") or "").strip()
        size = int(length) if length.isdigit() and int(length) > 1 else None
        out.append(Enclosure(url, kind, size))
    return out


def _audio(enclosures: list[Enclosure]) -> Enclosure | None:
    """The enclosure to import: the first audio podkit reads (an MP3 first), else a video."""

    def rank(enc: Enclosure) -> int:
        ext = enc.extension
        if not ext:
            return 3 if enc.type.startswith("audio/") or not enc.type else 9
        return 0 if ext == ".mp3" else 2 if ext == ".mp4" else 1

    usable = [e for e in enclosures if rank(e) < 9]
    return min(usable, key=rank) if usable else None


def _item(entry: Any, base: str, explicit: bool | None, guid: str) -> SourceItem:
    enclosures = _enclosures(entry, base)
    audio = _audio(enclosures)
    guid = guid or str(entry.get("id") or "").strip() or (audio.url if audio else "")
    content = entry.get("content") or []
    description = _text(entry.get("summary_detail"), str(entry.get("summary", "")))
    if not description and content:
        description = _text(content[0])
    kind = str(entry.get("itunes_episodetype") or "").strip().lower()
    return SourceItem(
        guid=guid,
        title=_text(entry.get("title_detail"), str(entry.get("title", ""))).replace("\n", " "),
        description=description,
        pub_date=_date(entry),
        season=_number(entry.get("itunes_season")),
        episode=_number(entry.get("itunes_episode")),
        episode_type=kind if kind in EPISODE_TYPES else None,
        explicit=explicit if explicit is not None else entry.get("itunes_explicit"),
        enclosure=audio,
        other_enclosures=max(0, len(enclosures) - 1),
    )


# -- the feed ---------------------------------------------------------------------------------


class _FeedLinks(HTMLParser):
    """The feeds an HTML page names (``<link rel="alternate" type="application/rss+xml">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.feeds: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        feed_types = ("application/rss+xml", "application/atom+xml")
        alternate = tag == "link" and "alternate" in a.get("rel", "").lower().split()
        if alternate and a.get("type", "").lower() in feed_types and a.get("href"):
            self.feeds.append(a["href"])


def _not_a_feed(data: bytes, url: str, content_type: str) -> FeedError:
    head = data[:2048].lstrip().lower()
    if content_type == "text/html" or head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        finder = _FeedLinks()
        finder.feed(data[: 1 << 20].decode("utf-8", "replace"))
        if finder.feeds:
            return FeedError(
                f"is a web page, not a feed; its feed is {urljoin(url, finder.feeds[0])}: import that", path=url
            )
        return FeedError("is a web page, not a podcast feed; give the RSS feed's URL", path=url)
    if not data.strip():
        return FeedError("is empty; give the show's RSS or Atom feed", path=url)
    return FeedError("is not an RSS or Atom feed; give the show's feed", path=url)


def parse_feed(data: bytes, url: str, *, name: str | None = None, content_type: str = "") -> SourceFeed:
    """The feed in ``data``, read from ``url`` (relative URLs resolve against it). Raises
    FeedError (naming ``name``, else ``url``) when it is no feed or has no episodes."""
    import feedparser

    where = name or url
    parsed = feedparser.parse(
        data, response_headers={"content-location": url, "content-type": content_type or "application/xml"}
    )
    if not parsed.get("version"):
        raise _not_a_feed(data, where, content_type)
    entries = list(parsed.entries)
    if not entries:
        raise FeedError("has no episodes (no items); nothing to import", path=where)
    feed = parsed.feed
    raw = _raw(data)
    base = url
    owner = feed.get("publisher_detail") or {}
    author = feed.get("author_detail") or {}
    categories: list[str] = []
    unknown: list[str] = []
    named = raw.categories or [str(t.get("term") or "") for t in feed.get("tags", [])]
    for value in (v.strip() for v in named if v and v.strip()):
        known = _category(value)
        if known and known not in categories:
            categories.append(known)
        elif not known:
            unknown.append(value)
    image = feed.get("image") or {}
    artwork = str(image.get("href") or image.get("url") or feed.get("logo") or feed.get("icon") or "")
    show = SourceShow(
        title=_text(feed.get("title_detail"), str(feed.get("title", ""))).replace("\n", " "),
        description=_text(feed.get("subtitle_detail") or feed.get("summary_detail"), str(feed.get("subtitle", ""))),
        link=urljoin(base, str(feed.get("link") or "")) if feed.get("link") else "",
        language=str(feed.get("language") or "").strip(),
        author=raw.author or str(author.get("name") or feed.get("author") or "").strip(),
        owner_name=str(owner.get("name") or "").strip(),
        owner_email=str(owner.get("email") or author.get("email") or "").strip(),
        categories=tuple(categories),
        unknown_categories=tuple(unknown),
        explicit=raw.explicit if raw.explicit is not None else feed.get("itunes_explicit"),
        artwork=urljoin(base, artwork.strip()) if artwork.strip() else "",
        podcast_guid=raw.podcast_guid or str(feed.get("podcast_guid") or "").strip(),
    )
    # The feed's own item GUIDs: feedparser resolves a relative "permalink" GUID against the
    # feed's URL, and apps know the episode by the GUID as written.
    same_count = len(raw.item_explicit) == len(entries)
    items: list[SourceItem] = []
    duplicates: list[tuple[SourceItem, SourceItem]] = []
    seen: dict[str, SourceItem] = {}
    for n, entry in enumerate(entries):
        item = _item(entry, base, raw.item_explicit[n] if same_count else None, raw.item_guid[n] if same_count else "")
        if item.guid and item.guid in seen:
            duplicates.append((item, seen[item.guid]))
            continue
        if item.guid:
            seen[item.guid] = item
        items.append(item)
    return SourceFeed(url, show, tuple(items), tuple(duplicates), str(parsed.get("version")))
