"""A back catalogue on a Ray cluster: the same show on one worker node and on two.

    .venv/bin/python bench/cluster.py [--episodes 6] [--seconds 60] [--nodes 1,2] [--cpus-per-node 1]

Builds a small back catalogue (``--episodes`` recordings cut from the sample show's real
two-voice speech, from 0.6x to 1.4x ``--seconds`` long, so the longest-first order matters),
then for each node count starts a Ray cluster on this machine (``ray.cluster_utils.Cluster``:
a head with no CPUs and that many worker nodes of ``--cpus-per-node`` CPUs), and runs
``podkit run DIR --cluster ADDRESS`` on a fresh copy of the show, once: normalise, transcribe
(tiny.en, the bundled default) and notes on the workers, the rest in the driver. Printed: the
audio, the wall time (from starting the workers, their model loads included, to the last
file written; and the whole ``run_show``, with ingest, joining the cluster and publish),
audio-hours per hour (the audio over the first) and the jobs each node ran; then the scaling
ratio (two nodes' throughput over one's). The table is also written to
bench/results/cluster.json.

The default run takes about four minutes on 2 cores. On such a machine two 1-CPU nodes share
the cores with the driver, so the ratio says how much of the second core the cluster turns
into throughput; on a real cluster give each node its own machine (see the README's "Running
on a cluster") and a bigger catalogue (``--episodes 40 --seconds 600``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import results

from podkit.config import init_show
from podkit.ffmpeg import probe
from podkit.runner import run_show
from podkit.runner.cluster import ClusterOptions

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "audio" / "2026-11-20-weekly-roundup.mp3"


def catalogue(folder: Path, episodes: int, seconds: float) -> list[Path]:
    """``episodes`` WAV recordings cut from the sample show, of different lengths."""
    total = probe(SAMPLE).duration or 0.0
    out = []
    for i in range(episodes):
        length = seconds * (0.6 + 0.8 * i / max(1, episodes - 1))
        loops = int(length // max(1.0, total - 1.0)) + 1  # longer than the sample: it is looped
        start = (i * 17.0) % max(1.0, total - min(length, total - 1.0))
        path = folder / f"episode-{i + 1:03d}.wav"
        subprocess.run(
            [
                "ffmpeg", "-nostdin", "-v", "error", "-y", "-stream_loop", str(loops), "-i", str(SAMPLE),
                "-ss", f"{start:.2f}", "-t", f"{length:.2f}", "-ac", "1", "-ar", "44100", str(path),
            ],
            check=True,
        )  # fmt: skip
        out.append(path)
    return out


def show(root: Path, recordings: list[Path]) -> Path:
    init_show(
        root,
        title="Back Catalogue",
        author="Ana Host",
        email="ana@example.com",
        url="https://pod.example.com",
        category="News/Daily News",
    )
    for path in recordings:
        shutil.copy2(path, root / "audio" / path.name)
    return root


def stop(cluster: object, seconds: float = 60) -> None:
    worker = threading.Thread(target=cluster.shutdown, daemon=True)  # type: ignore[attr-defined]
    worker.start()
    worker.join(seconds)


def one_run(nodes: int, cpus: int, recordings: list[Path], tmp: Path) -> dict[str, object]:
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0, "include_dashboard": False})
    try:
        for _ in range(nodes):
            cluster.add_node(num_cpus=cpus)
        cluster.wait_for_nodes(timeout=120)
        root = show(tmp / f"show-{nodes}", recordings)
        t = time.perf_counter()
        report = run_show(root, cluster=ClusterOptions(cluster.address, cpus=1.0))
        whole = time.perf_counter() - t
    finally:
        if ray.is_initialized():
            ray.shutdown()
        stop(cluster)
    if report.failures or report.cluster is None:
        sys.exit(f"the run on {nodes} node(s) failed: {[o.error for o in report.failures]}")
    c = report.cluster
    return {
        "nodes": nodes,
        "workers": c.workers,
        "episodes": c.episodes,
        "audio_s": round(c.audio_seconds, 1),
        "wall_s": round(c.wall_seconds, 1),
        "whole_run_s": round(whole, 1),
        "audio_h_per_h": round(c.audio_hours_per_hour, 2),
        "jobs_per_node": sorted(c.by_node.values(), reverse=True),
        "resent": c.resent,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=6)
    ap.add_argument("--seconds", type=float, default=60.0, help="the middle episode's length (default 60)")
    ap.add_argument("--nodes", default="1,2", help="worker node counts to run, comma-separated (default 1,2)")
    ap.add_argument("--cpus-per-node", type=int, default=1)
    args = ap.parse_args()
    counts = [int(n) for n in args.nodes.split(",") if n.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="podkit-cluster-") as name:
        tmp = Path(name)
        (tmp / "recordings").mkdir()
        recordings = catalogue(tmp / "recordings", args.episodes, args.seconds)
        audio = sum(probe(p).duration or 0.0 for p in recordings)
        print(f"a back catalogue of {len(recordings)} episodes, {audio / 60:.1f} minutes of speech")
        for nodes in counts:
            print(f"running on {nodes} worker node(s) of {args.cpus_per_node} CPU ...", flush=True)
            rows.append(one_run(nodes, args.cpus_per_node, recordings, tmp))
    print()
    print("| worker nodes | workers | episodes | audio min | wall s | whole run s | audio-h per h | jobs per node |")
    print("|--------------|---------|----------|-----------|--------|-------------|---------------|---------------|")
    for r in rows:
        print(
            f"| {r['nodes']:>12} | {r['workers']:>7} | {r['episodes']:>8} | {float(r['audio_s']) / 60:>9.1f} "  # type: ignore[arg-type]
            f"| {r['wall_s']:>6} | {r['whole_run_s']:>11} | {r['audio_h_per_h']:>13} "
            f"| {', '.join(str(j) for j in r['jobs_per_node']):>13} |"  # type: ignore[attr-defined]
        )
    verdicts = {}
    if len(rows) >= 2:
        base, top = rows[0], rows[-1]
        ratio = float(top["audio_h_per_h"]) / float(base["audio_h_per_h"])  # type: ignore[arg-type]
        line = f"scaling: {top['nodes']} nodes give {ratio:.2f}x the throughput of {base['nodes']}"
        print()
        print(line)
        verdicts["scaling"] = results.verdict(line, None, ratio=round(ratio, 2), nodes=[base["nodes"], top["nodes"]])
    results.write("cluster", args=args, rows=rows, verdicts=verdicts, audio_s=round(audio, 1))


if __name__ == "__main__":
    main()
