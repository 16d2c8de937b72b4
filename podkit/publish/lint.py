"""``podkit lint FEED``: check a feed against Apple's requirements and Podcasting 2.0 rules.

Each finding names the element it concerns. Errors are what a directory would reject or an
app would get wrong; warnings are what it would accept but shows badly.
"""

from __future__ import annotations

import email.utils
import math
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from ..categories import APPLE_CATEGORIES
from ..mime import CHAPTERS_TYPE, TRANSCRIPT_TYPES
from .feed import ITUNES_NS, PODCAST_NS, podcast_guid

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}
# What podcast:transcript may say: the types podkit writes, and SubRip's other name.
ACCEPTED_TRANSCRIPT_TYPES = {*TRANSCRIPT_TYPES.values(), "application/srt"}
EPISODE_TYPES = {"full", "trailer", "bonus"}


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def _absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def lint(path: Path) -> list[Finding]:
    out: list[Finding] = []

    def err(where: str, message: str) -> None:
        out.append(Finding("error", where, message))

    def warn(where: str, message: str) -> None:
        out.append(Finding("warning", where, message))

    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        return [Finding("error", "feed", f"is not well-formed XML ({exc})")]
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        return [Finding("error", "rss", "not an RSS 2.0 feed (no rss/channel)")]

    for tag in ("title", "link", "description", "language"):
        if not (channel.findtext(tag) or "").strip():
            err(f"channel/{tag}", "missing or empty (required)")
    if channel.findtext("link") and not _absolute(channel.findtext("link")):
        err("channel/link", f"not an absolute URL: {channel.findtext('link')!r}")
    self_link = channel.find("atom:link[@rel='self']", NS)
    if self_link is None:
        warn("channel/atom:link", 'no rel="self" link: apps cannot tell where the feed lives')
    elif not _absolute(self_link.get("href")):
        err("channel/atom:link", f"self link is not an absolute URL: {self_link.get('href')!r}")

    image = channel.find("itunes:image", NS)
    href = image.get("href") if image is not None else None
    if not href:
        err("channel/itunes:image", "missing (Apple requires show artwork)")
    elif not _absolute(href):
        err("channel/itunes:image", f"not an absolute URL: {href!r}")
    elif not re.search(r"\.(jpe?g|png)$", urlsplit(href).path, re.I):
        err("channel/itunes:image", f"must be a .jpg or .png: {href!r}")
    else:
        _check_image(path, channel, href, out)

    cats = channel.findall("itunes:category", NS)
    if not cats:
        err("channel/itunes:category", "missing (Apple requires a category)")
    for cat in cats:
        top = cat.get("text", "")
        if top not in APPLE_CATEGORIES:
            err("channel/itunes:category", f"{top!r} is not an Apple Podcasts category")
            continue
        for sub in cat.findall("itunes:category", NS):
            if sub.get("text") not in APPLE_CATEGORIES[top]:
                err("channel/itunes:category", f"{sub.get('text')!r} is not a subcategory of {top!r}")
    explicit = channel.findtext("itunes:explicit", namespaces=NS)
    if explicit is None:
        err("channel/itunes:explicit", "missing (Apple requires true or false)")
    elif explicit.strip().lower() not in ("true", "false"):
        err("channel/itunes:explicit", f"must be true or false, not {explicit!r}")
    if not channel.findtext("itunes:author", namespaces=NS):
        warn("channel/itunes:author", "missing")
    if not channel.findtext("itunes:owner/itunes:email", namespaces=NS):
        warn("channel/itunes:owner", "no e-mail: Apple uses it to verify the show's owner")

    guid = channel.findtext("podcast:guid", namespaces=NS)
    if guid is not None:
        try:
            parsed = uuid.UUID(guid.strip())
            if parsed.version != 5:
                err("channel/podcast:guid", f"must be a UUIDv5, this is version {parsed.version}")
            elif (href := self_link.get("href") if self_link is not None else None) and str(parsed) != podcast_guid(
                href
            ):
                warn("channel/podcast:guid", "is not the UUIDv5 of this feed's URL (fine if the feed moved)")
        except ValueError:
            err("channel/podcast:guid", f"not a UUID: {guid!r}")

    guids: dict[str, int] = {}
    for n, item in enumerate(channel.findall("item"), 1):
        where = f"item {n}"
        title = (item.findtext("title") or "").strip()
        if title:
            where = f"item {n} ({title[:40]})"
        else:
            err(f"{where}/title", "missing or empty (required)")
        enc = item.find("enclosure")
        if enc is None:
            err(f"{where}/enclosure", "missing (an episode needs its audio)")
        else:
            if not _absolute(enc.get("url")):
                err(f"{where}/enclosure", f"url is not absolute: {enc.get('url')!r}")
            length = enc.get("length", "")
            if not length.isdigit() or int(length) <= 0:
                err(f"{where}/enclosure", f"length must be the file's size in bytes, not {length!r}")
            if not re.match(r"^(audio|video)/[\w.+-]+$", enc.get("type", "")):
                err(f"{where}/enclosure", f"type must be an audio or video MIME type, not {enc.get('type')!r}")
        g = (item.findtext("guid") or "").strip()
        if not g:
            err(f"{where}/guid", "missing: apps would show the episode again when anything changes")
        elif g in guids:
            err(f"{where}/guid", f"{g!r} is also the guid of item {guids[g]}")
        else:
            guids[g] = n
        pub = item.findtext("pubDate")
        if not pub:
            warn(f"{where}/pubDate", "missing")
        else:
            try:
                email.utils.parsedate_to_datetime(pub)
            except (TypeError, ValueError):
                err(f"{where}/pubDate", f"not an RFC 2822 date: {pub!r}")
        ex = item.findtext("itunes:explicit", namespaces=NS)
        if ex is not None and ex.strip().lower() not in ("true", "false"):
            err(f"{where}/itunes:explicit", f"must be true or false, not {ex!r}")
        dur = item.findtext("itunes:duration", namespaces=NS)
        if dur is not None and not re.match(r"^\d+$|^\d+:\d{2}(:\d{2})?$", dur.strip()):
            err(f"{where}/itunes:duration", f"must be seconds or [HH:]MM:SS, not {dur!r}")
        et = item.findtext("itunes:episodeType", namespaces=NS)
        if et is not None and et.strip() not in EPISODE_TYPES:
            err(f"{where}/itunes:episodeType", f"must be full, trailer or bonus, not {et!r}")
        for t in item.findall("podcast:transcript", NS):
            if not _absolute(t.get("url")):
                err(f"{where}/podcast:transcript", f"url is not absolute: {t.get('url')!r}")
            if t.get("type") not in ACCEPTED_TRANSCRIPT_TYPES:
                err(f"{where}/podcast:transcript", f"type {t.get('type')!r} is not a transcript type")
        for c in item.findall("podcast:chapters", NS):
            if not _absolute(c.get("url")):
                err(f"{where}/podcast:chapters", f"url is not absolute: {c.get('url')!r}")
            if c.get("type") != CHAPTERS_TYPE:
                err(f"{where}/podcast:chapters", f"type must be {CHAPTERS_TYPE}, not {c.get('type')!r}")
        for b in item.findall("podcast:soundbite", NS):
            start, length = _number(b.get("startTime")), _number(b.get("duration"))
            if start is None or start < 0:
                err(f"{where}/podcast:soundbite", f"startTime must be seconds >= 0, not {b.get('startTime')!r}")
            if length is None or length <= 0:
                err(f"{where}/podcast:soundbite", f"duration must be seconds > 0, not {b.get('duration')!r}")
            elif not 15 <= length <= 120:
                warn(f"{where}/podcast:soundbite", f"duration {length:g} s: the spec recommends 15 to 120 s")
    return out


def _number(value: str | None) -> float | None:
    """A finite number of seconds, or None (missing, not a number, NaN or infinite)."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _check_image(feed: Path, channel: etree._Element, href: str, out: list[Finding]) -> None:
    """When the artwork is a file beside the feed (a local site), check its size."""
    link = (channel.findtext("link") or "").rstrip("/") + "/"
    if not href.startswith(link):
        return
    local = feed.parent / href[len(link) :]
    if not local.is_file():
        return
    try:
        from PIL import Image

        with Image.open(local) as img:
            w, h = img.size
    except OSError:
        out.append(Finding("error", "channel/itunes:image", f"{local} is not a readable image"))
        return
    if w != h:
        out.append(Finding("error", "channel/itunes:image", f"artwork is {w}x{h}; Apple requires a square"))
    if min(w, h) < 1400 or max(w, h) > 3000:
        out.append(
            Finding("error", "channel/itunes:image", f"artwork is {w}x{h}; Apple requires 1400x1400 to 3000x3000")
        )
