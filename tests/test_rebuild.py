"""A lost or damaged catalog: a clear error naming podkit rebuild, and a rebuild that keeps
every published GUID and date, so directories never see an episode twice."""

from __future__ import annotations

import shutil

import pytest
from lxml import etree

from .conftest import podkit, speech

pytestmark = pytest.mark.slow


def items(show):
    root = etree.parse(str(show / "public" / "feed.xml"))
    return {i.findtext("title"): (i.findtext("guid"), i.findtext("pubDate")) for i in root.iterfind("channel/item")}


def test_rebuild_keeps_guids_and_dates(show):
    speech(show / "audio" / "first.wav", seconds=6)
    speech(show / "audio" / "second.wav", seconds=6, start=30)
    (show / "audio" / "second.toml").write_text("pub_date = 2026-10-01T07:00:00Z\nepisode = 2\n")
    assert podkit("run", str(show)).returncode == 0
    before = items(show)
    assert len(before) == 2

    # A damaged catalog: one line that says what to do.
    (show / ".podkit" / "catalog.sqlite").write_bytes(b"\0garbage" * 500)
    for extra in ("-wal", "-shm"):
        (show / ".podkit" / f"catalog.sqlite{extra}").unlink(missing_ok=True)
    proc = podkit("run", str(show))
    assert proc.returncode == 2
    assert "podkit rebuild" in proc.stderr and "catalog.sqlite" in proc.stderr and "Traceback" not in proc.stderr

    proc = podkit("rebuild", str(show))
    assert proc.returncode == 0, proc.stderr
    assert "2 episode(s), 2 with the GUID and date they were published with" in proc.stdout
    assert list((show / ".podkit").glob("catalog.sqlite.old-*"))  # kept, not deleted
    assert podkit("run", str(show)).returncode == 0
    assert items(show) == before

    # The whole .podkit folder lost: the same.
    shutil.rmtree(show / ".podkit")
    assert podkit("rebuild", str(show)).returncode == 0
    assert podkit("run", str(show)).returncode == 0
    assert items(show) == before


def test_two_recordings_claiming_one_episode_number(show):
    speech(show / "audio" / "a.wav", seconds=5)
    (show / "audio" / "a.toml").write_text("episode = 7\n")
    proc = podkit("run", str(show))
    assert proc.returncode == 0
    speech(show / "audio" / "b.wav", seconds=5, start=40)
    (show / "audio" / "b.toml").write_text("episode = 7\n")
    proc = podkit("run", str(show))
    assert proc.returncode == 1
    assert "b.toml: episode 7 is already a.wav" in proc.stderr
    assert sorted(p.name for p in (show / "public" / "media").iterdir()) == ["a.mp3"]
