"""ingest: find recordings in audio/, validate sidecars, give each new one its GUID and slug.

A recording is known by the SHA-256 of its bytes, so renaming or re-dropping it does not
make a new episode. Files that cannot become episodes are returned as problems, one line each.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .catalog import Catalog, now
from .config import AUDIO_EXTENSIONS, ShowConfig, load_sidecar, sidecar_path
from .errors import PodkitError
from .model import Episode, slugify

# Names a copy or sync tool uses while a file is still arriving: left alone until renamed.
IN_PROGRESS_SUFFIXES = (".part", ".partial", ".crdownload", ".download", ".tmp", "~")


@dataclass
class Ingested:
    episodes: list[Episode] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # source -> one-line reason
    notes: list[str] = field(default_factory=list)  # worth saying, not failures


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _hash(catalog: Catalog, path: Path, source: str) -> str:
    st = path.stat()
    cached = catalog.cached_hash(source, st.st_size, st.st_mtime_ns)
    if cached:
        return cached
    digest = sha256_file(path)
    catalog.store_hash(source, st.st_size, st.st_mtime_ns, digest)
    return digest


def candidates(audio_dir: Path) -> tuple[list[Path], dict[str, str], list[str]]:
    """Recordings in ``audio_dir``, plus problems (unsupported files) and notes."""
    recordings, problems, notes = [], {}, []
    if not audio_dir.is_dir():
        return recordings, problems, notes
    entries = sorted(audio_dir.iterdir())
    audio_stems = {p.stem for p in entries if p.suffix.lower() in AUDIO_EXTENSIONS}
    for path in entries:
        name = path.name
        if name.startswith(".") or name.endswith(IN_PROGRESS_SUFFIXES):
            continue  # hidden, or still being copied
        if path.is_dir():
            notes.append(f"{path}: folders inside audio/ are not read; put recordings directly in audio/")
        elif path.suffix.lower() == ".toml":
            if path.stem not in audio_stems:
                notes.append(f"{path}: sidecar without a recording named {path.stem}.*")
        elif path.suffix.lower() in AUDIO_EXTENSIONS:
            recordings.append(path)
        else:
            problems[name] = (
                f"{path}: unsupported file type '{path.suffix or name}'; podkit reads "
                f"{' '.join(AUDIO_EXTENSIONS)}"
            )
    return recordings, problems, notes


def ingest(show: ShowConfig, catalog: Catalog) -> Ingested:
    out = Ingested()
    recordings, out.problems, out.notes = candidates(show.audio_dir)
    hashed: list[tuple[str, Path, object]] = []
    for path in recordings:
        source = path.name
        try:
            if path.stat().st_size == 0:
                raise PodkitError("is empty (0 bytes); copy the recording again", path=path)
            sidecar = load_sidecar(path)
            digest = _hash(catalog, path, source)
        except PodkitError as exc:
            out.problems[source] = str(exc)
            continue
        hashed.append((digest, path, sidecar))

    # The same bytes under two names: the one the catalog knows, else the first dropped, wins.
    known_sources = {ep.source for ep in catalog.episodes()}
    hashed.sort(key=lambda h: (h[1].name not in known_sources, h[1].stat().st_mtime_ns, h[1].name))
    found: dict[str, tuple[Path, object]] = {}  # sha256 -> (path, sidecar)
    for digest, path, sidecar in hashed:
        if digest in found:
            out.notes.append(f"{path}: same recording as {found[digest][0].name}; published once")
            continue
        found[digest] = (path, sidecar)
    known = {ep.sha256: ep for ep in catalog.episodes()}
    for digest, (path, sidecar) in found.items():
        row = known.get(digest)
        if row is None:
            try:
                row = _new_episode(catalog, digest, path, sidecar, known, found)
            except PodkitError as exc:
                out.problems[path.name] = str(exc)
                continue
            known[digest] = row
        elif row.source != path.name:
            catalog.update_episode(row.id, source=path.name)  # renamed: same episode
            row.source = path.name
        if sidecar.slug and sidecar.slug != row.slug:
            out.notes.append(f"{sidecar_path(path)}: slug stays {row.slug!r}; a published episode's URL never changes")
        out.episodes.append(Episode(row=row, recording=path, sidecar=sidecar))
    return out


def _new_episode(catalog: Catalog, digest: str, path: Path, sidecar, known: dict, found: dict):
    by_slug = {ep.slug: ep for ep in known.values()}
    wanted = sidecar.slug or slugify(path.stem)
    slug, n = wanted, 1
    while slug in by_slug:
        other = by_slug[slug]
        tagged = other.stages.get("tag")
        if other.sha256 not in found and not (tagged and tagged.status == "done"):
            # An unfinished episode whose recording is gone (replaced by this one): drop it.
            catalog.remove_episode(other.id)
            known.pop(other.sha256, None)
            break
        if sidecar.slug:
            raise PodkitError(
                f"slug {slug!r} is already used by {other.source}; set another slug in {sidecar_path(path).name}",
                path=path,
            )
        n += 1
        slug = f"{wanted[:76]}-{n}"
    pub = (sidecar.pub_date.isoformat() if sidecar.pub_date else now())
    return catalog.add_episode(sha256=digest, guid=str(uuid.uuid4()), slug=slug, source=path.name, pub_date=pub)
