"""Parquet already in the store's types: let DuckDB read the file itself.

Most Parquet event files hold text as UTF-8 strings, times as timestamps and
tags as lists of strings: exactly the store's types.  For those, converting
through Arrow tables and Python (`event_rows.Normaliser`) is pure overhead;
DuckDB's own Parquet reader reads the file in parallel and the store runs its
usual validation, dedupe and insert on it (`renown.store.ingest`).  This
module decides whether a file qualifies and writes the scan: a SELECT giving
the batch columns (the event fields and 1-based ``record``) with exactly the
normalisation the Arrow path applies (empty text is missing, the default
network fills missing ones, zoned times become UTC, a missing event id is
the hash of the record).  Any other file (numbers or bytes as text, epoch
times, tags as strings, odd names) takes the Arrow path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import pyarrow as pa

from renown.events import EVENT_COLUMNS
from renown.sources.event_rows import DERIVED_ID_SQL, STRING_FIELDS

#: Characters DuckDB's file functions would read as a glob pattern.
_GLOB: Final = re.compile(r"[*?\[\]{}]")
#: Columns DuckDB's reader adds with ``file_row_number`` (a file that has one is not native).
_ADDED: Final = "file_row_number"


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _native(schema: pa.Schema) -> bool:
    """Whether every event field present is already in the store's type."""
    if _ADDED in schema.names:
        return False
    for name in EVENT_COLUMNS:
        if name not in schema.names:
            continue
        kind = schema.field(name).type
        if name == "ts":
            ok = pa.types.is_timestamp(kind) or pa.types.is_date(kind)
        elif name == "tags":
            ok = (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and \
                _is_text(kind.value_type)
        else:
            ok = _is_text(kind)
        if not ok:
            return False
    return True


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def native_scan_sql(path: Path, schema: pa.Schema, network: str | None) -> str | None:
    """DuckDB SQL reading ``path`` as batch rows, or None when the file is not native."""
    if not _native(schema) or _GLOB.search(str(path)):
        return None
    present = set(schema.names)

    def text(name: str) -> str:
        value = f"nullif(\"{name}\", '')" if name in present else "CAST(NULL AS VARCHAR)"
        if name == "network" and network:
            value = f"coalesce({value}, {_literal(network)})"
        return f"{value} AS {name}"

    fields = [text(name) for name in STRING_FIELDS]
    fields.append("CAST(ts AS TIMESTAMP) AS ts" if "ts" in present
                  else "CAST(NULL AS TIMESTAMP) AS ts")
    fields.append("CAST(tags AS VARCHAR[]) AS tags" if "tags" in present
                  else "CAST(NULL AS VARCHAR[]) AS tags")
    columns = [f"coalesce(event_id, {DERIVED_ID_SQL}) AS event_id" if c == "event_id" else c
               for c in EVENT_COLUMNS]
    source = (f"read_parquet({_literal(str(path))}, file_row_number = true, "
              "hive_partitioning = false)")
    return (f"SELECT {', '.join(columns)}, record FROM (SELECT {', '.join(fields)}, "
            f"file_row_number + 1 AS record FROM {source})")
