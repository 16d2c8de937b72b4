"""The RSS feed: feedgen + its iTunes extension + podkit's Podcasting 2.0 extension.

feedgen 1.0 has no ``podcast:`` namespace, accepts only yes/no/clean for itunes:explicit
(Apple now asks for true/false) and silently drops a channel image whose URL does not end in
.jpg/.png; the extension below adds the namespace, rewrites explicit, and podkit checks the
image itself. Output is stable: the same catalog gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import lxml.etree  # feedgen 1.0 uses lxml.etree without importing it  # noqa: F401
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..mime import CHAPTERS_TYPE
from ..records import StoryEntry

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
SOUNDBITE_MIN_S, SOUNDBITE_MAX_S = 15.0, 60.0
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# Podcasting 2.0: podcast:guid is UUIDv5 of the feed URL (no scheme, no trailing slash).
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def podcast_guid(feed_url: str) -> str:
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


@dataclass
class Transcript:
    url: str
    type: str
    language: str | None = None


@dataclass(frozen=True)
class Soundbite:
    """A podcast:soundbite: a part of the episode worth hearing on its own (15-60 s)."""

    start: float  # seconds
    duration: float
    title: str


def soundbites_for(stories: Sequence[StoryEntry]) -> tuple[Soundbite, ...]:
    """One per story (not the intro, sponsor reads, short items or outro): its first 15-60
    seconds, titled with its heading; a story under 15 s has none."""
    return tuple(
        Soundbite(round(s.start, 1), round(min(SOUNDBITE_MAX_S, s.end - s.start), 1), s.title)
        for s in stories
        if s.kind == "story" and s.end - s.start >= SOUNDBITE_MIN_S
    )


@dataclass
class Item:
    guid: str
    title: str
    link: str
    pub_date: dt.datetime
    enclosure_url: str
    enclosure_length: int
    duration: int  # seconds
    description: str
    content_html: str = ""
    episode: int | None = None
    season: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    transcripts: list[Transcript] = field(default_factory=list)
    chapters_url: str | None = None
    persons: list[str] = field(default_factory=list)
    soundbites: tuple[Soundbite, ...] = ()


@dataclass
class Channel:
    title: str
    link: str
    feed_url: str
    description: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    image_url: str
    category: tuple[str, str | None]
    explicit: bool
    show_type: str = "episodic"
    guid: str = ""
    locked: bool = True
    funding: tuple[str, str] | None = None  # (url, text)
    persons: list[str] = field(default_factory=list)


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: object) -> etree._Element:
    node = etree.SubElement(parent, f"{{{PODCAST_NS}}}{tag}", {k: str(v) for k, v in attrs.items() if v is not None})
    if text is not None:
        node.text = text
    return node


def _fix_explicit(root: etree._Element) -> None:
    for node in root.iter(f"{{{ITUNES_NS}}}explicit"):
        node.text = {"yes": "true", "no": "false", "clean": "false"}.get(node.text or "", node.text)


class _ChannelExt(BaseExtension):  # type: ignore[misc]  # feedgen is untyped
    def __init__(self) -> None:
        self.channel: Channel | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, rss_feed: etree._Element) -> etree._Element:
        channel = rss_feed[0]
        c = self.channel
        if c is not None:
            _el(channel, "guid", c.guid or podcast_guid(c.feed_url))
            _el(channel, "locked", "yes" if c.locked else "no", owner=c.owner_email)
            if c.funding:
                _el(channel, "funding", c.funding[1], url=c.funding[0])
            for person in c.persons:
                _el(channel, "person", person, role="host")
        _fix_explicit(rss_feed)
        return rss_feed


class _ItemExt(BaseEntryExtension):  # type: ignore[misc]  # feedgen is untyped
    def __init__(self) -> None:
        self.item: Item | None = None

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        it = self.item
        if it is not None:
            for t in it.transcripts:
                _el(entry, "transcript", url=t.url, type=t.type, language=t.language)
            if it.chapters_url:
                _el(entry, "chapters", url=it.chapters_url, type=CHAPTERS_TYPE)
            for bite in it.soundbites:
                _el(entry, "soundbite", bite.title, startTime=f"{bite.start:.1f}", duration=f"{bite.duration:.1f}")
            for person in it.persons:
                _el(entry, "person", person)
        _fix_explicit(entry)
        return entry


def build_feed(channel: Channel, items: list[Item], *, generator: str = "podkit") -> bytes:
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("podcastindex", _ChannelExt, _ItemExt)
    fg.podcastindex.channel = channel
    fg.title(channel.title)
    fg.link(href=channel.feed_url, rel="self")
    fg.link(href=channel.link, rel="alternate")  # RSS <link> takes the last alternate
    fg.description(channel.description or channel.title)
    fg.language(channel.language)
    fg.generator(generator)
    fg.podcast.itunes_author(channel.author)
    fg.podcast.itunes_owner(name=channel.owner_name, email=channel.owner_email)
    fg.podcast.itunes_image(channel.image_url)
    fg.image(url=channel.image_url, title=channel.title, link=channel.link)
    top, sub = channel.category
    fg.podcast.itunes_category(top, sub) if sub else fg.podcast.itunes_category(top)
    fg.podcast.itunes_explicit("yes" if channel.explicit else "no")
    fg.podcast.itunes_type(channel.show_type)
    newest = max((i.pub_date for i in items), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    fg.lastBuildDate(newest)  # stable: changes only when an episode does
    # feedgen writes entries in reverse order of adding: add oldest first -> newest first.
    for it in sorted(items, key=lambda i: (i.pub_date, i.guid)):
        fe = fg.add_entry()
        fe.podcastindex.item = it
        fe.guid(it.guid, permalink=False)
        fe.title(it.title)
        fe.link(href=it.link)
        fe.pubDate(it.pub_date)
        fe.description(it.description)
        if it.content_html:
            fe.content(it.content_html, type="CDATA")
        fe.enclosure(it.enclosure_url, str(it.enclosure_length), "audio/mpeg")
        fe.podcast.itunes_duration(it.duration)
        if it.episode is not None:
            fe.podcast.itunes_episode(it.episode)
        if it.season is not None:
            fe.podcast.itunes_season(it.season)
        fe.podcast.itunes_episode_type(it.episode_type)
        if it.explicit is not None:
            fe.podcast.itunes_explicit("yes" if it.explicit else "no")
    data: bytes = fg.rss_str(pretty=True, xml_declaration=True, encoding="UTF-8")
    return data
