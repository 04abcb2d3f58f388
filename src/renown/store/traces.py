"""Looking for what should be gone: ids in any table, ids in the store's files' bytes.

This check is independent of the erasure rules on purpose: it does not ask
`renown.store.erasure_rules` where ids may be, it looks everywhere.

- **Tables**: every column of every base table whose type is not a number,
  time or boolean (text, lists, JSON, structs, maps: all read as their text)
  is searched for each id as a whole word (`renown.store.mentions`).  Ids
  must be distinctive for this to mean anything: a one-character id is a
  "word" in any text.
- **Files**: every file the store keeps beside the database (the file after a
  checkpoint, its WAL, key, snapshots, spill files) is searched byte for byte
  for each id in UTF-8.  DuckDB may compress strings, so a test using this
  must first see the ids it looks for in the file (a positive control), and
  should use ids that cannot occur by chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb

from renown.store.erasure_rules import schema_columns
from renown.store.mentions import column_holds, word_pattern
from renown.store.scrub import store_files

#: Types that cannot hold text (DuckDB's information_schema names, by prefix).
_NOT_TEXT: Final = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT",
                    "UINTEGER", "USMALLINT", "UTINYINT", "UHUGEINT", "DOUBLE", "FLOAT",
                    "DECIMAL", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "UUID")
_CHUNK: Final = 1 << 24


@dataclass(frozen=True, slots=True)
class Trace:
    """Where a forgotten id was found: ``table.column`` or a file, and how often."""

    where: str
    count: int


def table_traces(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[Trace]:
    """Rows of any text-like column that hold one of ``ids`` as a whole word."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return []
    traces = []
    for table, columns in schema_columns(con).items():
        for column, data_type in columns.items():
            if data_type.startswith(_NOT_TEXT) and "[" not in data_type:
                continue
            holds = column_holds(column, data_type, ids, word_pattern(ids))
            rows = con.execute(f'SELECT count(*) FROM "{table}" WHERE {holds}').fetchall()
            if rows[0][0]:
                traces.append(Trace(f"{table}.{column}", int(rows[0][0])))
    return traces


def file_traces(db: Path, ids: list[str]) -> list[Trace]:
    """Occurrences of any of ``ids`` in the bytes of the store's files."""
    needles = sorted({i.encode("utf-8") for i in ids if i})
    if not needles:
        return []
    traces = []
    for file in store_files(db):
        found = _count_in_file(file, needles)
        if found:
            traces.append(Trace(str(file), found))
    return traces


def _count_in_file(file: Path, needles: list[bytes]) -> int:
    """Occurrences of the needles, read in chunks that overlap by the longest needle."""
    overlap = max(len(n) for n in needles) - 1
    found = 0
    tail = b""
    with file.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            window = tail + chunk
            # Count only matches that end inside the new chunk: none is counted twice.
            found += sum(_ends_after(window, n, len(tail)) for n in needles)
            tail = window[-overlap:] if overlap else b""
    return found


def _ends_after(window: bytes, needle: bytes, start: int) -> int:
    count, at = 0, window.find(needle)
    while at >= 0:
        if at + len(needle) > start:
            count += 1
        at = window.find(needle, at + 1)
    return count
