"""ID3v2 frames on the episode MP3, written with mutagen.

Runs after every re-encode (normalise writes untagged audio), so tags are never lost.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    PCST,
    TALB,
    TCON,
    TDES,
    TDRC,
    TGID,
    TIT2,
    TPE1,
    TRCK,
    WFED,
    WXXX,
    CTOCFlags,
    ID3NoHeaderError,
)

from ..errors import ConfigError
from ..fsutil import atomic_path

# ISO 639-1 -> 639-2 for the COMM frame's language; others fall back to "und".
_LANG3 = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "it": "ita",
    "nl": "nld",
    "pt": "por",
    "sv": "swe",
    "da": "dan",
    "no": "nor",
    "nb": "nob",
    "fi": "fin",
    "pl": "pol",
    "cs": "ces",
    "ru": "rus",
    "uk": "ukr",
    "ja": "jpn",
    "zh": "zho",
    "ko": "kor",
    "ar": "ara",
    "hi": "hin",
    "tr": "tur",
    "el": "ell",
    "he": "heb",
}


@dataclass(frozen=True)
class Cover:
    data: bytes
    mime: str
    width: int
    height: int


@dataclass(frozen=True)
class Chapter:
    """One story as an ID3 CHAP frame (all under one CTOC)."""

    start: float  # seconds
    end: float
    title: str
    url: str | None = None


@dataclass(frozen=True)
class TagInfo:
    title: str
    show: str
    author: str
    date: dt.datetime
    description: str
    guid: str
    feed_url: str
    language: str = "en"
    episode: int | None = None
    cover: Cover | None = None
    id3_version: int = 4
    chapters: tuple[Chapter, ...] = ()


def read_cover(path: Path) -> tuple[Cover, list[str]]:
    """Load a JPEG/PNG cover; warn (not fail) when Apple would reject its shape or size."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            fmt, (w, h) = img.format, img.size
    except (UnidentifiedImageError, OSError) as exc:
        raise ConfigError(f"cover is not a readable image ({exc}); use a JPEG or PNG", path=path) from None
    mime = {"JPEG": "image/jpeg", "PNG": "image/png"}.get(fmt or "")
    if not mime:
        raise ConfigError(f"cover is {fmt}, not JPEG or PNG; convert it", path=path)
    warnings = []
    if w != h:
        warnings.append(f"{path}: cover is {w}x{h}, not square; Apple Podcasts wants a square image")
    if min(w, h) < 1400:
        warnings.append(f"{path}: cover is {w}x{h}; Apple Podcasts wants at least 1400x1400 (3000x3000 is best)")
    return Cover(path.read_bytes(), mime, w, h), warnings


def write_tags(mp3: Path, info: TagInfo) -> list[str]:
    """Replace the ID3 tag of ``mp3`` (in place) with the episode's frames; return their ids."""
    try:
        tags = ID3(mp3)
        tags.clear()
    except ID3NoHeaderError:
        tags = ID3()
    lang = _LANG3.get(info.language.split("-")[0].lower(), "und")
    tags.add(TIT2(encoding=3, text=info.title))
    tags.add(TPE1(encoding=3, text=info.author))
    tags.add(TALB(encoding=3, text=info.show))
    tags.add(TDRC(encoding=3, text=info.date.strftime("%Y-%m-%d")))
    tags.add(TCON(encoding=3, text="Podcast"))
    if info.episode is not None:
        tags.add(TRCK(encoding=3, text=str(info.episode)))
    if info.description:
        tags.add(TDES(encoding=3, text=info.description))
        tags.add(COMM(encoding=3, lang=lang, desc="", text=info.description))
    if info.cover:
        tags.add(APIC(encoding=3, mime=info.cover.mime, type=3, desc="Cover", data=info.cover.data))
    if info.chapters:
        ids = [f"chp{i}" for i in range(len(info.chapters))]
        tags.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[TIT2(encoding=3, text=["Stories"])],
            )
        )
        for cid, chapter in zip(ids, info.chapters, strict=True):
            subs: list[object] = [TIT2(encoding=3, text=[chapter.title])]
            if chapter.url:
                subs.append(WXXX(encoding=3, desc="", url=chapter.url))
            tags.add(
                CHAP(
                    element_id=cid,
                    start_time=int(chapter.start * 1000),
                    end_time=int(chapter.end * 1000),
                    sub_frames=subs,
                )
            )
    tags.add(PCST(value=1))
    tags.add(WFED(url=info.feed_url))
    tags.add(TGID(encoding=3, text=info.guid))
    if info.id3_version == 3:
        tags.update_to_v23()
        tags.save(mp3, v2_version=3, v1=0)
    else:
        tags.save(mp3, v2_version=4, v1=0)
    return sorted(tags.keys())


def tag_file(src: Path, dest: Path, info: TagInfo) -> list[str]:
    """Copy the untagged ``src`` to ``dest`` with tags, atomically."""
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
        return write_tags(tmp, info)
