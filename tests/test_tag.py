"""tag: frames read back with mutagen and with ffprobe."""

from __future__ import annotations

import datetime as dt

import pytest
from mutagen.id3 import ID3
from mutagen.mp3 import MP3
from PIL import Image

from podkit.tag import TagInfo, read_cover, tag_file

from .conftest import ROOT, ffmpeg, ffprobe

DATE = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)


@pytest.fixture
def untagged(tmp_path):
    path = tmp_path / "work.mp3"
    ffmpeg("-f", "lavfi", "-i", "sine=f=440:d=2", "-b:a", "64k", "-id3v2_version", "0", str(path))
    return path


def _info(**kw):
    cover, _ = read_cover(ROOT / "cover.png")
    base = dict(
        title='Ep <1> & "friends" — Ünïcode',
        show="Test Show",
        author="Ana Host",
        date=DATE,
        description="About things & stuff",
        guid="4f1c-guid",
        feed_url="https://pod.example.com/feed.xml",
        episode=12,
        cover=cover,
    )
    base.update(kw)
    return TagInfo(**base)


def test_frames_read_back_with_mutagen(untagged, tmp_path):
    out = tmp_path / "public" / "ep.mp3"
    tag_file(untagged, out, _info())
    tags = ID3(out)
    assert tags.version == (2, 4, 0)
    assert str(tags["TIT2"]) == 'Ep <1> & "friends" — Ünïcode'
    assert str(tags["TPE1"]) == "Ana Host" and str(tags["TALB"]) == "Test Show"
    assert str(tags["TDRC"]) == "2026-11-20" and str(tags["TCON"]) == "Podcast"
    assert str(tags["TRCK"]) == "12"
    assert str(tags["TDES"]) == "About things & stuff"
    assert tags.getall("COMM")[0].text == ["About things & stuff"]
    apic = tags.getall("APIC")[0]
    assert apic.mime == "image/png" and apic.type == 3
    assert apic.data == (ROOT / "cover.png").read_bytes()
    assert tags["PCST"].value == 1
    assert tags["WFED"].url == "https://pod.example.com/feed.xml"
    assert str(tags["TGID"]) == "4f1c-guid"
    assert MP3(out).info.length == pytest.approx(2.0, abs=0.1)  # audio intact
    assert untagged.stat().st_size < out.stat().st_size  # the work file is left as it was


def test_frames_read_back_with_ffprobe(untagged, tmp_path):
    out = tmp_path / "ep.mp3"
    tag_file(untagged, out, _info())
    info = ffprobe(out)
    tags = info["format"]["tags"]
    assert tags["title"] == 'Ep <1> & "friends" — Ünïcode'
    assert tags["artist"] == "Ana Host" and tags["album"] == "Test Show"
    assert tags["genre"] == "Podcast" and tags["track"] == "12" and tags["date"] == "2026-11-20"
    assert tags["TGID"] == "4f1c-guid"
    assert any(s["codec_type"] == "video" and s["disposition"]["attached_pic"] for s in info["streams"])


def test_id3v23_option(untagged, tmp_path):
    out = tmp_path / "ep.mp3"
    tag_file(untagged, out, _info(id3_version=3))
    tags = ID3(out)
    assert tags.version == (2, 3, 0)
    assert str(tags["TIT2"]).startswith("Ep <1>")
    assert "TYER" in tags or "TDRC" in tags
    assert str(tags["TGID"]) == "4f1c-guid"


def test_retagging_replaces_the_old_tag(untagged, tmp_path):
    out = tmp_path / "ep.mp3"
    tag_file(untagged, out, _info(episode=3))
    tag_file(untagged, out, _info(title="New title", episode=None))
    tags = ID3(out)
    assert str(tags["TIT2"]) == "New title" and "TRCK" not in tags


@pytest.mark.parametrize(
    "size,warning", [((1400, 1400), None), ((1600, 1400), "not square"), ((600, 600), "at least 1400x1400")]
)
def test_cover_warnings(tmp_path, size, warning):
    path = tmp_path / "cover.jpg"
    Image.new("RGB", size, (10, 20, 30)).save(path)
    cover, warnings = read_cover(path)
    assert cover.mime == "image/jpeg" and (cover.width, cover.height) == size
    if warning:
        assert len(warnings) == 1 and warning in warnings[0] and "cover.jpg" in warnings[0]
    else:
        assert warnings == []
