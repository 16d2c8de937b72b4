"""``podkit serve``: preview public/ over HTTP, as a static host or CDN would serve it.

Correct MIME types, HEAD, byte ranges (206 / 416), ETag and Last-Modified with 304, CORS on
transcripts and chapters, and nothing outside public/ (``..``, ``%2e%2e``, symlinks out).
"""

from __future__ import annotations

import email.utils
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..mime import content_type

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Handler(BaseHTTPRequestHandler):
    root: Path  # set on the subclass made by make_server
    server_version = "podkit"

    def log_message(self, format: str, *args: Any) -> None:  # quiet unless asked
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def _resolve(self) -> Path | None:
        raw = unquote(urlsplit(self.path).path)
        if "\x00" in raw:
            return None
        candidate = (self.root / raw.lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None  # outside public/: by .., by encoding or by a symlink
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        path = self._resolve()
        if path is None:
            self._plain(HTTPStatus.NOT_FOUND, "not found\n", body)
            return
        st = path.stat()
        etag = f'"{st.st_size:x}-{st.st_mtime_ns:x}"'
        modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        if self._not_modified(etag, st.st_mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._common(path, etag, modified)
            self.end_headers()
            return
        size, start, end = st.st_size, 0, st.st_size - 1
        status = HTTPStatus.OK
        rng = self.headers.get("Range")
        if rng:
            m = _RANGE.match(rng.strip())
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = int(m.group(1))
                    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                else:
                    start, end = max(0, size - int(m.group(2))), size - 1
                if start >= size or start > end:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = HTTPStatus.PARTIAL_CONTENT
        length = end - start + 1 if size else 0
        self.send_response(status)
        self._common(path, etag, modified)
        self.send_header("Content-Length", str(length))
        if status == HTTPStatus.PARTIAL_CONTENT:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if body and length:
            with open(path, "rb") as fh:
                fh.seek(start)
                remaining = length
                while remaining:
                    chunk = fh.read(min(1 << 16, remaining))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    remaining -= len(chunk)

    def _not_modified(self, etag: str, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                return int(mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _common(self, path: Path, etag: str, modified: str) -> None:
        self.send_header("Content-Type", content_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        rel = path.relative_to(self.root).as_posix()
        if rel.startswith("transcripts/"):
            self.send_header("Access-Control-Allow-Origin", "*")

    def _plain(self, status: HTTPStatus, text: str, body: bool) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    # Closing must not wait for request threads: a browser holding a keep-alive connection
    # open would make Ctrl-C hang until it lets go.
    block_on_close = False
    verbose = False  # log each request


def make_server(public: Path, host: str = "127.0.0.1", port: int = 8000) -> PreviewServer:
    root = Path(public).resolve()
    handler = type("PublicHandler", (Handler,), {"root": root})
    return PreviewServer((host, port), handler)


def serve_in_thread(public: Path, host: str = "127.0.0.1", port: int = 0) -> PreviewServer:
    """Start a server in a background thread (tests, previews); returns it (``.server_port``)."""
    server = make_server(public, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
