"""``podkit lint FEED``: check a feed against Apple's requirements and Podcasting 2.0 rules.

Each finding names the element it concerns. Errors are what a directory would reject or an
app would get wrong (Apple's and Spotify's hard requirements among them); warnings are what
it would accept but shows badly. The files the feed points to (artwork, chapters,
transcripts) are read where they can be: beside a local feed, or over HTTP for
``podkit lint --online URL`` (``online``), which checks the live host too.
"""

from __future__ import annotations

import email.utils
import io
import itertools
import json
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from ..categories import APPLE_CATEGORIES
from ..mime import CHAPTERS_TYPE, TRANSCRIPT_TYPES
from .feed import ITUNES_NS, PODCAST_NS, PSC_NS, podcast_guid

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom", "psc": PSC_NS}
# What podcast:transcript may say: the types podkit writes, and SubRip's other name.
ACCEPTED_TRANSCRIPT_TYPES = {*TRANSCRIPT_TYPES.values(), "application/srt"}
EPISODE_TYPES = {"full", "trailer", "bonus"}
DESCRIPTION_MAX_BYTES = 4000  # Apple and Spotify
MIN_CHAPTERS, MIN_CHAPTER_S = 3, 10.0  # Apple and Spotify show chapters from three on
CAPTION_LINES, CAPTION_LINE_CHARS = 2, 32  # Podcasting 2.0 transcript guidance (its example SRT)
ARTWORK_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
# A "00:00 Title" / "00:00:00 Title" line of a description.
_CHAPTER_LINE = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\s+(\S.*)$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")

# Reads a file the feed points to: its bytes, or None where it cannot be read from here.
Fetch = Callable[[str], "bytes | None"]


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


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def local_fetch(feed: Path, channel_link: str) -> Fetch:
    """URLs under the channel's link, read from the files beside ``feed`` (a local site)."""
    base = channel_link.rstrip("/") + "/"
    folder = feed.resolve().parent

    def fetch(url: str) -> bytes | None:
        if not url.startswith(base):
            return None
        local = (folder / url[len(base) :].split("?")[0]).resolve()
        if folder not in local.parents or not local.is_file():
            return None
        return local.read_bytes()

    return fetch


def lint(path: Path) -> list[Finding]:
    """Check the feed file at ``path`` (and the files it points to that lie beside it)."""
    try:
        root = etree.parse(str(path), _parser()).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        return [Finding("error", "feed", f"is not well-formed XML ({exc})")]
    channel = root.find("channel")
    link = channel.findtext("link") if channel is not None else None
    return lint_tree(root, local_fetch(path, link or ""))


