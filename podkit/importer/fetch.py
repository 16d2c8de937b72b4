"""The import's network: the feed, the artwork, and resumable, verified downloads.

Only the standard library (urllib, which follows redirects and keeps a Range header across
them). Every request has a timeout; every retry loop is bounded in count.

A download goes to ``<file>.part`` (ingest leaves such files alone) and resumes with an HTTP
Range request where a previous attempt or run stopped, guarded by ``If-Range`` with the
validator the server first gave (kept in a hidden ``.<file>.part.json``), so bytes of two
versions of a file are never spliced. It is complete when it holds every byte the server
announced (or, where the server announced no size, the enclosure's length), and only then is
it handed back to be renamed into place.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..errors import ConfigError, PodkitError

USER_AGENT = f"podkit/{__version__} (podcast import)"
TIMEOUT_S = 30.0  # per connect and per read
ATTEMPTS = 4  # per download: the first try and three resumes
FEED_MAX = 64 << 20  # a feed larger than this is not a feed
ARTWORK_MAX = 32 << 20
CHUNK = 1 << 16


class FeedError(PodkitError):
    """The feed (or a file it names) cannot be imported: unreachable, not a feed, no
    episodes, a download that failed. Exit 1: the input's problem."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    url: str  # where it came from, after redirects: relative URLs in it resolve against this
    content_type: str  # "" when not said (a file)


def is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def _request(url: str, headers: dict[str, str] | None = None) -> urllib.request.Request:
    return urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*", **(headers or {})})


def _reason(exc: BaseException) -> str:
    """One readable phrase for a network failure."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}".strip()
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return str(reason.strerror if isinstance(reason, OSError) and reason.strerror else reason)
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT_S:g} s"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed early"
    return str(exc) or exc.__class__.__name__


def fetch(url: str, *, limit: int, what: str) -> Fetched:
    """GET ``url`` whole (at most ``limit`` bytes). Raises FeedError naming ``url``."""
    try:
        with urllib.request.urlopen(_request(url), timeout=TIMEOUT_S) as resp:
            data = resp.read(limit + 1)
            final, ctype = resp.geturl(), resp.headers.get("Content-Type", "")
            length = resp.headers.get("Content-Length", "")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FeedError(f"cannot fetch the {what}: {_reason(exc)}; check the URL", path=url) from None
    if len(data) > limit:
        raise FeedError(f"the {what} is larger than {limit >> 20} MB; is this the right URL?", path=url)
    if length.isdigit() and len(data) < int(length):
        raise FeedError(f"cannot fetch the {what}: the connection closed early; try again", path=url)
    return Fetched(data, final, ctype.split(";")[0].strip().lower())


def read_feed(source: str) -> Fetched:
    """The feed's bytes from a URL or a file. A path that is not there is a usage error."""
    if is_url(source):
        return fetch(source, limit=FEED_MAX, what="feed")
    path = Path(source)
    if not path.is_file():
        raise ConfigError("no such feed file or http(s) URL; give the show's feed", path=source)
    if path.stat().st_size > FEED_MAX:
        raise FeedError(f"is larger than {FEED_MAX >> 20} MB; is this the show's feed?", path=source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FeedError(f"cannot be read ({exc.strerror})", path=source) from None
    return Fetched(data, path.resolve().as_uri(), "")


# -- downloads --------------------------------------------------------------------------------

_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")
_UNSATISFIABLE = re.compile(r"bytes\s+\*/(\d+)")


class _Retry(Exception):
    """This attempt stopped (the connection dropped, the server had a hiccup): try again."""


@dataclass
class _Attempt:
    size: int | None  # the whole file's size, as the server announced it
    complete: bool


def _validator_path(part: Path) -> Path:
    return part.with_name(f".{part.name}.json")  # hidden: ingest never reads it


def _read_validator(part: Path) -> str:
    with contextlib.suppress(OSError, ValueError, TypeError):
        return str(json.loads(_validator_path(part).read_text(encoding="utf-8"))["validator"])
    return ""


def _store_validator(part: Path, validator: str) -> None:
    if validator:
        _validator_path(part).write_text(json.dumps({"validator": validator}), encoding="utf-8")


def discard_part(part: Path) -> None:
    for path in (part, _validator_path(part)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _once(url: str, part: Path, on_bytes: Callable[[int], None]) -> _Attempt:
    have = part.stat().st_size if part.exists() else 0
    headers = {"Accept-Encoding": "identity"}
    validator = _read_validator(part) if have else ""
    if have:
        headers["Range"] = f"bytes={have}-"
        if validator:
            headers["If-Range"] = validator
    try:
        resp = urllib.request.urlopen(_request(url, headers), timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and have:
            # Nothing left to send: the part is already whole, or the file has shrunk.
            m = _UNSATISFIABLE.search(exc.headers.get("Content-Range", ""))
            if m and int(m.group(1)) == have:
                return _Attempt(have, True)
            discard_part(part)
            on_bytes(-have)
            raise _Retry from None
        if exc.code >= 500 or exc.code in (408, 429):
            raise _Retry(_reason(exc)) from None
        raise FeedError(f"cannot download it: {_reason(exc)}", path=url) from None
    except (OSError, http.client.HTTPException) as exc:
        raise _Retry(_reason(exc)) from None
    with resp:
        status = resp.status or 200  # a file: URL has no status
        size: int | None = None
        ranged = status == 206 and have > 0
        if ranged:
            m = _CONTENT_RANGE.search(resp.headers.get("Content-Range", ""))
            if not m or int(m.group(1)) != have:
                ranged = False  # not the bytes asked for: start again
            elif m.group(3) != "*":
                size = int(m.group(3))
        if not ranged:
            if have:
                on_bytes(-have)
            have = 0
            length = resp.headers.get("Content-Length")
            size = int(length) if length and length.isdigit() else None
            _store_validator(part, resp.headers.get("ETag") or resp.headers.get("Last-Modified") or "")
        try:
            with open(part, "ab" if ranged else "wb") as fh:
                while block := resp.read(CHUNK):
                    fh.write(block)
                    on_bytes(len(block))
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, OSError) and exc.filename:
                raise FeedError(f"cannot write {exc.filename} ({exc.strerror})", path=url) from None
            raise _Retry(_reason(exc)) from None
    got = part.stat().st_size
    if size is not None and got < size:
        raise _Retry(f"the connection closed after {got} of {size} bytes")
    return _Attempt(size, True)


def download(
    url: str, part: Path, *, expected: int | None, on_bytes: Callable[[int], None], attempts: int = ATTEMPTS
) -> int:
    """Download ``url`` into ``part`` (resuming what it holds); return its size once whole.

    ``expected``: the enclosure's length, checked where the server does not say the size.
    Raises FeedError naming ``url`` with the reason; the part stays for the next run.
    """
    reason = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(min(0.5 * 2 ** (attempt - 1), 4.0))
        try:
            result = _once(url, part, on_bytes)
        except _Retry as exc:
            reason = str(exc) or reason
            continue
        got = part.stat().st_size
        if got == 0:
            raise FeedError("the server sent an empty file", path=url)
        if result.size is None and expected and got < expected:
            reason = f"the connection closed after {got} of the {expected} bytes the feed announces"
            continue
        return got
    raise FeedError(
        f"cannot download it: {reason or 'no answer'} ({attempts} attempts; run the import again to resume)",
        path=url,
    )
