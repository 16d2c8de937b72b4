"""Each benchmark's table as JSON in bench/results/<name>.json, so a change can be compared to the last.

One object per run (the file holds the latest run; commit it to keep it):

- ``benchmark``: the benchmark's name; ``utc``: when the run ended (ISO 8601, UTC);
- ``git``: ``commit`` (``git rev-parse --short HEAD``) and ``dirty`` (changed or untracked files,
  bench/results aside);
- ``machine``: ``cpu_model`` (from /proc/cpuinfo), ``cpu_count`` (os.cpu_count()),
  ``usable_cpus`` (the affinity mask), ``python`` (version), ``platform``;
- ``argv`` (the command line as given) and ``args`` (every option's value, defaults included);
- ``rows``: the printed table, one object per row with named fields (numbers as numbers, a
  missing value as null);
- ``verdicts``: each verdict line as fields (its measured values, its target, ``pass``) with
  ``line``, the line as printed;
- any other facts a benchmark adds (the audio it used, ...).

Written atomically (a temp file in bench/results, then ``os.replace``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def git_state() -> dict[str, Any]:
    # Dirty: changed or new files, bench/results aside (other benchmarks' results are not code).
    status = _git("status", "--porcelain", "--", ".", ":(exclude)bench/results")
    return {"commit": _git("rev-parse", "--short", "HEAD"), "dirty": None if status is None else bool(status)}


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "cpu model"):
                return value.strip()
    except OSError:
        pass
    return platform.processor() or None


def machine() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = None
    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _plain(value: Any) -> Any:
    """JSON values: paths as strings, tuples as lists, inf/nan as null (JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def verdict(line: str, passed: bool | None = None, **fields: Any) -> dict[str, Any]:
    """A verdict line as fields: its values and target (``fields``), ``pass`` and the ``line``."""
    return {**fields, "pass": passed, "line": line}


def write(
    name: str,
    *,
    args: Any,
    rows: list[dict[str, Any]],
    verdicts: dict[str, dict[str, Any]],
    **extra: Any,
) -> Path:
    """Write bench/results/<name>.json atomically; return its path. ``args``: the parsed
    command line (an argparse Namespace or a dict)."""
    record = {
        "benchmark": name,
        "utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_state(),
        "machine": machine(),
        "argv": sys.argv[1:],
        "args": dict(args if isinstance(args, dict) else vars(args)),
        "rows": rows,
        "verdicts": verdicts,
        **extra,
    }
    text = json.dumps(_plain(record), indent=2, allow_nan=False) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=RESULTS)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would stick to the result file
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    print(f"results: {out.relative_to(ROOT)}", file=sys.stderr)
    return out
