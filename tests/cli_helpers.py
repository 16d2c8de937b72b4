"""Helpers for driving the real command line from tests (``podkit()`` in conftest runs it):
one-line errors, free loopback ports, bounded waits, and the README's table of commands and
flags."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from .conftest import ROOT


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The one ``podkit: error: ...`` line a usage or configuration error prints (the pattern
    of tests/test_cli.py)."""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith("podkit: error: "), lines[0]
    return lines[0]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], object], seconds: float, interval: float = 0.05) -> object:
    """Call ``check`` until it returns something true or ``seconds`` pass; return its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def http_get(url: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET; HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def answers(url: str) -> bool:
    """Whether a server answers ``url`` at all (any HTTP status)."""
    try:
        http_get(url, timeout=1)
    except OSError:
        return False
    return True


def readme_commands() -> dict[str, list[str]]:
    """Each command of the README's Commands table and the flags its row names, in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Commands", 1)[1].split("\n## ", 1)[0]
    commands: dict[str, list[str]] = {}
    for line in section.splitlines():
        m = re.match(r"\|\s*`podkit (\w+)([^`]*)`\s*\|", line)
        if m:
            flags = re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", m.group(2))
            commands[m.group(1)] = list(dict.fromkeys(flags))
    return commands


def common_flags() -> list[str]:
    """The flags the README says every command takes."""
    text = (ROOT / "README.md").read_text()
    m = re.search(r"Every command takes ([^\n]+)", text)
    assert m, "the README no longer says which flags every command takes"
    return re.findall(r"`(--[a-z][\w-]*)`", m.group(1))


def interruptible() -> None:
    """``preexec_fn`` for a child the test stops with SIGINT: a shell script starting the suite
    in the background (``make test &``) hands every process an ignored SIGINT, and Python
    then never turns it into KeyboardInterrupt; the child starts with the default instead."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
