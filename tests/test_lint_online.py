"""``podkit lint --online URL``: a real show served by ``podkit serve`` on 127.0.0.1 passes;
a host that gets one thing wrong (no HEAD, no byte ranges, the wrong type, no validators,
no CORS, another size) is caught, each with its own finding."""

from __future__ import annotations

import email.utils
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from podkit.mime import content_type
from podkit.publish.serve import serve_in_thread

from .conftest import make_show, podkit, speech

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """A show whose URL is a port on 127.0.0.1, published, and served there by podkit serve."""
    port = free_port()
    root = make_show(tmp_path_factory.mktemp("online") / "show")
    config = root / "podkit.toml"
    config.write_text(config.read_text().replace("https://pod.example.com", f"http://127.0.0.1:{port}"))
    speech(root / "audio" / "one.wav", seconds=8)
    (root / "audio" / "one.toml").write_text('speakers = ["Ana Host"]\n')
    proc = podkit("run", str(root))
    assert proc.returncode == 0, proc.stderr
    server = serve_in_thread(root / "public", port=port)
    yield root, f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


def test_a_show_served_by_podkit_serve_passes(deployed):
    _, base = deployed
    proc = podkit("lint", "--online", f"{base}/feed.xml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s)" in proc.stdout
    for problem in ("CORS", "ETag", "byte range", "HEAD", "served as", "length is", "does not answer"):
        assert problem not in proc.stdout + proc.stderr


class Faulty:
    """A static host for ``public`` that gets one thing wrong; the feed it serves names its
    own address (the files, and their sizes, are the show's)."""

    def __init__(self, public: Path, good_base: str, fault: str) -> None:
        self.public = public
        host = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                if fault == "no-head":
                    self.send_response(405)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.answer(body=False)

            def do_GET(self) -> None:
                self.answer(body=True)

            def answer(self, body: bool) -> None:
                rel = self.path.split("?")[0].lstrip("/")
                path = (host.public / rel).resolve()
                if host.public.resolve() not in path.parents or not path.is_file():
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = path.read_bytes()
                if rel == "feed.xml":
                    data = data.replace(good_base.encode(), host.base.encode())
                if fault == "bigger" and rel.startswith("media/"):
                    data += b"\0" * 1000
                status, start, end = 200, 0, len(data) - 1
                rng = self.headers.get("Range", "")
                if rng.startswith("bytes=") and fault != "no-ranges":
                    first, _, last = rng[6:].partition("-")
                    start, end = int(first), min(int(last or len(data) - 1), len(data) - 1)
                    status = 206
                self.send_response(status)
                kind = content_type(path)
                if fault == "wrong-type" and rel.startswith("media/"):
                    kind = "application/octet-stream"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(end - start + 1))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
                if fault != "no-validators":
                    self.send_header("ETag", f'"{len(data):x}"')
                    self.send_header("Last-Modified", email.utils.formatdate(path.stat().st_mtime, usegmt=True))
                if fault != "no-cors" and rel.startswith("transcripts/"):
                    self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                if body:
                    self.wfile.write(data[start : end + 1])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


FAULTS = [
    ("no-head", "error", "/enclosure: HEAD answered 405 (GET works)"),
    ("no-ranges", "error", "/enclosure: a byte range (bytes=0-1) answered 200, not 206"),
    ("wrong-type", "error", "/enclosure: served as application/octet-stream, the feed says audio/mpeg"),
    ("no-validators", "warning", "/enclosure: no ETag or Last-Modified"),
    ("no-cors", "warning", "/podcast:transcript: no CORS header"),
    ("no-cors", "warning", "/podcast:chapters: no CORS header"),
    ("bigger", "error", "/enclosure: length is"),
]


@pytest.mark.parametrize("fault,level,message", FAULTS, ids=[f"{f[0]}:{f[2][:20]}" for f in FAULTS])
def test_a_host_that_gets_one_thing_wrong(deployed, tmp_path, fault, level, message):
    root, base = deployed
    public = tmp_path / "public"
    shutil.copytree(root / "public", public)
    host = Faulty(public, base, fault)
    try:
        proc = podkit("lint", "--online", f"{host.base}/feed.xml", timeout=120)
    finally:
        host.close()
    output = proc.stdout + proc.stderr
    assert f"{level}: item 1 " in output and message in output, output
    assert proc.returncode == (1 if level == "error" else 0), output


def test_a_feed_that_does_not_answer(tmp_path):
    port = free_port()  # nothing listens there
    proc = podkit("lint", "--online", f"http://127.0.0.1:{port}/feed.xml", timeout=60)
    assert proc.returncode == 1
    assert f"error: feed: http://127.0.0.1:{port}/feed.xml could not be fetched" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_lint_takes_a_file_or_a_url(tmp_path):
    both = podkit("lint", str(tmp_path / "feed.xml"), "--online", "http://127.0.0.1:1/feed.xml")
    neither = podkit("lint")
    bad = podkit("lint", "--online", "ftp://example.com/feed.xml")
    for proc in (both, neither, bad):
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "--online must be an absolute http(s) URL" in bad.stderr
