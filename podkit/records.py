"""The records that flow between the stages and into the catalog.

A leaf module: it imports nothing of podkit, so every layer may use it. The transcript
records (``Word``, ``Segment``, ``Transcript``) are built up while transcribing and may be
edited in place; a stage's result is frozen and serialises to the catalog (``to_dict``) and
back (``from_dict``). ``from_dict`` raises ``KeyError``/``TypeError``/``ValueError`` on a
result of another shape: the runner then runs that stage again rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

# How a long step reports progress: (step, seconds done, seconds in all or None).
Progress = Callable[[str, float, "float | None"], None]

# -- the transcript -----------------------------------------------------------------------


@dataclass
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass
class Segment:
    """A stretch of speech with its words (timings in seconds from the episode's start)."""

    start: float
    end: float
    text: str
    words: list[Word]
    speaker: str | None = None

    def shift(self, seconds: float) -> None:
        """Move the segment and its words by ``seconds`` (a window's place in the file)."""
        if seconds:
            self.start, self.end = self.start + seconds, self.end + seconds
            for w in self.words:
                w.start, w.end = w.start + seconds, w.end + seconds


@dataclass
class Transcript:
    language: str
    duration: float
    segments: list[Segment]


@dataclass(frozen=True)
class Link:
    """A link an episode's sidecar gives (and the notes place under a story)."""

    title: str
    url: str
    description: str = ""
    label: str = ""  # what the notes say before it ("Read more" when empty)
    language: str = ""  # BCP 47: what the linked page is written in (hreflang), "" when not said


@dataclass(frozen=True)
class Person:
    """Someone on an episode (sidecar ``guests``): a ``podcast:person`` of the item. ``role``
    and ``group`` are the Podcasting 2.0 taxonomy's ("guest" in "cast")."""

    name: str
    role: str = "guest"
    group: str = "cast"
    href: str = ""
    img: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Person:
        return cls(
            name=str(data["name"]),
            role=str(data.get("role", "guest")),
            group=str(data.get("group", "cast")),
            href=str(data.get("href", "")),
            img=str(data.get("img", "")),
        )


@dataclass(frozen=True)
class RundownItem:
    """One story of the producer's rundown (sidecar ``[[stories]]``), in the order told."""

    title: str
    summary: str = ""
    links: tuple[Link, ...] = ()


# -- stage results ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A record's fields as JSON values (tuples become lists)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"expected a list of strings, not {value!r}")
    return tuple(value)


@dataclass(frozen=True)
class NormaliseResult:
    """What the normalise stage measured and did."""

    channels: int
    input_loudness: float
    input_true_peak: float
    target: float
    gain_db: float
    start_s: float  # trimmed from the start of the recording
    end_s: float  # where the kept audio ends in the recording
    duration: float  # of the output
    limited: bool
    max_reduction_db: float
    output_loudness: float  # measured when verified, else predicted
    output_true_peak: float
    verified: bool
    passes: int = 1
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else _plain(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NormaliseResult:
        return cls(
            channels=int(data["channels"]),
            input_loudness=float(data["input_loudness"]),
            input_true_peak=float(data["input_true_peak"]),
            target=float(data["target"]),
            gain_db=float(data["gain_db"]),
            start_s=float(data["start_s"]),
            end_s=float(data["end_s"]),
            duration=float(data["duration"]),
            limited=bool(data["limited"]),
            max_reduction_db=float(data["max_reduction_db"]),
            output_loudness=float(data["output_loudness"]),
            output_true_peak=float(data["output_true_peak"]),
            verified=bool(data["verified"]),
            passes=int(data["passes"]),
            notes=_strings(data["notes"]),
        )


@dataclass(frozen=True)
class TranscribeResult:
    """What the transcribe stage wrote: the transcript's shape and its files."""

    language: str
    duration: float
    segments: int
    words: int
    engine: str
    model: str
    files: tuple[str, ...]  # relative to the show folder

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranscribeResult:
        return cls(
            language=str(data["language"]),
            duration=float(data["duration"]),
            segments=int(data["segments"]),
            words=int(data["words"]),
            engine=str(data["engine"]),
            model=str(data["model"]),
            files=_strings(data["files"]),
        )


@dataclass(frozen=True)
class TranscriptResult:
    """What the transcript stage published: the transcript files made from what was heard,
    with the show's corrections applied, or from the host's own edit of the WebVTT file."""

    language: str
    segments: int
    words: int
    corrected: int  # places the show's [corrections] changed
    edited: tuple[str, ...]  # the files the host edited (kept as they are; the rest made from them)
    files: tuple[str, ...]  # relative to the show folder
    respelt: tuple[str, ...] = ()  # "heard -> Name": the vocabulary's names the engine spelled otherwise

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranscriptResult:
        return cls(
            language=str(data["language"]),
            segments=int(data["segments"]),
            words=int(data["words"]),
            corrected=int(data["corrected"]),
            edited=_strings(data["edited"]),
            files=_strings(data["files"]),
            respelt=_strings(data.get("respelt", ())),
        )


@dataclass(frozen=True)
class StoryEntry:
    """One story as the catalog keeps it (what the tag stage and the feed need)."""

    start: float
    end: float
    title: str
    summary: str
    links: tuple[str, ...] = ()  # URLs
    kind: str = "story"  # story, short, intro, sponsor or outro (podkit.notes.kinds)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryEntry:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            title=str(data["title"]),
            summary=str(data["summary"]),
            links=_strings(data["links"]),
            kind=str(data.get("kind", "story")),  # rows written before notes v3 had stories only
        )


@dataclass(frozen=True)
class NotesResult:
    """The stories the notes stage found, and the files it wrote."""

    stories: tuple[StoryEntry, ...]
    unassigned_links: tuple[str, ...]
    chapter_list: str  # "00:00 Title" lines, for the episode description
    files: tuple[str, ...]
    synopsis: str = ""  # "This week: ..." (empty where the sidecar gives a description)
    edited: bool = False  # made from the host's own edit of the notes.md file
    headline: str = ""  # the lead story's heading: the episode's title where the sidecar gives none
    byline: str = ""  # "By Mara Quill", in the show's language
    date_label: str = ""  # the publication date as the notes write it ("20 November 2026")

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NotesResult:
        if not isinstance(data["stories"], list):
            raise TypeError("stories must be a list")
        return cls(
            stories=tuple(StoryEntry.from_dict(s) for s in data["stories"]),
            unassigned_links=_strings(data["unassigned_links"]),
            chapter_list=str(data["chapter_list"]),
            files=_strings(data["files"]),
            synopsis=str(data.get("synopsis", "")),
            edited=bool(data.get("edited", False)),
            headline=str(data.get("headline", "")),  # rows written before notes v4 had none
            byline=str(data.get("byline", "")),
            date_label=str(data.get("date_label", "")),
        )


@dataclass(frozen=True)
class FeedItem:
    """What the feed says of an episode, kept with it (its recording may later be removed)."""

    title: str
    description: str
    pub_date: str  # ISO 8601
    season: int | None = None
    episode: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    speakers: tuple[str, ...] = ()
    season_name: str = ""  # podcast:season name
    episode_display: str = ""  # podcast:episode display
    guests: tuple[Person, ...] = ()  # podcast:person of the item, and on the episode page
    byline: str = ""  # "By Mara Quill", in the show's language
    date_label: str = ""  # the publication date in the show's language

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeedItem:
        def optional_int(v: Any) -> int | None:
            return None if v is None else int(v)

        explicit = data["explicit"]
        return cls(
            title=str(data["title"]),
            description=str(data["description"]),
            pub_date=str(data["pub_date"]),
            season=optional_int(data["season"]),
            episode=optional_int(data["episode"]),
            episode_type=str(data["episode_type"]),
            explicit=None if explicit is None else bool(explicit),
            speakers=_strings(data["speakers"]),
            season_name=str(data.get("season_name", "")),  # items kept before these were added
            episode_display=str(data.get("episode_display", "")),
            guests=tuple(Person.from_dict(g) for g in data.get("guests", [])),  # items kept before tag v4
            byline=str(data.get("byline", "")),
            date_label=str(data.get("date_label", "")),
        )


@dataclass(frozen=True)
class TagResult:
    """The ID3 frames written, the published file, and the feed's item data."""

    frames: tuple[str, ...]
    file: str  # relative to the show folder
    item: FeedItem

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TagResult:
        if not isinstance(data["item"], dict):
            raise TypeError("item must be a table")
        return cls(frames=_strings(data["frames"]), file=str(data["file"]), item=FeedItem.from_dict(data["item"]))


# Every stage result the runner stores in the catalog and reads back.
StageResult = NormaliseResult | TranscribeResult | TranscriptResult | NotesResult | TagResult
