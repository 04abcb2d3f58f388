"""Native Parquet read by DuckDB itself: the same result as the Arrow path, row for row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from renown.sources import SourceError
from renown.sources.base import SourceOptions
from renown.sources.parquet_scan import native_scan_sql
from renown.store.database import connect
from renown.store.ingest import IngestReport, ingest
from renown.store.optout import add_opt_outs, store_key

NOW = datetime.now(UTC).replace(tzinfo=None)


def _events() -> list[dict[str, Any]]:
    """Valid rows, an invalid one, a repeated id, a missing id, empty text, odd tags."""
    base = datetime(2024, 3, 1, 12)
    rows = [{"network": "twitter", "event_id": f"e{i}", "ts": base + timedelta(minutes=i),
             "actor": f"u{i % 7}", "kind": "post", "subject": None, "post_id": f"p{i}",
             "parent_id": None, "text": f"hello {i}", "tags": ["ai", ""] if i % 3 else None}
            for i in range(40)]
    rows[5].update(kind="nonsense")  # quarantined
    rows[6].update(ts=NOW + timedelta(days=3))  # in the future: quarantined
    rows[9].update(event_id="e8")  # the same id twice in one file: the first wins
    rows[11].update(event_id=None)  # derived from the content
    rows[12].update(text="", network="")  # empty is missing; the default network fills it
    rows[13].update(kind="reply", subject="u2", parent_id="p1")
    return rows


def _write(path: Path, rows: list[dict[str, Any]], *, native: bool) -> Path:
    table = pa.Table.from_pylist(rows, schema=pa.schema([
        ("network", pa.string()), ("event_id", pa.string()), ("ts", pa.timestamp("us")),
        ("actor", pa.string()), ("kind", pa.string()), ("subject", pa.string()),
        ("post_id", pa.string()), ("parent_id", pa.string()), ("text", pa.string()),
        ("tags", pa.list_(pa.string()))]))
    if not native:  # epoch seconds: the Arrow path's business
        seconds = pa.array([None if t is None else t.replace(tzinfo=UTC).timestamp()
                            for t in table.column("ts").to_pylist()], pa.float64())
        table = table.set_column(2, "ts", seconds)
    pq.write_table(table, path)
    return path


def _store(db: Path, source: Path, options: SourceOptions) -> tuple[IngestReport, list[Any]]:
    with connect(db) as con:
        report = ingest(con, source, "events", options)
        stored = con.execute(
            "SELECT network, event_id, ts, actor, kind, subject, text, tags FROM events "
            "UNION ALL SELECT 'quarantine', CAST(record AS VARCHAR), NULL, reason, NULL, NULL, "
            "NULL, NULL FROM quarantine ORDER BY ALL").fetchall()
    return report, stored


def test_only_files_in_the_stores_types_are_read_natively(tmp_path: Path) -> None:
    native = _write(tmp_path / "native.parquet", _events(), native=True)
    epoch = _write(tmp_path / "epoch.parquet", _events(), native=False)
    assert native_scan_sql(native, pq.read_schema(native), None) is not None
    assert native_scan_sql(epoch, pq.read_schema(epoch), None) is None
    assert native_scan_sql(tmp_path / "a[1].parquet", pq.read_schema(native), None) is None


@pytest.mark.parametrize("overlap", [False, True])
def test_native_and_arrow_paths_store_exactly_the_same(tmp_path: Path, overlap: bool) -> None:
    options = SourceOptions(network="mastodon")
    results = []
    for native in (True, False):
        db = tmp_path / f"{native}-{overlap}.duckdb"
        if overlap:  # part of the file is already stored: the careful path decides
            _store(db, _write(tmp_path / "earlier.parquet", _events()[:10], native=False),
                   options)
        results.append(_store(db, _write(tmp_path / f"{native}.parquet", _events(),
                                         native=native), options))
    (fast, fast_rows), (arrow, arrow_rows) = results
    assert fast_rows == arrow_rows
    assert (fast.records, fast.ingested, fast.duplicates, fast.quarantined) == \
        (arrow.records, arrow.ingested, arrow.duplicates, arrow.quarantined)
    assert fast.quarantined == 2 and fast.records == 40
    assert fast.duplicates == (1 if not overlap else 8)
    assert ("mastodon", "e12", None) in {(r[0], r[1], r[6]) for r in fast_rows}


def test_a_clean_file_goes_in_whole_and_again_adds_nothing(tmp_path: Path) -> None:
    rows = [r for i, r in enumerate(_events()) if i not in (5, 6, 9, 12)]
    path = _write(tmp_path / "clean.parquet", rows, native=True)
    report, _ = _store(tmp_path / "s.duckdb", path, SourceOptions())
    assert (report.records, report.ingested, report.quarantined) == (36, 36, 0)
    copy = tmp_path / "copy.parquet"
    pq.write_table(pq.read_table(path), copy, compression="gzip")  # same rows, other bytes
    again, _ = _store(tmp_path / "s.duckdb", copy, SourceOptions())
    assert (again.ingested, again.duplicates) == (0, 36)


def test_opted_out_accounts_are_dropped_from_native_files_too(tmp_path: Path) -> None:
    db = tmp_path / "o.duckdb"
    with connect(db) as con:
        key = store_key(con, create=True)
        assert key is not None
        add_opt_outs(con, key, [("twitter", "u3")])
    report, stored = _store(db, _write(tmp_path / "n.parquet", _events(), native=True),
                            SourceOptions())
    assert report.opted_out > 0 and "u3" not in {r[3] for r in stored}


def test_unreadable_text_is_a_clear_error_and_stores_nothing(tmp_path: Path) -> None:
    bad = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(
        b"\x00\x00\x00\x00\x02\x00\x00\x00"), pa.py_buffer(b"\xff\xfe")])
    table = pa.table({"network": ["twitter"], "event_id": ["x"],
                      "ts": pa.array([datetime(2024, 3, 1)], pa.timestamp("us")),
                      "actor": bad, "kind": ["post"]})
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path)
    db = tmp_path / "b.duckdb"
    with connect(db) as con:
        with pytest.raises(SourceError, match=r"bad\.parquet"):
            ingest(con, path, "events")
        assert con.execute("SELECT count(*) FROM events").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM ingestions").fetchall() == [(0,)]
    assert duckdb.connect(str(db)).execute("SELECT count(*) FROM events").fetchall() == [(0,)]
