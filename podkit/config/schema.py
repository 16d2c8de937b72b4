"""The settings schema engine: each key declared once with its kind and check.

``validate`` converts a TOML table against a schema and reports the first problem as one
ConfigError naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..categories import parse_category
from ..errors import ConfigError

_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Check = Callable[[Any], "str | None"]  # an error message, or None when the value is fine


# -- checks ------------------------------------------------------------------------------------


def check_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"must be an absolute http(s) URL, not {value!r}"
    return None


def check_podroll(value: list[str]) -> str | None:
    """``podroll``: each a feed GUID (a UUID) or a feed URL."""
    for entry in value:
        try:
            uuid.UUID(entry)
            continue
        except ValueError:
            pass
        if check_url(entry):
            return f"entry {entry!r} is neither a feed GUID (a UUID) nor an http(s) feed URL"
    return None


def check_language(value: str) -> str | None:
    return None if _LANGUAGE.match(value) else f"must be a language code such as 'en' or 'en-GB', not {value!r}"


def check_email(value: str) -> str | None:
    return None if _EMAIL.match(value) else f"must be an e-mail address, not {value!r}"


def check_category(value: str) -> str | None:
    if parse_category(value) is None:
        return (
            f"{value!r} is not an Apple Podcasts category; use one such as "
            "'News/Tech News' or 'Technology' (see podkit/categories.py)"
        )
    return None


def one_of(options: tuple[Any, ...]) -> Check:
    def check(value: Any) -> str | None:
        return None if value in options else f"must be one of {', '.join(map(str, options))}, not {value!r}"

    return check


def check_slug(value: str) -> str | None:
    if not SLUG.match(value) or len(value) > 80:
        return f"must be lowercase letters, digits and single hyphens (at most 80), not {value!r}"
    return None


def positive(value: int) -> str | None:
    return None if value >= 1 else f"must be 1 or more, not {value}"


def nonempty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


# -- the engine --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    kind: str  # str int float bool strlist links datetime tracks
    required: bool = False
    check: Check | None = None


_KIND_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "strlist": "a list of strings",
    "links": "a list of [[links]] tables with title and url (and optional description, label, language)",
    "guests": "a list of tables with name and optional role, href and img",
    "stories": "a number of stories, or a rundown: [[stories]] tables with title and optional summary and links",
    "datetime": "a date or date-time (2026-11-20 or 2026-11-20T08:00:00Z)",
    "tracks": '"channels" or a list of file names in audio/ (one per speaker)',
}


def _convert(kind: str, value: Any) -> Any:
    """Return ``value`` as ``kind`` or raise ValueError."""
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "strlist" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    if kind == "tracks" and (
        isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(v, str) for v in value))
    ):
        return value if isinstance(value, str) else list(value)
    if kind == "datetime":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if kind == "links" and isinstance(value, list):
        return [_link(item) for item in value]
    if kind == "guests" and isinstance(value, list):
        return [_guest(item) for item in value]
    if kind == "stories" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "stories" and isinstance(value, list) and value:
        rundown = []
        for n, item in enumerate(value, 1):
            rundown.append(_rundown_item(n, item))
        return rundown
    raise ValueError


class _Wrong(ValueError):
    """A value of the right kind with one entry wrong: the message says which and how."""


def _rundown_item(n: int, item: Any) -> dict[str, Any]:
    """One [[stories]] table, or ``_Wrong`` naming the entry."""
    if not isinstance(item, dict):
        raise _Wrong(f"entry {n} is not a table")
    unknown = sorted(set(item) - {"title", "summary", "links"})
    if unknown:
        raise _Wrong(f"entry {n} has an unknown key {unknown[0]!r}")
    if not isinstance(item.get("title"), str):
        raise _Wrong(f"entry {n} has no title" if "title" not in item else f"entry {n}'s title is not a string")
    if not isinstance(item.get("summary", ""), str):
        raise _Wrong(f"entry {n}'s summary is not a string")
    links = item.get("links", [])
    if not isinstance(links, list):
        raise _Wrong(f"entry {n}'s links are not a list of tables")
    try:
        return {**item, "links": [_link(link) for link in links]}
    except ValueError:
        raise _Wrong(f"entry {n} has a link without a title and url") from None


LINK_FIELDS = ("title", "url", "description", "label", "language")
GUEST_FIELDS = ("name", "role", "href", "img")


def _link(item: Any) -> dict[str, str]:
    if (
        not isinstance(item, dict)
        or set(item) - set(LINK_FIELDS)
        or not isinstance(item.get("title"), str)
        or not isinstance(item.get("url"), str)
        or not all(isinstance(v, str) for v in item.values())
    ):
        raise ValueError
    return item


def _guest(item: Any) -> dict[str, str]:
    if (
        not isinstance(item, dict)
        or set(item) - set(GUEST_FIELDS)
        or not isinstance(item.get("name"), str)
        or not all(isinstance(v, str) for v in item.values())
    ):
        raise ValueError
    return item


def validate(table: dict[str, Any], schema: dict[str, Key], where: Path, section: str = "") -> dict[str, Any]:
    """Check ``table`` against ``schema``; return the converted values."""
    prefix = f"{section}." if section else ""
    out: dict[str, Any] = {}
    for name, value in table.items():
        spec = schema.get(name)
        if spec is None:
            known = ", ".join(sorted(schema))
            raise ConfigError(f"unknown key '{prefix}{name}' (known keys: {known})", path=where)
        try:
            value = _convert(spec.kind, value)
        except ValueError as e:
            # which entry is wrong ("entry 2 has no title") says more than the value's repr
            found = f"; {e}" if isinstance(e, _Wrong) else f", not {value!r}"
            raise ConfigError(f"'{prefix}{name}' must be {_KIND_NAMES[spec.kind]}{found}", path=where) from None
        problem = spec.check(value) if spec.check else None
        if problem:
            raise ConfigError(f"'{prefix}{name}' {problem}", path=where)
        out[name] = value
    for name, spec in schema.items():
        if spec.required and name not in out:
            raise ConfigError(f"missing required key '{prefix}{name}'", path=where)
    return out


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc}); fix the syntax", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text; save it as UTF-8", path=path) from None
