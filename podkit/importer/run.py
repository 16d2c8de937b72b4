"""``podkit import FEED DIR``: a show and its episodes brought in from another host's feed.

The feed is read and checked whole before anything is written: a feed that cannot be
imported leaves nothing behind. Then the show folder is made (or, for an existing show, only
the keys its ``podkit.toml`` lacks are added), the artwork fetched, and each episode's
enclosure downloaded into ``audio/``, a few at once. An episode's sidecar is written once its
audio is whole and verified, just before the audio is renamed into place, so ``podkit run``
never sees a recording without its metadata. An item that fails is one line; the others go
on. Running the import again fetches only what is missing (and resumes partial downloads);
episodes are known by their GUID, kept in their sidecars.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..config import AUDIO_EXTENSIONS, CONFIG_NAME, load_show, read_toml
from ..config.schema import check_email, check_url
from ..errors import ConfigError, PodkitError
from ..fsutil import write_bytes, write_text
from ..ingest import slugify
from .fetch import ARTWORK_MAX, FeedError, discard_part, download, fetch, is_url, read_feed
from .progress import ImportProgress
from .settings import add_to_settings, is_uuid, new_show_settings, sidecar_text, toml_string
from .source import SourceFeed, SourceItem, parse_feed

DEFAULT_JOBS = 4
MAX_JOBS = 16


@dataclass
class ImportReport:
    root: Path
    title: str
    created: bool  # a new show (else episodes added to an existing one)
    imported: list[str] = field(default_factory=list)  # files now in audio/
    present: int = 0  # episodes that were already here
    failures: list[str] = field(default_factory=list)  # one line each
    notes: list[str] = field(default_factory=list)  # worth saying, not failures
    settings: list[str] = field(default_factory=list)  # podkit.toml keys written or added

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


@dataclass(frozen=True)
class _Job:
    item: SourceItem
    stem: str  # audio/<stem>.<ext> and audio/<stem>.toml
    ext: str  # "" when neither the URL nor the type says: the bytes decide
    sidecar: str | None  # its text; None keeps the sidecar that is there


class _Cancelled(Exception):
    """The import was interrupted: downloads stop where they are (their parts stay)."""


# -- what is here already ---------------------------------------------------------------------


def _known(audio: Path) -> tuple[dict[str, Path], set[tuple[int | None, int]], set[str]]:
    """In ``audio``: sidecars by the guid they keep, the (season, episode) numbers taken, and
    the stems in use."""
    by_guid: dict[str, Path] = {}
    numbers: set[tuple[int | None, int]] = set()
    stems: set[str] = set()
    if not audio.is_dir():
        return by_guid, numbers, stems
    for path in audio.iterdir():
        if path.name.startswith("."):
            continue
        if not path.name.endswith(".part"):  # a partial download's name is taken up again
            stems.add(path.name.split(".", 1)[0])
        if path.suffix != ".toml":
            continue
        try:
            data = read_toml(path)
        except PodkitError:
            continue
        if isinstance(data.get("guid"), str):
            by_guid[data["guid"]] = path
        if isinstance(data.get("episode"), int):
            season = data.get("season")
            numbers.add((season if isinstance(season, int) else None, data["episode"]))
    return by_guid, numbers, stems


def _recording(audio: Path, stem: str) -> Path | None:
    return next((p for ext in AUDIO_EXTENSIONS if (p := audio / f"{stem}{ext}").is_file()), None)


def _stem(item: SourceItem, taken: set[str]) -> str:
    assert item.enclosure is not None
    name = item.title or PurePosixPath(unquote(urlsplit(item.enclosure.url).path)).stem
    date = f"{item.pub_date:%Y-%m-%d}-" if item.pub_date else ""
    base = (date + slugify(name))[:76].rstrip("-")
    stem, n = base, 1
    while stem in taken:
        n += 1
        stem = f"{base}-{n}"
    taken.add(stem)
    return stem


# -- bytes ------------------------------------------------------------------------------------


def _sniff(path: Path) -> str | None:
    """The extension the file's bytes say ("" when audio of no known signature); None when
    they are a web page or text rather than audio."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return ".m4a" if head[:1] == b"\xff" and head[1] & 0x06 == 0 else ".mp3"  # ADTS AAC: layer 0
    if head[4:8] == b"ftyp":
        return ".m4a"
    if head[:4] == b"OggS":
        return ".opus" if b"OpusHead" in head else ".ogg"
    if head[:4] == b"fLaC":
        return ".flac"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return ".wav"
    text = head.lstrip().lower()
    if text.startswith((b"<", b"{")) or (head and all(32 <= b < 127 or b in b"\r\n\t" for b in head)):
        return None
    return ""


