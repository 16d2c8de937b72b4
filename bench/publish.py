"""Publishing a big show: a catalog of 1,000 episodes, its feed and whole site written.

    .venv/bin/python bench/publish.py [--episodes 1000]

Builds a throwaway show with 1,000 catalogued episodes (small stand-in MP3s, chapters, and a
real 25-minute Podcasting 2.0 JSON transcript each, about 4,200 words of the evaluation
corpus's lines: the pages and the search index are made from it), then times ``publish``
(feed, index and 1,000 episode pages, transcript files, search.json) cold and warm, as
``podkit run`` does: the catalog read, its rows turned into ``PublishedEpisode`` records
(``published_episodes``), then ``publish``. Targets: the feed in under 2 s, the whole site in
under 10 s; both are inside the publish time printed. Then the search index: its size (raw and
gzip-compressed, as search.json.gz and as a static host sends it) and, in Chromium, the time to
fetch and prepare it and each query's time. The table is also written to
bench/results/publish.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import results
from browser import CHROMIUM, served
from pages import long_transcript

from podkit.catalog import Catalog
from podkit.config import init_show, load_show
from podkit.publish import podcast_guid, publish
from podkit.records import FeedItem, NormaliseResult, TagResult, TranscriptResult
from podkit.runner.local import published_episodes
from podkit.transcribe.formats import to_json

VARIANTS = 24  # distinct 25-minute transcripts, given to the episodes in turn
QUERIES = ("council", "ferry subsidy", "robotics team national final", "zzzzqx")

# The frames podkit's tag stage writes on an episode without cover or chapters.
FRAMES = ("COMM::eng", "PCST", "TALB", "TCON", "TDES", "TDRC", "TGID", "TIT2", "TPE1", "TRCK", "WFED")


def build(root: Path, n: int) -> None:
    init_show(
        root,
        title="Big Show",
        author="Ana",
        email="ana@example.com",
        url="https://big.example.com",
        category="News/Daily News",
    )
    show = load_show(root)
    show.media_dir.mkdir(parents=True)
    cat = Catalog(show.state_dir)
    start = dt.datetime(2020, 1, 1, 6, tzinfo=dt.UTC)
    # 25 minutes of two hosts talking each (about 4,200 words), from the evaluation corpus's
    # lines; VARIANTS different ones, in turn, so the index is as varied as gzip can tell
    transcripts = [to_json(long_transcript(1500, 167, offset=k * 7)[0]) for k in range(VARIANTS)]
    for i in range(n):
        slug = f"episode-{i + 1:04d}"
        (show.media_dir / f"{slug}.mp3").write_bytes(b"\xff\xfb" * 2000)
        for fmt in ("vtt", "srt", "html"):
            (show.transcripts_dir / f"{slug}.{fmt}").write_text(f"{fmt} transcript of {slug}\n" * 50)
        # the JSON transcript is real: the pages and search.json are made from it
        (show.transcripts_dir / f"{slug}.json").write_text(transcripts[i % len(transcripts)], encoding="utf-8")
        (show.transcripts_dir / f"{slug}.chapters.json").write_text(
            json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]})
        )
        (show.transcripts_dir / f"{slug}.notes.html").write_text(f"<section><h3>Story of {slug}</h3></section>")
        (show.transcripts_dir / f"{slug}.html").write_text(
            '<section class="transcript">' + f"<p>Words of {slug}.</p>" * 200 + "</section>"
        )
        pub = (start + dt.timedelta(days=i)).isoformat()
        row = cat.add_episode(
            sha256=uuid.uuid4().hex * 2, guid=str(uuid.uuid4()), slug=slug, source=f"{slug}.wav", pub_date=pub
        )
        # Complete stage records, as the runner stores them: published_episodes() reads them back
        # typed, and leaves out an episode whose record has another shape.
        duration = 1500.0 + i
        normalised = NormaliseResult(
            channels=2,
            input_loudness=-21.4,
            input_true_peak=-3.2,
            target=-16.0,
            gain_db=5.4,
            start_s=0.35,
            end_s=0.35 + duration,
            duration=duration,
            limited=False,
            max_reduction_db=0.0,
            output_loudness=-16.0,
            output_true_peak=-1.5,
            verified=False,
        )
        cat.stage_started(row.id, "normalise", "x")
        cat.stage_finished(row.id, "normalise", seconds=1, result=normalised.to_dict())
        tagged = TagResult(
            frames=FRAMES,
            file=f"public/media/{slug}.mp3",
            item=FeedItem(
                title=f"Episode {i + 1}: news & views <{i}>",
                description="00:00 Intro\n05:00 News",
                pub_date=pub,
                season=1 + i // 100,
                episode=i + 1,
                episode_type="full",
                explicit=False,
                speakers=("Ana", "Ben"),
            ),
        )
        transcribed = TranscriptResult(
            language="en",
            segments=1,
            words=1,
            corrected=0,
            edited=(),
            files=(f"transcripts/{slug}.json",),
        )
        cat.stage_started(row.id, "transcript", "x")
        cat.stage_finished(row.id, "transcript", seconds=1, result=transcribed.to_dict())
        cat.stage_started(row.id, "tag", "x")
        cat.stage_finished(row.id, "tag", seconds=1, result=tagged.to_dict())
    cat.close()


SEARCH = """async (queries) => {
  const t0 = performance.now();
  await window.podkitSearch.load();
  const loaded = performance.now() - t0, out = {};
  for (const q of queries) {
    const times = [];
    let hits = 0;
    for (let i = 0; i < 5; i++) {
      const s = performance.now();
      hits = window.podkitSearch.query(q).length;
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);
    out[q] = [times[2], hits];
  }
  return [loaded, out];
}"""


def measure_search(public: Path) -> dict[str, Any]:
    """search.json's size (raw and as a static host sends it, gzip) and, in Chromium, the time
    to fetch, parse and prepare it and each query's time (median of 5)."""
    data = (public / "search.json").read_bytes()
    t0 = time.perf_counter()
    index = json.loads(data)
    parse_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "bytes": len(data),
        "gzip_bytes": len(gzip.compress(data, 6)),
        "paragraphs": sum(len(e["paragraphs"]) for e in index["episodes"]),
        "python_parse_s": parse_s,
    }
    if not Path(CHROMIUM).exists():
        return out
    with served(public) as (browser, base):
        page = browser.new_page()
        page.goto(f"{base}/")
        loaded, queries = page.evaluate(SEARCH, list(QUERIES))
        out["browser_load_ms"] = loaded
        out["queries"] = {q: {"ms": ms, "hits": hits} for q, (ms, hits) in queries.items()}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="podkit-pub-") as tmp:
        root = Path(tmp) / "show"
        t = time.perf_counter()
        build(root, args.episodes)
        build_s = time.perf_counter() - t
        print(f"built a show with {args.episodes} episodes in {build_s:.1f} s")
        show = load_show(root)
        rows = []
        for label in ("cold (copies transcripts)", "warm (nothing changed)"):
            # As podkit run does it: read the catalog, turn its rows into records, publish.
            t0 = time.perf_counter()
            cat = Catalog(show.state_dir)
            guid = cat.show_value("podcast_guid", podcast_guid(show.resolved_feed_url))
            catalog_rows = cat.episodes()
            t_rows = time.perf_counter()
            episodes = published_episodes(catalog_rows)
            t1 = time.perf_counter()
            result = publish(show, episodes, guid=guid)
            t2 = time.perf_counter()
            cat.close()
            if result.items != args.episodes:
                sys.exit(
                    f"publish wrote {result.items} feed items for {args.episodes} catalogued episodes "
                    f"({len(episodes)} published episodes read back): the bench measures nothing"
                )
            rows.append((label, t1 - t0, t2 - t1, result.items, result.feed.stat().st_size, t1 - t_rows))
        search = measure_search(show.public_dir)
    print()
    print("| publish                    | catalog read s | publish s | items | feed bytes |")
    print("|----------------------------|----------------|-----------|-------|------------|")
    for label, read, pub, items, size, _ in rows:
        print(f"| {label:<26} | {read:14.2f} | {pub:9.2f} | {items:5d} | {size:10d} |")
    print()
    print(
        f"search.json: {search['paragraphs']} paragraphs, {search['bytes'] / 2**20:.1f} MiB "
        f"({search['gzip_bytes'] / 2**20:.1f} MiB gzip); Python json.loads {search['python_parse_s']:.2f} s"
    )
    if "browser_load_ms" in search:
        print(f"in Chromium: fetched, parsed and prepared in {search['browser_load_ms']:.0f} ms (once, on first use)")
        print("| query | ms (median of 5) | paragraphs found |")
        print("|---|---|---|")
        for q, r in search["queries"].items():
            print(f"| {q} | {r['ms']:.1f} | {r['hits']} |")
    worst = max(r[1] + r[2] for r in rows)
    line = (
        f"feed + site of {args.episodes} episodes: {worst:.2f} s at worst "
        f"(targets: feed < 2 s, site < 10 s): {'PASS' if worst < 2 else 'FAIL'}"
    )
    print(f"\n{line}")
    results.write(
        "publish",
        args=args,
        rows=[
            {
                "run": label,
                "catalog_read_s": read,  # the catalog's rows read and turned into PublishedEpisode records
                "published_episodes_s": records,  # of which published_episodes()
                "publish_s": pub,
                "total_s": read + pub,
                "items": items,
                "feed_bytes": size,
            }
            for label, read, pub, items, size, records in rows
        ],
        verdicts={
            "feed_and_site": results.verdict(
                line, worst < 2, worst_s=worst, target_feed_s=2.0, target_site_s=10.0, episodes=args.episodes
            )
        },
        build_s=build_s,
        search=search,
    )


if __name__ == "__main__":
    main()
