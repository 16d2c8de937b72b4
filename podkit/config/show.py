"""The show's settings: ``podkit.toml``, validated on every load.

Each stage's table (``[normalise]``, ``[transcribe]``, ``[notes]``, ``[tag]``) becomes that
stage's own options record, whose defaults are the single source of truth.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..importer.options import ImportOptions
from ..normalise.options import NormaliseOptions
from ..notes.options import SUMMARIES, NotesOptions, check_markdown
from ..studio.options import DENOISE_MODELS, MAX_CROSSFADE_S, StudioOptions
from ..tag.options import ID3_VERSIONS, TagOptions
from ..transcribe.options import DEVICES, ENGINES, TranscribeOptions, check_formats
from .schema import (
    Key,
    check_category,
    check_email,
    check_language,
    check_podroll,
    check_url,
    nonempty,
    one_of,
    positive,
    read_toml,
    validate,
)

CONFIG_NAME = "podkit.toml"
SHOW_TYPES = ("episodic", "serial")


def check_clip(value: str) -> str | None:
    """An intro, outro or music bed: a file in the show folder, named relative to it."""
    if not value.strip():
        return "must name a file in the show folder (leave the key out for none)"
    if value.startswith("/") or ".." in Path(value).parts:
        return f"must be a path inside the show folder, such as 'music/intro.mp3', not {value!r}"
    return None


def check_crossfade(value: float) -> str | None:
    if not 0.0 <= value <= MAX_CROSSFADE_S:
        return f"must be 0 to {MAX_CROSSFADE_S:g} seconds, not {value}"
    return None


# [studio], in podkit.toml and (for one episode) in a sidecar: see podkit/studio/options.py
STUDIO_KEYS: dict[str, Key] = {
    "leveler": Key("bool"),
    "denoise": Key("bool"),
    "denoise_model": Key("str", check=one_of(DENOISE_MODELS)),
    "dehum": Key("bool"),
    "intro": Key("str", check=check_clip),
    "outro": Key("str", check=check_clip),
    "music_bed": Key("str", check=check_clip),
    "crossfade_s": Key("float", check=check_crossfade),
}
STUDIO_FILES = ("intro", "outro", "music_bed")


def check_studio_files(values: dict[str, Any], root: Path, where: Path, section: str = "studio") -> None:
    """Each file [studio] names must be in the show folder: a ConfigError naming the key."""
    for key in STUDIO_FILES:
        if values.get(key) and not (root / values[key]).is_file():
            raise ConfigError(
                f"'{section}.{key}' names {values[key]!r}, which is not a file in the show folder "
                f"{root}; put the file there or fix the path",
                path=where,
            )


def check_guid(value: str) -> str | None:
    """A podcast:guid: a UUID (the Podcasting 2.0 namespace asks for a UUIDv5)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return f"must be a UUID such as '917393e3-1b1e-5cef-ace4-edaa54e1f810', not {value!r}"
    return None


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
    "vocabulary": Key("strlist"),  # names and terms the transcription should spell right
    # -- directories and hosts (the publish stage) --
    "podroll": Key("strlist", False, check_podroll),  # podcast:podroll: feed GUIDs or feed URLs
    "new_feed_url": Key("str", False, check_url),  # itunes:new-feed-url: the show has moved there
    "block": Key("bool"),  # itunes:block Yes: keep the show out of Apple's directory
    "complete": Key("bool"),  # itunes:complete Yes: no more episodes
    "op3": Key("bool"),  # OP3 analytics prefix on enclosure URLs
    "websub_hub": Key("str", False, check_url),  # atom:link rel="hub", notified after each change
    "podping": Key("bool"),  # podcast:podping usesPodping="true"
    "after_publish": Key("str", False, nonempty),  # a shell command run after a changed publish
    "after_publish_timeout": Key("float", False, lambda v: None if v > 0 else "must be more than 0"),
    # podcast:guid as another host assigned it (podkit import keeps it); default: the UUIDv5
    # of the first feed URL, kept in the catalog
    "podcast_guid": Key("str", False, check_guid),
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
        "language": Key("str", check=lambda v: None if v == "auto" else check_language(v)),  # "auto": detect
        "beam_size": Key("int", check=positive),
        # faster-whisper: chunks decoded at once; 0: one window at a time
        "batch_size": Key("int", check=lambda v: None if v >= 0 else "must be 0 (one window at a time) or more"),
        "device": Key("str", check=one_of(DEVICES)),
        "formats": Key("strlist", check=check_formats),
    },
    "notes": {
        "min_story_s": Key("float", check=lambda v: None if v > 0 else "must be more than 0"),
        "summary": Key("str", check=one_of(SUMMARIES)),  # "long": 2-4 paragraphs a story
        "before": Key("str", check=check_markdown),  # Markdown before the stories (the call to action)
        "after": Key("str", check=check_markdown),  # and after them
    },
    "tag": {
        "id3_version": Key("int", check=one_of(ID3_VERSIONS)),
    },
    "import": {
        "normalise": Key("bool"),  # imported (already mastered) audio normalised too; default: as it is
    },
    "studio": STUDIO_KEYS,
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
    vocabulary: tuple[str, ...] = ()
    # [corrections]: (heard, right) pairs applied to transcripts and all made from them
    corrections: tuple[tuple[str, str], ...] = ()
    txt: tuple[tuple[str, str], ...] = ()  # [txt]: (purpose, text) pairs, podcast:txt
    podroll: tuple[str, ...] = ()
    new_feed_url: str = ""
    block: bool = False
    complete: bool = False
    op3: bool = False
    websub_hub: str = ""
    podping: bool = False
    after_publish: str = ""
    after_publish_timeout: float = 600.0  # seconds
    podcast_guid: str = ""  # "" : the UUIDv5 of the first feed URL, kept in the catalog
    normalise: NormaliseOptions = field(default_factory=NormaliseOptions)
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    notes: NotesOptions = field(default_factory=NotesOptions)
    tag: TagOptions = field(default_factory=TagOptions)
    import_: ImportOptions = field(default_factory=ImportOptions)  # [import]
    studio: StudioOptions = field(default_factory=StudioOptions)

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


