"""``export_parquet``: the store's scoring inputs, readable back with the same rows and types."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from renown.store.export import export_parquet


def test_export_writes_events_and_identities(con: duckdb.DuckDBPyConnection,
                                             tmp_path: Path) -> None:
    con.execute("INSERT INTO events (network, event_id, ts, actor, kind, subject, "
                "ingestion_id) VALUES ('x', 'e1', ?, 'a', 'like', 'b', 1)",
                [datetime(2024, 5, 1, 12, 0, 0, 123456)])
    con.execute("INSERT INTO identities VALUES ('x', 'a', 'alice', ?)", [datetime(2024, 5, 1)])
    counts = export_parquet(con, tmp_path / "out")
    assert counts == {"events.parquet": 1, "identities.parquet": 1}
    events = pq.read_table(tmp_path / "out" / "events.parquet")
    assert events.column_names[:5] == ["network", "event_id", "ts", "actor", "kind"]
    assert events["ts"].to_pylist() == [datetime(2024, 5, 1, 12, 0, 0, 123456)]
    identities = pq.read_table(tmp_path / "out" / "identities.parquet")
    assert identities.to_pylist() == [{"network": "x", "account": "a", "person_id": "alice"}]
