"""Show settings (``podkit.toml``) and episode sidecars (``audio/<name>.toml``), validated.

Every key is declared once, with its type and check; loading reports the first problem as
one line naming the file and the key.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .categories import parse_category
from .errors import ConfigError
from .normalise import NormaliseOptions

CONFIG_NAME = "podkit.toml"
AUDIO_EXTENSIONS = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".mp4")  # .mp4: its audio track
EPISODE_TYPES = ("full", "trailer", "bonus")
SHOW_TYPES = ("episodic", "serial")

_LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# -- checks: each returns an error message or None ----------------------------------------


def check_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"must be an absolute http(s) URL, not {value!r}"
    return None


def _check_language(value: str) -> str | None:
    return None if _LANGUAGE.match(value) else f"must be a language code such as 'en' or 'en-GB', not {value!r}"


def _check_email(value: str) -> str | None:
    return None if _EMAIL.match(value) else f"must be an e-mail address, not {value!r}"


def _check_category(value: str) -> str | None:
    if parse_category(value) is None:
        return (f"{value!r} is not an Apple Podcasts category; use one such as "
                "'News/Tech News' or 'Technology' (see podkit/categories.py)")
    return None


def _one_of(options: tuple[str, ...]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value in options else f"must be one of {', '.join(options)}, not {value!r}"

    return check


def _check_slug(value: str) -> str | None:
    if not SLUG.match(value) or len(value) > 80:
        return (f"must be lowercase letters, digits and single hyphens (at most 80), "
                f"not {value!r}")
    return None


def _positive(value: int) -> str | None:
    return None if value >= 1 else f"must be 1 or more, not {value}"


def _nonempty(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


@dataclass(frozen=True)
class Key:
    kind: str  # str int float bool strlist links datetime
    required: bool = False
    check: Callable[[Any], str | None] | None = None
    doc: str = ""


_KIND_NAMES = {
    "str": "a string", "int": "an integer", "float": "a number", "bool": "true or false",
    "strlist": "a list of strings", "links": "a list of [[links]] tables with title and url",
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
    if kind == "tracks" and (isinstance(value, str) or (
            isinstance(value, list) and value and all(isinstance(v, str) for v in value))):
        return value if isinstance(value, str) else list(value)
    if kind == "datetime":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        if isinstance(value, dt.date):
            return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if kind == "links" and isinstance(value, list):
        links = []
        for item in value:
            if not isinstance(item, dict) or set(item) - {"title", "url", "description"} \
                    or not isinstance(item.get("title"), str) or not isinstance(item.get("url"), str):
                raise ValueError
            links.append(item)
        return links
    raise ValueError


def validate(table: dict, schema: dict[str, Key], where: Path, section: str = "") -> dict:
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
        except ValueError:
            raise ConfigError(
                f"'{prefix}{name}' must be {_KIND_NAMES[spec.kind]}, not {value!r}", path=where
            ) from None
        problem = spec.check(value) if spec.check else None
        if problem:
            raise ConfigError(f"'{prefix}{name}' {problem}", path=where)
        out[name] = value
    for name, spec in schema.items():
        if spec.required and name not in out:
            raise ConfigError(f"missing required key '{prefix}{name}'", path=where)
    return out


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"is not valid TOML ({exc}); fix the syntax", path=path) from None
    except UnicodeDecodeError:
        raise ConfigError("is not UTF-8 text; save it as UTF-8", path=path) from None


# -- the show ------------------------------------------------------------------------------

SHOW_KEYS: dict[str, Key] = {
    "title": Key("str", True, _nonempty, "show title"),
    "author": Key("str", True, _nonempty, "host or publisher"),
    "email": Key("str", True, _check_email, "owner e-mail (Apple shows it to no one)"),
    "url": Key("str", True, check_url, "where public/ is published"),
    "language": Key("str", False, _check_language, "language code"),
    "category": Key("str", False, _check_category, "Apple category, 'Top' or 'Top/Sub'"),
    "explicit": Key("bool", False, None, "explicit content"),
    "description": Key("str", False, None, "show description"),
    "cover": Key("str", False, _nonempty, "cover image (JPEG/PNG, square, >= 1400 px)"),
    "owner": Key("str", False, _nonempty, "owner name (default: author)"),
    "feed_url": Key("str", False, check_url, "feed URL (default: <url>/feed.xml)"),
    "type": Key("str", False, _one_of(SHOW_TYPES), "episodic or serial"),
    "funding_url": Key("str", False, check_url, "podcast:funding: where listeners support the show"),
    "funding_text": Key("str", False, _nonempty, "podcast:funding: its label"),
    "hosts": Key("strlist", False, None, "podcast:person (role host) on the channel"),
    "locked": Key("bool", False, None, "podcast:locked: refuse moves to another host"),
}

NORMALISE_KEYS: dict[str, Key] = {
    "target_stereo": Key("float", doc="LUFS for stereo"),
    "target_mono": Key("float", doc="LUFS for mono"),
    "true_peak": Key("float", doc="dBTP ceiling"),
    "bitrate_stereo": Key("int", check=_positive, doc="kbit/s"),
    "bitrate_mono": Key("int", check=_positive, doc="kbit/s"),
    "trim_silence": Key("bool", doc="trim leading and trailing silence"),
}


def _check_formats(value: list[str]) -> str | None:
    from .transcribe.formats import FORMATS

    bad = [f for f in value if f not in FORMATS]
    return f"has unknown formats {bad}; use some of {list(FORMATS)}" if bad else None


TRANSCRIBE_KEYS: dict[str, Key] = {
    "engine": Key("str", check=_one_of(("faster-whisper", "openai-whisper")), doc="Whisper engine"),
    "model": Key("str", check=_nonempty, doc="model name or path"),
    "language": Key("str", check=_check_language, doc="spoken language (default: detect)"),
    "beam_size": Key("int", check=_positive, doc="beam search width"),
    "device": Key("str", check=_one_of(("cpu", "cuda")), doc="cpu or cuda"),
    "formats": Key("strlist", check=_check_formats, doc="transcript files to write"),
}

NOTES_KEYS: dict[str, Key] = {
    "min_story_s": Key("float", check=lambda v: None if v > 0 else "must be more than 0",
                       doc="shortest story, seconds"),
}

TAG_KEYS: dict[str, Key] = {
    "id3_version": Key("int", check=lambda v: None if v in (3, 4) else f"must be 3 or 4, not {v}",
                       doc="ID3v2 version of the episode MP3"),
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
    id3_version: int = 4
    transcribe: dict = field(default_factory=dict)  # TranscribeOptions fields
    notes: dict = field(default_factory=dict)  # SegmentOptions fields

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
    tables = {}
    for section in ("normalise", "tag", "transcribe", "notes"):
        tables[section] = data.pop(section, {})
        if not isinstance(tables[section], dict):
            raise ConfigError(f"'{section}' must be a table ([{section}])", path=path)
    values = validate(data, SHOW_KEYS, path)
    norm = validate(tables["normalise"], NORMALISE_KEYS, path, "normalise")
    values.update(validate(tables["tag"], TAG_KEYS, path, "tag"))
    values["transcribe"] = validate(tables["transcribe"], TRANSCRIBE_KEYS, path, "transcribe")
    values["notes"] = validate(tables["notes"], NOTES_KEYS, path, "notes")
    cover = None
    if "cover" in values:
        cover = (root / values.pop("cover")).resolve()
        if not cover.is_file():
            raise ConfigError(f"'cover' file {cover} does not exist; fix the path or remove the key", path=path)
    values.setdefault("owner", values["author"])
    if "hosts" in values:
        values["hosts"] = tuple(values["hosts"])
    return ShowConfig(root=root.resolve(), cover=cover, normalise=NormaliseOptions(**norm), **values)


def render_show_toml(*, title: str, author: str, email: str, url: str, language: str = "en",
                     category: str = "Technology", explicit: bool = False) -> str:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # a TOML basic string  # noqa: E731
    d = NormaliseOptions()
    return f"""\
