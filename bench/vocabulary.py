"""The show's vocabulary in transcription: proper nouns and WER, with and without it, one run.

    .venv/bin/python bench/vocabulary.py [--engine faster-whisper|openai-whisper] [--only NAME]
                                         [--model tiny.en]

The episodes are those of bench/segmentation.py (samples/corpus/*.toml rendered with espeak-ng
into bench/.cache/corpus, and the sample show). Each is transcribed twice by the real pipeline
(``transcribe_file``), in the same run: with no vocabulary, and with what podkit gathers for
it. For a corpus episode that is its script's ``vocabulary`` (the show's name and hosts, as a
producer writes them in podkit.toml; for the local news show also the home town's places it
names every week, never the people a story quotes) and its rendered sidecar's rundown titles and link
titles; for the sample show podkit.toml's title and author, its script's ``vocabulary``, and
its sidecar's speakers, title, description and link titles (its sidecar has no rundown).

"with" is what podkit publishes: the transcript made with the glossary in the prompt, then the
vocabulary's names respelt where the engine wrote them otherwise (``respellings``, as podkit's
transcript stage does); the table also gives the step between ("prompt": the glossary alone).

The reference is the script's text. Its proper nouns are its runs of capitalised words not at
the start of a sentence ("Port Carrow City Council", "Tallyweave"), split at punctuation and at
small words (I, The, And ...; days, months and honorifics left out); a word that only ever
starts a sentence counts where it is also capitalised inside one. Each is counted once per
episode, and recalled when its normalised form (Whisper's English normaliser, as for WER)
appears in the normalised transcript as whole words. Since the vocabulary holds some of those
very names, recall is also given apart for the proper nouns in it (a name the glossary that
reached the engine holds, or one of its names that the proper noun holds) and for those not
in it, which must not get worse. Invented text: each glossary name's occurrences in the
transcript beyond those in the script, summed ("inserted"); and loops (``looped_words`` of
the episode >= 12).

Targets: proper-noun recall up by at least 0.20 in total, WER with the vocabulary no worse
than without it, recall of the proper nouns not in the vocabulary no worse, no loop. The
table is also written to bench/results/vocabulary.json.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

CACHE = ROOT / "bench" / ".cache" / "corpus"
SAMPLE_SCRIPT = ROOT / "samples" / "weekly-roundup" / "script.toml"
SAMPLE_SIDECAR = ROOT / "audio" / "2026-11-20-weekly-roundup.toml"
RECALL_GAIN = 0.20
LOOP_WORDS = 12

# Capitalised words that are no proper noun: sentence and clause openers, days, months, titles.
SMALL_WORDS = """a an the and but or nor so yet i i'm i've i'd i'll we we're our you you're your he she it
    it's its they their them this that these those here there what when where why how who which
    whose if then than of to in on at by for with from as is are was were be been has have had do
    does did not no yes my me his her us one two three four five six seven eight nine ten first
    second third next last also plus hello hi hey good welcome thanks thank okay ok well now today
    tonight monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december mr mrs ms dr councillor mayor
    professor judge chief officer painter"""
SMALL = frozenset(SMALL_WORDS.split())


def script_text(script: dict) -> str:
    import render

    return " ".join(line["text"] for seg in render.segments_of(script) for line in seg["lines"])


def proper_nouns(text: str) -> list[str]:
    """The script's proper nouns, each once, in order (see the module's docstring)."""
    found: list[str] = []
    openers: list[str] = []
    for sentence in re.split(r"(?<=[.!?:])[\"”]?\s+", text):
        runs: list[tuple[bool, list[str]]] = [(False, [])]  # (starts the sentence, its words)
        for i, raw in enumerate(sentence.split()):
            word = re.sub(r"['’]s$", "", raw.strip("\"“”()‘’'.,;:!?"))
            if (
                re.fullmatch(r"[A-Z][\w'’-]*", word)
                and word.casefold() not in SMALL
                and not (len(word) > 1 and word.isupper())  # acronyms: RMB, EUR
            ):
                if not runs[-1][1]:
                    runs[-1] = (i == 0, [])
                runs[-1][1].append(word)
                if not raw.endswith((",", ";", ":", ")", ".", "!", "?", '"', "”")):
                    continue
            if runs[-1][1]:
                runs.append((False, []))
        for at_start, run in runs:
            if run:
                (openers if at_start and len(run) == 1 else found).append(" ".join(run))
    inside = {w for phrase in found for w in phrase.split()}
    found += [w for w in openers if w in inside]
    return list(dict.fromkeys(found))


def episodes(only: str | None) -> list[tuple[str, Path, str, list[str]]]:
    """(name, audio, reference text, vocabulary) for every episode."""
    import segmentation

    show = tomllib.loads((ROOT / "podkit.toml").read_text())
    out = []
    for name, audio, _ in segmentation.corpus(only):
        if name == "sample-show":
            script = tomllib.loads(SAMPLE_SCRIPT.read_text())
            side = tomllib.loads(SAMPLE_SIDECAR.read_text())
            vocab = [show["title"], show["author"], *script.get("vocabulary", []), *side.get("speakers", [])]
            vocab += [side.get("title", ""), side.get("description", "")]
            vocab += [link["title"] for link in side.get("links", [])]
        else:
            script = tomllib.loads((ROOT / "samples" / "corpus" / f"{name}.toml").read_text())
            side = tomllib.loads((CACHE / f"{name}.toml").read_text())
            vocab = [*script.get("vocabulary", [])]
            vocab += [item["title"] for item in side.get("stories", [])]
            vocab += [link["title"] for link in side.get("links", [])]
        out.append((name, audio, script_text(script), [v for v in vocab if v]))
    return out


def occurrences(phrase: str, text: str) -> int:
    return len(re.findall(r"(?<!\S)" + re.escape(phrase) + r"(?!\S)", text)) if phrase else 0


def score(reference: str, hypothesis: str, nouns: list[str], names: list[str], looped: int, norm) -> dict:
    """One transcript's metrics; ``names``: the glossary's names (normalised)."""
    import jiwer

    ref, hyp = norm(reference), norm(hypothesis)
    words = jiwer.process_words(ref, hyp)
    errors = words.substitutions + words.deletions + words.insertions
    recalled = [occurrences(norm(n), hyp) > 0 for n in nouns]
    given = [any(occurrences(norm(n), k) or occurrences(k, norm(n)) for k in names) for n in nouns]
    return {
        "words": len(ref.split()),
        "errors": errors,
        "wer": errors / max(1, len(ref.split())),
        "nouns": len(nouns),
        "recalled": sum(recalled),
        "in_vocab": sum(given),
        "in_vocab_recalled": sum(r for r, g in zip(recalled, given, strict=True) if g),
        "missed": [n for n, r in zip(nouns, recalled, strict=True) if not r],
        "inserted": sum(max(0, occurrences(k, hyp) - occurrences(k, ref)) for k in names),
        "looped": looped,
    }


def totals(rows: list[dict]) -> dict:
    out = {k: sum(r[k] for r in rows) for k in ("words", "errors", "nouns", "recalled", "in_vocab")}
    out |= {k: sum(r[k] for r in rows) for k in ("in_vocab_recalled", "inserted", "seconds")}
    out["wer"] = out["errors"] / max(1, out["words"])
    out["loops"] = sum(r["looped"] >= LOOP_WORDS for r in rows)
    return out | rates(out)


def rates(r: dict) -> dict:
    out_of = r["nouns"] - r["in_vocab"]
    return {
        "recall": r["recalled"] / r["nouns"] if r["nouns"] else None,
        "recall_in_vocab": r["in_vocab_recalled"] / r["in_vocab"] if r["in_vocab"] else None,
        "recall_not_in_vocab": (r["recalled"] - r["in_vocab_recalled"]) / out_of if out_of else None,
    }


def fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="faster-whisper", choices=["faster-whisper", "openai-whisper"])
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--only", help="one episode: a corpus script's name or sample-show")
    args = ap.parse_args()

    from whisper.normalizers import EnglishTextNormalizer

    from podkit.transcribe import TranscribeOptions, transcribe_file
    from podkit.transcribe.edits import apply_corrections
    from podkit.transcribe.stream import looped_words
    from podkit.transcribe.vocabulary import glossary, respellings

    def words_of(t) -> list[str]:
        return [w.text for s in t.segments for w in s.words]

    normaliser = EnglishTextNormalizer()

    def norm(text: str) -> str:
        return " ".join(normaliser(text).split())

    rows = []
    for name, audio, reference, vocab in episodes(args.only):
        line = glossary(vocab)
        names = [norm(n) for n in (line or "").rstrip(".").split(", ") if n]
        nouns = proper_nouns(reference)
        for mode, given in (("without", ()), ("with", tuple(vocab))):
            print(f"transcribing {name} {mode} vocabulary ({args.engine}) ...", flush=True)
            start = time.perf_counter()
            t = transcribe_file(audio, TranscribeOptions(engine=args.engine, model=args.model, vocabulary=given))
            seconds = time.perf_counter() - start
            steps = [(mode, [])] if mode == "without" else [("prompt", []), ("with", respellings(words_of(t), given))]
            for step, pairs in steps:
                apply_corrections(t, pairs)  # as podkit's transcript stage does
                text = " ".join(s.text for s in t.segments)
                row = {"episode": name, "mode": step, "duration_s": t.duration, "seconds": seconds}
                row |= score(reference, text, nouns, names, looped_words(t.segments), norm)
                row |= rates(row)
                row["glossary"] = line if given else None
                row["respelt"] = [f"{heard} -> {right}" for heard, right in pairs]
                rows.append(row)
                print(
                    f"  {step}: WER {row['wer']:.3f}, proper nouns {row['recalled']} of {row['nouns']}, "
                    f"inserted {row['inserted']}, loop {row['looped']}, {seconds:.0f} s",
                    flush=True,
                )

    print()
    print(
        "| episode        | dur   | vocabulary |  WER  | proper nouns | recall | in vocab | not in vocab "
        "| inserted | loop |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['episode']:<14} | {r['duration_s'] / 60:4.1f}m | {r['mode']:<10} | {r['wer']:.3f} "
            f"| {r['recalled']:>4} of {r['nouns']:<4} | {fmt(r['recall'])} "
            f"| {fmt(r['recall_in_vocab'])} ({r['in_vocab']}) | {fmt(r['recall_not_in_vocab'])} "
            f"| {r['inserted']:>8} | {r['looped']:>4} |"
        )
    sums = {mode: totals([r for r in rows if r["mode"] == mode]) for mode in ("without", "prompt", "with")}
    for mode, s in sums.items():
        print(
            f"| {'total':<14} |       | {mode:<10} | {s['wer']:.3f} | {s['recalled']:>4} of {s['nouns']:<4} "
            f"| {fmt(s['recall'])} | {fmt(s['recall_in_vocab'])} ({s['in_vocab']}) "
            f"| {fmt(s['recall_not_in_vocab'])} | {s['inserted']:>8} | {s['loops']:>4} |"
        )
    for r in rows:
        if r["mode"] == "with":
            print(f"{r['episode']}: glossary {r['glossary']!r}")
            print(f"  respelt: {'; '.join(r['respelt']) or '-'}")
            print(f"  still missed: {', '.join(r['missed']) or '-'}")
    print()

    off, on = sums["without"], sums["with"]
    verdicts = {}

    def verdict(key: str, line: str, passed: bool, **fields) -> None:
        print(f"{line}: {'PASS' if passed else 'FAIL'}")
        verdicts[key] = results.verdict(f"{line}: {'PASS' if passed else 'FAIL'}", passed, **fields)

    gain = (on["recall"] or 0.0) - (off["recall"] or 0.0)
    verdict(
        "recall",
        f"proper-noun recall {fmt(off['recall'])} -> {fmt(on['recall'])} ({gain:+.3f}; target >= +{RECALL_GAIN})",
        gain >= RECALL_GAIN,
        without=off["recall"],
        with_vocabulary=on["recall"],
        gain=gain,
        target_min_gain=RECALL_GAIN,
    )
    verdict(
        "wer",
        f"WER {off['wer']:.4f} -> {on['wer']:.4f} (target no worse)",
        on["wer"] <= off["wer"],
        without=off["wer"],
        with_vocabulary=on["wer"],
    )
    a, b = off["recall_not_in_vocab"], on["recall_not_in_vocab"]
    verdict(
        "not_in_vocabulary",
        f"recall of proper nouns not in the vocabulary {fmt(a)} -> {fmt(b)} (target no worse)",
        a is None or b is None or b >= a,
        without=a,
        with_vocabulary=b,
    )
    verdict(
        "loops",
        f"transcripts with a loop: {off['loops']} -> {on['loops']} (target 0 with the vocabulary)",
        on["loops"] == 0,
        without=off["loops"],
        with_vocabulary=on["loops"],
    )
    print(
        f"glossary names inserted where the script does not say them: {off['inserted']} without, "
        f"{on['inserted']} with; time {off['seconds']:.0f} s without, {on['seconds']:.0f} s with"
    )
    sys.stdout.flush()
    results.write("vocabulary", args=args, rows=rows, verdicts=verdicts, totals=sums)


if __name__ == "__main__":
    main()