def lint_tree(root: etree._Element, fetch: Fetch, *, content_items: int | None = None) -> list[Finding]:
    """Check a parsed feed; ``fetch`` reads the artwork, chapters and transcripts of the
    first ``content_items`` items (all when None)."""
    out: list[Finding] = []

    def err(where: str, message: str) -> None:
        out.append(Finding("error", where, message))

    def warn(where: str, message: str) -> None:
        out.append(Finding("warning", where, message))

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
        _check_image(fetch, href, out)

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
    if not (channel.findtext("itunes:author", namespaces=NS) or "").strip():
        err("channel/itunes:author", "missing (Spotify and Apple require the show's author)")
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

    _check_description(channel, "channel/description", out)
    _check_channel_extras(channel, out)
    serial = (channel.findtext("itunes:type", namespaces=NS) or "").strip() == "serial"
    channel_persons = {(p.text or "").strip() for p in channel.findall("podcast:person", NS)}
    items = channel.findall("item")
    if not items:
        err("channel/item", "no episodes: Spotify and Apple accept a show only with at least one")
    guids: dict[str, int] = {}
    enclosures: dict[str, int] = {}
    for n, item in enumerate(items, 1):
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
            url = enc.get("url") or ""
            if url in enclosures:
                err(f"{where}/enclosure", f"url {url!r} is also the enclosure of item {enclosures[url]}")
            elif url:
                enclosures[url] = n
        g = (item.findtext("guid") or "").strip()
        if not g:
            err(f"{where}/guid", "missing: apps would show the episode again when anything changes")
        elif g in guids:
            err(f"{where}/guid", f"{g!r} is also the guid of item {guids[g]}")
        else:
            guids[g] = n
        pub = item.findtext("pubDate")
        if not pub:
            err(f"{where}/pubDate", "missing (Spotify requires a publication date)")
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
        _check_description(item, f"{where}/description", out)
        _check_numbers(item, where, serial, out)
        et = item.findtext("itunes:episodeType", namespaces=NS)
        if et is not None and et.strip() not in EPISODE_TYPES:
            err(f"{where}/itunes:episodeType", f"must be full, trailer or bonus, not {et!r}")
        for t in item.findall("podcast:transcript", NS):
            if not _absolute(t.get("url")):
                err(f"{where}/podcast:transcript", f"url is not absolute: {t.get('url')!r}")
            if t.get("type") not in ACCEPTED_TRANSCRIPT_TYPES:
                err(f"{where}/podcast:transcript", f"type {t.get('type')!r} is not a transcript type")
            if t.get("rel") == "captions" and t.get("type") in ("text/html", "text/plain"):
                warn(f"{where}/podcast:transcript", f'rel="captions" on {t.get("type")}, which has no cue timings')
        for c in item.findall("podcast:chapters", NS):
            if not _absolute(c.get("url")):
                err(f"{where}/podcast:chapters", f"url is not absolute: {c.get('url')!r}")
            if c.get("type") != CHAPTERS_TYPE:
                err(f"{where}/podcast:chapters", f"type must be {CHAPTERS_TYPE}, not {c.get('type')!r}")
        for b in item.findall("podcast:soundbite", NS):
            start, span = _number(b.get("startTime")), _number(b.get("duration"))
            if start is None or start < 0:
                err(f"{where}/podcast:soundbite", f"startTime must be seconds >= 0, not {b.get('startTime')!r}")
            if span is None or span <= 0:
                err(f"{where}/podcast:soundbite", f"duration must be seconds > 0, not {b.get('duration')!r}")
            elif not 15 <= span <= 120:
                warn(f"{where}/podcast:soundbite", f"duration {span:g} s: the spec recommends 15 to 120 s")
        duration = _duration(item.findtext("itunes:duration", namespaces=NS))
        _check_psc(item, where, duration, out)
        _check_description_chapters(item, where, duration, out)
        if content_items is None or n <= content_items:
            persons = channel_persons | {(p.text or "").strip() for p in item.findall("podcast:person", NS)}
            _check_item_files(item, where, duration, persons, fetch, out)
    return out


