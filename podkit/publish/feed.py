"""The RSS feed: feedgen + its iTunes extension + podkit's Podcasting 2.0 extension.

feedgen 1.0 has no ``podcast:`` namespace, accepts only yes/no/clean for itunes:explicit
(Apple now asks for true/false) and silently drops a channel image whose URL does not end in
.jpg/.png; the extension below adds the namespace, rewrites explicit, and podkit checks the
image itself. Output is stable: the same catalog gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

import lxml.etree  # feedgen 1.0 uses lxml.etree without importing it  # noqa: F401
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..mime import CHAPTERS_TYPE
from ..records import Person, StoryEntry

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"  # Podlove Simple Chapters: what Spotify reads
ATOM_NS = "http://www.w3.org/2005/Atom"
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
    rel: str | None = None  # "captions": a timed file apps may show as closed captions


@dataclass(frozen=True)
class Chapter:
    """A chapter as psc:chapters and the description's lines give it."""

    start: float  # seconds
    title: str
    href: str | None = None


@dataclass(frozen=True)
class Trailer:
    """A podcast:trailer on the channel: an episode whose type is trailer."""

    title: str
    url: str
    pub_date: dt.datetime
    length: int
    type: str = "audio/mpeg"
    season: int | None = None


def npt(seconds: float) -> str:
    """Normal Play Time as psc:chapter start wants it: ``HH:MM:SS.mmm``."""
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def op3_url(url: str, guid: str) -> str:
    """The OP3 analytics prefix: ``https://op3.dev/e,pg=<podcast guid>/<url without scheme>``
    (an http URL keeps its scheme, as OP3 asks, so it is not fetched over https)."""
    return f"https://op3.dev/e,pg={guid}/{url.removeprefix('https://')}"


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
    persons: list[str] = field(default_factory=list)  # the speakers (podcast:person, no role)
    guests: list[Person] = field(default_factory=list)  # podcast:person with role, group, href, img
    soundbites: tuple[Soundbite, ...] = ()
    season_name: str = ""
    episode_display: str = ""
    chapters: tuple[Chapter, ...] = ()  # psc:chapters


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
    txt: tuple[tuple[str, str], ...] = ()  # (purpose, text): podcast:txt
    podroll: tuple[str, ...] = ()  # feed GUIDs or feed URLs
    trailers: list[Trailer] = field(default_factory=list)
    new_feed_url: str = ""
    block: bool = False
    complete: bool = False
    websub_hub: str = ""
    podping: bool = False


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
        return {"podcast": PODCAST_NS, "psc": PSC_NS}

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
            for purpose, text in c.txt:
                _el(channel, "txt", text, purpose=purpose)
            for t in sorted(c.trailers, key=lambda t: (t.pub_date, t.url)):
                _el(
                    channel,
                    "trailer",
                    t.title[:128],
                    pubdate=email.utils.format_datetime(t.pub_date),
                    url=t.url,
                    length=t.length,
                    type=t.type,
                    season=t.season,
                )
            if c.podroll:
                roll = _el(channel, "podroll")
                for entry in c.podroll:
                    if "://" in entry:  # a URL: its GUID is the UUIDv5 of it, as podcast:guid says
                        _el(roll, "remoteItem", feedGuid=podcast_guid(entry), feedUrl=entry)
                    else:
                        _el(roll, "remoteItem", feedGuid=str(uuid.UUID(entry)))
            if c.podping:
                _el(channel, "podping", usesPodping="true")
            if c.websub_hub:
                etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=c.websub_hub, rel="hub")
            # Apple acts on these only when they say "Yes".
            if c.new_feed_url:
                etree.SubElement(channel, f"{{{ITUNES_NS}}}new-feed-url").text = c.new_feed_url
            if c.block:
                etree.SubElement(channel, f"{{{ITUNES_NS}}}block").text = "Yes"
            if c.complete:
                etree.SubElement(channel, f"{{{ITUNES_NS}}}complete").text = "Yes"
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
            if it.season is not None:
                _el(entry, "season", str(it.season), name=it.season_name or None)
            if it.episode is not None:
                _el(entry, "episode", str(it.episode), display=it.episode_display or None)
            for t in it.transcripts:
                _el(entry, "transcript", url=t.url, type=t.type, language=t.language, rel=t.rel)
            if it.chapters_url:
                _el(entry, "chapters", url=it.chapters_url, type=CHAPTERS_TYPE)
            if it.chapters:
                psc = etree.SubElement(entry, f"{{{PSC_NS}}}chapters", version="1.2")
                for ch in it.chapters:
                    attrs = {"start": npt(ch.start), "title": ch.title}
                    if ch.href:
                        attrs["href"] = ch.href
                    etree.SubElement(psc, f"{{{PSC_NS}}}chapter", attrs)
            for bite in it.soundbites:
                _el(entry, "soundbite", bite.title, startTime=f"{bite.start:.1f}", duration=f"{bite.duration:.1f}")
            named = {g.name.casefold() for g in it.guests}
            for person in it.persons:
                if person.casefold() not in named:  # a speaker who is a guest is named once, as the guest
                    _el(entry, "person", person)
            for g in it.guests:
                _el(entry, "person", g.name, role=g.role, group=g.group, href=g.href or None, img=g.img or None)
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
