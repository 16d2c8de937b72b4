"""Story segmentation on the evaluation corpus: the real pipeline, audio -> transcript -> stories.

    .venv/bin/python bench/segmentation.py [--engine faster-whisper] [--refresh]

The corpus is samples/corpus/*.toml (original scripts rendered with espeak-ng in varied voices,
speeds and gaps, with the true story start times) plus the sample show. Prints per episode and
overall: Pk and WindowDiff (nltk.metrics.segmentation, at 1 s resolution), stories found vs
true, and each true boundary's error in seconds. Targets: mean Pk <= 0.10; every boundary that
starts a story of 20 s or more found within +-3 s; story count exact on at least 5 of 6. The
table is also written to bench/results/segmentation.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

CACHE = ROOT / "bench" / ".cache" / "corpus"


def corpus() -> list[tuple[str, Path, dict]]:
    """(name, audio, truth) for every evaluation episode, rendered once into the cache."""
    import render

    out = []
    for script in sorted((ROOT / "samples" / "corpus").glob("*.toml")):
        audio = CACHE / f"{script.stem}.mp3"
        truth = CACHE / f"{script.stem}.stories.json"
        if not audio.exists() or not truth.exists() or script.stat().st_mtime > audio.stat().st_mtime:
            render.render(script, CACHE)
        out.append((script.stem, audio, json.loads(truth.read_text())))
    sample = ROOT / "audio" / "2026-11-20-weekly-roundup.mp3"
    out.append(("sample-show", sample, json.loads((ROOT / "samples" / "weekly-roundup" / "stories.json").read_text())))
    return out


def transcript_for(name: str, audio: Path, engine: str, refresh: bool):
    from podkit.transcribe import TranscribeOptions, transcribe_file, write
    from podkit.transcribe.formats import read_json

    cached = CACHE / f"{name}.{engine}.json"
    if refresh or not cached.exists() or cached.stat().st_mtime < audio.stat().st_mtime:
        t = transcribe_file(audio, TranscribeOptions(engine=engine))
        write(t, CACHE / f"{name}.{engine}", ["json"])
    return read_json(cached)


def evaluate(truth_starts: list[float], found: list[float], duration: float) -> dict:
    from nltk.metrics.segmentation import pk, windowdiff

    n = int(duration) + 1

    def string(starts):
        marks = ["0"] * n
        for s in starts[1:]:
            marks[min(n - 1, round(s))] = "1"
        return "".join(marks)

    ref, hyp = string(truth_starts), string(found)
    k = max(2, round(duration / len(truth_starts) / 2))
    errors = [min((abs(f - t) for f in found), default=float("inf")) for t in truth_starts[1:]]
    return {"pk": pk(ref, hyp, k=k, boundary="1"), "wd": windowdiff(ref, hyp, k, boundary="1"), "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="faster-whisper")
    ap.add_argument("--refresh", action="store_true", help="transcribe again")
    args = ap.parse_args()
    from podkit.notes import split_stories

    rows = []
    for name, audio, truth in corpus():
        t = transcript_for(name, audio, args.engine, args.refresh)
        stories = split_stories(t)
        found = [s.start for s in stories]
        true_starts = [s["start"] for s in truth["stories"]]
        true_starts[0] = 0.0
        lengths = [s["end"] - s["start"] for s in truth["stories"]]
        m = evaluate(true_starts, found, truth["duration"])
        must = [e for e, length in zip(m["errors"], lengths[1:], strict=True) if length >= 20]
        # A story shorter than the minimum (a one-sentence item) is not counted as a story: it
        # must join a neighbour. Its boundary still counts in Pk and WindowDiff.
        n_true = sum(1 for length in lengths if length >= 20)
        rows.append((name, n_true, len(stories), m, must, [s.title for s in stories]))

    print()
    print(f"| {'episode':<14} | true | found |   Pk  |  WD   | boundary errors (s)")
    print(f"|{'-' * 16}|------|-------|-------|-------|--------------------")
    for name, n_true, n_found, m, _must, _ in rows:
        errs = ", ".join(f"{e:.1f}" for e in m["errors"])
        print(f"| {name:<14} | {n_true:>4} | {n_found:>5} | {m['pk']:.3f} | {m['wd']:.3f} | {errs}")
    mean_pk = sum(r[3]["pk"] for r in rows) / len(rows)
    mean_wd = sum(r[3]["wd"] for r in rows) / len(rows)
    exact = sum(r[1] == r[2] for r in rows if r[0] != "sample-show")
    within = all(e <= 3.0 for r in rows for e in r[4])
    worst = max((e for r in rows for e in r[4]), default=0.0)
    print()
    pk_line = (
        f"mean Pk {mean_pk:.3f} (target <= 0.10): {'PASS' if mean_pk <= 0.10 else 'FAIL'}; "
        f"mean WindowDiff {mean_wd:.3f}"
    )
    print(pk_line)
    within_line = f"boundaries of stories >= 20 s within 3 s: worst {worst:.1f} s: {'PASS' if within else 'FAIL'}"
    print(within_line)
    n_corpus = len(rows) - 1
    count_line = (
        f"story count (stories of 20 s or more) exact on {exact} of {n_corpus} corpus episodes "
        f"(target >= 5 of 6): {'PASS' if exact >= n_corpus - 1 else 'FAIL'}"
    )
    print(count_line)
    print()
    for name, *_, titles in rows:
        print(f"{name}: " + " | ".join(titles))
    results.write(
        "segmentation",
        args=args,
        rows=[
            {
                "episode": name,
                "true": n_true,  # stories of 20 s or more
                "found": n_found,
                "pk": m["pk"],
                "wd": m["wd"],
                "boundary_errors_s": m["errors"],  # each true boundary's; null: no story found at all
                "boundary_errors_20s_s": must,  # of those, the boundaries that start a story of 20 s or more
                "titles": titles,
            }
            for name, n_true, n_found, m, must, titles in rows
        ],
        verdicts={
            "mean_pk": results.verdict(pk_line, mean_pk <= 0.10, mean_pk=mean_pk, mean_wd=mean_wd, target_max=0.10),
            "boundaries": results.verdict(within_line, within, worst_s=worst, target_max_s=3.0, min_story_s=20),
            "story_count": results.verdict(
                count_line, exact >= n_corpus - 1, exact=exact, corpus_episodes=n_corpus, target_min=n_corpus - 1
            ),
        },
    )


if __name__ == "__main__":
    main()