def _number(value: str | None) -> float | None:
    """A finite number of seconds, or None (missing, not a number, NaN or infinite)."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def _check_image(fetch: Fetch, href: str, out: list[Finding]) -> None:
    """The artwork, where it can be read: what Apple and Spotify reject (CMYK, an alpha
    channel, a file whose real type is not its extension, not square, not 1400-3000 px)."""
    where = "channel/itunes:image"
    data = fetch(href)
    if data is None:
        return
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as img:
            (w, h), mode, kind = img.size, img.mode, img.format
            alpha = "A" in img.getbands() or (mode == "P" and "transparency" in img.info)
    except Exception:  # noqa: BLE001  # PIL raises many kinds on a file that is not an image
        out.append(Finding("error", where, f"{href} is not a readable image"))
        return
    suffix = Path(urlsplit(href).path).suffix.lower()
    if ARTWORK_TYPES.get(suffix) not in (None, kind):
        out.append(Finding("error", where, f"{href} is a {kind} file named {suffix}: give it its own extension"))
    if mode == "CMYK":
        out.append(Finding("error", where, "artwork is CMYK; Apple requires RGB: save it as an RGB image"))
    elif alpha:
        out.append(Finding("error", where, "artwork has an alpha channel (transparency); save it without one"))
    elif mode not in ("RGB", "P"):
        out.append(Finding("warning", where, f"artwork's colour mode is {mode}; Apple asks for RGB"))
    if w != h:
        out.append(Finding("error", where, f"artwork is {w}x{h}; Apple requires a square"))
    if min(w, h) < 1400 or max(w, h) > 3000:
        out.append(Finding("error", where, f"artwork is {w}x{h}; Apple requires 1400x1400 to 3000x3000"))


def _check_description(parent: etree._Element, where: str, out: list[Finding]) -> None:
    text = parent.findtext("description") or ""
    size = len(text.encode("utf-8"))
    if size > DESCRIPTION_MAX_BYTES:
        out.append(Finding("error", where, f"is {size} bytes; Apple and Spotify take at most {DESCRIPTION_MAX_BYTES}"))


def _positive_int(text: str | None) -> bool:
    return text is not None and text.strip().isdigit() and int(text.strip()) >= 1


def _check_numbers(item: etree._Element, where: str, serial: bool, out: list[Finding]) -> None:
    """Season and episode numbers: positive integers (podcast:episode may be a decimal)."""
    episode = item.findtext("itunes:episode", namespaces=NS)
    if episode is None and serial:
        out.append(Finding("error", f"{where}/itunes:episode", "missing: a serial show numbers every episode"))
    for tag in ("itunes:episode", "itunes:season", "podcast:season"):
        value = item.findtext(tag, namespaces=NS)
        if value is not None and not _positive_int(value):
            out.append(Finding("error", f"{where}/{tag}", f"must be a positive integer, not {value!r}"))
    value = item.findtext("podcast:episode", namespaces=NS)
    number = _number(value) if value is not None else None
    if value is not None and (number is None or number <= 0):
        out.append(Finding("error", f"{where}/podcast:episode", f"must be a positive number, not {value!r}"))


def _check_channel_extras(channel: etree._Element, out: list[Finding]) -> None:
    """podcast:txt, trailer, podroll, podping; a WebSub hub; moving and ending a show."""

    def err(where: str, message: str) -> None:
        out.append(Finding("error", where, message))

    for t in channel.findall("podcast:txt", NS):
        if len(t.text or "") > 4000 or not (t.text or "").strip():
            err("channel/podcast:txt", "must hold 1 to 4000 characters")
        if len(t.get("purpose") or "") > 128:
            err("channel/podcast:txt", "purpose must be at most 128 characters")
    for t in channel.findall("podcast:trailer", NS):
        if not _absolute(t.get("url")):
            err("channel/podcast:trailer", f"url is not absolute: {t.get('url')!r}")
        try:
            email.utils.parsedate_to_datetime(t.get("pubdate") or "")
        except (TypeError, ValueError):
            err("channel/podcast:trailer", f"pubdate must be an RFC 2822 date, not {t.get('pubdate')!r}")
        if not (t.text or "").strip() or len(t.text or "") > 128:
            err("channel/podcast:trailer", "its title must be 1 to 128 characters")
    for r in channel.findall("podcast:podroll/podcast:remoteItem", NS):
        try:
            uuid.UUID(r.get("feedGuid") or "")
        except ValueError:
            err("channel/podcast:podroll", f"remoteItem feedGuid must be a feed's GUID, not {r.get('feedGuid')!r}")
        if r.get("feedUrl") is not None and not _absolute(r.get("feedUrl")):
            err("channel/podcast:podroll", f"remoteItem feedUrl is not absolute: {r.get('feedUrl')!r}")
    for p in channel.findall("podcast:podping", NS):
        if p.get("usesPodping") not in ("true", "false"):
            err("channel/podcast:podping", f"usesPodping must be true or false, not {p.get('usesPodping')!r}")
    for hub in channel.findall("atom:link[@rel='hub']", NS):
        if not _absolute(hub.get("href")):
            err("channel/atom:link", f'rel="hub" href is not an absolute URL: {hub.get("href")!r}')
    moved = channel.findtext("itunes:new-feed-url", namespaces=NS)
    if moved is not None and not _absolute(moved.strip()):
        err("channel/itunes:new-feed-url", f"not an absolute URL: {moved!r}")
    for tag in ("itunes:block", "itunes:complete"):
        value = channel.findtext(tag, namespaces=NS)
        if value is not None and value.strip() != "Yes":
            out.append(Finding("warning", f"channel/{tag}", f'Apple acts only on "Yes", not {value!r}'))


def _duration(text: str | None) -> float | None:
    """itunes:duration in seconds (seconds or [HH:]MM:SS), or None."""
    if not text:
        return None
    parts = text.strip().split(":")
    if not all(p.isdigit() for p in parts) or len(parts) > 3:
        return None
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + int(p)
    return seconds


def _npt(text: str) -> float | None:
    """Normal Play Time (psc:chapter start): ``[[HH:]MM:]SS[.mmm]``."""
    m = re.fullmatch(r"(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2}(?:\.\d+)?)", text.strip())
    if not m:
        return None
    return int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3))


def _chapter_checks(
    starts: list[float], duration: float | None, where: str, out: list[Finding], *, first_at_zero: bool = False
) -> None:
    """Fewer than three chapters, a chapter under ten seconds, chapters out of order."""

    def warn(message: str) -> None:
        out.append(Finding("warning", where, message))

    if not starts:
        return
    if len(starts) < MIN_CHAPTERS:
        warn(f"{len(starts)} chapter(s): Apple and Spotify show chapters only from {MIN_CHAPTERS} on")
    if any(b < a for a, b in itertools.pairwise(starts)):
        warn("chapters are out of order: apps need them in time order")
        return
    if first_at_zero and starts[0] != 0:
        warn("the first chapter must start at 00:00 for Apple and Spotify to read the list")
    ends = [*starts[1:], duration]
    short = [n for n, (a, b) in enumerate(zip(starts, ends, strict=True), 1) if b is not None and b - a < MIN_CHAPTER_S]
    if short:
        warn(f"chapter {short[0]} is under {MIN_CHAPTER_S:g} s: Apple and Spotify drop lists with such chapters")


def _check_psc(item: etree._Element, where: str, duration: float | None, out: list[Finding]) -> None:
    for psc in item.findall("psc:chapters", NS):
        starts = []
        for ch in psc.findall("psc:chapter", NS):
            start = _npt(ch.get("start") or "")
            if start is None:
                out.append(Finding("error", f"{where}/psc:chapter", f"start is not a time: {ch.get('start')!r}"))
                return
            if not (ch.get("title") or "").strip():
                out.append(Finding("error", f"{where}/psc:chapter", "title is missing"))
            starts.append(start)
        _chapter_checks(starts, duration, f"{where}/psc:chapters", out)


def _check_description_chapters(item: etree._Element, where: str, duration: float | None, out: list[Finding]) -> None:
    """The "00:00:00 Title" lines Apple and Spotify turn into chapters."""
    starts = []
    for line in (item.findtext("description") or "").splitlines():
        m = _CHAPTER_LINE.match(line)
        if m:
            starts.append(int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3)))
    _chapter_checks([float(s) for s in starts], duration, f"{where}/description", out, first_at_zero=True)


def _caption_cues(text: str) -> list[list[str]]:
    """The text lines of each cue of a WebVTT or SubRip file."""
    cues: list[list[str]] = []
    lines: list[str] = []
    timed = False
    for raw in text.replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if "-->" in line:
            timed, lines = True, []
        elif not line:
            if timed and lines:
                cues.append(lines)
            timed, lines = False, []
        elif timed:
            lines.append(line)
    if timed and lines:
        cues.append(lines)
    return cues


def _transcript_speakers(kind: str, text: str) -> set[str]:
    if kind == "text/vtt":
        return {m.strip() for m in _VOICE.findall(text)}
    if kind == "application/json":
        try:
            segments = json.loads(text).get("segments", [])
        except (ValueError, AttributeError):
            return set()
        return {str(s["speaker"]).strip() for s in segments if isinstance(s, dict) and s.get("speaker")}
    return set()


def _check_item_files(
    item: etree._Element, where: str, duration: float | None, persons: set[str], fetch: Fetch, out: list[Finding]
) -> None:
    """The chapters and transcripts the item points to, where they can be read."""
    for c in item.findall("podcast:chapters", NS):
        data = fetch(c.get("url") or "")
        if data is None:
            continue
        try:
            chapters = json.loads(data)["chapters"]
            starts = [float(ch["startTime"]) for ch in chapters if ch.get("toc", True) is not False]
        except (ValueError, KeyError, TypeError, AttributeError):
            out.append(Finding("error", f"{where}/podcast:chapters", "the file is not Podcasting 2.0 chapters JSON"))
            continue
        _chapter_checks(starts, duration, f"{where}/podcast:chapters", out)
    for t in item.findall("podcast:transcript", NS):
        kind = t.get("type") or ""
        if kind not in ("text/vtt", "application/x-subrip", "application/srt", "application/json"):
            continue
        data = fetch(t.get("url") or "")
        if data is None:
            continue
        text = data.decode("utf-8", errors="replace")
        label = f"{where}/podcast:transcript ({kind})"
        if kind != "application/json":
            cues = _caption_cues(text)
            tall = sum(len(c) > CAPTION_LINES for c in cues)
            wide = sum(any(len(re.sub(r"<[^>]*>", "", line)) > CAPTION_LINE_CHARS for line in c) for c in cues)
            if tall:
                out.append(Finding("warning", label, f"{tall} cue(s) of more than {CAPTION_LINES} lines"))
            if wide:
                out.append(Finding("warning", label, f"{wide} cue(s) with lines over {CAPTION_LINE_CHARS} characters"))
        unknown = sorted(_transcript_speakers(kind, text) - persons)
        if unknown:
            out.append(
                Finding(
                    "warning",
                    label,
                    f"speaker(s) {', '.join(map(repr, unknown))} are not a podcast:person of the item or show",
                )
            )
