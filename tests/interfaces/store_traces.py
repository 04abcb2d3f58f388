"""A scan of a whole store for values that must never be stored in clear."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from renown.store.database import open_store, scalar


def _text_columns(con: Any) -> list[tuple[str, str]]:
    return [(str(t), str(c)) for t, c in con.execute(
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_catalog, table_schema, table_name) "
        "WHERE t.table_type = 'BASE TABLE' AND c.table_schema = 'main'").fetchall()]


def traces(db: Path, needles: tuple[str, ...], *, read_only: bool = False) -> list[str]:
    """Every (table, column) of ``db`` whose values, read as text, contain a needle."""
    found = []
    with open_store(db, read_only=read_only) as con:
        columns = _text_columns(con)
        assert len(columns) > 50  # the whole schema is scanned, not an empty catalogue
        for table, column in columns:
            for needle in needles:
                if scalar(con, f'SELECT count(*) FROM "{table}" WHERE '
                               f'contains(CAST("{column}" AS VARCHAR), ?)', [needle]):
                    found.append(f"{table}.{column}: {needle}")
    return found
