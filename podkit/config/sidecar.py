"""Episode sidecars: ``audio/<name>.toml`` beside a recording, validated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..notes.options import check_markdown
from ..records import Link, Person, RundownItem
from .schema import Key, check_language, check_slug, check_url, nonempty, one_of, positive, read_toml, validate
from .show import STUDIO_KEYS

AUDIO_EXTENSIONS = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".opus", ".mp4")  # .mp4: its audio track
EPISODE_TYPES = ("full", "trailer", "bonus")


def _check_links(links: list[dict[str, str]]) -> str | None:
    for link in links:
        problem = check_url(link["url"])
        if problem:
            return f"entry {link['title']!r}: url {problem}"
        if "label" in link and not link["label"].strip():
            return f'entry {link["title"]!r}: label must not be empty (leave it out for "Read more")'
        problem = check_language(link["language"]) if "language" in link else None
        if problem:
            return f"entry {link['title']!r}: language {problem}"
    return None


# The Podcasting 2.0 person taxonomy (podcastindex.org/namespace/1.0/taxonomy.json): role -> group.
ROLES: dict[str, str] = {
    **dict.fromkeys(
        (
            "director",
            "assistant director",
            "executive producer",
            "senior producer",
            "producer",
            "associate producer",
            "development producer",
            "creative director",
        ),
        "creative direction",
    ),
    **dict.fromkeys(
        ("host", "co-host", "guest host", "guest", "voice actor", "narrator", "announcer", "reporter"), "cast"
    ),
    **dict.fromkeys(
        (
            "author",
            "editorial director",
            "co-writer",
            "writer",
            "songwriter",
            "guest writer",
            "story editor",
            "managing editor",
            "script editor",
            "script coordinator",
            "researcher",
            "editor",
            "fact checker",
            "translator",
            "transcriber",
            "logger",
        ),
        "writing",
    ),
    **dict.fromkeys(
        (
            "studio coordinator",
            "technical director",
            "technical manager",
            "audio engineer",
            "remote recording engineer",
            "post production engineer",
        ),
        "audio production",
    ),
    **dict.fromkeys(
        (
            "audio editor",
            "sound designer",
            "foley artist",
            "composer",
            "theme music",
            "music production",
            "music contributor",
        ),
        "audio post-production",
    ),
    **dict.fromkeys(
        (
            "production coordinator",
            "booking coordinator",
            "production assistant",
            "content manager",
            "marketing manager",
            "sales representative",
            "sales manager",
        ),
        "administration",
    ),
    **dict.fromkeys(("graphic designer", "cover art designer"), "visuals"),
    "social media manager": "community",
    **dict.fromkeys(("consultant", "intern"), "misc."),
    **dict.fromkeys(("camera operator", "lighting designer", "camera grip", "assistant camera"), "video production"),
    "assistant editor": "video post-production",
}


def _check_guests(guests: list[dict[str, str]]) -> str | None:
    for n, guest in enumerate(guests, 1):
        name = guest["name"].strip()
        if not name:
            return f"entry {n} has an empty name"
        role = guest.get("role", "guest").strip().lower()
        if role not in ROLES:
            return (
                f"entry {name!r}: role {guest.get('role')!r} is not a Podcasting 2.0 role; use one such as "
                "guest, co-host, guest host, reporter or producer"
            )
        for key in ("href", "img"):
            problem = check_url(guest[key]) if key in guest else None
            if problem:
                return f"entry {name!r}: {key} {problem}"
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
    "guests": Key("guests", False, _check_guests),  # podcast:person; named in the notes' opening line
    "host": Key("str", False, nonempty),  # the byline's name (default: the show's author)
    "before": Key("str", False, check_markdown),  # the show's [notes] before/after, for this episode
    "after": Key("str", False, check_markdown),
    # podkit import: the episode's GUID in its old feed, kept (apps know it by it), and the URL
    # its audio came from (an imported episode is published as it is, see [import] normalise)
    "guid": Key("str", False, nonempty),
    "imported_from": Key("str", False, nonempty),
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
    guests: tuple[Person, ...] = ()
    host: str = ""
    before: str | None = None  # None: the show's [notes] before; "" leaves it out
    after: str | None = None
    guid: str | None = None  # the episode's permanent GUID, where it had one before podkit
    imported_from: str = ""  # the URL its audio was imported from ("": not imported)
    # [studio]: this episode's own studio settings, over the show's (key, value) pairs
    studio: tuple[tuple[str, Any], ...] = ()

    @property
    def imported(self) -> bool:
        return bool(self.imported_from)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "links": [_link_dict(link) for link in self.links],
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
                {"title": r.title, "summary": r.summary, "links": [_link_dict(link) for link in r.links]}
                for r in self.rundown
            ],
            "vocabulary": list(self.vocabulary),
            "language": self.language,
            "season_name": self.season_name,
            "episode_display": self.episode_display,
            "guests": [vars(g) for g in self.guests],
            "host": self.host,
            "before": self.before,
            "after": self.after,
            # only where given: what every other episode's fingerprints were made from stays
            **({"guid": self.guid} if self.guid else {}),
            **({"imported_from": self.imported_from} if self.imported_from else {}),
            **({"studio": dict(self.studio)} if self.studio else {}),
        }


def _link_dict(link: Link) -> dict[str, str]:
    """A link as the sidecar gives it (label and language only where given)."""
    return {k: v for k, v in vars(link).items() if v or k in ("title", "url", "description")}


def sidecar_path(recording: Path) -> Path:
    return recording.with_suffix(".toml")


def load_sidecar(recording: Path) -> Sidecar:
    """The recording's sidecar, or an empty one when it has none."""
    path = sidecar_path(recording)
    if not path.is_file():
        return Sidecar()
    data = read_toml(path)
    studio = data.pop("studio", {})
    if not isinstance(studio, dict):
        raise ConfigError("'studio' must be a table ([studio]) of this episode's studio settings", path=path)
    values = validate(data, SIDECAR_KEYS, path)
    if studio:
        values["studio"] = tuple(sorted(validate(studio, STUDIO_KEYS, path, "studio").items()))
    if "links" in values:
        values["links"] = tuple(Link(**link) for link in values["links"])
    if "guests" in values:
        values["guests"] = tuple(
            Person(
                g["name"].strip(),
                role := g.get("role", "guest").strip().lower(),
                ROLES[role],
                g.get("href", ""),
                g.get("img", ""),
            )
            for g in values["guests"]
        )
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
