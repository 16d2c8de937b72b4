"""Publishing a big show: a catalog of 1,000 episodes, its feed and whole site written.

    .venv/bin/python bench/publish.py [--episodes 1000]

Builds a throwaway show with 1,000 catalogued episodes (small stand-in MP3s, transcripts and
chapters for each), then times ``publish`` (feed, index and 1,000 episode pages, transcript
files) cold and warm. Targets: the feed in under 2 s, the whole site in under 10 s; both
are inside the publish time printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from podkit.catalog import Catalog
from podkit.config import init_show, load_show
from podkit.publish import publish


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
    for i in range(n):
        slug = f"episode-{i + 1:04d}"
        (show.media_dir / f"{slug}.mp3").write_bytes(b"\xff\xfb" * 2000)
        for fmt in ("json", "vtt", "srt", "html"):
            (show.transcripts_dir / f"{slug}.{fmt}").write_text(f"{fmt} transcript of {slug}\n" * 50)
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
        cat.stage_started(row.id, "normalise", "x")
        cat.stage_finished(row.id, "normalise", seconds=1, result={"duration": 1500 + i})
        cat.stage_started(row.id, "tag", "x")
        cat.stage_finished(
            row.id,
            "tag",
            seconds=1,
            result={
                "item": {
                    "title": f"Episode {i + 1}: news & views <{i}>",
                    "description": "00:00 Intro\n05:00 News",
                    "pub_date": pub,
                    "season": 1 + i // 100,
                    "episode": i + 1,
                    "episode_type": "full",
                    "explicit": False,
                    "speakers": ["Ana", "Ben"],
                }
            },
        )
    cat.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="podkit-pub-") as tmp:
        root = Path(tmp) / "show"
        t = time.perf_counter()
        build(root, args.episodes)
        print(f"built a show with {args.episodes} episodes in {time.perf_counter() - t:.1f} s")
        show = load_show(root)
        rows = []
        for label in ("cold (copies transcripts)", "warm (nothing changed)"):
            t0 = time.perf_counter()
            cat = Catalog(show.state_dir)
            episodes = cat.episodes()
            t1 = time.perf_counter()
            result = publish(show, episodes)
            t2 = time.perf_counter()
            cat.close()
            rows.append((label, t1 - t0, t2 - t1, result.items, result.feed.stat().st_size))
    print()
    print("| publish                    | catalog read s | publish s | items | feed bytes |")
    print("|----------------------------|----------------|-----------|-------|------------|")
    for label, read, pub, items, size in rows:
        print(f"| {label:<26} | {read:14.2f} | {pub:9.2f} | {items:5d} | {size:10d} |")
    worst = max(r[1] + r[2] for r in rows)
    print(
        f"\nfeed + site of {args.episodes} episodes: {worst:.2f} s at worst "
        f"(targets: feed < 2 s, site < 10 s): {'PASS' if worst < 2 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
