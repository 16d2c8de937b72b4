"""Chromium on a show's public/ folder served on 127.0.0.1: what the benches that open pages
(pages.py, publish.py, screenshot.py) share. Debian's chromium, driven by Playwright."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from podkit.publish.serve import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextlib.contextmanager
def served(public: Path) -> Iterator[tuple[Any, str]]:
    """(a Chromium browser, the base URL of ``public`` served on a free loopback port); the
    browser and the server are stopped after."""
    from playwright.sync_api import sync_playwright

    server = serve_in_thread(public)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser, f"http://127.0.0.1:{server.server_port}"
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
