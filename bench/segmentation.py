"""Story segmentation on the evaluation corpus: the real pipeline, audio -> transcript -> parts.

    .venv/bin/python bench/segmentation.py [--engine faster-whisper|openai-whisper] [--refresh]
                                           [--only NAME]

The corpus is samples/corpus/*.toml (scripts rendered with espeak-ng by samples/render.py into
bench/.cache/corpus: <name>.mp3, <name>.stories.json with every true segment (intro, story,
short, sponsor, outro), and <name>.toml, the sidecar, rendered with the rundown) plus the
sample show. Each episode is transcribed (cached as <name>.<engine>.json, done again when
older than the audio or with --refresh) and split by ``podkit.notes.make_notes`` twice: from
the transcript alone, and with the producer's rundown (``rundown=``: the truth's story and
short segments in order, with their titles, summaries and links, as the rendered sidecar's
``[[stories]]`` has them; the sample show's sidecar has none). No sidecar links are passed.

Per episode and in total, in both modes:
- boundary precision and recall: a found part start is a hit within +-3 s of a true segment
  start not yet matched (one to one; the truth's boundaries are every segment's start, any
  kind; the first start, 0.0, is not a boundary);
- splits inside long stories: found starts more than 3 s inside a true story of >= 120 s;
- headings with a key term: for each true story or short item with key terms, whether the
  found part overlapping it most has a title holding one of them (case-insensitive substring,
  a compound written open, hyphenated or closed alike: "book shop" holds "bookshop");
- Pk and WindowDiff (nltk.metrics.segmentation at 1-s resolution, k half the mean true segment
  length), per episode and the mean;
- headings' ROUGE-L F1 against the producer's (the same pairs as for key terms), the mean;
- with the rundown also the worst boundary error (the farthest any true start is from a found
  start, or any found start from a true one) and the rundown stories placed of those given
  (the notes warn about each one not placed).
For long summaries (``[notes] summary = "long"``, from the transcript alone), per episode and
in total: paragraphs per story of 30 s or more (target 2-4 each), sentences repeated across a
story's paragraphs (target 0), summaries holding a transition or sign-off phrase (target 0:
"moving on", "next up", "thanks for listening", ...; a list of the bench's own, not podkit's),
and the share of summary sentences whose key numbers and names (digits, and capitalised words
after a sentence's first) all appear in that part's own transcript span (target 100%: a
summary never borrows from the next story).
Then the notes stage's speed, from the transcript alone: one 15-minute transcript
(harbour-desk) and a 60-minute one (the long corpus transcripts one after another, shifted in
time, until an hour is reached), timed after a warm-up call on a short transcript; the
model load (that first call less a second one) is reported apart.

Then stability (no target; a measure to keep an eye on): a recogniser's words differ a little
from one CPU to another, and what podkit publishes should not. Each episode of 10 minutes or
more is split again from ``STABILITY_RUNS`` perturbed copies of its transcript (each seeded:
1% of the words that end no sentence dropped, every word's time moved by up to 30 ms); the
share of the original part starts still found within 1.5 s, and of the headings kept word
for word.

Targets, from the transcript alone: total precision >= 0.95 and recall >= 0.95; no split
inside a story of 2 minutes or more; >= 90% of headings with a key term. With the rundown:
every boundary within +-2 s and every rundown story placed. The notes stage on 60 minutes
under 10 s. With --only the timing
is skipped. The table is also written to bench/results/segmentation.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
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
SAMPLE = ROOT / "audio" / "2026-11-20-weekly-roundup.mp3"
SAMPLE_TRUTH = ROOT / "samples" / "weekly-roundup" / "stories.json"

TOLERANCE_S = 3.0  # a found start this close to a true one is a hit
RUNDOWN_TOLERANCE_S = 2.0  # with the rundown every boundary must be this close
LONG_STORY_S = 120.0  # a story this long must not be split
KEY_TERM_KINDS = ("story", "short")
LONG_EPISODES = ("harbour-desk", "tech-money", "market-week")  # the 15-minute roundups
HOUR_S = 3600.0
SPEED_TARGET_S = 10.0
WARM_UP = "two-stories"

TARGETS = {"precision": 0.95, "recall": 0.95, "inside": 0, "key_terms": 0.90}


def corpus(only: str | None) -> list[tuple[str, Path, dict]]:
    """(name, audio, truth) for every evaluation episode, rendered into the cache when its script
    is newer than its audio (with the rundown in its sidecar)."""
    out = []
    for script in sorted((ROOT / "samples" / "corpus").glob("*.toml")):
        if only and script.stem != only:
            continue
        audio = CACHE / f"{script.stem}.mp3"
        truth = CACHE / f"{script.stem}.stories.json"
        side = CACHE / f"{script.stem}.toml"
        if (
            not all(p.exists() for p in (audio, truth, side))
            or script.stat().st_mtime > audio.stat().st_mtime
            or script.stat().st_mtime > side.stat().st_mtime
        ):
            import render

            render.render(script, CACHE, rundown=True)
        out.append((script.stem, audio, json.loads(truth.read_text())))
    if not only or only == "sample-show":
        out.append(("sample-show", SAMPLE, json.loads(SAMPLE_TRUTH.read_text())))
    if not out:
        names = [p.stem for p in sorted((ROOT / "samples" / "corpus").glob("*.toml"))]
        sys.exit(f"no episode {only!r}; one of: {', '.join([*names, 'sample-show'])}")
    return out


def hosts_of(name: str) -> tuple[str, ...]:
    """The hosts a show with this script would list (podkit.toml ``hosts``, the sidecar's
    ``speakers``): each voice's full name from the script's vocabulary (the name whose first
    word is the voice's key; else the key itself), in the order they first speak. None for
    one voice, or for the sample show."""
    script = ROOT / "samples" / "corpus" / f"{name}.toml"
    if not script.exists():
        return ()
    spec = tomllib.loads(script.read_text())
    voices = list(spec.get("voices", {}))
    if len(voices) < 2:
        return ()
    lines = [line for seg in spec.get("segments", spec.get("stories", [])) for line in seg.get("lines", [])]
    order = list(dict.fromkeys([*(line.get("voice") for line in lines if line.get("voice") in voices), *voices]))
    names = host_names(spec)
    return tuple(names[v] for v in order)


def host_names(spec: dict) -> dict[str, str]:
    """Each voice of a corpus script with its full name from the script's vocabulary (the
    name whose first word is the voice's key; else the key itself, "Mara")."""
    named_in = spec.get("vocabulary", [])
    return {v: next((n for n in named_in if n.split()[0].lower() == v), v.title()) for v in spec.get("voices", {})}


def transcript_for(name: str, audio: Path, engine: str, refresh: bool, hosts: tuple[str, ...] = ()):
    """The episode's transcript, cached. With ``hosts``, as the pipeline hears a show that
    lists them: their names in the engine's vocabulary, and who speaks when told apart by
    voice (``speakers``)."""
    from podkit.transcribe import TranscribeOptions, transcribe_file, write
    from podkit.transcribe.formats import read_json

    cached = CACHE / f"{name}.{engine}{'.hosts' if hosts else ''}.json"
    if refresh or not cached.exists() or cached.stat().st_mtime < audio.stat().st_mtime:
        print(f"transcribing {name} ({engine}{', hosts ' + ' and '.join(hosts) if hosts else ''}) ...", flush=True)
        t = transcribe_file(audio, TranscribeOptions(engine=engine, vocabulary=hosts), speakers=hosts)
        write(t, cached.with_suffix(""), ["json"])
    return read_json(cached)


def rundown_of(truth: dict) -> tuple:
    """The producer's rundown: the true stories and short items in order (what render.py writes
    to the sidecar as ``[[stories]]``)."""
    from podkit.records import Link, RundownItem

    return tuple(
        RundownItem(
            seg["title"],
            seg.get("summary", ""),
            tuple(Link(link["title"], link["url"]) for link in seg.get("links", [])),
        )
        for seg in truth["stories"]
        if seg["kind"] in KEY_TERM_KINDS
    )


# -- the metrics ---------------------------------------------------------------------------


def match(true: list[float], found: list[float], tolerance: float) -> int:
    """How many found starts are within ``tolerance`` of a true start, one to one (a sweep over
    both in time order: the largest such matching)."""
    true, found = sorted(true), sorted(found)
    hits, j = 0, 0
    for t in true:
        while j < len(found) and found[j] < t - tolerance:
            j += 1
        if j < len(found) and found[j] <= t + tolerance:
            hits += 1
            j += 1
    return hits


def worst_error(true: list[float], found: list[float]) -> float:
    """The farthest any true start is from a found start, or any found start from a true one."""
    if not true and not found:
        return 0.0
    if not true or not found:
        return math.inf
    one = max(min(abs(f - t) for f in found) for t in true)
    other = max(min(abs(f - t) for t in true) for f in found)
    return max(one, other)


def pk_wd(true_starts: list[float], found: list[float], duration: float) -> tuple[float, float]:
    """Pk and WindowDiff at 1-s resolution; k half the mean true segment length. Both lists
    begin with the 0.0 start, which is not a boundary."""
    from nltk.metrics.segmentation import pk, windowdiff

    n = int(duration) + 1

    def string(starts: list[float]) -> str:
        marks = ["0"] * n
        for s in starts[1:]:
            marks[min(n - 1, round(s))] = "1"
        return "".join(marks)

    ref, hyp = string(true_starts), string(found)
    k = max(2, round(duration / len(true_starts) / 2))
    return pk(ref, hyp, k=k, boundary="1"), windowdiff(ref, hyp, k, boundary="1")


def has_key_term(title: str, terms: list[str]) -> bool:
    def squash(text: str) -> str:  # "book shop", "book-shop" and "bookshop" are one word
        return re.sub(r"[\s-]+", "", text.casefold())

    return any(squash(term) in squash(title) for term in terms)


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 of two headings: their longest common word subsequence (lower case, words
    and numbers only) against both lengths, as Lin (2004) defines it with beta 1."""
    a = re.findall(r"[\w']+", candidate.casefold())
    b = re.findall(r"[\w']+", reference.casefold())
    if not a or not b:
        return 0.0
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    lcs = row[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def score(truth: dict, parts: list, warnings: list[str], rundown: tuple) -> dict:
    """Every metric of one episode in one mode. ``parts``: the notes' stories (every kind)."""
    segs = truth["stories"]
    duration = truth["duration"]
    true_starts = [0.0, *(s["start"] for s in segs[1:])]
    found = [0.0, *(p.start for p in parts[1:])]
    true_b, found_b = true_starts[1:], found[1:]
    hits = match(true_b, found_b, TOLERANCE_S)
    inside = [
        f
        for f in found_b
        for s in segs
        if s["kind"] == "story"
        and s["end"] - s["start"] >= LONG_STORY_S
        and s["start"] + TOLERANCE_S < f < s["end"] - TOLERANCE_S
    ]
    key_terms = []  # (true title, found title, hit)
    for s in segs:
        if s["kind"] not in KEY_TERM_KINDS or not s.get("key_terms"):
            continue
        overlap = [(min(s["end"], p.end) - max(s["start"], p.start), n) for n, p in enumerate(parts)]
        best = max(overlap)[1] if parts else None
        title = parts[best].title if best is not None else ""
        key_terms.append((s["title"], title, has_key_term(title, s["key_terms"])))
    pk, wd = pk_wd(true_starts, found, duration)
    row = {
        "true_parts": len(segs),
        "found_parts": len(parts),
        "true_boundaries": len(true_b),
        "found_boundaries": len(found_b),
        "hits": hits,
        "precision": hits / len(found_b) if found_b else 1.0,
        "recall": hits / len(true_b) if true_b else 1.0,
        "inside_splits": len(inside),
        "inside_split_starts_s": inside,
        "key_terms_hit": sum(h for *_, h in key_terms),
        "key_terms_of": len(key_terms),
        "key_terms": [{"true": t, "found": f, "hit": h} for t, f, h in key_terms],
        "rouge_l": [rouge_l(f, t) for t, f, _ in key_terms],  # each heading against the producer's
        "pk": pk,
        "wd": wd,
        "warnings": list(warnings),
        "parts": [{"start": p.start, "end": p.end, "kind": p.kind, "title": p.title} for p in parts],
    }
    if rundown:
        unplaced = [item.title for item in rundown if any(item.title in w for w in warnings)]
        row |= {
            "worst_error_s": worst_error(true_b, found_b),
            "rundown_given": len(rundown),
            "rundown_placed": len(rundown) - len(unplaced),
            "rundown_unplaced": unplaced,
        }
    return row


# -- long summaries ------------------------------------------------------------------------

LONG_STORY_SUMMARY_S = 30.0
PARAGRAPHS = (2, 4)
# Transitions and sign-offs a summary must never quote (the bench's own list).
TRANSITIONS = re.compile(
    r"\b(?:moving on|next up|up next|coming up|over to you|back to you|that's all|that's it for|"
    r"thanks for (?:listening|joining)|see you next|until next time|stay tuned|after the break|"
    r"join us|let's turn|let's move|we'll be right back)\b|^(?:hello |hi )?(?:and )?welcome (?:to|back)\b"
    r"|^(?:and )?(?:next|finally|meanwhile|elsewhere|turning to|now to|in other news)\b",
    re.I | re.M,
)
_KEY = re.compile(r"\d[\d,.]*\d|\d|(?:(?<=\w )|(?<=\w[,;:] ))[A-Z][\w'-]+")


def summary_sentences(summary: str) -> list[str]:
    return [x for x in re.split(r"(?<=[.!?])\s+", " ".join(summary.split())) if x]


def span_text(transcript, start: float, end: float) -> str:
    """The words said between ``start`` and ``end`` (0.5 s either side), joined as podkit joins them."""
    from podkit.text import join_words

    words = [w for seg in transcript.segments for w in seg.words]
    return join_words(w.text for w in words if w.start >= start - 0.5 and w.end <= end + 0.5)


def long_summaries(transcript, parts: list) -> dict:
    """The long-summary metrics of one episode's parts (every kind; stories and short items
    have summaries)."""
    told = [p for p in parts if p.kind in KEY_TERM_KINDS]
    counts, repeated, transitions, grounded, sentences_of = [], 0, 0, 0, 0
    misses = []
    for p in told:
        paras = [x for x in p.summary.split("\n\n") if x.strip()]
        if p.kind == "story" and p.end - p.start >= LONG_STORY_SUMMARY_S:
            counts.append(len(paras))
        said = [" ".join(x.casefold().split()) for para in paras for x in summary_sentences(para)]
        repeated += len(said) - len(set(said))
        sents = summary_sentences(p.summary)
        if any(TRANSITIONS.search(x) for x in sents):
            transitions += 1
        span = " ".join(span_text(transcript, p.start, p.end).split()).casefold()
        for x in sents:
            sentences_of += 1
            keys = [k.strip(",.").casefold() for k in _KEY.findall(x)]
            if all(k in span for k in keys):
                grounded += 1
            else:
                misses.append({"part": p.title, "sentence": x, "missing": [k for k in keys if k not in span]})
    return {
        "stories": len(counts),
        "paragraphs": counts,
        "in_range": sum(PARAGRAPHS[0] <= c <= PARAGRAPHS[1] for c in counts),
        "repeated": repeated,
        "transitions": transitions,
        "summaries": len(told),
        "grounded": grounded,
        "sentences": sentences_of,
        "ungrounded": misses,
    }


def long_table(rows: list[dict]) -> dict:
    print()
    head = (
        "| episode        | stories >= 30 s | paragraphs (mean, min-max) | in 2-4 | repeated | transitions | grounded |"
    )
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")

    def line(name: str, r: dict) -> None:
        c = r["paragraphs"]
        spread = f"{sum(c) / len(c):.2f}, {min(c)}-{max(c)}" if c else "-"
        grounded = f"{r['grounded']}/{r['sentences']}"
        print(
            f"| {name:<14} | {r['stories']:>15} | {spread:>26} | {r['in_range']:>6} | {r['repeated']:>8} |"
            f" {r['transitions']:>4}/{r['summaries']:<6} | {grounded:>8} |"
        )

    for r in rows:
        line(r["episode"], r)
    total = {
        key: sum(r[key] for r in rows)
        for key in ("stories", "in_range", "repeated", "transitions", "summaries", "grounded", "sentences")
    }
    total["paragraphs"] = [c for r in rows for c in r["paragraphs"]]
    line("total", total)
    for r in rows:
        for miss in r["ungrounded"]:
            print(f"  {r['episode']}: not in its span {miss['missing']}: {miss['sentence'][:90]!r}")
    return total


# -- printing ------------------------------------------------------------------------------


def clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


def show_parts(name: str, mode: str, truth: dict, row: dict) -> None:
    """The found parts with their kinds and times, each start marked by the true start it hits
    (within 3 s) or as extra; then the true starts no part hit."""
    segs = truth["stories"]
    true = [(0.0 if n == 0 else s["start"], s) for n, s in enumerate(segs)]
    used: set[int] = set()
    print(f"\n{name} ({mode}): {row['found_parts']} parts, {row['true_parts']} true")
    for part in row["parts"]:
        near = [
            (abs(part["start"] - t), n)
            for n, (t, _) in enumerate(true)
            if n not in used and abs(part["start"] - t) <= 3
        ]
        if near:
            n = min(near)[1]
            used.add(n)
            seg = true[n][1]
            mark = f"true {clock(seg['start'])} {seg['kind']}" + (
                f" ({part['start'] - seg['start']:+.1f} s)" if n else ""
            )
        else:
            mark = "extra"
        print(f"  {clock(part['start']):>6}  {part['kind']:<7} {part['title'][:70]:<70}  [{mark}]")
    for n, (_, seg) in enumerate(true):
        if n not in used:
            print(f"  missed: {clock(seg['start'])} {seg['kind']} {seg['title']!r}")
    for w in row["warnings"]:
        print(f"  warning: {w}")


def fmt(value: float | None, spec: str) -> str:
    if value is None:
        return ""
    return "inf" if math.isinf(value) else format(value, spec)


def totals(rows: list[dict]) -> dict:
    found = sum(r["found_boundaries"] for r in rows)
    true = sum(r["true_boundaries"] for r in rows)
    hits = sum(r["hits"] for r in rows)
    kt_of = sum(r["key_terms_of"] for r in rows)
    out = {
        "precision": hits / found if found else 1.0,
        "recall": hits / true if true else 1.0,
        "hits": hits,
        "found_boundaries": found,
        "true_boundaries": true,
        "inside_splits": sum(r["inside_splits"] for r in rows),
        "key_terms_hit": sum(r["key_terms_hit"] for r in rows),
        "key_terms_of": kt_of,
        "key_terms_share": sum(r["key_terms_hit"] for r in rows) / kt_of if kt_of else 1.0,
        "mean_rouge_l": (sum(sum(r["rouge_l"]) for r in rows) / kt_of if kt_of else 0.0),
        "mean_pk": sum(r["pk"] for r in rows) / len(rows),
        "mean_wd": sum(r["wd"] for r in rows) / len(rows),
    }
    if rows and "worst_error_s" in rows[0]:
        out |= {
            "worst_error_s": max(r["worst_error_s"] for r in rows),
            "rundown_given": sum(r["rundown_given"] for r in rows),
            "rundown_placed": sum(r["rundown_placed"] for r in rows),
        }
    return out


def table(rows: list[dict], sums: dict[str, dict]) -> None:
    head = (
        f"| {'episode':<14} | {'dur':>5} | {'mode':<7} | true | found |   P   |   R   | inside | key terms |"
        f"  Pk   |  WD   | worst s | placed |"
    )
    print()
    print(head)
    print("|" + "|".join("-" * len(c) for c in head.split("|")[1:-1]) + "|")

    def line(name: str, dur: str, r: dict, parts: tuple[str, str]) -> None:
        kt = f"{r['key_terms_hit']}/{r['key_terms_of']}"
        worst = fmt(r.get("worst_error_s"), ".1f")
        placed = f"{r['rundown_placed']}/{r['rundown_given']}" if "rundown_given" in r else ""
        print(
            f"| {name:<14} | {dur:>5} | {r['mode']:<7} | {parts[0]:>4} | {parts[1]:>5} | {r['precision']:.3f} |"
            f" {r['recall']:.3f} | {r['inside_splits']:>6} | {kt:>9} | {r['pk']:.3f} | {r['wd']:.3f} |"
            f" {worst:>7} | {placed:>6} |"
        )

    for r in rows:
        first = r["mode"] == "plain"
        line(
            r["episode"] if first else "",
            clock(r["duration_s"]) if first else "",
            r,
            (str(r["true_parts"]), str(r["found_parts"])),
        )
    for mode, s in sums.items():
        # totals: P and R over all boundaries, Pk and WD the mean over episodes
        line(
            "total" if mode == "plain" else "",
            "",
            {**s, "mode": mode, "pk": s["mean_pk"], "wd": s["mean_wd"]},
            ("", ""),
        )


# -- the notes stage's speed ---------------------------------------------------------------


def joined(transcripts: list, target_s: float):
    """One transcript of the given ones one after another (in turn, again from the first if
    need be) until ``target_s`` is reached; each shifted to start where the last ended."""
    from podkit.records import Transcript

    segments, offset, used, n = [], 0.0, [], 0
    while offset < target_s:
        name, t = transcripts[n % len(transcripts)]
        for seg in copy.deepcopy(t.segments):
            seg.shift(offset)
            segments.append(seg)
        offset += t.duration
        used.append(name)
        n += 1
    return Transcript(transcripts[0][1].language, offset, segments), used


STABILITY_RUNS = 3
STABILITY_DROP = 0.01  # share of the words (not ending a sentence) dropped
STABILITY_JITTER_S = 0.03  # each word's time moved by up to this much
STABILITY_TOLERANCE_S = 1.5


def perturbed(transcript, seed: int):
    """The transcript as another machine's recogniser might give it: a few words missing,
    every word a few milliseconds off (seeded: the same copy on every run)."""
    import dataclasses
    import random

    rng = random.Random(seed)
    segments = []
    for seg in transcript.segments:
        words = []
        for w in seg.words:
            if rng.random() < STABILITY_DROP and not w.text.rstrip().endswith((".", "?", "!")):
                continue
            shift = rng.uniform(-STABILITY_JITTER_S, STABILITY_JITTER_S)
            words.append(dataclasses.replace(w, start=max(0.0, w.start + shift), end=max(0.0, w.end + shift)))
        if words:
            text = " ".join(w.text.strip() for w in words)
            segments.append(dataclasses.replace(seg, words=words, text=text, start=words[0].start, end=words[-1].end))
    return dataclasses.replace(transcript, segments=segments)


def stability(transcripts: dict, durations: dict[str, float]) -> list[dict]:
    """Per long episode: how many of its part starts and headings survive perturbed copies."""
    from podkit.notes import make_notes

    rows = []
    for name, t in transcripts.items():
        if durations[name] < 600:
            continue
        base = make_notes(t).stories
        starts, titles = [s.start for s in base], [s.title for s in base]
        kept = titled = 0
        for seed in range(STABILITY_RUNS):
            other = make_notes(perturbed(t, seed)).stories
            kept += sum(1 for x in starts if any(abs(x - s.start) <= STABILITY_TOLERANCE_S for s in other))
            titled += sum(1 for x in titles if x in {s.title for s in other})
        rows.append(
            {
                "episode": name,
                "parts": len(starts),
                "runs": STABILITY_RUNS,
                "starts_kept": kept / (len(starts) * STABILITY_RUNS),
                "titles_kept": titled / (len(titles) * STABILITY_RUNS),
            }
        )
        print(
            f"stability {name}: {kept} of {len(starts) * STABILITY_RUNS} part starts kept within"
            f" {STABILITY_TOLERANCE_S:g} s, {titled} of {len(titles) * STABILITY_RUNS} headings kept",
            flush=True,
        )
    return rows


def timed(transcript) -> tuple[float, int]:
    from podkit.notes import make_notes

    started = time.perf_counter()
    notes = make_notes(transcript)
    return time.perf_counter() - started, len(notes.stories)


def speed(transcripts: dict) -> tuple[list[dict], dict]:
    """(rows, facts): make_notes on a short, a 15-minute and a 60-minute transcript."""
    cold, _ = timed(transcripts[WARM_UP])  # loads the model (and torch)
    warm, _ = timed(transcripts[WARM_UP])
    load = max(0.0, cold - warm)
    print(f"\nmodel load: {load:.1f} s ({WARM_UP}: first call {cold:.1f} s, second {warm:.1f} s)")
    long = [(name, transcripts[name]) for name in LONG_EPISODES]
    hour, used = joined(long, HOUR_S)
    rows = []
    for what, t in ((LONG_EPISODES[0], transcripts[LONG_EPISODES[0]]), (" + ".join(used), hour)):
        seconds, chapters = timed(t)
        rows.append({"transcript": what, "duration_s": t.duration, "seconds": seconds, "chapters": chapters})
        print(f"make_notes on {t.duration / 60:.1f} min ({what}): {seconds:.2f} s, {chapters} chapters", flush=True)
    ratio = rows[1]["seconds"] / rows[0]["seconds"]
    audio_ratio = rows[1]["duration_s"] / rows[0]["duration_s"]
    return rows, {
        "model_load_s": load,
        "warm_up_cold_s": cold,
        "warm_up_warm_s": warm,
        "ratio": ratio,
        "audio_ratio": audio_ratio,
    }


# -- main ----------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="faster-whisper", choices=["faster-whisper", "openai-whisper"])
    ap.add_argument("--refresh", action="store_true", help="transcribe again")
    ap.add_argument("--only", metavar="NAME", help="one episode (e.g. harbour-desk, sample-show); no timing")
    ap.add_argument(
        "--no-hosts",
        action="store_true",
        help="transcribe two-host episodes without their hosts' names (no vocabulary, no speaker turns)",
    )
    args = ap.parse_args()

    episodes = corpus(args.only)
    transcripts = {
        name: transcript_for(name, audio, args.engine, args.refresh, () if args.no_hosts else hosts_of(name))
        for name, audio, _ in episodes
    }
    timing: tuple[list[dict], dict] | None = None
    if not args.only:  # first, so that the warm-up call is the one that loads the model
        timing = speed(transcripts)

    from podkit.notes import make_notes

    rows = []
    for name, _, truth in episodes:
        t = transcripts[name]
        rundown = rundown_of(truth)
        for mode, given in (("plain", ()), ("rundown", rundown)):
            notes = make_notes(t, rundown=given)
            row = {"episode": name, "mode": mode, "duration_s": truth["duration"]}
            row |= score(truth, notes.stories, notes.warnings, given)
            rows.append(row)
            show_parts(name, mode, truth, row)

    from podkit.notes import NotesOptions

    long_rows = []
    for name, _, _truth in episodes:
        notes = make_notes(transcripts[name], options=NotesOptions(summary="long"))
        long_rows.append({"episode": name} | long_summaries(transcripts[name], notes.stories))
    long_total = long_table(long_rows)

    sums = {mode: totals([r for r in rows if r["mode"] == mode]) for mode in ("plain", "rundown")}
    table(rows, sums)
    plain, rd = sums["plain"], sums["rundown"]
    print()
    verdicts = {}

    def verdict(key: str, line: str, passed: bool, **fields) -> None:
        print(f"{line}: {'PASS' if passed else 'FAIL'}")
        verdicts[key] = results.verdict(f"{line}: {'PASS' if passed else 'FAIL'}", passed, **fields)

    p, r = plain["precision"], plain["recall"]
    verdict(
        "precision",
        f"boundary precision {p:.3f} ({plain['hits']} of {plain['found_boundaries']} found starts within"
        f" +-{TOLERANCE_S:g} s; target >= {TARGETS['precision']})",
        p >= TARGETS["precision"],
        precision=p,
        target_min=TARGETS["precision"],
        tolerance_s=TOLERANCE_S,
    )
    verdict(
        "recall",
        f"boundary recall {r:.3f} ({plain['hits']} of {plain['true_boundaries']} true starts found;"
        f" target >= {TARGETS['recall']})",
        r >= TARGETS["recall"],
        recall=r,
        target_min=TARGETS["recall"],
        tolerance_s=TOLERANCE_S,
    )
    inside = plain["inside_splits"]
    verdict(
        "inside_splits",
        f"splits inside stories of >= {LONG_STORY_S / 60:g} min: {inside} (target 0)",
        inside == 0,
        splits=inside,
        target_max=0,
        min_story_s=LONG_STORY_S,
    )
    share = plain["key_terms_share"]
    verdict(
        "key_terms",
        f"headings with a key term: {plain['key_terms_hit']} of {plain['key_terms_of']} ({share:.0%};"
        f" target >= {TARGETS['key_terms']:.0%})",
        share >= TARGETS["key_terms"],
        share=share,
        hit=plain["key_terms_hit"],
        of=plain["key_terms_of"],
        target_min=TARGETS["key_terms"],
    )
    worst = rd["worst_error_s"]
    verdict(
        "rundown_boundaries",
        f"with the rundown: worst boundary error {fmt(worst, '.1f')} s (target every boundary within"
        f" +-{RUNDOWN_TOLERANCE_S:g} s)",
        worst <= RUNDOWN_TOLERANCE_S,
        worst_s=worst,
        target_max_s=RUNDOWN_TOLERANCE_S,
    )
    verdict(
        "rundown_placed",
        f"with the rundown: {rd['rundown_placed']} of {rd['rundown_given']} rundown stories placed (target all)",
        rd["rundown_placed"] == rd["rundown_given"],
        placed=rd["rundown_placed"],
        given=rd["rundown_given"],
    )
    print(
        f"with the rundown: precision {rd['precision']:.3f}, recall {rd['recall']:.3f}, "
        f"{rd['inside_splits']} inside splits, key terms {rd['key_terms_share']:.0%}, "
        f"mean Pk {rd['mean_pk']:.3f}, mean WindowDiff {rd['mean_wd']:.3f}"
    )
    print(
        f"without: mean Pk {plain['mean_pk']:.3f}, mean WindowDiff {plain['mean_wd']:.3f}, "
        f"headings' mean ROUGE-L F1 against the producer's {plain['mean_rouge_l']:.3f}"
    )
    lt = long_total
    verdict(
        "long_paragraphs",
        f"long summaries: {lt['in_range']} of {lt['stories']} stories of >= {LONG_STORY_SUMMARY_S:g} s in"
        f" {PARAGRAPHS[0]}-{PARAGRAPHS[1]} paragraphs (target all)",
        lt["in_range"] == lt["stories"],
        in_range=lt["in_range"],
        stories=lt["stories"],
        paragraphs=lt["paragraphs"],
    )
    verdict(
        "long_repeated",
        f"long summaries: {lt['repeated']} sentences repeated across paragraphs (target 0)",
        lt["repeated"] == 0,
        repeated=lt["repeated"],
    )
    verdict(
        "long_transitions",
        f"long summaries: {lt['transitions']} of {lt['summaries']} hold a transition or sign-off (target 0)",
        lt["transitions"] == 0,
        transitions=lt["transitions"],
        summaries=lt["summaries"],
    )
    share = lt["grounded"] / lt["sentences"] if lt["sentences"] else 1.0
    verdict(
        "long_grounded",
        f"long summaries: {lt['grounded']} of {lt['sentences']} sentences ({share:.1%}) have their numbers and"
        " names in their own part's span (target 100%)",
        lt["grounded"] == lt["sentences"],
        grounded=lt["grounded"],
        sentences=lt["sentences"],
        share=share,
    )
    stable = stability(transcripts, {name: truth["duration"] for name, _, truth in episodes})
    if stable:
        runs = sum(r["parts"] * r["runs"] for r in stable)
        starts_kept = sum(r["starts_kept"] * r["parts"] * r["runs"] for r in stable) / runs
        titles_kept = sum(r["titles_kept"] * r["parts"] * r["runs"] for r in stable) / runs
        print(
            f"stability: {starts_kept:.1%} of part starts and {titles_kept:.1%} of headings kept on"
            f" transcripts {STABILITY_DROP:.0%} of whose words are missing and {STABILITY_JITTER_S * 1000:.0f} ms"
            " off (no target)"
        )
    extra = {"totals": sums, "long_summaries": long_rows, "stability": stable}
    if timing:
        speed_rows, facts = timing
        short, hour = speed_rows
        verdict(
            "notes_speed",
            f"notes stage on {hour['duration_s'] / 60:.0f} min: {hour['seconds']:.2f} s, {hour['chapters']} chapters"
            f" (15 min: {short['seconds']:.2f} s, {short['chapters']} chapters; x{facts['ratio']:.1f} for"
            f" x{facts['audio_ratio']:.1f} the audio; model load {facts['model_load_s']:.1f} s apart;"
            f" target < {SPEED_TARGET_S:g} s)",
            hour["seconds"] < SPEED_TARGET_S,
            seconds=hour["seconds"],
            target_max_s=SPEED_TARGET_S,
            **facts,
        )
        extra["speed"] = speed_rows
    sys.stdout.flush()
    results.write("segmentation", args=args, rows=rows, verdicts=verdicts, **extra)


if __name__ == "__main__":
    main()
