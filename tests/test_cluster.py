"""``podkit run DIR --cluster ADDRESS`` on a real Ray cluster on this machine.

One ``ray.cluster_utils.Cluster`` for the module: a head with no CPUs (it runs no worker)
and two 1-CPU worker nodes, the second also holding ``GPU_standin``, a custom resource that
stands in for a GPU. The show is three short espeak-ng episodes transcribed with the bundled
tiny.en. What is checked: the cluster run gives the same catalog records and the same files
as a local run of the same recordings; a worker node removed mid-transcription loses
nothing and duplicates nothing; a worker process killed mid-transcription is restarted by
Ray and the job done once; the workers' scheduling request (a GPU for CUDA, a custom
resource) is what Ray places them by; no Ray, or no cluster at the address, is one line.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree

from .cli_helpers import free_port, one_line_error, wait_until
from .conftest import ROOT, ffprobe, make_show, podkit

pytestmark = pytest.mark.slow

# Three recordings of different lengths: the longest goes out first.
SCRIPTS = {
    "harbour": "The harbour board met on Tuesday and agreed to dredge the eastern channel before the winter "
    "storms arrive. Fishing crews welcomed the decision after a season of groundings.",
    "library": "The city library will open on Sundays from next month, with volunteers running the reading room.",
    "market": "The night market returns to Fenner's Wharf this weekend.",
}


def speak(out: Path, text: str) -> Path:
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(out), text], check=True, capture_output=True, timeout=60)
    return out


def _stop(cluster, seconds: float = 60) -> None:
    """Shut the cluster down, waiting at most ``seconds`` (Ray's shutdown can hang)."""
    worker = threading.Thread(target=cluster.shutdown, daemon=True)
    worker.start()
    worker.join(seconds)


@pytest.fixture(scope="module")
def cluster():
    from ray.cluster_utils import Cluster

    # Ray's nodes take this machine's address (it turns 127.0.0.1 into it for every client).
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    try:
        plain = c.add_node(num_cpus=1)
        standin = c.add_node(num_cpus=1, resources={"GPU_standin": 1})
        c.wait_for_nodes(timeout=60)
        yield SimpleNamespace(address=c.address, cluster=c, plain=plain, standin=standin)
    finally:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        _stop(c)


@pytest.fixture(scope="module")
def recordings(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("recordings")
    for name, text in SCRIPTS.items():
        speak(folder / f"{name}.wav", text)
    return folder


def new_show(root: Path, recordings: Path, names=tuple(SCRIPTS)) -> Path:
    make_show(root)
    for day, name in enumerate(names, start=1):
        shutil.copy2(recordings / f"{name}.wav", root / "audio" / f"{name}.wav")
        # A date of its own (else the date it was first seen): the same in every show made here.
        (root / "audio" / f"{name}.toml").write_text(f"pub_date = 2026-11-{day:02d}T06:00:00Z\n")
    return root


@pytest.fixture(scope="module")
def local_show(tmp_path_factory, recordings) -> Path:
    """The same recordings run without a cluster: what a cluster run must match. On one core,
    as each cluster worker has one CPU: Whisper's engine then runs one thread in both, and
    hears the same words (a different thread count may round one decision otherwise)."""
    root = new_show(tmp_path_factory.mktemp("local") / "show", recordings)
    proc = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-m", "podkit", "run", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return root


def catalog_rows(root: Path) -> dict[str, dict[str, dict]]:
    """slug -> stage -> (status, fingerprint, result) as the catalog holds them."""
    db = sqlite3.connect(f"file:{root / '.podkit' / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT e.slug, s.stage, s.status, s.fingerprint, s.result FROM stages s "
            "JOIN episodes e ON e.id = s.episode_id ORDER BY e.slug, s.stage"
        ).fetchall()
    finally:
        db.close()
    out: dict[str, dict[str, dict]] = {}
    for slug, stage, status, fp, result in rows:
        if stage == "tag":
            fp = None  # it hashes the cover's path, which is each show's own
        out.setdefault(slug, {})[stage] = {"status": status, "fingerprint": fp, "result": json.loads(result or "null")}
    return out


def running(root: Path, stage: str) -> int:
    """How many episodes have ``stage`` running now (sent to a worker, not yet written)."""
    path = root / ".podkit" / "catalog.sqlite"
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return int(
                db.execute("SELECT COUNT(*) FROM stages WHERE stage = ? AND status = 'running'", (stage,)).fetchone()[0]
            )
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def made_files(root: Path) -> dict[str, bytes]:
    """Every transcript, notes and chapters file, what was heard and the unpublished MP3s."""
    files = {}
    for folder in ("transcripts", ".podkit/heard", ".podkit/work"):
        for path in sorted((root / folder).glob("*")):
            files[f"{folder}/{path.name}"] = path.read_bytes()
    return files


def feed_items(root: Path) -> list[tuple[str, ...]]:
    """Each feed item as what a listener sees (the GUIDs are each show's own)."""
    tree = etree.parse(str(root / "public" / "feed.xml"))
    items = []
    for item in tree.iter("item"):
        enclosure = item.find("enclosure")
        items.append(
            (
                item.findtext("title") or "",
                item.findtext("description") or "",
                item.findtext("{http://www.itunes.com/dtds/podcast-1.0.dtd}duration") or "",
                enclosure.get("url") or "",
                enclosure.get("length") or "",
            )
        )
    return items


def test_without_cluster_ray_is_not_imported():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, podkit.cli, podkit.runner.local; print('ray' in sys.modules)"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_without_ray_one_line_saying_what_to_install(tmp_path, show):
    fake = tmp_path / "site"
    (fake / "ray").mkdir(parents=True)
    (fake / "ray" / "__init__.py").write_text("raise ImportError('No module named ray')\n")
    import os

    path = os.pathsep.join([str(fake), os.environ.get("PYTHONPATH", str(ROOT))])
    proc = podkit("run", str(show), "--cluster", "127.0.0.1:6379", env={"PYTHONPATH": path})
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert "pip install" in line and "podkit[cluster]" in line


def test_no_cluster_at_the_address_is_one_line(show):
    port = free_port()
    started = time.monotonic()
    proc = podkit("run", str(show), "--cluster", f"127.0.0.1:{port}")
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert f"127.0.0.1:{port}" in line and "ray start --head" in line
    assert time.monotonic() - started < 60
    assert not (show / "public" / "feed.xml").exists()  # nothing done
    assert not (show / ".podkit" / "catalog.sqlite").exists()


def test_gpu_request_and_custom_resource_place_the_workers(cluster, recordings, tmp_path):
    from podkit.config import load_show
    from podkit.runner import run_show
    from podkit.runner.cluster import ClusterOptions, actor_spec

    # --device cuda: each worker asks Ray for one GPU; on CPU, for none.
    root = new_show(tmp_path / "show", recordings, names=("harbour",))  # the longest: time to kill it
    cpu = load_show(root)
    import dataclasses

    cuda = dataclasses.replace(cpu, transcribe=dataclasses.replace(cpu.transcribe, device="cuda"))
    options = ClusterOptions(cluster.address)
    assert actor_spec(cuda, options).options()["num_gpus"] == 1
    assert actor_spec(cpu, options).options()["num_gpus"] == 0
    assert actor_spec(cuda, options).capacity({"CPU": 8.0}) == 0  # no GPU: no room for one

    # A custom resource only the second worker node has: every job runs there, on one worker.
    # Its process is killed while it transcribes: Ray starts it again there (max_restarts),
    # and the transcription, sent again, is done by the restarted worker.
    killed: list[int] = []
    killer = threading.Thread(target=kill_transcriber, args=(cluster.standin, root, killed), daemon=True)
    killer.start()
    report = run_show(root, cluster=ClusterOptions(cluster.address, resources=(("GPU_standin", 1.0),)))
    killer.join(30)
    assert killed, "the worker was never seen transcribing"
    assert report.exit_code == 0, [o.error for o in report.failures]
    assert report.cluster is not None
    assert report.cluster.workers == 1
    assert set(report.cluster.by_node) == {cluster.standin.node_id}
    assert report.cluster.resent == 1
    assert report.cluster.jobs == 3  # normalise, transcribe, notes: each written once
    assert report.feed_items == 1
    rows = catalog_rows(root)
    assert all(rec["status"] == "done" for rec in rows["harbour"].values()), rows


def transcribers(node) -> list[int]:
    """The pids of the podkit workers (Ray names their processes ``ray::Transcriber...``)
    that ``node``'s raylet started."""
    raylets = {proc.pid for kind, proc in node.live_processes() if kind == "raylet"}
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if not entry.name.isdigit():
                continue
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            title = (entry / "cmdline").read_bytes().split(b"\0")[0]
        except (OSError, IndexError, ValueError):
            continue
        if parent in raylets and title.startswith(b"ray::Transcriber"):
            found.append(int(entry.name))
    return found


def kill_transcriber(node, root: Path, killed: list[int]) -> None:
    """Once the show's transcription is running, SIGKILL the worker process doing it."""
    import os
    import signal

    if not wait_until(lambda: running(root, "transcribe"), 120, interval=0.02):
        return
    time.sleep(0.3)  # the job has reached the worker
    for pid in transcribers(node):
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)


def test_cluster_run_makes_what_a_local_run_makes(cluster, recordings, local_show, tmp_path):
    root = new_show(tmp_path / "show", recordings)
    proc = podkit("run", str(root), "--cluster", cluster.address)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"cluster {cluster.address}: 3 episode(s)" in proc.stdout, proc.stdout
    assert "2 worker(s) over 2 node(s)" in proc.stdout, proc.stdout

    assert catalog_rows(root) == catalog_rows(local_show)
    assert all(rec["status"] == "done" for stages in catalog_rows(root).values() for rec in stages.values())
    ours, theirs = made_files(root), made_files(local_show)
    assert sorted(ours) == sorted(theirs)
    for name in ours:
        assert ours[name] == theirs[name], name
    assert feed_items(root) == feed_items(local_show)
    assert len(feed_items(root)) == 3

    # Run again: the catalog says it is all done, so nothing goes to the cluster.
    again = podkit("run", str(root), "--cluster", cluster.address)
    assert again.returncode == 0, again.stderr
    assert "3 episode(s) up to date (0 processed now)" in again.stdout


def test_a_worker_node_removed_mid_transcription_loses_nothing(cluster, recordings, local_show, tmp_path):
    root = new_show(tmp_path / "show", recordings)
    import os

    run = subprocess.Popen(
        [sys.executable, "-m", "podkit", "run", str(root), "--cluster", cluster.address],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        # Both workers transcribing: then take one of their nodes away.
        both = wait_until(lambda: running(root, "transcribe") == 2 or run.poll() is not None, 150, interval=0.02)
        assert both and run.poll() is None, "the two workers never transcribed at once"
        cluster.cluster.remove_node(cluster.plain)
        out, errors = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate(timeout=30)
    assert run.returncode == 0, errors
    assert "Traceback" not in errors
    summary = next(line for line in out.splitlines() if line.startswith("cluster "))
    assert "3 episode(s)" in summary
    resent = int(summary.split("; ")[-1].split()[0])
    assert resent >= 1, summary  # the lost worker's job was sent again ...

    # ... and done once: every stage of every episode done, the same as a local run's.
    rows = catalog_rows(root)
    assert sorted(rows) == sorted(catalog_rows(local_show))
    assert rows == catalog_rows(local_show)
    assert made_files(root) == made_files(local_show)
    assert feed_items(root) == feed_items(local_show)
    media = sorted((root / "public" / "media").iterdir())
    assert [p.name for p in media] == [f"{slug}.mp3" for slug in sorted(rows)]
    for path in media:
        assert float(ffprobe(path)["format"]["duration"]) > 1.0  # whole, readable MP3s
    leftovers = [p for p in root.rglob("*") if ".podkit-tmp" in p.name]
    assert leftovers == []
