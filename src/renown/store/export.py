"""Writing the store out: scoring inputs for other engines, and tables for people.

`export_parquet` writes the scoring inputs (for Spark); `write_query` writes
any table query (scores, history, topics) as Parquet, CSV or JSON Lines.

``events.parquet`` holds every event (the store's columns and types, times as
naive UTC timestamps); ``identities.parquet`` links accounts to people.  That
is all a scoring run reads, so a cluster can score from these two files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import duckdb

from renown.errors import RenownError
from renown.store.database import scalar

#: File name → query: what an engine needs to score.
EXPORTS: Final = {
    "events.parquet": "SELECT * FROM events ORDER BY network, ts",
    "identities.parquet": "SELECT network, account, person_id FROM identities "
                          "ORDER BY network, account",
}


def export_parquet(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write `EXPORTS` into ``folder`` (created); rows written per file."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, query in EXPORTS.items():
        target = str(folder / name).replace("'", "''")
        con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
        counts[name] = int(scalar(con, f"SELECT count(*) FROM ({query})"))
    return counts


#: File name ending → (DuckDB COPY format options, what it is called in messages).
TABLE_FORMATS: Final = {
    ".parquet": ("FORMAT parquet, COMPRESSION zstd", "Parquet"),
    ".csv": ("FORMAT csv, HEADER true", "CSV"),
    ".csv.gz": ("FORMAT csv, HEADER true, COMPRESSION gzip", "CSV (gzip)"),
    ".jsonl": ("FORMAT json", "JSON Lines"),
    ".ndjson": ("FORMAT json", "JSON Lines"),
    ".jsonl.gz": ("FORMAT json, COMPRESSION gzip", "JSON Lines (gzip)"),
    ".json": ("FORMAT json, ARRAY true", "a JSON array"),
}


class ExportError(ValueError, RenownError):
    """An export cannot be written as asked (the message says why)."""


def table_format(path: Path) -> str:
    """The COPY options for a file, from its name (``scores.parquet``, ``x.csv.gz``)."""
    name = path.name.lower()
    for ending in sorted(TABLE_FORMATS, key=len, reverse=True):
        if name.endswith(ending):
            return TABLE_FORMATS[ending][0]
    known = ", ".join(TABLE_FORMATS)
    raise ExportError(f"{path}: cannot tell the file format from its name (use one of {known})")


def write_query(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object],
                path: Path) -> int:
    """Write a query's rows to ``path`` in the format its name says; rows written.

    The file appears whole or not at all: DuckDB writes a hidden file beside
    it, which replaces ``path`` only once complete, so an interrupted export
    never leaves a truncated file that looks finished.
    """
    options = table_format(path)
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise ExportError(f"{path.parent}: no such folder")
    partial = path.with_name(f".{path.name}.partial")
    target = str(partial).replace("'", "''")
    try:
        rows = con.execute(f"COPY ({sql}) TO '{target}' ({options})", params).fetchall()
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return int(rows[0][0]) if rows else 0