# podkit show settings. Every key is checked when podkit loads this file.

title = {q(title)}
author = {q(author)}
# The feed's owner address (itunes:owner).
email = {q(email)}
# Where public/ is published: media, pages and the feed are served from here.
url = {q(url)}
language = {q(language)}
# Apple Podcasts category: "Top" or "Top/Sub", e.g. "News/Tech News".
category = {q(category)}
explicit = {str(explicit).lower()}
description = ""
# Cover image: JPEG or PNG, square, at least 1400 px (3000 px is best).
# cover = "cover.png"
# Owner name; defaults to author.
# owner = ""
# Feed URL; defaults to <url>/feed.xml.
# feed_url = ""
# "episodic" (newest first) or "serial".
# type = "episodic"
# Podcasting 2.0 extras: where listeners can support the show, the hosts' names, and
# whether other hosting services may import the feed (locked = true says no).
# funding_url = "https://example.com/support"
# funding_text = "Support the show"
# hosts = ["Ana Host"]
# locked = true

[normalise]
# Integrated loudness in LUFS (ITU-R BS.1770-4), for stereo and mono recordings.
target_stereo = {d.target_stereo}
target_mono = {d.target_mono}
# True-peak ceiling in dBTP.
true_peak = {d.true_peak}
# MP3 CBR bitrates in kbit/s.
bitrate_stereo = {d.bitrate_stereo}
bitrate_mono = {d.bitrate_mono}
# Trim leading and trailing silence (speech is never cut).
trim_silence = {str(d.trim_silence).lower()}

