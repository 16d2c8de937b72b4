"""Long recordings: transcription memory against duration, and a three-hour episode end to end.

    .venv/bin/python bench/long.py [--minutes 5,20,60] [--whole-minutes 20] [--hours 3]

Rows, each a child process reporting its own peak RSS:
- ``podkit transcribe`` (faster-whisper, tiny.en, beam 5) on continuous real speech of each
  length in ``--minutes``: recordings are streamed in windows cut at pauses, so peak memory
  should stay flat as the duration grows;
- the same speech transcribed the way a plain script does it (the whole file decoded into
  memory, one engine call), at ``--whole-minutes``, for comparison in the same run;
- ``podkit run`` on a show holding one ``--hours``-long recording (the sample show's speech at
  the start, the middle and the end, quiet between): every stage, then publish.
Target: memory bounded whatever the duration (issue 6). The table is also written to
bench/results/long.json.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import media
import results

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent

PODKIT = r"""
import resource, sys
from podkit.cli import main
try:
    code = main(sys.argv[1:])
finally:
    print(f"peak-rss-mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", file=sys.stderr)
sys.exit(code)
"""

WHOLE = r"""
import resource, sys
from faster_whisper.audio import decode_audio
from podkit.transcribe.engines import make_engine
from podkit.transcribe.models import resolve
engine = make_engine("faster-whisper", resolve("tiny.en"))
result = engine.transcribe(decode_audio(sys.argv[1]), beam_size=5)
n = sum(1 for _ in result.segments)
print(f"peak-rss-mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}", file=sys.stderr)
"""


def child(code: str, *args: str) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run([PY, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if proc.returncode:
        sys.exit(f"failed: {' '.join(args)}\n{proc.stderr[-2000:]}")
    peak = int(re.findall(r"peak-rss-mb (\d+)", proc.stderr)[-1])
    return seconds, peak, proc.stdout


def speech(minutes: int) -> Path:
    out = media.CACHE / f"speech-{minutes}min-16k.flac"
    if not out.exists():
        media._ffmpeg(
            "-stream_loop",
            "-1",
            "-i",
            str(media.speech_base()),
            "-t",
            str(minutes * 60),
            "-ac",
            "1",
            "-ar",
            "16000",
            "-c:a",
            "flac",
            str(out),
        )
    return out


def sparse_show(root: Path, hours: float) -> Path:
    sys.path.insert(0, str(ROOT))
    from podkit.config import init_show

    init_show(
        root,
        title="Long Show",
        author="Ana Host",
        email="ana@example.com",
        url="https://pod.example.com",
        category="News/Tech News",
    )
    total = int(hours * 3600)
    media._ffmpeg(
        "-f",
        "lavfi",
        "-t",
        str(total),
        "-i",
        "anullsrc=r=44100:cl=mono",
        "-i",
        str(media.SAMPLE),
        "-filter_complex",
        f"[1:a]aresample=44100,asplit=3[a][b][c];[b]adelay={total // 2 * 1000}:all=1[b2];"
        f"[c]adelay={(total - 150) * 1000}:all=1[c2];[0:a][a][b2][c2]amix=inputs=4:normalize=0:duration=first",
        "-ac",
        "1",
        "-c:a",
        "flac",
        str(root / "audio" / "long.flac"),
    )
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", default="5,20,60", help="continuous speech lengths to transcribe")
    ap.add_argument("--whole-minutes", type=int, default=20, help="0: skip the whole-file row")
    ap.add_argument("--hours", type=float, default=3.0, help="0: skip the podkit run row")
    args = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in [int(m) for m in args.minutes.split(",") if m]:
            path = speech(minutes)
            print(f"podkit transcribe, {minutes} min of speech ...", flush=True)
            seconds, peak, _ = child(PODKIT, "transcribe", str(path), "-o", tmp, "--format", "json", "--quiet")
            rows.append((f"podkit transcribe (windows), {minutes} min", minutes * 60, seconds, peak))
        if args.whole_minutes:
            path = speech(args.whole_minutes)
            print(f"whole file in memory, {args.whole_minutes} min of speech ...", flush=True)
            seconds, peak, _ = child(WHOLE, str(path))
            rows.append(
                (f"whole file, one engine call, {args.whole_minutes} min", args.whole_minutes * 60, seconds, peak)
            )
        if args.hours:
            show = sparse_show(Path(tmp) / "show", args.hours)
            print(f"podkit run, one {args.hours:g}-hour recording ...", flush=True)
            seconds, peak, _ = child(PODKIT, "run", str(show), "--quiet")
            rows.append((f"podkit run, {args.hours:g} h recording (sparse speech)", args.hours * 3600, seconds, peak))
    print()
    print(f"| {'what':<48} | {'audio':>8} | {'time s':>7} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 50}|{'-' * 10}|{'-' * 9}|{'-' * 13}|")
    for what, audio, seconds, peak in rows:
        print(f"| {what:<48} | {audio / 60:6.0f} m | {seconds:7.1f} | {peak:11d} |")
    windowed = [r for r in rows if r[0].startswith("podkit transcribe")]
    verdicts = {}
    if len(windowed) > 1:
        grow = windowed[-1][3] / windowed[0][3]
        audio_ratio = windowed[-1][1] / windowed[0][1]
        line = f"peak RSS, longest vs shortest windowed transcription: {grow:.2f}x ({audio_ratio:.0f}x the audio)"
        print(f"\n{line}")
        # No number is set: the target is that memory stays bounded (issue 6), so no PASS/FAIL.
        verdicts["windowed_rss_growth"] = results.verdict(
            line, None, rss_ratio=grow, audio_ratio=audio_ratio, target="memory bounded whatever the duration"
        )
    results.write(
        "long",
        args=args,
        rows=[
            {"what": what, "audio_s": audio, "audio_min": audio / 60, "seconds": seconds, "peak_rss_mb": peak}
            for what, audio, seconds, peak in rows
        ],
        verdicts=verdicts,
    )


if __name__ == "__main__":
    main()
