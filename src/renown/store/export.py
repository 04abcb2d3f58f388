"""The store's scoring inputs as Parquet, for engines that run elsewhere (Spark).

``events.parquet`` holds every event (the store's columns and types, times as
naive UTC timestamps); ``identities.parquet`` links accounts to people.  That
is all a scoring run reads, so a cluster can score from these two files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import duckdb

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
