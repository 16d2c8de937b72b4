"""podkit watch with real processes: arriving files, renames, re-drops, a clean stop."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from .conftest import podkit, speech

pytestmark = pytest.mark.slow


def wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def episodes(show):
    proc = podkit("status", str(show), "--json")
    return json.loads(proc.stdout)["episodes"] if proc.returncode == 0 else []


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_watch_takes_each_recording_once(show, tmp_path, polling):
    clip = speech(tmp_path / "clip.wav", seconds=6)
    args = [sys.executable, "-m", "podkit", "watch", str(show), "--settle", "1.5", "--poll", "0.3"]
    watch = subprocess.Popen(
        args + (["--polling"] if polling else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        media = show / "public" / "media"
        # A copy in progress under a temporary name, then renamed: taken once complete.
        part = show / "audio" / "ep1.wav.part"
        data = clip.read_bytes()
        with open(part, "wb") as fh:
            for i in range(0, len(data), len(data) // 4):
                fh.write(data[i : i + len(data) // 4])
                fh.flush()
                time.sleep(0.4)
        part.rename(show / "audio" / "ep1.wav")
        assert wait_for(lambda: (media / "ep1.mp3").exists())
        # A file that keeps growing under its final name is left alone until it settles.
        growing = show / "audio" / "ep2.wav"
        clip2 = speech(tmp_path / "clip2.wav", seconds=6, start=40).read_bytes()
        with open(growing, "wb") as fh:
            for i in range(0, len(clip2), len(clip2) // 5):
                fh.write(clip2[i : i + len(clip2) // 5])
                fh.flush()
                time.sleep(0.5)
        assert wait_for(lambda: (media / "ep2.mp3").exists())
        ep2 = next(e for e in episodes(show) if e["slug"] == "ep2")
        assert ep2["stages"]["normalise"]["result"]["duration"] == pytest.approx(6.0, abs=1.0)  # whole
        # Renamed and re-dropped: no new episode.
        (show / "audio" / "ep1.wav").rename(show / "audio" / "renamed.wav")
        shutil.copy(show / "audio" / "renamed.wav", show / "audio" / "again.wav")
        time.sleep(4)
        assert wait_for(lambda: "pass" in (show / ".podkit" / "watch.log").read_text())
        assert sorted(e["slug"] for e in episodes(show)) == ["ep1", "ep2"]
        assert sorted(p.name for p in media.iterdir()) == ["ep1.mp3", "ep2.mp3"]
        # A bad file is logged and the watch goes on.
        (show / "audio" / "broken.mp3").write_text("not audio")
        assert wait_for(lambda: "broken.mp3" in (show / ".podkit" / "watch.log").read_text())
        assert watch.poll() is None
    finally:
        watch.send_signal(signal.SIGTERM)
        out, _ = watch.communicate(timeout=120)
    assert watch.returncode == 0, out
    assert "stopped" in out


def test_run_while_watch_is_working_says_busy(show, tmp_path):
    long = speech(show / "audio" / "long.wav", seconds=90, channels=2)
    # Settled before the watch starts: its first pass takes it (a watch that starts within
    # 0.5 s of the write would rightly leave it for the next pass, which SIGTERM stops).
    past = time.time() - 10
    os.utime(long, (past, past))
    watch = subprocess.Popen(
        [sys.executable, "-m", "podkit", "watch", str(show), "--settle", "0.5", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lock = show / ".podkit" / "lock"
        assert wait_for(lambda: lock.exists() and lock.read_text().strip(), timeout=60)
        busy = podkit("run", str(show))
        assert busy.returncode == 3 and "show is busy" in busy.stderr
    finally:
        watch.send_signal(signal.SIGTERM)
        watch.communicate(timeout=180)
    assert watch.returncode == 0
    assert len(episodes(show)) == 1
