"""The show's catalog: one SQLite file in ``.podkit/``, and the lock that makes one writer.

Schema changes are named migrations, recorded in ``schema_migrations`` as they are applied.
All writes go through ``with catalog.transaction():`` (BEGIN IMMEDIATE ... COMMIT).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from .errors import BusyError, CatalogError

CATALOG_NAME = "catalog.sqlite"

# (name, SQL). Append only: a released migration is never edited.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE episodes (
            id          INTEGER PRIMARY KEY,
            sha256      TEXT NOT NULL UNIQUE,       -- of the recording: renames are not new
            guid        TEXT NOT NULL UNIQUE,       -- permanent, assigned when first seen
            slug        TEXT NOT NULL UNIQUE,
            source      TEXT NOT NULL,              -- recording path relative to audio/
            first_seen  TEXT NOT NULL,
            pub_date    TEXT NOT NULL
        );
        CREATE TABLE stages (
            episode_id  INTEGER NOT NULL REFERENCES episodes(id) ON DELETE CASCADE,
            stage       TEXT NOT NULL,
            status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
            fingerprint TEXT,                       -- of the inputs the result was made from
            error       TEXT,
            started_at  TEXT,
            finished_at TEXT,
            seconds     REAL,
            result      TEXT,                       -- JSON
            PRIMARY KEY (episode_id, stage)
        );
        CREATE TABLE problems (                     -- files in audio/ that are not episodes
            source      TEXT PRIMARY KEY,
            message     TEXT NOT NULL,
            seen_at     TEXT NOT NULL
        );
        CREATE TABLE file_hashes (                  -- avoids re-hashing unchanged recordings
            source      TEXT PRIMARY KEY,
            size        INTEGER NOT NULL,
            mtime_ns    INTEGER NOT NULL,
            sha256      TEXT NOT NULL
        );
    """,
    ),
    (
        "0002_show_meta",
        """
        CREATE TABLE show_meta (                    -- values assigned once, kept for good
            key         TEXT PRIMARY KEY,           -- e.g. podcast_guid
            value       TEXT NOT NULL
        );
    """,
    ),
    # warnings: a JSON list of what was worth saying but not a failure. (No SQL comment in
    # an ALTER: SQLite copies the column's text into the table's schema, comment and all.)
    ("0003_stage_warnings", "ALTER TABLE stages ADD COLUMN warnings TEXT"),
]


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class StageRecord:
    stage: str
    status: str
    fingerprint: str | None = None
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    seconds: float | None = None
    result: dict[str, Any] = field(default_factory=dict)  # the stage's record (podkit.records)
    warnings: list[str] = field(default_factory=list)


@dataclass
class EpisodeRow:
    id: int
    sha256: str
    guid: str
    slug: str
    source: str
    first_seen: str
    pub_date: str
    stages: dict[str, StageRecord] = field(default_factory=dict)


