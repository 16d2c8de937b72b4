"""Shared test helpers: real media made with ffmpeg, real shows, the real CLI."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "audio" / "2026-11-20-weekly-roundup.mp3"
SAMPLE_SIDECAR = SAMPLE.with_suffix(".toml")


SHARED_SKIP = "reference check: needs the team's shared test data"


def shared(*parts: str) -> Path:
    """A file of the team's shared reference data (real third-party speech, conformance files,
    Podcasting 2.0 examples). Checks that read it are extras: every behaviour they cover is
    also tested on material the repository makes itself, so a clone without ../shared still
    runs the whole suite; the run then ends by saying how many extras did not run."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{SHARED_SKIP} ({path})")
    return path


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say loudly which checks did not run, and why."""
    skipped = terminalreporter.stats.get("skipped", [])
    reasons = [str(getattr(r, "longrepr", ("", "", ""))[2]) for r in skipped]
    extras = sum(SHARED_SKIP in reason for reason in reasons)
    others = len(skipped) - extras
    if extras:
        terminalreporter.write_line(
            f"{extras} reference check(s) did not run: they read {SHARED}, which this checkout does "
            "not have (every behaviour they check is also tested without it).",
            yellow=True,
            bold=True,
        )
    if others:
        terminalreporter.write_line(
            f"{others} other test(s) skipped: see the reasons above (-ra).", yellow=True, bold=True
        )


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def speech(
    out: Path,
    *,
    seconds: float = 20,
    channels: int = 1,
    gain_db: float = 0.0,
    pad_start: float = 0.0,
    pad_end: float = 0.0,
    start: float = 2.0,
) -> Path:
    """A clip of the sample show's real speech, at a chosen level and padding."""
    filters = [f"volume={gain_db}dB"]
    if pad_start or pad_end:
        filters.append(f"adelay={int(pad_start * 1000)}:all=1,apad=pad_dur={pad_end}")
    ffmpeg(
        "-ss",
        str(start),
        "-t",
        str(seconds),
        "-i",
        str(SAMPLE),
        "-af",
        ",".join(filters),
        "-ac",
        str(channels),
        "-ar",
        "44100",
        str(out),
    )
    return out


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak as ffmpeg's own meter reads them (independent)."""
    proc = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    loud = float(re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return loud, peak


def ffprobe(path: Path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def podkit(
    *args: str, cwd: Path | None = None, timeout: float = 300, env: dict[str, str] | None = None, **kw
) -> subprocess.CompletedProcess:
    """The real command line, in a child process; ``env`` adds to (or overrides) this
    process's environment, where COLUMNS is 200 unless it says otherwise."""
    full = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "podkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=full,
        **kw,
    )


@contextlib.contextmanager
def podkit_cache(folder: Path):
    """``PODKIT_CACHE`` set to ``folder`` for a block (joined and converted models go there,
    so the join and the conversion themselves are exercised), as it was afterwards."""
    old = os.environ.get("PODKIT_CACHE")
    os.environ["PODKIT_CACHE"] = str(folder)
    try:
        yield folder
    finally:
        if old is None:
            os.environ.pop("PODKIT_CACHE", None)
        else:
            os.environ["PODKIT_CACHE"] = old


def write_sidecar(folder: Path, text: str, name: str = "ep") -> Path:
    """A recording ``folder/name.mp3`` with ``text`` as its sidecar (its bytes are never read)."""
    rec = folder / f"{name}.mp3"
    rec.write_bytes(b"x")
    (folder / f"{name}.toml").write_text(text)
    return rec


def make_show(root: Path, **extra: str) -> Path:
    """A new show; ``extra`` adds top-level podkit.toml lines (values as TOML)."""
    from podkit.config import init_show

    init_show(
        root,
        title="Test Show",
        author="Ana Host",
        email="ana@example.com",
        url="https://pod.example.com",
        category="News/Tech News",
    )
    if extra:
        text = (root / "podkit.toml").read_text()
        head, sep, tail = text.partition("\n[normalise]")
        lines = "".join(f"{k} = {v}\n" for k, v in extra.items())
        (root / "podkit.toml").write_text(head + lines + sep + tail)
    return root


@pytest.fixture(scope="session")
def sample_transcript():
    """The sample show transcribed with the defaults, once for every test that reads it."""
    from podkit.transcribe import transcribe_file

    return transcribe_file(SAMPLE)


@pytest.fixture(scope="session")
def sample_as_run():
    """The sample show transcribed as ``podkit run`` does: the engine told the show's and the
    sidecar's names and link titles. Untold, it hears "Skylark" as "Kylert" on some CPUs and
    not on others; the notes are tested on what the pipeline gives them."""
    from podkit.config import load_show, load_sidecar
    from podkit.runner.stages import vocabulary_of
    from podkit.transcribe import TranscribeOptions, transcribe_file

    vocabulary = vocabulary_of(load_show(ROOT), load_sidecar(SAMPLE))
    return transcribe_file(SAMPLE, TranscribeOptions(vocabulary=vocabulary))


HOSTILE_TITLE = 'Solar <script>alert("x")</script> & "quotes" — Ünïcode'


@pytest.fixture(scope="session")
def published_sample(tmp_path_factory) -> Path:
    """The sample show with a hostile title and ``explicit = true``, through the real
    ``podkit run``, once for the feed and page tests that read it (they must not change it)."""
    import shutil

    root = make_show(tmp_path_factory.mktemp("published") / "show")
    shutil.copy(SAMPLE, root / "audio")
    side = SAMPLE_SIDECAR.read_text()
    side = side.replace(
        'title = "Solar schools, offline forecasts, library telescopes and a record half marathon"',
        "title = " + json.dumps(HOSTILE_TITLE),
    )
    (root / "audio" / SAMPLE_SIDECAR.name).write_text("explicit = true\n" + side)
    proc = podkit("run", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "feed: " in proc.stdout
    return root


@pytest.fixture
def show(tmp_path: Path) -> Path:
    return make_show(tmp_path / "show")