[transcribe]
# faster-whisper (fast, the default) or openai-whisper (the reference implementation).
engine = "faster-whisper"
# A model name (tiny.en is bundled and works offline) or a path to a model folder.
model = "tiny.en"
beam_size = 5
# cpu or cuda
device = "cpu"
formats = ["json", "vtt", "srt", "txt", "html"]

[notes]
# The shortest story, in seconds, when the transcript is split into stories.
min_story_s = 20.0

[tag]
# ID3v2 version of the episode MP3: 4, or 3 for old players.
id3_version = 4
"""


def init_show(root: str | Path, **settings: Any) -> Path:
    """Create a show folder: podkit.toml and the folders. Refuses to overwrite a show."""
    from .fsutil import write_text

    root = Path(root)
    # Validate exactly as a later load would, before anything is written.
    check = {k: v for k, v in settings.items() if v is not None}
    validate(check, SHOW_KEYS, root / CONFIG_NAME)
    if (root / CONFIG_NAME).exists():
        raise ConfigError(f"{CONFIG_NAME} already exists; edit it instead of running init", path=root)
    root.mkdir(parents=True, exist_ok=True)
    for sub in ("audio", "transcripts", "public"):
        (root / sub).mkdir(exist_ok=True)
    write_text(root / CONFIG_NAME, render_show_toml(**check))
    return root / CONFIG_NAME


# -- episode sidecars ------------------------------------------------------------------------

def _check_links(links: list[dict]) -> str | None:
    for link in links:
        problem = check_url(link["url"])
        if problem:
            return f"entry {link['title']!r}: url {problem}"
    return None


def _check_tracks(value: str | list[str]) -> str | None:
    if isinstance(value, str):
        return None if value == "channels" else f'must be "channels" or a list of files, not {value!r}'
    for name in value:
        if "/" in name or "\\" in name or name.startswith("."):
            return f"must name files in audio/ (no folders), not {name!r}"
        if Path(name).suffix.lower() not in AUDIO_EXTENSIONS:
            return f"names {name!r}, which is not a recording ({' '.join(AUDIO_EXTENSIONS)})"
    if len(set(value)) != len(value):
        return "names a file twice"
    return None


SIDECAR_KEYS: dict[str, Key] = {
    "title": Key("str", False, _nonempty),
    "description": Key("str"),
    "links": Key("links", False, _check_links),
    "season": Key("int", False, _positive),
    "episode": Key("int", False, _positive),
    "episode_type": Key("str", False, _one_of(EPISODE_TYPES)),
    "explicit": Key("bool"),
    "pub_date": Key("datetime"),
    "slug": Key("str", False, _check_slug),
    "speakers": Key("strlist"),
    "tracks": Key("tracks", False, _check_tracks),
    "stories": Key("int", False, _positive),
}


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class Sidecar:
    title: str | None = None
    description: str = ""
    links: tuple[Link, ...] = ()
    season: int | None = None
    episode: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    pub_date: dt.datetime | None = None
    slug: str | None = None
    speakers: tuple[str, ...] = ()
    # "channels": one speaker per channel; or the files (in audio/) of one speaker each.
    # Either way ``speakers`` names them in order.
    tracks: str | tuple[str, ...] | None = None
    stories: int | None = None  # fixes the number of stories in the show notes

    def to_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["links"] = [vars(link) for link in self.links]
        out["speakers"] = list(self.speakers)
        out["tracks"] = list(self.tracks) if isinstance(self.tracks, tuple) else self.tracks
        out["pub_date"] = self.pub_date.isoformat() if self.pub_date else None
        return out


def sidecar_path(recording: Path) -> Path:
    return recording.with_suffix(".toml")


def load_sidecar(recording: Path) -> Sidecar:
    """The recording's sidecar, or an empty one when it has none."""
    path = sidecar_path(recording)
    if not path.is_file():
        return Sidecar()
    values = validate(read_toml(path), SIDECAR_KEYS, path)
    if "links" in values:
        values["links"] = tuple(Link(**link) for link in values["links"])
    if "speakers" in values:
        values["speakers"] = tuple(values["speakers"])
    if isinstance(values.get("tracks"), list):
        values["tracks"] = tuple(values["tracks"])
        if values.get("speakers") and len(values["speakers"]) != len(values["tracks"]):
            raise ConfigError(f"'speakers' names {len(values['speakers'])} people for "
                              f"{len(values['tracks'])} tracks; name one speaker per track", path=path)
    return Sidecar(**values)
