"""The show's settings: ``podkit.toml``, validated on every load.

Each stage's table (``[normalise]``, ``[transcribe]``, ``[notes]``, ``[tag]``) becomes that
stage's own options record, whose defaults are the single source of truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..normalise.options import NormaliseOptions
from ..notes.options import NotesOptions
from ..tag.options import ID3_VERSIONS, TagOptions
from ..transcribe.options import DEVICES, ENGINES, TranscribeOptions, check_formats
from .schema import (
    Key,
    check_category,
    check_email,
    check_language,
    check_url,
    nonempty,
    one_of,
    positive,
    read_toml,
    validate,
)

CONFIG_NAME = "podkit.toml"
SHOW_TYPES = ("episodic", "serial")

SHOW_KEYS: dict[str, Key] = {
    "title": Key("str", True, nonempty),
    "author": Key("str", True, nonempty),  # host or publisher
    "email": Key("str", True, check_email),  # the owner's address (Apple shows it to no one)
    "url": Key("str", True, check_url),  # where public/ is published
    "language": Key("str", False, check_language),
    "category": Key("str", False, check_category),  # Apple category, "Top" or "Top/Sub"
    "explicit": Key("bool"),
    "description": Key("str"),
    "cover": Key("str", False, nonempty),  # JPEG/PNG, square, >= 1400 px
    "owner": Key("str", False, nonempty),  # default: author
    "feed_url": Key("str", False, check_url),  # default: <url>/feed.xml
    "type": Key("str", False, one_of(SHOW_TYPES)),
    "funding_url": Key("str", False, check_url),  # podcast:funding
    "funding_text": Key("str", False, nonempty),
    "hosts": Key("strlist"),  # podcast:person (role host) on the channel
    "locked": Key("bool"),  # podcast:locked: refuse moves to another host
}

SECTIONS: dict[str, dict[str, Key]] = {
    "normalise": {
        "target_stereo": Key("float"),  # LUFS
        "target_mono": Key("float"),
        "true_peak": Key("float"),  # dBTP ceiling
        "bitrate_stereo": Key("int", check=positive),  # kbit/s
        "bitrate_mono": Key("int", check=positive),
        "trim_silence": Key("bool"),
    },
    "transcribe": {
        "engine": Key("str", check=one_of(ENGINES)),
        "model": Key("str", check=nonempty),  # a name or a path
        "language": Key("str", check=check_language),  # default: detect
        "beam_size": Key("int", check=positive),
        "device": Key("str", check=one_of(DEVICES)),
        "formats": Key("strlist", check=check_formats),
    },
    "notes": {
        "min_story_s": Key("float", check=lambda v: None if v > 0 else "must be more than 0"),
    },
    "tag": {
        "id3_version": Key("int", check=one_of(ID3_VERSIONS)),
    },
}


@dataclass(frozen=True)
class ShowConfig:
    root: Path
    title: str
    author: str
    email: str
    url: str
    language: str = "en"
    category: str = "Technology"
    explicit: bool = False
    description: str = ""
    cover: Path | None = None
    owner: str = ""
    feed_url: str = ""
    type: str = "episodic"
    funding_url: str = ""
    funding_text: str = ""
    hosts: tuple[str, ...] = ()
    locked: bool = True
    normalise: NormaliseOptions = field(default_factory=NormaliseOptions)
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    notes: NotesOptions = field(default_factory=NotesOptions)
    tag: TagOptions = field(default_factory=TagOptions)

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def audio_dir(self) -> Path:
        return self.root / "audio"

    @property
    def transcripts_dir(self) -> Path:
        return self.root / "transcripts"

    @property
    def public_dir(self) -> Path:
        return self.root / "public"

    @property
    def media_dir(self) -> Path:
        return self.public_dir / "media"

    @property
    def state_dir(self) -> Path:
        return self.root / ".podkit"

    @property
    def work_dir(self) -> Path:
        return self.state_dir / "work"

    @property
    def resolved_feed_url(self) -> str:
        return self.feed_url or self.url.rstrip("/") + "/feed.xml"


def load_show(root: str | Path) -> ShowConfig:
    root = Path(root)
    path = root / CONFIG_NAME
    if not root.is_dir():
        raise ConfigError("is not a folder; give the show folder (podkit init makes one)", path=root)
    if not path.is_file():
        raise ConfigError(f"no {CONFIG_NAME} here; create the show with 'podkit init {root}'", path=root)
    data = read_toml(path)
    tables: dict[str, dict[str, Any]] = {}
    for section, schema in SECTIONS.items():
        table = data.pop(section, {})
        if not isinstance(table, dict):
            raise ConfigError(f"'{section}' must be a table ([{section}])", path=path)
        tables[section] = validate(table, schema, path, section)
    values = validate(data, SHOW_KEYS, path)
    cover = None
    if "cover" in values:
        cover = (root / values.pop("cover")).resolve()
        if not cover.is_file():
            raise ConfigError(f"'cover' file {cover} does not exist; fix the path or remove the key", path=path)
    values.setdefault("owner", values["author"])
    if "hosts" in values:
        values["hosts"] = tuple(values["hosts"])
    transcribe = tables["transcribe"]
    if "formats" in transcribe:
        transcribe["formats"] = tuple(transcribe["formats"])
    try:
        return ShowConfig(
            root=root.resolve(),
            cover=cover,
            **values,
            normalise=NormaliseOptions(**tables["normalise"]),
            transcribe=TranscribeOptions(**transcribe),
            notes=NotesOptions(**tables["notes"]),
            tag=TagOptions(**tables["tag"]),
        )
    except ConfigError as exc:
        raise ConfigError(exc.message, path=path) from None