def _check_scheme(url: str, local: bool) -> None:
    """Only http(s) from a feed on the web; a feed read from a file may name files too."""
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https") and not (local and scheme == "file"):
        raise FeedError("is not an http(s) URL; podkit fetches nothing else a feed on the web names", path=url)


def _artwork(url: str, root: Path, local: bool) -> str:
    """Fetch the show's artwork into ``root``; return its file name."""
    _check_scheme(url, local)
    got = fetch(url, limit=ARTWORK_MAX, what="artwork")
    if got.data[:3] == b"\xff\xd8\xff":
        ext = ".jpg"
    elif got.data[:8] == b"\x89PNG\r\n\x1a\n":
        ext = ".png"
    else:
        raise FeedError("the artwork is not a JPEG or PNG image; the show draws its own cover", path=url)
    name = f"cover{ext}"
    if (root / name).exists() and (root / name).read_bytes() != got.data:
        name = f"cover-imported{ext}"
    write_bytes(root / name, got.data)
    return name


# -- the show ---------------------------------------------------------------------------------


def _check_feed(source: SourceFeed, name: str, report: ImportReport) -> list[SourceItem]:
    """The items to import; each one left out is a failure line."""
    items = []
    for item in source.items:
        if item.enclosure is None:
            report.failures.append(f"{name}: item {item.name} has no audio enclosure; left out")
        elif not item.guid:
            report.failures.append(f"{name}: item {item.name} has neither a GUID nor an enclosure URL; left out")
        else:
            items.append(item)
    for dup, kept in source.duplicates:
        report.failures.append(
            f"{name}: item {dup.name} has the GUID of item {kept.name} ({dup.guid!r}); left out: a GUID names "
            "one episode in podcast apps"
        )
    if not items:
        raise FeedError("no item has an audio enclosure; nothing to import", path=name)
    return items


def _new_show_values(source: SourceFeed, name: str, url: str | None, email: str | None) -> tuple[str, str, list[str]]:
    """(url, email, notes) for a new show, or the ConfigError saying what to pass."""
    show = source.show
    notes: list[str] = []
    if not show.title:
        raise FeedError("the feed has no title; a show needs one", path=name)
    email = email or show.owner_email
    if not email:
        raise ConfigError("the feed names no owner e-mail (itunes:owner); give it with --email", path=name)
    if check_email(email):
        raise ConfigError(f"the owner e-mail {email!r} is not an address; give one with --email", path=name)
    if not url:
        if not show.link or check_url(show.link):
            raise ConfigError(
                "give --url: where the show's public/ folder will be published (the feed names no website)",
                path=name,
            )
        url = show.link
        notes.append(
            f"the show will say it is published at {url} (the feed's website): pass --url, or change "
            "'url' in podkit.toml, if public/ is served elsewhere"
        )
    elif check_url(url):
        raise ConfigError(f"--url {check_url(url)}")
    return url, email, notes


def _numbers(items: list[SourceItem], taken: set[tuple[int | None, int]], report: ImportReport) -> list[SourceItem]:
    """The items with an episode number another episode already has lose the number (podkit
    publishes one episode per number)."""
    out = []
    for item in items:
        if item.episode is not None:
            key = (item.season, item.episode)
            if key in taken:
                what = f"episode {item.episode}" + (f" of season {item.season}" if item.season else "")
                report.notes.append(f"item {item.name}: another episode is already {what}; imported without a number")
                item = dataclasses.replace(item, episode=None)
            else:
                taken.add(key)
        out.append(item)
    return out


