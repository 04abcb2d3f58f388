"""After an erasure: the database file, its WAL and its sidecars hold nothing erased.

DuckDB deletes rows logically: after ``DELETE``, ``CHECKPOINT`` and ``VACUUM``
the deleted strings are still in the file's blocks (measured: every forgotten
id is still there, byte for byte).  So forgetting rewrites the file: the live
rows are copied into a fresh database (``ATTACH`` + ``COPY FROM DATABASE``,
which keeps the schema, constraints, views and sequence positions), and the
fresh file atomically replaces the old one while the old one is still open
and locked, so no other writer can slip a change in between.  Read-only
snapshots published beside the store (``<db>.serving/``) and DuckDB's spill
folder (``<db>.tmp/``) were copies of the old data: they are deleted; the
service publishes a fresh snapshot from the rewritten file.

The cost is one copy of the live database (docs/reliability.md has figures).
A marker file (``<db>.scrub-pending``) exists from before an erasure commits
until its rewrite is done: if the process dies in between, the next
``renown forget`` (or ``renown forget --scrub``) sees it and finishes the job.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from renown.store.database import StoreError, connect, scalar
from renown.store.forget import ErasureReport, Subject, erase
from renown.store.serving import FLOOR, generation_floor


@dataclass(frozen=True, slots=True)
class RewriteReport:
    """What rewriting the store cost and what it removed."""

    seconds: float
    bytes_before: int
    bytes_after: int
    removed: tuple[str, ...]


def sidecar(db: Path, suffix: str) -> Path:
    return db.with_name(db.name + suffix)


def store_files(db: Path) -> list[Path]:
    """Every file the store keeps beside ``db``: the file, WAL, key, snapshots, spills."""
    if not db.parent.is_dir():
        return []
    files = []
    for entry in sorted(db.parent.iterdir()):
        if not entry.name.startswith(db.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            files += sorted(p for p in entry.rglob("*") if p.is_file())
        elif entry.is_file():
            files.append(entry)
    return files


def scrub_pending(db: Path) -> bool:
    """Whether an erasure committed but its file rewrite did not finish."""
    return sidecar(db, ".scrub-pending").exists()


def forget_in_store(
    db: Path, resolve: Callable[[duckdb.DuckDBPyConnection], list[Subject]],
) -> tuple[list[ErasureReport], RewriteReport]:
    """Resolve subjects, erase them, and rewrite the files: the whole of ``renown forget``."""
    marker = sidecar(db, ".scrub-pending")
    scrub_pending_before = marker.exists()
    con = connect(db)
    try:
        subjects = resolve(con)
        marker.touch()
        _fsync(db.parent)
        try:
            reports = erase(con, subjects) if subjects else []
        except BaseException:
            if not scrub_pending_before:
                marker.unlink()  # rolled back: nothing was erased, nothing to scrub
            raise
        rewrite = rewrite_store(con, db)
    finally:
        con.close()
    marker.unlink(missing_ok=True)
    return reports, rewrite


def rewrite_store(con: duckdb.DuckDBPyConnection, db: Path) -> RewriteReport:
    """Replace ``db`` by a fresh copy of its live rows; remove snapshots and spills.

    ``con`` is the (only) open connection to ``db``; the caller closes it
    right after, as it then points at the replaced file.
    """
    clock = time.perf_counter()
    before = db.stat().st_size
    fresh = sidecar(db, ".rewrite")
    for stale in (fresh, sidecar(fresh, ".wal")):
        stale.unlink(missing_ok=True)
    con.execute("CHECKPOINT")
    if sidecar(db, ".wal").exists():
        raise StoreError(f"{db}: the WAL survived a checkpoint; not rewriting the file")
    name = str(scalar(con, "SELECT current_database()"))
    con.execute(f"ATTACH '{_quoted(fresh)}' AS _renown_fresh")
    try:
        con.execute(f'COPY FROM DATABASE "{name}" TO _renown_fresh')
    finally:
        con.execute("DETACH _renown_fresh")
    _fsync(fresh)
    fresh.chmod(db.stat().st_mode & 0o777)
    fresh.replace(db)
    _fsync(db.parent)
    removed = _remove_copies(db)
    return RewriteReport(time.perf_counter() - clock, before, db.stat().st_size, removed)


def _remove_copies(db: Path) -> tuple[str, ...]:
    """Delete published snapshots and spill files: copies of the data before erasure."""
    removed = []
    for folder in (sidecar(db, ".serving"), sidecar(db, ".tmp")):
        if folder.is_dir() and not folder.is_symlink():
            floor = generation_floor(folder)
            removed += [str(p) for p in sorted(folder.rglob("*")) if p.is_file()]
            shutil.rmtree(folder)
            if folder.name.endswith(".serving") and floor:
                # Numbering goes on where it was: a reader holding generation n must
                # never meet a new snapshot under the same name (DuckDB would hand it
                # the old, still-open database for that path).
                folder.mkdir()
                (folder / FLOOR).write_text(str(floor), encoding="utf-8")
    return tuple(removed)


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
