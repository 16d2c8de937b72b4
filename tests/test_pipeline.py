"""podkit run end to end on real shows: the CLI, the catalog, the bad-input matrix, crashes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from .conftest import SAMPLE, SAMPLE_SIDECAR, ebur128, ffmpeg, ffprobe, podkit, speech

pytestmark = pytest.mark.slow


def status(show: Path) -> dict:
    proc = podkit("status", str(show), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_sample_recording_becomes_a_tagged_normalised_episode(show):
    shutil.copy(SAMPLE, show / "audio")
    shutil.copy(SAMPLE_SIDECAR, show / "audio")
    proc = podkit("run", str(show))
    assert proc.returncode == 0, proc.stderr
    media = show / "public" / "media" / "2026-11-20-weekly-roundup.mp3"
    assert "public/media/2026-11-20-weekly-roundup.mp3" in proc.stdout
    loud, peak = ebur128(media)
    assert loud == pytest.approx(-19.0, abs=0.5) and peak <= -0.9  # mono target
    assert media.stat().st_mode & 0o044 == 0o044  # readable by the web server, not just us
    tags = ID3(media)
    assert str(tags["TIT2"]).startswith("Solar schools")
    assert str(tags["TRCK"]) == "12" and str(tags["TDRC"]) == "2026-11-20"
    st = status(show)
    (ep,) = st["episodes"]
    assert all(ep["stages"][s]["status"] == "done" for s in ("normalise", "transcribe", "tag"))
    # The transcript is timed against the published audio and says what the script says.
    transcript = json.loads((show / "transcripts" / f"{media.stem}.json").read_text())
    words = transcript["segments"]
    assert len(words) > 300 and words[-1]["endTime"] <= float(ffprobe(media)["format"]["duration"]) + 0.5
    text = " ".join(w["body"] for w in words).lower()
    for phrase in ("solar panels", "skylark", "telescopes", "half marathon"):
        assert phrase in text
    for fmt in ("vtt", "srt", "txt", "html"):
        assert (show / "transcripts" / f"{media.stem}.{fmt}").stat().st_size > 1000
    # Show notes: one chapter per story, in the MP3 (CHAP/CTOC) and in the description.
    chapters = json.loads((show / "transcripts" / f"{media.stem}.chapters.json").read_text())["chapters"]
    st = status(show)
    trimmed = st["episodes"][0]["stages"]["normalise"]["result"]["start_s"]  # the MP3 starts later
    truth = json.loads((SAMPLE.parent.parent / "samples" / "weekly-roundup" / "stories.json").read_text())
    assert len(chapters) == len(truth["stories"])
    assert chapters[0]["startTime"] == 0
    for chapter, story in zip(chapters[1:], truth["stories"][1:], strict=True):
        assert chapter["startTime"] == pytest.approx(story["start"] - trimmed, abs=3.0), (chapters, truth)
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [c.start_time for c in chaps] == [round(c["startTime"] * 1000) for c in chapters]
    assert [str(c.sub_frames["TIT2"]) for c in chaps] == [c["title"] for c in chapters]
    assert tags.getall("CTOC")[0].child_element_ids == [
        c.element_id for c in sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    ]
    description = str(tags["TDES"])
    lead, _, chapter_lines = description.partition("\n\n")
    assert lead and chapter_lines.splitlines() == [
        f"00:{int(c['startTime']) // 60:02d}:{int(c['startTime']) % 60:02d} {c['title']}" for c in chapters
    ]
    assert ep["stages"]["notes"]["status"] == "done"
    assert str(tags["TGID"]) == ep["guid"]
    assert ep["stages"]["normalise"]["result"]["target"] == -19.0

    # Nothing new: a second run does no work and changes nothing.
    mtime = media.stat().st_mtime_ns
    again = podkit("run", str(show))
    assert again.returncode == 0 and "(0 processed now)" in again.stdout
    assert media.stat().st_mtime_ns == mtime

    # A renamed recording is the same episode (same GUID, no new media file).
    (show / "audio" / SAMPLE.name).rename(show / "audio" / "renamed.mp3")
    (show / "audio" / SAMPLE_SIDECAR.name).rename(show / "audio" / "renamed.toml")
    assert podkit("run", str(show)).returncode == 0
    (ep2,) = status(show)["episodes"]
    assert ep2["guid"] == ep["guid"] and ep2["source"] == "renamed.mp3"
    assert sorted(p.name for p in (show / "public" / "media").iterdir()) == [media.name]

    # Editing the sidecar re-tags without re-encoding.
    side = show / "audio" / "renamed.toml"
    side.write_text(side.read_text().replace("episode = 12", "episode = 13"))
    proc = podkit("run", str(show))
    assert proc.returncode == 0 and "renamed.mp3" in proc.stderr
    assert str(ID3(media)["TRCK"]) == "13"
    (ep3,) = status(show)["episodes"]
    assert ep3["stages"]["normalise"]["finished_at"] == ep2["stages"]["normalise"]["finished_at"]


def test_bad_input_matrix(show, tmp_path):
    audio = show / "audio"
    speech(audio / "good.wav", seconds=8)
    speech(audio / "Épisode spécial à Zürich — 1.wav", seconds=8, channels=2)  # works
    (audio / "empty.mp3").write_bytes(b"")
    (audio / "notes.mp3").write_text("a text file renamed to .mp3\n" * 50)
    ffmpeg("-i", str(SAMPLE), "-t", "30", "-b:a", "64k", str(tmp_path / "whole.mp3"))
    data = (tmp_path / "whole.mp3").read_bytes()
    (audio / "truncated.mp3").write_bytes(data[: len(data) // 3])
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "4", str(audio / "silence.wav"))
    speech(audio / "blip.wav", seconds=0.5)
    (audio / "cover-art.docx").write_bytes(b"PK\x03\x04 not audio")
    speech(audio / "badtoml.wav", seconds=3)
    (audio / "badtoml.toml").write_text('title = "unterminated\n')
    speech(audio / "badkey.wav", seconds=3)
    (audio / "badkey.toml").write_text('title = "ok"\nauthor = "someone"\n')
    speech(audio / "badtype.wav", seconds=3)
    (audio / "badtype.toml").write_text('episode = "twelve"\n')
    before = {p.name: p.read_bytes() for p in audio.iterdir()}

    proc = podkit("run", str(show))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    expected = {
        "empty.mp3": "is empty (0 bytes)",
        "notes.mp3": "not a readable audio file",
        "truncated.mp3": "is truncated",
        "silence.wav": "is silent",
        "blip.wav": "is too short",
        "cover-art.docx": "unsupported file type '.docx'",
        "badtoml.toml": "is not valid TOML",
        "badkey.toml": "unknown key 'author'",
        "badtype.toml": "'episode' must be an integer",
    }
    failed_lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("failed: ")]
    assert len(failed_lines) == len(expected)
    for name, reason in expected.items():
        assert any(name in ln and reason in ln for ln in failed_lines), (name, proc.stderr)
    media = sorted(p.name for p in (show / "public" / "media").iterdir())
    assert media == ["episode-special-a-zurich-1.mp3", "good.mp3"]
    assert {p.name: p.read_bytes() for p in audio.iterdir()} == before  # originals untouched
    st = status(show)
    assert set(st["problems"]) == {"empty.mp3", "cover-art.docx", "badtoml.wav", "badkey.wav", "badtype.wav"}
    failed = {
        e["source"]: e["stages"]["normalise"]["error"]
        for e in st["episodes"]
        if e["stages"]["normalise"]["status"] == "failed"
    }
    assert set(failed) == {"notes.mp3", "truncated.mp3", "silence.wav", "blip.wav"}

    # Fixing a recording in place (same name, new content) replaces the failed episode.
    speech(audio / "blip.wav", seconds=4)
    (audio / "badtype.toml").write_text("episode = 12\n")
    proc = podkit("run", str(show))
    assert proc.returncode == 1  # the others are still bad
    media = sorted(p.name for p in (show / "public" / "media").iterdir())
    assert media == ["badtype.mp3", "blip.mp3", "episode-special-a-zurich-1.mp3", "good.mp3"]


def test_sigkill_mid_run_then_resume(show):
    audio = show / "audio"
    for i in range(3):
        speech(audio / f"ep{i}.wav", seconds=60, channels=2, start=i * 10)
    env = {**os.environ}
    proc = subprocess.Popen([sys.executable, "-m", "podkit", "run", str(show), "--quiet"], env=env)
    work = show / ".podkit" / "work"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # kill while the second episode is being encoded
        temps = list(work.glob("*.podkit-tmp")) if work.exists() else []
        done = list(work.glob("*.mp3"))
        if temps and done:
            break
        time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail("the run never reached its second episode")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert list(work.glob("*.podkit-tmp"))  # the kill left a half-written file

    again = podkit("run", str(show))
    assert again.returncode == 0, again.stderr
    assert not list(show.rglob("*.podkit-tmp"))
    st = status(show)
    assert sorted(e["source"] for e in st["episodes"]) == ["ep0.wav", "ep1.wav", "ep2.wav"]
    assert len({e["guid"] for e in st["episodes"]}) == 3
    for name in ("ep0", "ep1", "ep2"):
        media = show / "public" / "media" / f"{name}.mp3"
        assert float(ffprobe(media)["format"]["duration"]) == pytest.approx(60, abs=1.5)
        assert ebur128(media)[0] == pytest.approx(-16.0, abs=0.5)


def test_second_run_on_a_busy_show(show):
    speech(show / "audio" / "long.wav", seconds=120, channels=2)
    first = subprocess.Popen([sys.executable, "-m", "podkit", "run", str(show), "--quiet"])
    try:
        lock = show / ".podkit" / "lock"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
            time.sleep(0.02)
        busy = podkit("run", str(show))
        assert busy.returncode == 3
        assert "show is busy" in busy.stderr and str(first.pid) in busy.stderr
        waited = podkit("run", str(show), "--wait", "120")
        assert waited.returncode == 0
    finally:
        first.wait(timeout=120)
    assert first.returncode == 0
    assert len(status(show)["episodes"]) == 1


def test_re_dropped_copy_is_not_a_new_episode(show):
    speech(show / "audio" / "a.wav", seconds=5)
    time.sleep(0.05)
    shutil.copy(show / "audio" / "a.wav", show / "audio" / "a copy.wav")  # the later drop
    proc = podkit("run", str(show))
    assert proc.returncode == 0
    assert "same recording as a.wav" in proc.stderr
    assert len(status(show)["episodes"]) == 1


def test_multitrack_episode_from_one_file_per_speaker(show):
    """Two speakers recorded on separate files: published as their mix, transcribed apart."""
    from .speech import clip, track, wer

    # Two LibriVox readings, one a speaker, taking turns: Ana from 1.5 s, Ben from 10.0 s.
    ana, ben = clip("0870"), clip("0890")
    audio = show / "audio"
    track(audio / "ana.wav", [(ana, 1.5)], 16.5)
    track(audio / "ben.wav", [(ben, 10.0)], 16.5)
    (audio / "interview.toml").write_text(
        'title = "Two tracks"\nspeakers = ["Ana", "Ben"]\ntracks = ["ana.wav", "ben.wav"]\n'
    )
    proc = podkit("run", str(show))
    assert proc.returncode == 0, proc.stderr
    st = status(show)
    (ep,) = st["episodes"]  # the tracks are not episodes of their own
    assert ep["slug"] == "interview" and ep["source"] == "interview.toml"
    media = show / "public" / "media" / "interview.mp3"
    norm = ep["stages"]["normalise"]["result"]
    assert norm["start_s"] == pytest.approx(1.25, abs=0.15)  # 1.5 s of silence, 0.25 s kept
    assert float(ffprobe(media)["format"]["duration"]) == pytest.approx(norm["duration"], abs=0.1)
    words = json.loads((show / "transcripts" / "interview.json").read_text())["segments"]
    by = {}
    for w in words:
        by.setdefault(w["speaker"], []).append(w)
    assert set(by) == {"Ana", "Ben"}
    said = {who: " ".join(w["body"] for w in ws) for who, ws in by.items()}
    # Each speaker's words come from their own track: what they read, and nothing of the other's.
    assert wer(ana.reference, said["Ana"]) <= 0.15 and wer(ben.reference, said["Ben"]) <= 0.15
    own = {"Ana": ("dashwood", "leisure"), "Ben": ("selfish", "rather")}  # words only one clip has
    for who, other in (("Ana", "Ben"), ("Ben", "Ana")):
        heard = said[who].lower()
        assert all(w in heard for w in own[who]) and not any(w in heard for w in own[other]), (who, said[who])
    # Timed on the published mix: speech starts about 0.25 s in, not 1.5 s, and Ben's turn
    # 8.5 s after Ana's (his track's own clock less the trimmed start).
    assert 0.0 <= min(w["startTime"] for w in words) < 1.0
    ben_first = min(w["startTime"] for w in by["Ben"])
    assert 10.0 - norm["start_s"] - 0.6 <= ben_first <= 10.0 - norm["start_s"] + 1.0
    assert max(w["endTime"] for w in by["Ana"]) <= ben_first
    vtt = (show / "transcripts" / "interview.vtt").read_text()
    assert "<v Ana>" in vtt and "<v Ben>" in vtt

    # A missing track is a clear problem, not a silent skip.
    (audio / "other.toml").write_text('tracks = ["ana.wav", "carl.wav"]\n')
    proc = podkit("run", str(show))
    assert proc.returncode == 1
    assert "track carl.wav not found in audio/" in proc.stderr and "other.toml" in proc.stderr


def test_two_sidecars_claiming_one_slug(show):
    speech(show / "audio" / "a.wav", seconds=4)
    (show / "audio" / "a.toml").write_text('slug = "same"\n')
    assert podkit("run", str(show)).returncode == 0
    speech(show / "audio" / "b.wav", seconds=4, start=30)
    (show / "audio" / "b.toml").write_text('slug = "same"\n')
    proc = podkit("run", str(show))
    assert proc.returncode == 1
    assert "b.wav" in proc.stderr and "slug 'same' is already used by a.wav" in proc.stderr
    assert sorted(p.name for p in (show / "public" / "media").iterdir()) == ["same.mp3"]


def test_one_bad_episode_never_stops_the_others(show):
    """A damaged transcript (a PodkitError in the notes stage) and a work file that cannot be
    read (an OSError in the tag stage, a bug's kind of failure): each marks only its own
    episode failed, with one line; the third episode and the feed are made all the same."""
    for i, name in enumerate(("a", "b", "c")):
        speech(show / "audio" / f"{name}.wav", seconds=5, start=10 + 20 * i)
    assert podkit("run", str(show)).returncode == 0
    (show / "transcripts" / "a.json").write_text('{"version": "1.0.0", "segments": [{"startTime": ')
    config = show / "podkit.toml"
    config.write_text(config.read_text().replace("min_story_s = 20.0", "min_story_s = 25.0"))  # notes again
    work = show / ".podkit" / "work" / "b.mp3"
    work.unlink()
    work.mkdir()  # the tag stage copies it: IsADirectoryError
    (show / "audio" / "b.toml").write_text("season = 2\n")  # tag again (and only tag: no new vocabulary)
    proc = podkit("run", str(show))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    failed = [ln for ln in proc.stderr.splitlines() if ln.startswith("failed: ")]
    assert len(failed) == 2, proc.stderr
    assert any("a.json" in ln and "is not a Podcasting 2.0 JSON transcript" in ln for ln in failed), failed
    assert any("internal error: IsADirectoryError" in ln and "--debug" in ln for ln in failed), failed
    st = status(show)
    stages = {e["source"]: e["stages"] for e in st["episodes"]}
    assert stages["a.wav"]["notes"]["status"] == "failed"
    assert stages["b.wav"]["tag"]["status"] == "failed"
    assert all(s["status"] == "done" for s in stages["c.wav"].values())
    from lxml import etree

    items = etree.parse(str(show / "public" / "feed.xml")).iterfind("channel/item")
    slugs = [i.findtext("link").rstrip("/").rsplit("/", 1)[-1] for i in items]
    assert "c" in slugs and "a" in slugs  # a's published episode stays as it was
    assert podkit("lint", str(show / "public" / "feed.xml")).returncode == 0
    debug = podkit("run", str(show), "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "IsADirectoryError" in debug.stderr