def import_feed(
    feed: str,
    root: str | Path,
    *,
    url: str | None = None,
    email: str | None = None,
    jobs: int = DEFAULT_JOBS,
    progress: ImportProgress | None = None,
) -> ImportReport:
    """Import ``feed`` (a URL or a file) into the show folder ``root``."""
    if not 1 <= jobs <= MAX_JOBS:
        raise ConfigError(f"--jobs must be 1 to {MAX_JOBS}, not {jobs}")
    progress = progress or ImportProgress()
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ConfigError("is not a folder; give the show folder to import into", path=root)
    existing = (root / CONFIG_NAME).is_file()
    show = load_show(root) if existing else None  # a broken podkit.toml stops it before any work

    local = not is_url(feed)  # a feed from a file may name files beside it
    fetched = read_feed(feed)
    source = parse_feed(fetched.data, fetched.url, name=feed, content_type=fetched.content_type)
    report = ImportReport(root=root, title=show.title if show else source.show.title, created=not existing)
    items = _check_feed(source, feed, report)
    if show is None:
        url, email, notes = _new_show_values(source, feed, url, email)
        report.notes += notes
        new_show_settings(source.show, url=url, email=email, cover=None, notes=[])  # checked before any write
    elif url or email:
        report.notes.append(f"{root / CONFIG_NAME} is kept as it is: --url and --email apply to a new show")
    if source.show.podcast_guid and not is_uuid(source.show.podcast_guid):
        report.notes.append(
            f"the feed's podcast:guid {source.show.podcast_guid!r} is not a UUID; the show gets its own"
        )

    # -- the show folder: from here on, things are written --
    audio = root / "audio"
    for sub in ("audio", "transcripts", "public"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    cover: str | None = None
    if source.show.artwork and (show is None or show.cover is None):
        try:
            cover = _artwork(source.show.artwork, root, local)
        except FeedError as exc:
            report.failures.append(str(exc))
    if show is None:
        assert url is not None and email is not None
        text, _ = new_show_settings(source.show, url=url, email=email, cover=cover, notes=report.notes)
        write_text(root / CONFIG_NAME, text)
        report.settings = ["podkit.toml"]
    else:
        additions = {}
        if cover:
            additions["cover"] = toml_string(cover)
        never_published = not (show.public_dir / "feed.xml").exists()
        if not show.podcast_guid and never_published and is_uuid(source.show.podcast_guid):
            additions["podcast_guid"] = toml_string(source.show.podcast_guid)
        report.settings = add_to_settings(show.config_path, additions)

    # -- the episodes --
    by_guid, numbers, stems = _known(audio)
    items = _numbers([i for i in items if i.guid not in by_guid], numbers, report) + [
        i for i in items if i.guid in by_guid
    ]
    now = dt.datetime.now(dt.UTC)
    jobs_todo: list[_Job] = []
    for item in items:
        assert item.enclosure is not None
        if item.guid in by_guid:
            stem = by_guid[item.guid].stem
            if _recording(audio, stem):
                report.present += 1
                continue
            jobs_todo.append(_Job(item, stem, item.enclosure.extension, None))
            continue
        stem = _stem(item, stems)
        text = sidecar_text(item, feed=source.url, when=now, path=audio / f"{stem}.toml")
        jobs_todo.append(_Job(item, stem, item.enclosure.extension, text))
    _download_all(jobs_todo, audio, jobs, local, progress, report)
    return report


def _download_all(
    todo: list[_Job], audio: Path, jobs: int, local: bool, progress: ImportProgress, report: ImportReport
) -> None:
    if not todo:
        return
    lengths = [job.item.enclosure.length for job in todo if job.item.enclosure]
    total = sum(n or 0 for n in lengths) if all(lengths) else None
    done = sum(p.stat().st_size for job in todo if (p := audio / f"{job.stem}{job.ext}.part").is_file())
    progress.start(len(todo), total, done)
    stop = threading.Event()

    def on_bytes(n: int) -> None:
        if stop.is_set():
            raise _Cancelled
        progress.advance(n)

    pool = ThreadPoolExecutor(max_workers=min(jobs, len(todo)), thread_name_prefix="podkit-import")
    futures: dict[Future[tuple[str, str | None]], _Job] = {
        pool.submit(_one, job, audio, local, on_bytes): job for job in todo
    }
    try:
        for future in as_completed(futures):
            job = futures[future]
            try:
                name, note = future.result()
            except PodkitError as exc:
                message = f"{job.item.name}: {exc}"
                report.failures.append(message)
                progress.finished(job.stem, message)
                continue
            report.imported.append(name)
            if note:
                report.notes.append(note)
            progress.finished(name, None)
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    report.imported.sort()


def _one(job: _Job, audio: Path, local: bool, on_bytes: Callable[[int], None]) -> tuple[str, str | None]:
    """Download one episode; write its sidecar and rename its audio into place. Returns the
    audio's file name, and a note worth making."""
    enclosure = job.item.enclosure
    assert enclosure is not None
    _check_scheme(enclosure.url, local)
    part = audio / f"{job.stem}{job.ext}.part"
    size = download(enclosure.url, part, expected=enclosure.length, on_bytes=on_bytes)
    kind = _sniff(part)
    if kind is None:
        discard_part(part)
        raise FeedError("the server sent a web page or text, not audio", path=enclosure.url)
    ext = job.ext or kind
    if not ext:
        discard_part(part)
        raise FeedError(f"is not audio podkit reads ({' '.join(AUDIO_EXTENSIONS)})", path=enclosure.url)
    if job.sidecar is not None:
        write_text(audio / f"{job.stem}.toml", job.sidecar)
    final = audio / f"{job.stem}{ext}"
    with open(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, final)
    discard_part(part)  # its validator
    note = None
    if enclosure.length and size != enclosure.length:
        # Hosts that insert ads serve other sizes than the feed says: the server's own size
        # was checked (where it said none, the feed's length was), so this is not a failure.
        note = f"{final.name}: {size} bytes, where the feed says {enclosure.length}; the server's size was checked"
    return final.name, note
