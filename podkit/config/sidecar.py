"""Episode sidecars: ``audio/<name>.toml`` beside a recording, validated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..records import Link, RundownItem
from .schema import Key, check_language, check_slug, check_url, nonempty, one_of, positive, read_toml, validate

AUDIO_EXTENSIONS = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".mp4")  # .mp4: its audio track
EPISODE_TYPES = ("full", "trailer", "bonus")


def _check_links(links: list[dict[str, str]]) -> str | None:
    for link in links:
        problem = check_url(link["url"])
        if problem:
            return f"entry {link['title']!r}: url {problem}"
    return None


def _check_stories(value: int | list[dict[str, Any]]) -> str | None:
    if isinstance(value, int):
        return positive(value)
    for n, item in enumerate(value, 1):
        if not item["title"].strip():
            return f"entry {n} has an empty title"
        problem = _check_links(item["links"])
        if problem:
            return f"entry {item['title']!r}: links {problem}"
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
    "title": Key("str", False, nonempty),
    "description": Key("str"),
    "links": Key("links", False, _check_links),
    "season": Key("int", False, positive),
    "episode": Key("int", False, positive),
    "episode_type": Key("str", False, one_of(EPISODE_TYPES)),
    "explicit": Key("bool"),
    "pub_date": Key("datetime"),
    "slug": Key("str", False, check_slug),
    "speakers": Key("strlist"),
    "tracks": Key("tracks", False, _check_tracks),
    "stories": Key("stories", False, _check_stories),
    "vocabulary": Key("strlist"),  # this episode's names and terms, beside the show's
    "language": Key("str", False, lambda v: None if v == "auto" else check_language(v)),  # "auto": detect
    "season_name": Key("str", False, nonempty),  # podcast:season name="..."
    "episode_display": Key("str", False, nonempty),  # podcast:episode display="..."
}


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
    rundown: tuple[RundownItem, ...] = ()  # or the producer's stories, in order ([[stories]])
    vocabulary: tuple[str, ...] = ()
    language: str | None = None  # what is spoken; "auto": detect it
    season_name: str = ""
    episode_display: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "links": [vars(link) for link in self.links],
            "season": self.season,
            "episode": self.episode,
            "episode_type": self.episode_type,
            "explicit": self.explicit,
            "pub_date": self.pub_date.isoformat() if self.pub_date else None,
            "slug": self.slug,
            "speakers": list(self.speakers),
            "tracks": list(self.tracks) if isinstance(self.tracks, tuple) else self.tracks,
            "stories": self.stories,
            "rundown": [
                {"title": r.title, "summary": r.summary, "links": [vars(link) for link in r.links]}
                for r in self.rundown
            ],
            "vocabulary": list(self.vocabulary),
            "language": self.language,
            "season_name": self.season_name,
            "episode_display": self.episode_display,
        }


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
    for key in ("speakers", "vocabulary"):
        if key in values:
            values[key] = tuple(values[key])
    for key, needs in (("season_name", "season"), ("episode_display", "episode")):
        if key in values and needs not in values:
            raise ConfigError(f"'{key}' needs '{needs}' (the number it names); add '{needs} = N'", path=path)
    if isinstance(values.get("stories"), list):
        values["rundown"] = tuple(
            RundownItem(item["title"].strip(), item.get("summary", ""), tuple(Link(**link) for link in item["links"]))
            for item in values.pop("stories")
        )
    if isinstance(values.get("tracks"), list):
        values["tracks"] = tuple(values["tracks"])
        if values.get("speakers") and len(values["speakers"]) != len(values["tracks"]):
            raise ConfigError(
                f"'speakers' names {len(values['speakers'])} people for "
                f"{len(values['tracks'])} tracks; name one speaker per track",
                path=path,
            )
    return Sidecar(**values)