def _corrections(table: Any, path: Path) -> tuple[tuple[str, str], ...]:
    """``[corrections]``: "heard form" = "right form", both non-empty text."""
    if not isinstance(table, dict):
        raise ConfigError('\'corrections\' must be a table ([corrections]) of "heard" = "right"', path=path)
    out = []
    for heard, right in table.items():
        if not isinstance(right, str) or not right.strip():
            raise ConfigError(f"'corrections.{heard}' must be the right form as text, not {right!r}", path=path)
        if not any(c.isalnum() for c in heard):
            raise ConfigError(f"'corrections' has a heard form with no word in it: {heard!r}", path=path)
        out.append((heard.strip(), right.strip()))
    return tuple(out)


TXT_PURPOSE_MAX, TXT_MAX = 128, 4000  # podcast:txt: the spec's limits


def _txt(table: Any, path: Path) -> tuple[tuple[str, str], ...]:
    """``[txt]``: purpose = "text" (``applepodcastsverify = "..."``), each a podcast:txt."""
    if not isinstance(table, dict):
        raise ConfigError("'txt' must be a table ([txt]) of purpose = \"text\"", path=path)
    out = []
    for purpose, text in table.items():
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"'txt.{purpose}' must be text, not {text!r}", path=path)
        if not purpose.strip() or len(purpose) > TXT_PURPOSE_MAX:
            raise ConfigError(f"'txt' purpose {purpose!r} must be 1 to {TXT_PURPOSE_MAX} characters", path=path)
        if len(text) > TXT_MAX:
            raise ConfigError(f"'txt.{purpose}' is {len(text)} characters; the most is {TXT_MAX}", path=path)
        out.append((purpose, text.strip()))
    return tuple(out)


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
    corrections = _corrections(data.pop("corrections", {}), path)
    txt = _txt(data.pop("txt", {}), path)
    values = validate(data, SHOW_KEYS, path)
    cover = None
    if "cover" in values:
        cover = (root / values.pop("cover")).resolve()
        if not cover.is_file():
            raise ConfigError(f"'cover' file {cover} does not exist; fix the path or remove the key", path=path)
    check_studio_files(tables["studio"], root, path)
    values.setdefault("owner", values["author"])
    for key in ("hosts", "vocabulary", "podroll"):
        if key in values:
            values[key] = tuple(values[key])
    transcribe = tables["transcribe"]
    if "formats" in transcribe:
        transcribe["formats"] = tuple(transcribe["formats"])
    try:
        return ShowConfig(
            root=root.resolve(),
            cover=cover,
            corrections=corrections,
            txt=txt,
            **values,
            normalise=NormaliseOptions(**tables["normalise"]),
            transcribe=TranscribeOptions(**transcribe),
            notes=NotesOptions(**tables["notes"]),
            tag=TagOptions(**tables["tag"]),
            import_=ImportOptions(**tables["import"]),
            studio=StudioOptions(**tables["studio"]),
        )
    except ConfigError as exc:
        raise ConfigError(exc.message, path=path) from None
