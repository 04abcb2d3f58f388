"""Opening the DuckDB store: where it lives, and bringing its schema up to date.

DuckDB allows one writing process at a time; commands that only read open the
file read-only so they can run beside each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from renown.errors import RenownError
from renown.store.schema import LATEST_VERSION, MIGRATIONS

DEFAULT_DB: str = "renown.duckdb"
#: DuckDB's memory cap, unless ``RENOWN_MEMORY_LIMIT`` says otherwise.  DuckDB
#: would take 80% of RAM; capped, it spills large joins to disk instead, which
#: keeps scoring a 1M-person, 10M-event world under 4 GB (benchmarks/).
DEFAULT_MEMORY_LIMIT: str = "3GB"


class StoreError(RenownError):
    """The store cannot be opened or used as asked (with a reason for people)."""


def default_db_path() -> Path:
    """``$RENOWN_DB`` if set, else ``./renown.duckdb``."""
    return Path(os.environ.get("RENOWN_DB") or DEFAULT_DB)


def utc_now() -> datetime:
    """Naive UTC now: the store keeps every timestamp as naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> Any:
    """The single value a query returns (None when it returns no row).

    Fetches the whole result: DuckDB refuses new work on a connection while a
    result is still open, so `fetchone` would leave the connection unusable.
    """
    rows = con.execute(sql, params).fetchall()
    return rows[0][0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    )
    if not exists:
        return 0
    version = scalar(con, "SELECT max(version) FROM schema_version")
    return int(version) if version is not None else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply pending migrations, each atomically; returns the resulting version."""
    current = schema_version(con)
    if current > LATEST_VERSION:
        raise StoreError(
            f"database schema version {current} is newer than this Renown "
            f"understands ({LATEST_VERSION}); upgrade Renown"
        )
    for version, sql in MIGRATIONS:
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
            con.execute(sql)
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, utc_now()])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return LATEST_VERSION


def configured_memory_limit() -> str:
    """DuckDB's memory limit for the store: ``RENOWN_MEMORY_LIMIT``, else the default."""
    return os.environ.get("RENOWN_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT


def connect(
    path: Path | str | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the store (creating and migrating it when writable)."""
    db = Path(path) if path is not None else default_db_path()
    if db.is_dir():
        raise StoreError(f"{db}: is a folder, expected a database file")
    if read_only and not db.exists():
        raise StoreError(f"{db}: no such database (run `renown ingest` or `renown demo` first)")
    try:
        con = duckdb.connect(str(db), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(f"{db}: cannot open database: {exc}") from exc
    con.execute("SET TimeZone = 'UTC'")
    # Output is the CLI's, not DuckDB's.  In Jupyter without ipywidgets DuckDB
    # refuses the setting (and shows no bar anyway).
    with suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    limit = configured_memory_limit()
    try:
        con.execute("SET memory_limit = ?", [limit])
    except duckdb.Error as exc:
        con.close()
        raise StoreError(f"RENOWN_MEMORY_LIMIT={limit!r} is not a memory size "
                         "(e.g. 3GB, 500MB)") from exc
    if read_only:
        if schema_version(con) < LATEST_VERSION:
            con.close()
            raise StoreError(f"{db}: schema is out of date; open it once for writing to migrate")
    else:
        migrate(con)
    return con


@contextmanager
def open_store(
    path: Path | str | None = None, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect` as a context manager that always closes the connection."""
    con = connect(path, read_only=read_only)
    try:
        yield con
    finally:
        con.close()