class Catalog:
    """The show's catalog. Use it as a context manager (``with Catalog(dir) as catalog:``),
    which closes it; every write is one transaction."""

    def __init__(self, state_dir: Path, *, create: bool = True):
        self.path = Path(state_dir) / CATALOG_NAME
        if not create and not self.path.exists():
            raise CatalogError("no catalog yet; run 'podkit run' first", path=self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")
            self.migrate()
        except sqlite3.DatabaseError as exc:
            raise CatalogError(
                f"the catalog is damaged or not a podkit catalog ({exc}); run "
                f"'podkit rebuild {self.path.parent.parent}' to recreate it from the recordings, "
                "sidecars and the published feed",
                path=self.path,
            ) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def migrate(self) -> list[str]:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        done = {r[0] for r in self.db.execute("SELECT name FROM schema_migrations")}
        unknown = done - {name for name, _ in MIGRATIONS}
        if unknown:
            raise CatalogError(
                f"made by a newer podkit (migrations {', '.join(sorted(unknown))}); upgrade podkit",
                path=self.path,
            )
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as tx:
                for statement in filter(str.strip, sql.split(";")):
                    tx.execute(statement)
                tx.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, utc_now()))
            applied.append(name)
        return applied

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM schema_migrations ORDER BY name")]

    # -- episodes ---------------------------------------------------------------------------

    def _episode(self, row: sqlite3.Row) -> EpisodeRow:
        ep = EpisodeRow(**{k: row[k] for k in row.keys()})  # noqa: SIM118 - a Row iterates its values
        for s in self.db.execute("SELECT * FROM stages WHERE episode_id = ?", (ep.id,)):
            names = [k for k in s.keys() if k not in ("episode_id", "result", "warnings")]  # noqa: SIM118
            rec = StageRecord(**{k: s[k] for k in names})
            rec.result = json.loads(s["result"]) if s["result"] else {}
            rec.warnings = json.loads(s["warnings"]) if s["warnings"] else []
            ep.stages[rec.stage] = rec
        return ep

    def episodes(self) -> list[EpisodeRow]:
        rows = self.db.execute("SELECT * FROM episodes ORDER BY pub_date, id").fetchall()
        return [self._episode(r) for r in rows]

    def episode(
        self, *, sha256: str | None = None, slug: str | None = None, id: int | None = None, guid: str | None = None
    ) -> EpisodeRow | None:
        keys = (("sha256", sha256), ("slug", slug), ("id", id), ("guid", guid))
        col, val = next((c, v) for c, v in keys if v is not None)
        row = self.db.execute(f"SELECT * FROM episodes WHERE {col} = ?", (val,)).fetchone()
        return self._episode(row) if row else None

    def add_episode(self, *, sha256: str, guid: str, slug: str, source: str, pub_date: str) -> EpisodeRow:
        with self.transaction() as tx:
            tx.execute(
                "INSERT INTO episodes (sha256, guid, slug, source, first_seen, pub_date) VALUES (?, ?, ?, ?, ?, ?)",
                (sha256, guid, slug, source, utc_now(), pub_date),
            )
        ep = self.episode(sha256=sha256)
        assert ep is not None
        return ep

    def update_episode(self, episode_id: int, **values: str) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        with self.transaction() as tx:
            tx.execute(f"UPDATE episodes SET {cols} WHERE id = ?", (*values.values(), episode_id))

    def remove_episode(self, episode_id: int) -> None:
        with self.transaction() as tx:
            tx.execute("DELETE FROM episodes WHERE id = ?", (episode_id,))

    def forget_stage(self, episode_id: int, stage: str) -> None:
        """Drop a stage's record: the next run does that stage again (``--redo``)."""
        with self.transaction() as tx:
            tx.execute("DELETE FROM stages WHERE episode_id = ? AND stage = ?", (episode_id, stage))

    def stage_started(self, episode_id: int, stage: str, fingerprint: str) -> None:
        with self.transaction() as tx:
            tx.execute(
                "INSERT OR REPLACE INTO stages (episode_id, stage, status, fingerprint, started_at) "
                "VALUES (?, ?, 'running', ?, ?)",
                (episode_id, stage, fingerprint, utc_now()),
            )

    def stage_finished(
        self,
        episode_id: int,
        stage: str,
        *,
        seconds: float,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        warnings: list[str] | None = None,
    ) -> None:
        with self.transaction() as tx:
            tx.execute(
                "UPDATE stages SET status = ?, error = ?, finished_at = ?, seconds = ?, result = ?, "
                "warnings = ? WHERE episode_id = ? AND stage = ?",
                (
                    "failed" if error else "done",
                    error,
                    utc_now(),
                    round(seconds, 3),
                    json.dumps(result or {}, sort_keys=True),
                    json.dumps(warnings) if warnings else None,
                    episode_id,
                    stage,
                ),
            )

    # -- show-level values assigned once ----------------------------------------------------

    def show_value(self, key: str, default: str) -> str:
        """The stored value of ``key``; stores ``default`` the first time it is asked for."""
        row = self.db.execute("SELECT value FROM show_meta WHERE key = ?", (key,)).fetchone()
        if row:
            return str(row[0])
        with self.transaction() as tx:
            tx.execute("INSERT INTO show_meta VALUES (?, ?)", (key, default))
        return default

    # -- problems (files in audio/ that are not episodes) -----------------------------------

    def set_problems(self, problems: dict[str, str]) -> None:
        with self.transaction() as tx:
            tx.execute("DELETE FROM problems")
            tx.executemany(
                "INSERT INTO problems VALUES (?, ?, ?)",
                [(src, msg, utc_now()) for src, msg in sorted(problems.items())],
            )

    def problems(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT source, message FROM problems ORDER BY source")}

    # -- recording hashes -------------------------------------------------------------------

    def cached_hash(self, source: str, size: int, mtime_ns: int) -> str | None:
        row = self.db.execute("SELECT size, mtime_ns, sha256 FROM file_hashes WHERE source = ?", (source,)).fetchone()
        if row and row[0] == size and row[1] == mtime_ns:
            return str(row[2])
        return None

    def store_hash(self, source: str, size: int, mtime_ns: int, sha256: str) -> None:
        with self.transaction() as tx:
            tx.execute("INSERT OR REPLACE INTO file_hashes VALUES (?, ?, ?, ?)", (source, size, mtime_ns, sha256))


class ShowLock:
    """An exclusive lock on a show (flock on ``.podkit/lock``); released when the process dies."""

    def __init__(self, state_dir: Path):
        self.path = Path(state_dir) / "lock"
        self.fd: int | None = None

    def acquire(self, wait: float = 0.0) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    os.close(fd)
                    raise BusyError(
                        f"show is busy: another podkit process (pid {holder}) is working on it; "
                        "try again later or pass --wait SECONDS",
                        path=self.path.parent.parent,
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __enter__(self) -> ShowLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
