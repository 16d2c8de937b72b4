"""What happens after a publish: the host's upload command and the WebSub hub.

Both run only when something changed since they last succeeded, and neither ever blocks or
undoes the local publish: a failure is reported, and the next run tries again (even when
nothing changed in between). What last succeeded is kept in ``.podkit/publish.json``:

- ``after_publish``: a shell command, run in the show folder with ``PODKIT_PUBLIC_DIR``,
  ``PODKIT_FEED``, ``PODKIT_FEED_URL`` and ``PODKIT_SHOW_DIR`` in its environment, after a
  publish that changed ``public/`` (the feed, the pages, the media or the transcripts), or
  when its last run failed or the command itself changed; with a timeout.
- WebSub: after the upload (the hub fetches the feed from the live host), an HTTP POST of
  ``hub.mode=publish`` and ``hub.url=<feed URL>`` to ``websub_hub`` when the feed changed.
- A feed URL other than last time is said once: ``podcast:guid`` stays the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ShowConfig
from ..fsutil import write_text

STATE_NAME = "publish.json"
WEBSUB_TIMEOUT_S = 15.0


@dataclass
class HookReport:
    notes: list[str] = field(default_factory=list)  # said once: a moved feed, what ran
    errors: list[str] = field(default_factory=list)  # what failed (tried again next run)
    ran: list[str] = field(default_factory=list)  # "after_publish", "websub"


def _state_path(show: ShowConfig) -> Path:
    return show.state_dir / STATE_NAME


def _load_state(show: ShowConfig) -> dict[str, Any]:
    try:
        data = json.loads(_state_path(show).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _public_digest(public: Path) -> str:
    """What is in public/ (each file's path, size and modification time): a publish that
    changes nothing leaves every file untouched, so this stays the same."""
    h = hashlib.sha256()
    for path in sorted(p for p in public.rglob("*") if p.is_file()):
        st = path.stat()
        h.update(f"{path.relative_to(public).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def run_after_publish(show: ShowConfig, feed: Path) -> str | None:
    """Run the show's ``after_publish`` command; None when it succeeded, else why not."""
    env = {
        **os.environ,
        "PODKIT_PUBLIC_DIR": str(show.public_dir),
        "PODKIT_FEED": str(feed),
        "PODKIT_FEED_URL": show.resolved_feed_url,
        "PODKIT_SHOW_DIR": str(show.root),
    }
    try:
        proc = subprocess.run(
            ["/bin/sh", "-c", show.after_publish],
            cwd=show.root,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=show.after_publish_timeout,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish in {show.after_publish_timeout:g} s (after_publish_timeout) and was stopped"
    except OSError as exc:
        return f"could not be started ({exc})"
    if proc.returncode != 0:
        why = _last_line(proc.stderr) or _last_line(proc.stdout)
        return f"exited with status {proc.returncode}" + (f": {why}" if why else "")
    return None


def notify_hub(hub: str, feed_url: str, timeout: float = WEBSUB_TIMEOUT_S) -> str | None:
    """Tell a WebSub hub the feed changed (POST hub.mode=publish, hub.url=feed); None when the
    hub accepted it (any 2xx), else why not."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": feed_url}).encode()
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "podkit"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return f"the hub answered {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"the hub could not be reached ({reason})"
    return None if 200 <= status < 300 else f"the hub answered {status}"


def after_publish(show: ShowConfig, feed: Path, guid: str) -> HookReport:
    """Run what follows a publish (see the module's docstring); record what succeeded."""
    report = HookReport()
    state = _load_state(show)
    before = dict(state)
    feed_url = show.resolved_feed_url
    last_url = state.get("feed_url")
    if isinstance(last_url, str) and last_url != feed_url:
        report.notes.append(
            f"the feed URL is now {feed_url} (it was {last_url}); podcast:guid stays {guid}, so apps and "
            "the Podcast Index know it is the same show. Redirect the old feed (HTTP 301) to the new one, "
            "or publish it there once more with new_feed_url set"
        )
    state["feed_url"] = feed_url

    uploaded = True
    if show.after_publish:
        digest = hashlib.sha256(f"{show.after_publish}\0{_public_digest(show.public_dir)}".encode()).hexdigest()
        if state.get("after_publish") != digest:
            report.ran.append("after_publish")
            problem = run_after_publish(show, feed)
            if problem is None:
                state["after_publish"] = digest
                state.pop("after_publish_failed", None)
            else:
                uploaded = False
                state["after_publish_failed"] = problem
                report.errors.append(f"after_publish {problem}; public/ is published here and the next run tries again")
    if show.websub_hub:
        mark = hashlib.sha256(f"{show.websub_hub}\0{feed_url}\0".encode() + feed.read_bytes()).hexdigest()
        if state.get("websub") != mark:  # the feed changed since the hub last heard of it
            if not uploaded:
                report.errors.append(f"websub: {show.websub_hub} not told of the new feed until after_publish succeeds")
            else:
                report.ran.append("websub")
                problem = notify_hub(show.websub_hub, feed_url)
                if problem is None:
                    state["websub"] = mark
                else:
                    report.errors.append(f"websub: {show.websub_hub}: {problem}; the next run tries again")
    if state != before:
        show.state_dir.mkdir(parents=True, exist_ok=True)
        write_text(_state_path(show), json.dumps(state, indent=2, sort_keys=True) + "\n")
    return report
