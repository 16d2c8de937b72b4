"""The command line: exit codes, one-line errors, the normalise command."""

from __future__ import annotations

import pytest

from .cli_helpers import one_line_error
from .conftest import ebur128, make_show, podkit, speech


def test_usage_error_exits_2():
    proc = podkit("run")
    assert proc.returncode == 2 and "usage:" in proc.stderr
    assert podkit("frobnicate").returncode == 2


def test_init_then_status(tmp_path):
    root = tmp_path / "new show"
    proc = podkit(
        "init",
        str(root),
        "--title",
        "T",
        "--author",
        "A",
        "--email",
        "a@example.com",
        "--url",
        "https://x.example.com",
        "--category",
        "Science/Physics",
        "--explicit",
    )
    assert proc.returncode == 0, proc.stderr
    assert 'category = "Science/Physics"' in (root / "podkit.toml").read_text()
    assert "explicit = true" in (root / "podkit.toml").read_text()
    proc = podkit("status", str(root), "--json")
    assert proc.returncode == 0 and '"episodes": []' in proc.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--category", "Cooking"], "'Cooking' is not an Apple Podcasts category"),
        (["--language", "english please"], "'language' must be a language code"),
        (["--url", "example.com/pod"], "'url' must be an absolute http(s) URL"),
    ],
)
def test_init_rejects_bad_values_with_exit_2(tmp_path, args, message):
    base = {"--title": "T", "--author": "A", "--email": "a@example.com", "--url": "https://x.example.com"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [x for kv in base.items() for x in kv]
    proc = podkit("init", str(tmp_path / "s"), *flat)
    assert proc.returncode == 2
    assert message in one_line_error(proc)
    assert not (tmp_path / "s" / "podkit.toml").exists()


def test_run_on_a_folder_that_is_not_a_show(tmp_path):
    proc = podkit("run", str(tmp_path))
    assert proc.returncode == 2
    assert "podkit init" in one_line_error(proc)


def test_bad_show_setting_is_one_line_exit_2(tmp_path):
    root = make_show(tmp_path / "s")
    path = root / "podkit.toml"
    path.write_text(path.read_text().replace("explicit = false", 'explicit = "no"'))
    proc = podkit("run", str(root))
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert "podkit.toml" in line and "'explicit' must be true or false" in line


def test_normalise_command(tmp_path):
    src = speech(tmp_path / "in put.wav", seconds=10, channels=2, gain_db=-15)
    out = tmp_path / "out.mp3"
    proc = podkit("normalise", str(src), str(out), "--target", "-18", "--true-peak", "-2")
    assert proc.returncode == 0, proc.stderr
    assert "LUFS" in proc.stdout and "dBTP" in proc.stdout
    loud, peak = ebur128(out)
    assert loud == pytest.approx(-18.0, abs=0.5) and peak <= -1.9


def test_normalise_errors(tmp_path):
    proc = podkit("normalise", str(tmp_path / "missing.wav"), str(tmp_path / "o.mp3"))
    assert proc.returncode == 2 and "missing.wav" in one_line_error(proc)
    bad = tmp_path / "bad.mp3"
    bad.write_text("not audio")
    proc = podkit("normalise", str(bad), str(tmp_path / "o.mp3"))
    assert proc.returncode == 1 and "bad.mp3" in one_line_error(proc)
    assert not (tmp_path / "o.mp3").exists()  # no half file
    assert not list(tmp_path.glob("*podkit-tmp*"))
    proc = podkit("normalise", str(bad), str(bad))
    assert proc.returncode == 2 and "never modified" in one_line_error(proc)


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.mp3"
    bad.write_text("not audio")
    proc = podkit("normalise", str(bad), str(tmp_path / "o.mp3"), "--debug")
    assert proc.returncode == 1 and "Traceback" in proc.stderr
