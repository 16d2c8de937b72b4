"""What the import writes as text: the show's ``podkit.toml`` and each episode's sidecar.

Both are checked with podkit's own schema before they are written (a value podkit would
refuse is never written), and written atomically. An existing ``podkit.toml`` keeps every
line it has; keys it lacks are added at the top level, and the file is parsed again to make
sure nothing else changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
import uuid
from pathlib import Path
from typing import Any

from ..config.schema import check_language, validate
from ..config.show import CONFIG_NAME, SECTIONS, SHOW_KEYS
from ..config.sidecar import SIDECAR_KEYS
from ..config.template import render_show_toml
from ..errors import ConfigError
from ..fsutil import write_text
from .source import SourceItem, SourceShow

_TABLE = re.compile(r"^\s*\[")


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string; several lines as a multi-line one."""
    if "\n" not in text:
        return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", body)
    return f'"""\n{body}"""'


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return toml_string(str(value))


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# -- podkit.toml ------------------------------------------------------------------------------


def set_top_level(text: str, key: str, value: str, comment: str = "") -> str:
    """``text`` with the top-level ``key = value``: in place of the line that sets it (or
    of the template's commented-out example), else before the first table."""
    lines = text.splitlines(keepends=True)
    first_table = next((i for i, line in enumerate(lines) if _TABLE.match(line)), len(lines))
    line = f"{key} = {value}\n"
    pattern = re.compile(rf"^#?\s*{re.escape(key)}\s*=")
    for i in range(first_table):
        if pattern.match(lines[i]) and '"""' not in lines[i]:
            lines[i] = line
            return "".join(lines)
    block = ([f"# {comment}\n"] if comment else []) + [line, "\n"]
    lines[first_table:first_table] = block
    return "".join(lines)


def _checked(text: str, path: Path) -> dict[str, Any]:
    """``text`` parsed and checked as podkit.toml is on every load (the cover's file aside)."""
    data = tomllib.loads(text)
    for section, schema in SECTIONS.items():
        validate(dict(data.pop(section, {})), schema, path, section)
    data.pop("corrections", None)
    data.pop("txt", None)
    return validate(data, SHOW_KEYS, path)


def new_show_settings(
    show: SourceShow, *, url: str, email: str, cover: str | None, notes: list[str]
) -> tuple[str, dict[str, Any]]:
    """podkit.toml for a new show made from the feed's channel, and the values it holds."""
    language = show.language or "en"
    if check_language(language):
        notes.append(f"the feed's language {show.language!r} is not a language code; the show says 'en'")
        language = "en"
    category = show.categories[0] if show.categories else "Technology"
    if not show.categories:
        notes.append(
            "the feed names no Apple Podcasts category"
            + (f" podkit knows ({', '.join(show.unknown_categories)})" if show.unknown_categories else "")
            + "; the show says 'Technology': set 'category' in podkit.toml"
        )
    text = render_show_toml(
        title=show.title,
        author=show.author or show.owner_name or show.title,
        email=email,
        url=url,
        language=language,
        category=category,
        explicit=bool(show.explicit),
    )
    text = set_top_level(text, "description", toml_string(show.description))
    if show.owner_name and show.owner_name != show.author:
        text = set_top_level(text, "owner", toml_string(show.owner_name))
    if cover:
        text = set_top_level(text, "cover", toml_string(cover))
    if show.podcast_guid and is_uuid(show.podcast_guid):
        text = set_top_level(
            text,
            "podcast_guid",
            toml_string(show.podcast_guid),
            "podcast:guid, kept from the imported feed: apps know the show by it",
        )
    others = show.categories[1:]
    if others:
        text = text.replace(
            f"category = {toml_string(category)}\n",
            f"category = {toml_string(category)}\n# The imported feed also named: {', '.join(others)}\n",
            1,
        )
    text += (
        "\n# podkit import: audio brought in from another feed was mastered there; it is published as\n"
        "# it is unless normalise = true (then like any new recording: loudness, peak, trim).\n"
        "[import]\nnormalise = false\n"
    )
    return text, _checked(text, Path(CONFIG_NAME))


def add_to_settings(path: Path, additions: dict[str, str]) -> list[str]:
    """Add the top-level keys ``additions`` (TOML values) that ``path`` lacks; return the
    keys added. The file's other lines stay as they are."""
    text = path.read_text(encoding="utf-8")
    before = tomllib.loads(text)
    todo = {k: v for k, v in additions.items() if k not in before}
    if not todo:
        return []
    new = text if text.endswith("\n") else text + "\n"
    for key, value in todo.items():
        new = set_top_level(new, key, value)
    after = tomllib.loads(new)
    expected = {**before, **{k: tomllib.loads(f"v = {v}")["v"] for k, v in todo.items()}}
    if after != expected:
        raise ConfigError(
            f"cannot add {', '.join(todo)} without changing other settings; add them by hand "
            f"({'; '.join(f'{k} = {v}' for k, v in todo.items())})",
            path=path,
        )
    _checked(new, path)
    write_text(path, new)
    return list(todo)


# -- sidecars ---------------------------------------------------------------------------------


def sidecar_text(item: SourceItem, *, feed: str, when: dt.datetime, path: Path) -> str:
    """The sidecar of an imported episode: its identity and metadata as the feed gave them."""
    assert item.enclosure is not None
    values: dict[str, Any] = {"guid": item.guid, "imported_from": item.enclosure.url}
    if item.title.strip():
        values["title"] = item.title.strip()
    if item.pub_date:
        values["pub_date"] = item.pub_date
    for key in ("season", "episode", "episode_type", "explicit"):
        value = getattr(item, key)
        if value is not None:
            values[key] = value
    if item.description:
        values["description"] = item.description
    lines = [
        f"# Imported by 'podkit import' on {when:%Y-%m-%d} from {feed}",
        "# guid and pub_date are the episode's identity in podcast apps: keep them.",
        *(f"{key} = {toml_value(value)}" for key, value in values.items()),
    ]
    text = "\n".join(lines) + "\n"
    validate(tomllib.loads(text), SIDECAR_KEYS, path)  # as podkit will read it
    return text
