"""The README's picture of an episode page: docs/episode-page.png, from the sample show.

    .venv/bin/python bench/screenshot.py [--show DIR] [--at SECONDS] [--out docs/episode-page.png]

Runs ``podkit run`` on a copy of the sample show in this repository (podkit.toml, audio/,
cover.png; or uses ``--show DIR``, a show already run, such as this folder after ``make
demo``), serves its public/ folder, opens the episode page in Chromium at a moment (``#t=``,
so the spoken sentence and the chapter playing are marked) and saves what a desktop window
shows. Run it again after changing the pages, and commit the PNG.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import CHROMIUM, served

ROOT = Path(__file__).resolve().parent.parent


def shoot(show: Path, at: float, out: Path) -> None:
    (page_dir,) = sorted((show / "public" / "episodes").iterdir())[-1:]
    with served(show / "public") as (browser, base):
        page = browser.new_page(viewport={"width": 1100, "height": 1200}, reduced_motion="reduce")
        page.goto(f"{base}/episodes/{page_dir.name}/#t={at:g}")
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        page.wait_for_function("document.querySelector('#transcript [aria-current=true]') !== null")
        page.wait_for_timeout(300)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", type=Path, help="a show already run (default: a copy of the sample show, run now)")
    ap.add_argument("--at", type=float, default=96.0, help="the moment shown, in seconds")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "episode-page.png")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"bench/screenshot.py needs Chromium at {CHROMIUM} (make test installs it)")
    if args.show:
        shoot(args.show, args.at, args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="podkit-shot-") as tmp:
            show = Path(tmp) / "show"
            show.mkdir()
            shutil.copy(ROOT / "podkit.toml", show)
            shutil.copy(ROOT / "cover.png", show)
            shutil.copytree(ROOT / "audio", show / "audio")
            subprocess.run([sys.executable, "-m", "podkit", "run", str(show), "--quiet"], check=True)
            shoot(show, args.at, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
