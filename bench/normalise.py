"""podkit normalise against ffmpeg-normalize, side by side in one run, plus memory.

    .venv/bin/python bench/normalise.py [--minutes 22] [--long-minutes 120] [--skip-long]

Prints one table: wall time, speed ratio, output loudness and true peak (both read by
ffmpeg's ebur128, an independent meter), and peak RSS of the podkit process. The long file
(2 hours of stereo 44.1 kHz WAV, 1.3 GB) shows that memory does not grow with duration.
Target: podkit >= 4x faster than ffmpeg-normalize; peak RSS < 500 MB on the 2-hour file.
The table is also written to bench/results/normalise.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import media
import results

PY = sys.executable
BIN = Path(sys.executable).parent


def ebur128(path: Path) -> tuple[float, float]:
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
    return (
        float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1)),
        float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1)),
    )


# Runs podkit's normalise in a child and reports its own peak RSS (not its ffmpeg children's).
PODKIT_CHILD = """
import json, resource, sys, time
from podkit.normalise import normalise
t = time.perf_counter()
r = normalise(sys.argv[1], sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ffmpeg_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "passes": r.passes, "verified": r.verified, "limited": r.limited}))
"""

PYDUB_CHILD = """
import resource, sys
from pydub import AudioSegment
AudioSegment.from_file(sys.argv[1])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run_podkit(src: Path, out: Path) -> dict:
    proc = subprocess.run([PY, "-c", PODKIT_CHILD, str(src), str(out)], capture_output=True, text=True)
    if proc.returncode:
        sys.exit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_ffmpeg_normalize(src: Path, out: Path) -> dict:
    exe = shutil.which("ffmpeg-normalize", path=str(BIN)) or shutil.which("ffmpeg-normalize")
    if not exe:
        sys.exit("ffmpeg-normalize is not installed: .venv/bin/pip install -e '.[dev]'")
    cmd = [
        exe,
        str(src),
        "-o",
        str(out),
        "-c:a",
        "libmp3lame",
        "-b:a",
        "128k",
        "-ar",
        "44100",
        "-t",
        "-16",
        "-tp",
        "-1",
        "-f",
    ]
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if proc.returncode:
        sys.exit(proc.stderr)
    mode = "dynamic (LRA above target)" if "dynamic mode" in proc.stderr else "linear"
    return {"seconds": seconds, "mode": mode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=22)
    ap.add_argument("--long-minutes", type=int, default=120)
    ap.add_argument("--skip-long", action="store_true")
    args = ap.parse_args()

    print("building benchmark media (cached in bench/.cache) ...", flush=True)
    speech = media.long_speech_mp3(args.minutes)
    rows = []
    with tempfile.TemporaryDirectory(prefix="podkit-bench-") as tmp:
        tmp = Path(tmp)
        print(f"podkit normalise on {speech.name} ...", flush=True)
        pk = run_podkit(speech, tmp / "podkit.mp3")
        print(f"ffmpeg-normalize on {speech.name} ...", flush=True)
        fn = run_ffmpeg_normalize(speech, tmp / "ffn.mp3")
        pk_l, pk_p = ebur128(tmp / "podkit.mp3")
        fn_l, fn_p = ebur128(tmp / "ffn.mp3")
        pydub_rss = float(
            subprocess.run([PY, "-c", PYDUB_CHILD, str(speech)], capture_output=True, text=True, check=True).stdout
        )
        rows.append(
            (
                f"podkit, {args.minutes} min MP3",
                pk["seconds"],
                pk_l,
                pk_p,
                pk["rss_mb"],
                f"{pk['passes']} encode(s), verified={pk['verified']}, limited={pk['limited']}",
                {"tool": "podkit", "passes": pk["passes"], "verified": pk["verified"], "limited": pk["limited"]},
            )
        )
        rows.append(
            (
                f"ffmpeg-normalize, {args.minutes} min MP3",
                fn["seconds"],
                fn_l,
                fn_p,
                None,
                f"two-pass loudnorm, {fn['mode']}",
                {"tool": "ffmpeg-normalize", "mode": fn["mode"]},
            )
        )
        rows.append(
            (
                f"pydub from_file, {args.minutes} min MP3",
                None,
                None,
                None,
                pydub_rss,
                "whole-file load, for reference",
                {"tool": "pydub"},
            )
        )
        if not args.skip_long:
            long_wav = media.long_speech_wav(args.long_minutes)
            print(f"podkit normalise on {long_wav.name} ({long_wav.stat().st_size / 2**30:.1f} GiB) ...", flush=True)
            lg = run_podkit(long_wav, tmp / "long.mp3")
            lg_l, lg_p = ebur128(tmp / "long.mp3")
            rows.append(
                (
                    f"podkit, {args.long_minutes} min stereo WAV",
                    lg["seconds"],
                    lg_l,
                    lg_p,
                    lg["rss_mb"],
                    f"ffmpeg children peak {lg['ffmpeg_rss_mb']:.0f} MB",
                    {
                        "tool": "podkit",
                        "passes": lg["passes"],
                        "verified": lg["verified"],
                        "limited": lg["limited"],
                        "ffmpeg_children_rss_mb": lg["ffmpeg_rss_mb"],
                    },
                )
            )

    fmt = lambda v, f: "-" if v is None else format(v, f)
    print()
    print(f"| {'run':<34} | {'time s':>7} | {'LUFS':>6} | {'dBTP':>6} | {'peak RSS MB':>11} | notes")
    print(f"|{'-' * 36}|{'-' * 9}|{'-' * 8}|{'-' * 8}|{'-' * 13}|------")
    for name, sec, loud, peak, rss, note, _ in rows:
        print(
            f"| {name:<34} | {fmt(sec, '7.1f')} | {fmt(loud, '6.1f')} | {fmt(peak, '6.1f')} | "
            f"{fmt(rss, '11.0f')} | {note}"
        )
    ratio = fn["seconds"] / pk["seconds"]
    print()
    line = (
        f"speed: podkit is {ratio:.1f}x faster than ffmpeg-normalize (target >= 4x): {'PASS' if ratio >= 4 else 'FAIL'}"
    )
    print(line)
    verdicts = {"speed": results.verdict(line, ratio >= 4, ratio=ratio, target_min_ratio=4.0)}
    accurate = abs(pk_l + 16) <= 0.5 and pk_p <= -0.9
    line = (
        f"accuracy: podkit {pk_l:+.1f} LUFS / {pk_p:+.1f} dBTP (target -16 +-0.5, <= -0.9): "
        f"{'PASS' if accurate else 'FAIL'}"
    )
    print(line)
    verdicts["accuracy"] = results.verdict(
        line, accurate, lufs=pk_l, dbtp=pk_p, target_lufs=-16.0, tolerance_lu=0.5, target_max_dbtp=-0.9
    )
    if not args.skip_long:
        line = (
            f"memory: {lg['rss_mb']:.0f} MB peak RSS on {args.long_minutes} min (target < 500 MB): "
            f"{'PASS' if lg['rss_mb'] < 500 else 'FAIL'}"
        )
        print(line)
        verdicts["memory"] = results.verdict(
            line, lg["rss_mb"] < 500, rss_mb=lg["rss_mb"], minutes=args.long_minutes, target_max_mb=500.0
        )
    results.write(
        "normalise",
        args=args,
        rows=[
            {"run": name, "seconds": sec, "lufs": loud, "dbtp": peak, "peak_rss_mb": rss, "notes": note, **details}
            for name, sec, loud, peak, rss, note, details in rows
        ],
        verdicts=verdicts,
    )


if __name__ == "__main__":
    main()
