"""``podkit lint --online URL``: the deployed feed, and the live host that serves it.

Fetches the feed and lints it as ``podkit lint`` does (the artwork, chapters and transcripts
read over HTTP), then asks the host for the feed and for a sample of the episodes' files
(the newest ``sample`` items: enclosure, transcripts, chapters) the way apps do: HEAD,
a byte range (206), the right Content-Type, ETag or Last-Modified, CORS on transcripts and
chapters (web players read them from another origin), and the enclosure's ``length`` equal
to the size served. Errors are what directories or apps fail on (a file that does not
answer, an enclosure without byte ranges or of another size); warnings what they work
around.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message

from lxml import etree

from ..mime import CHAPTERS_TYPE
from .lint import NS, Finding, _parser, lint_tree

TIMEOUT_S = 15.0
MAX_FEED_BYTES = 64 << 20
MAX_FILE_BYTES = 32 << 20  # artwork, chapters, transcripts read for their content
FEED_TYPES = {"application/rss+xml", "application/xml", "text/xml", "application/atom+xml"}
ORIGIN = "https://podkit-lint.invalid"  # an origin other than the host's, as a web player's
OP3_PREFIX = "https://op3.dev/e"
# What a host may call a type and still mean the one the feed names.
SAME_TYPES = {
    "application/x-subrip": {"application/srt", "text/srt"},
    CHAPTERS_TYPE: {"application/json"},
    "audio/mpeg": {"audio/mp3"},
}


@dataclass
class Answer:
    url: str
    status: int  # 0: no answer at all
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    problem: str = ""  # why there was no answer

    def header(self, name: str) -> str:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return ""

    @property
    def media_type(self) -> str:
        return self.header("Content-Type").split(";")[0].strip().lower()


class _KeepMethod(urllib.request.HTTPRedirectHandler):
    """Follow redirects as apps do, and keep HEAD a HEAD."""

    def redirect_request(
        self, req: urllib.request.Request, fp: object, code: int, msg: str, headers: Message, newurl: str
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        return new


_OPENER = urllib.request.build_opener(_KeepMethod())


def request(
    url: str, method: str = "GET", headers: Mapping[str, str] | None = None, limit: int = 0, timeout: float = TIMEOUT_S
) -> Answer:
    """One HTTP request; reads at most ``limit`` bytes of the body."""
    req = urllib.request.Request(url, method=method, headers={"User-Agent": "podkit-lint", **(headers or {})})
    try:
        with _OPENER.open(req, timeout=timeout) as response:
            body = response.read(limit) if limit and method != "HEAD" else b""
            return Answer(response.geturl(), int(response.status), dict(response.headers.items()), body)
    except urllib.error.HTTPError as exc:
        return Answer(url, exc.code, dict(exc.headers.items()) if exc.headers else {})
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Answer(url, 0, problem=str(getattr(exc, "reason", exc)))


def _unwrap_op3(url: str) -> str:
    """The file behind an OP3 prefix (``https://op3.dev/e,pg=<guid>/host/path``)."""
    if not url.startswith(OP3_PREFIX):
        return url
    rest = url[len(OP3_PREFIX) :].lstrip(",")
    _, _, target = rest.partition("/")
    return target if "://" in target else f"https://{target}"


def _same_type(served: str, named: str) -> bool:
    return served == named or served in SAME_TYPES.get(named, set())


def online(url: str, *, sample: int = 3, timeout: float = TIMEOUT_S) -> list[Finding]:
    """Lint the feed at ``url`` and check the host serving it (see the module's docstring)."""
    out: list[Finding] = []
    feed = request(url, limit=MAX_FEED_BYTES, timeout=timeout)
    if feed.status != 200:
        why = feed.problem or f"answered {feed.status}"
        return [Finding("error", "feed", f"{url} could not be fetched: {why}")]
    try:
        root = etree.fromstring(feed.body, _parser())
    except etree.XMLSyntaxError as exc:
        return [Finding("error", "feed", f"{url} is not well-formed XML ({exc})")]
    if feed.media_type not in FEED_TYPES:
        out.append(Finding("error", "feed", f"served as {feed.media_type or 'no type'}; a feed is application/rss+xml"))
    if not (feed.header("ETag") or feed.header("Last-Modified")):
        out.append(
            Finding("warning", "feed", "no ETag or Last-Modified: apps fetch the whole feed every time they look")
        )
    head = request(url, "HEAD", timeout=timeout)
    if head.status != 200:
        out.append(Finding("warning", "feed", f"HEAD answered {head.status or head.problem}; apps use it to poll"))

    cache: dict[str, bytes | None] = {}

    def fetch(file_url: str) -> bytes | None:
        if file_url not in cache:
            got = request(_unwrap_op3(file_url), limit=MAX_FILE_BYTES, timeout=timeout) if file_url else None
            cache[file_url] = got.body if got is not None and got.status == 200 else None
        return cache[file_url]

    out.extend(lint_tree(root, fetch, content_items=sample))
    channel = root.find("channel")
    if channel is None:
        return out
    image = channel.find("itunes:image", NS)
    if image is not None and image.get("href"):
        out.extend(check_file("channel/itunes:image", image.get("href", ""), timeout=timeout))
    for n, item in enumerate(channel.findall("item")[:sample], 1):
        where = f"item {n} ({(item.findtext('title') or '').strip()[:40]})"
        enc = item.find("enclosure")
        if enc is not None and enc.get("url"):
            out.extend(
                check_file(
                    f"{where}/enclosure",
                    enc.get("url", ""),
                    kind=enc.get("type"),
                    length=enc.get("length"),
                    ranges=True,
                    timeout=timeout,
                )
            )
        for t in item.findall("podcast:transcript", NS):
            if t.get("url"):
                out.extend(check_file(f"{where}/podcast:transcript", t.get("url", ""), kind=t.get("type"), cors=True))
        for c in item.findall("podcast:chapters", NS):
            if c.get("url"):
                out.extend(check_file(f"{where}/podcast:chapters", c.get("url", ""), kind=CHAPTERS_TYPE, cors=True))
    return out


def check_file(
    where: str,
    url: str,
    *,
    kind: str | None = None,
    length: str | None = None,
    ranges: bool = False,
    cors: bool = False,
    timeout: float = TIMEOUT_S,
) -> list[Finding]:
    """Ask the host for one file as apps do; what it got wrong."""
    out: list[Finding] = []
    target = _unwrap_op3(url)
    if target != url:
        where += " (behind OP3)"
    strict = ranges  # an enclosure: what apps fail on is an error

    def finding(message: str, error: bool = strict) -> None:
        out.append(Finding("error" if error else "warning", where, message))

    head = request(target, "HEAD", headers={"Origin": ORIGIN} if cors else None, timeout=timeout)
    probe = head
    if head.status != 200:
        get = request(target, "GET", headers={"Origin": ORIGIN} if cors else None, limit=1, timeout=timeout)
        if get.status != 200:
            why = get.problem or f"answered {get.status}"
            return [Finding("error", where, f"{target} does not answer: {why}")]
        finding(f"HEAD answered {head.status or head.problem} (GET works): apps ask with HEAD first")
        probe = get
    if kind and not _same_type(probe.media_type, kind.lower()):
        finding(f"served as {probe.media_type or 'no type'}, the feed says {kind}")
    if not (probe.header("ETag") or probe.header("Last-Modified")):
        finding("no ETag or Last-Modified: apps cannot tell whether it changed", error=False)
    if cors and probe.header("Access-Control-Allow-Origin") not in ("*", ORIGIN):
        finding("no CORS header (Access-Control-Allow-Origin): web players cannot read it", error=False)
    size = int(probe.header("Content-Length")) if probe is head and probe.header("Content-Length").isdigit() else None
    if ranges:
        part = request(target, "GET", headers={"Range": "bytes=0-1"}, limit=2, timeout=timeout)
        total = part.header("Content-Range").rpartition("/")[2]
        if part.status != 206:
            finding(f"a byte range (bytes=0-1) answered {part.status or part.problem}, not 206: apps cannot seek")
        elif total.isdigit():
            size = int(total)
    if length is not None and size is not None and length.isdigit() and int(length) != size:
        finding(f"length is {length} in the feed but the host serves {size} bytes", error=True)
    return out
