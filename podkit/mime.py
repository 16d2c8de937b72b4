"""The one table of media types podkit writes and serves."""

from __future__ import annotations

from pathlib import PurePath

# Transcript formats podkit writes (``transcripts/<slug>.<format>``) and their types, as
# ``podcast:transcript`` names them.
TRANSCRIPT_TYPES: dict[str, str] = {
    "json": "application/json",
    "vtt": "text/vtt",
    "srt": "application/x-subrip",
    "txt": "text/plain",
    "html": "text/html",
}
CHAPTERS_TYPE = "application/json+chapters"  # Podcasting 2.0 JSON chapters
MP3_TYPE = "audio/mpeg"
FEED_TYPE = "application/rss+xml"

# What a static host should answer for each file in public/ (text with its charset).
_FILE_TYPES: dict[str, str] = {
    ".mp3": MP3_TYPE,
    ".m4a": "audio/mp4",
    ".xml": FEED_TYPE,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".css": "text/css",
    ".js": "text/javascript",
    ".md": "text/markdown",
    **{f".{fmt}": kind for fmt, kind in TRANSCRIPT_TYPES.items()},
}
# Text podkit writes itself, always UTF-8: said in the header, for players that guess.
_UTF8_TEXT = {"text/vtt", "application/x-subrip", "text/html", "text/plain"}


def content_type(path: PurePath) -> str:
    """The Content-Type header for a file in public/."""
    if path.name.endswith(".chapters.json"):
        return CHAPTERS_TYPE
    kind = _FILE_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return f"{kind}; charset=utf-8" if kind in _UTF8_TEXT else kind
