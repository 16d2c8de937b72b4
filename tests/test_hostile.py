"""Unattended running: kills inside each stage, a full disk, video files."""
from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from lxml import etree

from .conftest import ffmpeg, ffprobe, podkit, speech

pytestmark = pytest.mark.slow


def feed_titles(show):
    root = etree.parse(str(show / "public" / "feed.xml"))
    return sorted(i.findtext("title") for i in root.iterfind("channel/item"))


def running_stage(show) -> str | None:
    db = show / ".podkit" / "catalog.sqlite"
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        row = con.execute("SELECT stage FROM stages WHERE status = 'running'").fetchone()
        con.close()
        return row[0] if row else None
    except sqlite3.Error:
        return None


@pytest.mark.parametrize("stage", ["normalise", "transcribe", "notes", "tag"])
def test_sigkill_inside_each_stage_then_resume(show, stage):
    speech(show / "audio" / "one.wav", seconds=12, channels=2)
    for attempt in range(6):  # tag lasts milliseconds: on a busy machine a poll can miss it
        proc = subprocess.Popen([sys.executable, "-m", "podkit", "run", str(show), "--quiet"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and running_stage(show) != stage and proc.poll() is None:
            time.sleep(0.002)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            break
        for made in (".podkit", "public", "transcripts"):  # missed: start over
            shutil.rmtree(show / made, ignore_errors=True)
    else:
        pytest.fail(f"{stage} was never seen running in 6 runs")
    again = podkit("run", str(show))
    assert again.returncode == 0, again.stderr
    assert not list(show.rglob("*.podkit-tmp"))
    assert feed_titles(show) == ["one"]
    assert podkit("lint", str(show / "public" / "feed.xml")).returncode == 0
    media = show / "public" / "media" / "one.mp3"
    assert float(ffprobe(media)["format"]["duration"]) == pytest.approx(12, abs=1)
    page = (show / "public" / "episodes" / "one" / "index.html").read_text()
    assert page.rstrip().endswith("</html>")


def test_disk_full_while_encoding(show):
    speech(show / "audio" / "first.wav", seconds=6)
    assert podkit("run", str(show)).returncode == 0
    feed_before = (show / "public" / "feed.xml").read_bytes()
    speech(show / "audio" / "second.wav", seconds=90, channels=2)

    def small_disk():  # files may grow to 600 kB: the 90 s MP3 (1.4 MB) cannot be written
        resource.setrlimit(resource.RLIMIT_FSIZE, (600_000, 600_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    proc = subprocess.run([sys.executable, "-m", "podkit", "run", str(show)], capture_output=True,
                          text=True, preexec_fn=small_disk, timeout=300)
    assert proc.returncode == 1
    assert "second.wav" in proc.stderr and "Traceback" not in proc.stderr
    assert not (show / "public" / "media" / "second.mp3").exists()
    assert not list(show.rglob("*.podkit-tmp"))
    assert (show / "public" / "feed.xml").read_bytes() == feed_before
    # Space again: the next run finishes the episode.
    assert podkit("run", str(show)).returncode == 0
    assert feed_titles(show) == ["first", "second"]


def test_video_with_audio_works_and_without_audio_is_a_clear_error(show):
    speech(show / "audio" / "talk.wav", seconds=8)
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x64:d=8", "-i", str(show / "audio" / "talk.wav"),
           "-shortest", "-c:v", "mpeg4", "-c:a", "aac", str(show / "audio" / "video.mp4"))
    (show / "audio" / "talk.wav").unlink()
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64:d=3", "-c:v", "mpeg4", "-f", "mp4",
           str(show / "audio" / "silent-video.mp4"))
    proc = podkit("run", str(show))
    assert proc.returncode == 1
    assert "silent-video.mp4" in proc.stderr and "has no audio track" in proc.stderr
    assert (show / "public" / "media" / "video.mp3").exists()
    assert ffprobe(show / "public" / "media" / "video.mp3")["streams"][0]["codec_name"] == "mp3"
