"""The catalog: named migrations, one writer, a clear error when damaged."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from podkit.catalog import MIGRATIONS, Catalog, ShowLock
from podkit.errors import BusyError, CatalogError


def test_migrations_are_recorded_and_applied_once(tmp_path):
    cat = Catalog(tmp_path)
    assert cat.applied_migrations() == [name for name, _ in MIGRATIONS]
    assert cat.migrate() == []
    cat.close()
    again = Catalog(tmp_path)
    assert again.migrate() == []
    tables = {r[0] for r in again.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"episodes", "stages", "problems", "file_hashes", "schema_migrations"} <= tables


def test_catalog_from_a_newer_podkit_is_refused(tmp_path):
    Catalog(tmp_path).close()
    db = sqlite3.connect(tmp_path / "catalog.sqlite")
    db.execute("INSERT INTO schema_migrations VALUES ('9999_future', 'x')")
    db.commit()
    db.close()
    with pytest.raises(CatalogError, match="newer podkit"):
        Catalog(tmp_path)


def test_damaged_catalog_is_a_clear_error(tmp_path):
    (tmp_path / "catalog.sqlite").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CatalogError) as info:
        Catalog(tmp_path)
    assert "catalog.sqlite" in str(info.value) and "damaged" in str(info.value)


def test_episode_identity_is_unique(tmp_path):
    cat = Catalog(tmp_path)
    cat.add_episode(sha256="a" * 64, guid="g1", slug="one", source="one.wav", pub_date="2026-01-01")
    with pytest.raises(sqlite3.IntegrityError):
        cat.add_episode(sha256="a" * 64, guid="g2", slug="two", source="two.wav", pub_date="2026-01-01")
    with pytest.raises(sqlite3.IntegrityError):
        cat.add_episode(sha256="b" * 64, guid="g3", slug="one", source="x.wav", pub_date="2026-01-01")
    assert [e.slug for e in cat.episodes()] == ["one"]


def test_lock_is_exclusive_across_processes(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from podkit.catalog import ShowLock; "
            f"l = ShowLock(__import__('pathlib').Path({str(tmp_path)!r})); l.acquire(); "
            "print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(BusyError) as info:
            ShowLock(tmp_path).acquire(wait=0.5)
        assert "show is busy" in str(info.value) and str(holder.pid) in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    lock = ShowLock(tmp_path)  # released when its holder died
    lock.acquire()
    lock.release()
