"""Rebuild public/feed.xml and the site from the published episodes, atomically and stably.

Runs after the episodes: every episode whose tag stage is done (its MP3 is in public/media)
is an item, newest first; the runner hands each over as a ``PublishedEpisode``. Transcripts
and chapters are copied under public/transcripts/ so the feed can point at them. Publishing
twice with nothing changed writes identical bytes (and leaves the files untouched).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..categories import parse_category
from ..config import ShowConfig
from ..fsutil import atomic_path, write_bytes
from ..mime import TRANSCRIPT_TYPES
from ..records import Person
from .feed import Channel, Chapter, Item, Soundbite, Trailer, Transcript, build_feed, op3_url, podcast_guid
from .site import Page, build_site

# Transcript formats the feed points to (podcast:transcript), in this order.
FEED_TRANSCRIPTS = ("vtt", "srt", "json", "html")
# Those apps may show as closed captions (rel="captions"): timed cues of a line or two.
CAPTIONS = ("vtt", "srt")
DESCRIPTION_MAX_BYTES = 4000  # Apple's and Spotify's limit on an item's description
_CHAPTER_LINE = re.compile(r"^\d{2}:\d{2}(:\d{2})? \S")


@dataclass(frozen=True)
class PublishedEpisode:
    """One episode as the feed and the pages show it."""

    slug: str
    guid: str
    title: str
    pub_date: dt.datetime
    description: str
    duration: float  # seconds, of the published MP3
    season: int | None = None
    episode: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    speakers: tuple[str, ...] = ()
    soundbites: tuple[Soundbite, ...] = ()  # one per story (podcast:soundbite)
    # False while the transcript files cannot be published (a host's edit that does not
    # parse): the public copies stay as last published.
    transcripts_current: bool = True
    language: str = ""  # the transcript's language; "" or "und": the show's
    chapters: tuple[Chapter, ...] = ()  # every part the notes found (psc:chapters)
    season_name: str = ""
    episode_display: str = ""
    guests: tuple[Person, ...] = ()  # podcast:person with their role; on the episode page
    byline: str = ""  # "By Mara Quill", as the notes wrote it
    date_label: str = ""  # the date in the show's language ("" : the page writes its own)


@dataclass
class PublishResult:
    feed: Path
    items: int
    copied: list[Path] = field(default_factory=list)
    feed_changed: bool = False  # feed.xml was written (its bytes changed)


def fit_description(text: str, limit: int = DESCRIPTION_MAX_BYTES) -> str:
    """``text`` in at most ``limit`` UTF-8 bytes: the prose is cut at a word (with an
    ellipsis) and the chapter lines at its end are kept whole; what does not fit of those too
    is left out from the end."""
    if len(text.encode()) <= limit:
        return text
    head, sep, tail = text.rpartition("\n\n")
    lines = tail.split("\n")
    if not (sep and all(_CHAPTER_LINE.match(line) for line in lines)):
        head, lines = text, []
    while lines and len("\n".join(lines).encode()) > limit // 2:
        lines.pop()
    chapters = "\n".join(lines)
    room = limit - len(chapters.encode()) - (len(b"\n\n") if chapters else 0) - len("…".encode())
    cut = head.encode()[: max(0, room)].decode(errors="ignore")
    if " " in cut and len(cut) < len(head):
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip() + "…"
    return f"{cut}\n\n{chapters}" if chapters else cut


def _copy_if_changed(src: Path, dest: Path) -> bool:
    """Put a copy of ``src`` at ``dest`` atomically; False when ``dest`` already holds the
    same bytes. Never a hard link: a host may edit a transcript in place, and the public
    copy must change only when podkit publishes it (a link made by an older podkit is
    replaced by a copy)."""
    if (
        dest.exists()
        and not os.path.samefile(src, dest)
        and dest.stat().st_size == src.stat().st_size
        and dest.read_bytes() == src.read_bytes()
    ):
        return False
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
    return True


def _chapter_file(path: Path) -> tuple[tuple[float, str], ...]:
    """(start, title) of each chapter of a Podcasting 2.0 chapters file, in order, the first at
    zero; () when there is none that reads."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        marks = sorted((float(c["startTime"]), str(c["title"])) for c in data["chapters"])
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    return ((0.0, marks[0][1]), *marks[1:]) if marks else ()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _cover(show: ShowConfig) -> Path:
    """The show's cover in public/, or a 3000x3000 PNG drawn from its title."""
    if show.cover:
        # feedgen drops an itunes:image whose URL does not end in .jpg or .png
        suffix = ".jpg" if show.cover.suffix.lower() in (".jpg", ".jpeg") else ".png"
        dest = show.public_dir / f"cover{suffix}"
        _copy_if_changed(show.cover, dest)
        return dest
    dest = show.public_dir / "cover.png"
    if not dest.exists():
        from PIL import Image, ImageDraw, ImageFont

        img = Image.new("RGB", (3000, 3000), (28, 42, 74))
        draw = ImageDraw.Draw(img)
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont
        try:
            font = ImageFont.truetype("DejaVuSans-Bold.ttf", 220)
        except OSError:
            font = ImageFont.load_default()
        words, lines, line = show.title.split(), [], ""
        for w in words:
            if line and draw.textlength(f"{line} {w}", font=font) > 2600:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}".strip()
        lines.append(line)
        y = 1500 - len(lines) * 140
        for text in lines:
            draw.text((1500, y), text, fill=(255, 255, 255), font=font, anchor="mm")
            y += 280
        with atomic_path(dest) as tmp:
            img.save(tmp, format="PNG", optimize=True)
    return dest


