"""Who speaks when on one track: podkit's voices (``label_speakers``) on the corpus's two-host
episodes, against each line's true speaker.

    .venv/bin/python bench/voices.py [--only NAME]

For every script in samples/corpus/ with two voices: the episode's audio and faster-whisper
transcript from bench/segmentation.py's cache (rendered and transcribed there when missing),
the true turns from rendering the script again into a temporary folder (espeak-ng is
deterministic: the same timings), and the hosts' names from the script's vocabulary (the name
whose first word is the voice's key; else the key itself, "Mara"). Where a host introduces
themselves ("I'm Imogen") the names are listed against the speaking order, so that only the
introduction can name them right; elsewhere in the speaking order, as the README tells users.

Reported per episode: the share of words given to the right person (a word counts where its
middle falls in a line, +-0.25 s), whether the names landed on the right voices, and the
seconds label_speakers took. Target: at least 95% of words right and the names right on
every episode. Written to bench/results/voices.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "samples"))

import render
import results
from segmentation import corpus, host_names, transcript_for

from podkit.transcribe.voices import label_speakers

CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
TARGET = 0.95


def truth_turns(script: Path) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="podkit-voices-") as tmp:
        render.render(script, Path(tmp))
        name = tomllib.loads(script.read_text())["recording"]
        return json.loads((Path(tmp) / f"{name}.stories.json").read_text())["turns"]


def who(turns: list[dict], t: float) -> str | None:
    for turn in turns:
        if turn["start"] - 0.25 <= t <= turn["end"] + 0.25:
            return str(turn["voice"])
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", metavar="NAME", help="one episode (e.g. harbour-desk)")
    args = ap.parse_args()
    rows = []
    for name, audio, _ in corpus(args.only):
        script = CORPUS / f"{name}.toml"
        if not script.exists():
            continue
        spec = tomllib.loads(script.read_text())
        voices = list(spec["voices"])
        if len(voices) != 2:
            continue
        hosts = host_names(spec)
        turns = truth_turns(script)
        first = who(turns, turns[0]["start"] + 0.1)
        lines = [line["text"].lower() for seg in spec.get("segments", spec.get("stories", [])) for line in seg["lines"]]
        introduced = any(f"i'm {v}" in text for v in voices for text in lines)
        # with a self-introduction the names are given against the speaking order (only the
        # introduction can name them right); without one in the speaking order, as users are told
        order = tuple(hosts[v] for v in sorted(voices, key=lambda v: (v == first) == introduced))
        transcript = transcript_for(name, audio, "faster-whisper", False)
        t0 = time.perf_counter()
        named = label_speakers(audio, transcript, order)
        seconds = time.perf_counter() - t0
        judged = [
            (hosts[v], seg.speaker)
            for seg in named.segments
            for w in seg.words
            if (v := who(turns, (w.start + w.end) / 2))
        ]
        right = sum(1 for want, got in judged if want == got) / max(1, len(judged))
        swapped = sum(1 for want, got in judged if got and got != want) / max(1, len(judged))
        rows.append(
            {
                "episode": name,
                "minutes": round(named.duration / 60, 1),
                "words_judged": len(judged),
                "words_right": right,
                "introduced": introduced,
                "names_right": right > swapped,
                "seconds": seconds,
            }
        )
        print(f"{name}: {right:.1%} of {len(judged)} words right in {seconds:.1f} s", flush=True)
    print()
    print("| episode        |  min | words | right  | names from   | names right | seconds |")
    print("|----------------|------|-------|--------|--------------|-------------|---------|")
    for r in rows:
        print(
            f"| {r['episode']:<14} | {r['minutes']:4.1f} | {r['words_judged']:5d} | {r['words_right']:6.1%} "
            f"| {'introduction' if r['introduced'] else 'order':<12} "
            f"| {'yes' if r['names_right'] else 'no':<11} | {r['seconds']:7.1f} |"
        )
    worst = min((r["words_right"] for r in rows), default=0.0)
    names = all(r["names_right"] for r in rows)
    line = f"voices: at worst {worst:.1%} of words right (target >= {TARGET:.0%}); names right everywhere: {names}"
    passed = bool(rows) and worst >= TARGET and names
    print(f"\n{line}: {'PASS' if passed else 'FAIL'}")
    verdicts = {"voices": results.verdict(line, passed, worst=worst, target=TARGET, names_right=names)}
    results.write("voices", args=args, rows=rows, verdicts=verdicts)


if __name__ == "__main__":
    main()
