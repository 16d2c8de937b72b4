"""podkit serve: real HTTP requests against a real server on loopback."""

from __future__ import annotations

import http.client
import os

import pytest

from podkit.publish.serve import serve_in_thread


@pytest.fixture
def site(tmp_path):
    public = tmp_path / "show" / "public"
    (public / "media").mkdir(parents=True)
    (public / "transcripts").mkdir()
    (public / "episodes" / "ep").mkdir(parents=True)
    (public / "index.html").write_text("<!doctype html><title>x</title>")
    (public / "episodes" / "ep" / "index.html").write_text("<!doctype html><title>ep</title>")
    (public / "feed.xml").write_text("<rss/>")
    (public / "media" / "ep.mp3").write_bytes(bytes(range(256)) * 40)  # 10240 bytes
    (public / "transcripts" / "ep.vtt").write_text("WEBVTT\n")
    (public / "transcripts" / "ep.chapters.json").write_text('{"version": "1.2.0", "chapters": []}')
    (public / "transcripts" / "ep.srt").write_text("1\n")
    (tmp_path / "show" / "podkit.toml").write_text("secret = 1\n")
    (tmp_path / "secret.txt").write_text("do not serve")
    os.symlink(tmp_path / "secret.txt", public / "link-out.txt")
    server = serve_in_thread(public)
    yield server.server_port
    server.shutdown()
    server.server_close()


def request(port, path, method="GET", headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


@pytest.mark.parametrize(
    "path,mime",
    [
        ("/media/ep.mp3", "audio/mpeg"),
        ("/feed.xml", "application/rss+xml"),
        ("/transcripts/ep.vtt", "text/vtt"),
        ("/transcripts/ep.chapters.json", "application/json+chapters"),
        ("/transcripts/ep.srt", "application/x-subrip"),
        ("/", "text/html"),
        ("/episodes/ep/", "text/html"),
    ],
)
def test_mime_types(site, path, mime):
    resp, _ = request(site, path)
    assert resp.status == 200
    assert resp.getheader("Content-Type").split(";")[0] == mime


def test_head_has_headers_and_no_body(site):
    resp, body = request(site, "/media/ep.mp3", "HEAD")
    assert resp.status == 200 and body == b""
    assert resp.getheader("Content-Length") == "10240" and resp.getheader("Accept-Ranges") == "bytes"


def test_byte_ranges(site):
    data = bytes(range(256)) * 40
    resp, body = request(site, "/media/ep.mp3", headers={"Range": "bytes=100-199"})
    assert resp.status == 206 and body == data[100:200]
    assert resp.getheader("Content-Range") == "bytes 100-199/10240"
    resp, body = request(site, "/media/ep.mp3", headers={"Range": "bytes=10000-"})
    assert resp.status == 206 and body == data[10000:]
    resp, body = request(site, "/media/ep.mp3", headers={"Range": "bytes=-16"})
    assert resp.status == 206 and body == data[-16:]
    resp, _ = request(site, "/media/ep.mp3", headers={"Range": "bytes=20000-20010"})
    assert resp.status == 416 and resp.getheader("Content-Range") == "bytes */10240"


def test_etag_and_last_modified_give_304(site):
    resp, _ = request(site, "/feed.xml")
    etag, modified = resp.getheader("ETag"), resp.getheader("Last-Modified")
    assert etag and modified
    resp, body = request(site, "/feed.xml", headers={"If-None-Match": etag})
    assert resp.status == 304 and body == b""
    resp, _ = request(site, "/feed.xml", headers={"If-Modified-Since": modified})
    assert resp.status == 304
    resp, _ = request(site, "/feed.xml", headers={"If-None-Match": '"other"'})
    assert resp.status == 200


def test_cors_on_transcripts_and_chapters_only(site):
    for path in ("/transcripts/ep.vtt", "/transcripts/ep.chapters.json"):
        resp, _ = request(site, path)
        assert resp.getheader("Access-Control-Allow-Origin") == "*"
    resp, _ = request(site, "/media/ep.mp3")
    assert resp.getheader("Access-Control-Allow-Origin") is None


@pytest.mark.parametrize(
    "path",
    [
        "/../podkit.toml",
        "/%2e%2e/podkit.toml",
        "/media/%2E%2E/%2E%2E/podkit.toml",
        "/link-out.txt",
        "/..%2f..%2fsecret.txt",
        "/nothing-here.mp3",
    ],
)
def test_nothing_outside_public(site, path):
    resp, body = request(site, path)
    assert resp.status == 404
    assert b"secret" not in body and b"do not serve" not in body