def publish(show: ShowConfig, episodes: list[PublishedEpisode], *, guid: str | None = None) -> PublishResult:
    """``episodes``: those whose media is published; ``guid``: the show's podcast:guid as first
    assigned (default: from the feed URL)."""
    base = show.url.rstrip("/")
    public = show.public_dir
    show_guid = guid or podcast_guid(show.resolved_feed_url)
    trailers: list[Trailer] = []
    cover = _cover(show)
    copied: list[Path] = []
    items, pages = [], []
    for ep in episodes:
        media = show.media_dir / f"{ep.slug}.mp3"
        if not media.exists():
            continue
        transcripts = []
        language = show.language  # the episode's own where it is another ("en-GB" stays for "en")
        if ep.language and ep.language != "und" and ep.language.split("-")[0] != show.language.split("-")[0]:
            language = ep.language
        for fmt in FEED_TRANSCRIPTS:
            src = show.transcripts_dir / f"{ep.slug}.{fmt}"
            dest = public / "transcripts" / src.name
            if ep.transcripts_current and src.exists() and _copy_if_changed(src, dest):
                copied.append(src)
            if src.exists() if ep.transcripts_current else dest.exists():
                rel = "captions" if fmt in CAPTIONS else None
                transcripts.append(Transcript(f"{base}/transcripts/{src.name}", TRANSCRIPT_TYPES[fmt], language, rel))
        chapters_url = None
        chapters = show.transcripts_dir / f"{ep.slug}.chapters.json"
        if chapters.exists():
            _copy_if_changed(chapters, public / "transcripts" / chapters.name)
            chapters_url = f"{base}/transcripts/{chapters.name}"
        notes_html = _read(show.transcripts_dir / f"{ep.slug}.notes.html")
        # In order, the first at zero (as the description's chapter lines).
        marks = tuple(sorted(ep.chapters, key=lambda c: c.start))
        if marks:
            marks = (Chapter(0.0, marks[0].title, marks[0].href), *marks[1:])
        # The page's chapters: the chapters file, as the notes beside them on the page (both stay
        # as last made while a host's edit of the notes does not parse)
        page_marks = _chapter_file(chapters) or tuple((c.start, c.title) for c in marks)
        # The page's transcript is the one the feed points to (the last published while an
        # edit does not parse).
        words = show.transcripts_dir if ep.transcripts_current else public / "transcripts"
        pages.append(
            Page(
                slug=ep.slug,
                title=ep.title,
                pub_date=ep.pub_date,
                duration=round(ep.duration),
                description=ep.description,
                notes_html=notes_html,
                transcript_html=_read(show.transcripts_dir / f"{ep.slug}.html"),
                language=language,
                byline=ep.byline,
                date_label=ep.date_label,
                guests=ep.guests,
                transcript_json=words / f"{ep.slug}.json",
                chapters=page_marks,
                episode=ep.episode,
                season=ep.season,
            )
        )
        enclosure_url = f"{base}/media/{media.name}"
        if show.op3:
            enclosure_url = op3_url(enclosure_url, show_guid)
        size = media.stat().st_size
        if ep.episode_type == "trailer":
            trailers.append(Trailer(ep.title, enclosure_url, ep.pub_date, size, season=ep.season))
        items.append(
            Item(
                guid=ep.guid,
                title=ep.title,
                link=f"{base}/episodes/{ep.slug}/",
                pub_date=ep.pub_date,
                enclosure_url=enclosure_url,
                enclosure_length=size,
                duration=round(ep.duration),
                description=fit_description(ep.description),
                content_html=notes_html,
                episode=ep.episode,
                season=ep.season,
                episode_type=ep.episode_type,
                explicit=ep.explicit,
                transcripts=transcripts,
                chapters_url=chapters_url,
                persons=list(ep.speakers),
                guests=list(ep.guests),
                soundbites=ep.soundbites,
                season_name=ep.season_name,
                episode_display=ep.episode_display,
                chapters=marks,
            )
        )
    top, sub = parse_category(show.category) or ("Technology", None)
    channel = Channel(
        title=show.title,
        link=f"{base}/",
        feed_url=show.resolved_feed_url,
        description=show.description,
        language=show.language,
        author=show.author,
        owner_name=show.owner or show.author,
        owner_email=show.email,
        image_url=f"{base}/{cover.name}",
        category=(top, sub),
        explicit=show.explicit,
        show_type=show.type,
        guid=show_guid,
        locked=show.locked,
        persons=list(show.hosts),
        funding=(show.funding_url, show.funding_text or "Support the show") if show.funding_url else None,
        txt=show.txt,
        podroll=show.podroll,
        trailers=trailers,
        new_feed_url=show.new_feed_url,
        block=show.block,
        complete=show.complete,
        websub_hub=show.websub_hub,
        podping=show.podping,
    )
    # Pages first, then the feed: a feed never points at a page that is not there yet.
    pages_changed = build_site(public, show, show.resolved_feed_url, cover.name, pages, show.state_dir / "pages")
    data = build_feed(channel, items)
    feed = public / "feed.xml"
    changed = not (feed.exists() and feed.read_bytes() == data)
    if changed:
        write_bytes(feed, data)
    return PublishResult(feed, len(items), copied + pages_changed, feed_changed=changed)
