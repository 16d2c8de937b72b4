"""Rebuild public/feed.xml and the site from the published episodes, atomically and stably.

Runs after the episodes: every episode whose tag stage is done (its MP3 is in public/media)
is an item, newest first; the runner hands each over as a ``PublishedEpisode``. Transcripts
and chapters are copied under public/transcripts/ so the feed can point at them. Publishing
twice with nothing changed writes identical bytes (and leaves the files untouched).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..categories import parse_category
from ..config import ShowConfig
from ..fsutil import TEMP_MARK, atomic_path, write_bytes
from ..mime import TRANSCRIPT_TYPES
from .feed import Channel, Item, Soundbite, Transcript, build_feed
from .site import Page, build_site

# Transcript formats the feed points to (podcast:transcript), in this order.
FEED_TRANSCRIPTS = ("vtt", "srt", "json", "html")


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


@dataclass
class PublishResult:
    feed: Path
    items: int
    copied: list[Path] = field(default_factory=list)


def _copy_if_changed(src: Path, dest: Path) -> bool:
    """Put ``src`` at ``dest`` atomically: a hard link where the file system allows (no
    copy; transcripts are themselves replaced, never edited, so the link stays right until
    the next publish), a copy elsewhere. False when ``dest`` already is ``src``."""
    if dest.exists() and (
        os.path.samefile(src, dest)
        or (dest.stat().st_size == src.stat().st_size and dest.read_bytes() == src.read_bytes())
    ):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}{TEMP_MARK}")
    try:
        os.link(src, tmp)
        os.replace(tmp, dest)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        with atomic_path(dest) as tmp_copy:
            shutil.copyfile(src, tmp_copy)
    return True


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
    cover = _cover(show)
    copied: list[Path] = []
    items, pages = [], []
    for ep in episodes:
        media = show.media_dir / f"{ep.slug}.mp3"
        if not media.exists():
            continue
        transcripts = []
        for fmt in FEED_TRANSCRIPTS:
            src = show.transcripts_dir / f"{ep.slug}.{fmt}"
            if src.exists():
                if _copy_if_changed(src, public / "transcripts" / src.name):
                    copied.append(src)
                transcripts.append(Transcript(f"{base}/transcripts/{src.name}", TRANSCRIPT_TYPES[fmt], show.language))
        chapters_url = None
        chapters = show.transcripts_dir / f"{ep.slug}.chapters.json"
        if chapters.exists():
            _copy_if_changed(chapters, public / "transcripts" / chapters.name)
            chapters_url = f"{base}/transcripts/{chapters.name}"
        notes_html = _read(show.transcripts_dir / f"{ep.slug}.notes.html")
        pages.append(
            Page(
                slug=ep.slug,
                title=ep.title,
                pub_date=ep.pub_date,
                duration=round(ep.duration),
                description=ep.description,
                notes_html=notes_html,
                transcript_html=_read(show.transcripts_dir / f"{ep.slug}.html"),
            )
        )
        items.append(
            Item(
                guid=ep.guid,
                title=ep.title,
                link=f"{base}/episodes/{ep.slug}/",
                pub_date=ep.pub_date,
                enclosure_url=f"{base}/media/{media.name}",
                enclosure_length=media.stat().st_size,
                duration=round(ep.duration),
                description=ep.description,
                content_html=notes_html,
                episode=ep.episode,
                season=ep.season,
                episode_type=ep.episode_type,
                explicit=ep.explicit,
                transcripts=transcripts,
                chapters_url=chapters_url,
                persons=list(ep.speakers),
                soundbites=ep.soundbites,
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
        guid=guid or "",
        locked=show.locked,
        persons=list(show.hosts),
        funding=(show.funding_url, show.funding_text or "Support the show") if show.funding_url else None,
    )
    # Pages first, then the feed: a feed never points at a page that is not there yet.
    pages_changed = build_site(public, show, show.resolved_feed_url, cover.name, pages)
    data = build_feed(channel, items)
    feed = public / "feed.xml"
    if not (feed.exists() and feed.read_bytes() == data):
        write_bytes(feed, data)
    return PublishResult(feed, len(items), copied + pages_changed)
