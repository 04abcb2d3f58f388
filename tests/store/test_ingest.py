"""Ingestion guarantees: idempotent, validated, all or nothing, whatever the input.

Most tests start from a store that already holds a small file (`baseline`)
and end by checking it is untouched: errors never corrupt data already stored.
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from renown.events import MAX_TEXT_CHARS, VALIDATION_RULES
from renown.interfaces.cli.main import app
from renown.sources import SourceError
from renown.store.database import open_store
from renown.store.ingest import ingest
from renown.store.staging import _merge_account_facts, record_accounts

BASELINE = [
    {"network": "twitter", "event_id": f"b{i}", "ts": f"2024-01-0{i}T12:00:00Z",
     "actor": f"u{i}", "kind": "like" if i > 1 else "post",
     **({"subject": "u1", "parent_id": "b1"} if i > 1 else {"post_id": "b1"})}
    for i in range(1, 5)
]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _event(i: int, **fields: Any) -> dict[str, Any]:
    return {"network": "twitter", "event_id": f"e{i}", "ts": "2024-02-01T00:00:00Z",
            "actor": f"a{i}", "kind": "post", **fields}


def _reason(prefix: str) -> str:
    return next(reason for reason, _ in VALIDATION_RULES if reason.startswith(prefix))


@pytest.fixture
def baseline(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> Path:
    path = _jsonl(tmp_path / "baseline.jsonl", BASELINE)
    report = ingest(con, path, "events")
    assert (report.ingested, report.quarantined) == (4, 0)
    return path


def _assert_intact(con: duckdb.DuckDBPyConnection, ingestions: int = 1) -> None:
    """The baseline is all there, and nothing was logged beyond ``ingestions``."""
    assert _rows(con, "SELECT event_id FROM events WHERE event_id LIKE 'b%' "
                      "ORDER BY event_id") == [("b1",), ("b2",), ("b3",), ("b4",)]
    assert _rows(con, "SELECT count(*) FROM ingestions") == [(ingestions,)]
    assert _rows(con, "SELECT first_seen, last_seen FROM accounts WHERE account = 'u1'") == [
        (datetime(2024, 1, 1, 12), datetime(2024, 1, 4, 12))]


def test_account_facts_and_activity_merge_within_one_transaction(
        con: duckdb.DuckDBPyConnection) -> None:
    """Facts, then first/last seen, then newer facts, all onto rows this transaction made."""
    def facts(rows: list[tuple[str, str | None, int | None]]) -> pa.Table:
        return pa.table({"network": ["x"] * len(rows), "account": [r[0] for r in rows],
                         "display_name": [r[1] for r in rows],
                         "followers": pa.array([r[2] for r in rows], pa.int64())})

    con.execute("BEGIN TRANSACTION")
    _merge_account_facts(con, facts([("a1", "Ann", 10), ("a2", None, 5)]))
    con.execute("INSERT INTO events (network, event_id, ts, actor, kind, subject, ingestion_id) "
                "VALUES ('x', 'e1', TIMESTAMP '2024-01-02', 'a1', 'like', 'a3', 7), "
                "('x', 'e2', TIMESTAMP '2024-01-05', 'a1', 'post', NULL, 7)")
    record_accounts(con, 7)
    _merge_account_facts(con, facts([("a1", "Ann B.", None), ("a2", None, None)]))
    con.execute("COMMIT")
    assert _rows(con, "SELECT account, display_name, followers, first_seen, last_seen "
                      "FROM accounts ORDER BY account") == [
        ("a1", "Ann B.", 10, datetime(2024, 1, 2), datetime(2024, 1, 5)),
        ("a2", None, 5, None, None),
        ("a3", None, None, datetime(2024, 1, 2), datetime(2024, 1, 2))]
    assert _rows(con, "SELECT count(*) FROM duckdb_tables() WHERE temporary") == [(0,)]


# ------------------------------------------------------------------ idempotency

def test_same_file_twice_and_a_renamed_copy_add_nothing(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    again = ingest(con, baseline, "events")
    assert again.already_ingested and again.ingested == 0
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(baseline.read_bytes())
    assert ingest(con, copy, "events").already_ingested
    _assert_intact(con)
    assert _rows(con, "SELECT count(*) FROM events") == [(4,)]


def test_overlapping_file_counts_duplicates(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    overlap = [*BASELINE[2:], _event(1), _event(2), _event(3, actor="u1")]
    report = ingest(con, _jsonl(tmp_path / "overlap.jsonl", overlap), "events")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        5, 3, 2, 0)
    assert _rows(con, "SELECT count(*) FROM events") == [(7,)]
    # u1 acted again in the new file: last seen moves on, first seen stays.
    assert _rows(con, "SELECT first_seen, last_seen FROM accounts WHERE account = 'u1'") == [
        (datetime(2024, 1, 1, 12), datetime(2024, 2, 1))]
    assert _rows(con, "SELECT ingestion_id, records, ingested, duplicates FROM ingestions "
                      "ORDER BY ingestion_id") == [(1, 4, 4, 0), (2, 5, 3, 2)]


def test_duplicate_ids_inside_one_file(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    records = [_event(1, text="first"), _event(2), _event(1, text="second"), _event(1)]
    report = ingest(con, _jsonl(tmp_path / "dups.jsonl", records), "events")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        4, 2, 2, 0)
    assert _rows(con, "SELECT text FROM events WHERE event_id = 'e1'") == [("first",)]
    _assert_intact(con, ingestions=2)


# ------------------------------------------------------------------ validation

def test_broken_rules_land_in_quarantine_with_file_record_and_reason(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    records = [
        _event(1),
        _event(2, kind="shout"),
        _event(3, actor=""),
        _event(4, ts=future),
        _event(5, kind="like", subject="a5"),
        _event(6, text="x" * (MAX_TEXT_CHARS + 1)),
        _event(7, kind="like", subject="a1"),
    ]
    path = _jsonl(tmp_path / "rules.jsonl", records)
    report = ingest(con, path, "events")
    assert (report.records, report.ingested, report.quarantined) == (7, 2, 5)
    assert _rows(con, "SELECT file, record, reason FROM quarantine ORDER BY record") == [
        (str(path), 2, _reason("unknown kind")),
        (str(path), 3, "missing actor"),
        (str(path), 4, "timestamp lies in the future"),
        (str(path), 5, "actor and subject are the same account on a reaction"),
        (str(path), 6, f"text longer than {MAX_TEXT_CHARS} characters"),
    ]
    raw = _rows(con, "SELECT raw FROM quarantine WHERE record = 2")[0][0]
    assert '"kind":"shout"' in raw
    _assert_intact(con, ingestions=2)


def test_strict_exits_3_when_anything_is_quarantined(db_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    clean = _jsonl(tmp_path / "clean.jsonl", [_event(1)])
    result = runner.invoke(app, ["ingest", str(clean), "--format", "events", "--strict",
                                 "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    dirty = _jsonl(tmp_path / "dirty.jsonl", [_event(2), _event(3, kind="shout")])
    result = runner.invoke(app, ["ingest", str(dirty), "--format", "events", "--strict",
                                 "--db", str(db_path)])
    assert result.exit_code == 3, result.output
    result = runner.invoke(app, ["ingest", str(tmp_path / "nope.jsonl"), "--format", "events",
                                 "--db", str(db_path)])
    assert result.exit_code not in (0, 3)
    with open_store(db_path) as con:  # the valid row of the dirty file is kept
        assert _rows(con, "SELECT event_id FROM events ORDER BY 1") == [("e1",), ("e2",)]


# ------------------------------------------------------------------ bad inputs

def test_truncated_gzip_stores_nothing(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    whole = gzip.compress("".join(json.dumps(_event(i, text=f"t{i * 7919 % 65_537}")) + "\n"
                                  for i in range(20_000)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[:len(whole) * 2 // 3])
    with pytest.raises(SourceError, match="truncated or corrupt"):
        ingest(con, path, "events")
    _assert_intact(con)
    assert _rows(con, "SELECT count(*) FROM events") == [(4,)]
    assert _rows(con, "SELECT count(*) FROM quarantine") == [(0,)]


def test_csv_row_with_wrong_column_count(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("network,event_id,ts,actor,kind\n"
                    "twitter,c1,2024-02-01T00:00:00Z,ana,post\n"
                    "twitter,c2,2024-02-01T00:00:00Z,ana,post,surplus\n"
                    "twitter,c3,2024-02-01T00:00:00Z\n"
                    "twitter,c4,2024-02-01T00:00:00Z,bo,post\n")
    report = ingest(con, path, "events")
    assert (report.records, report.ingested, report.quarantined) == (4, 2, 2)
    assert _rows(con, "SELECT record, reason FROM quarantine ORDER BY record") == [
        (3, "expected 5 columns as in the header, found 6"),
        (4, "expected 5 columns as in the header, found 3")]
    _assert_intact(con, ingestions=2)


def test_invalid_utf8_line(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    lines = [json.dumps(_event(i)).encode() for i in range(1, 101)]
    lines[41] = json.dumps(_event(42, text="caf\u00e9")).encode().replace(b"\\u00e9", b"\xe9")
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = ingest(con, path, "events")
    assert (report.records, report.ingested, report.quarantined) == (100, 99, 1)
    [(record, reason, raw)] = _rows(con, "SELECT record, reason, raw FROM quarantine")
    assert record == 42 and reason.startswith("invalid UTF-8")
    assert "caf\ufffd" in raw
    _assert_intact(con, ingestions=2)


def test_a_20_mb_line_is_rejected_without_holding_it(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    huge = json.dumps(_event(2, text="y" * 20_000_000)).encode()
    path = tmp_path / "huge.jsonl"
    path.write_bytes(b"\n".join([json.dumps(_event(1)).encode(), huge,
                                 json.dumps(_event(3)).encode()]) + b"\n")
    del huge
    tracemalloc.start()
    try:
        report = ingest(con, path, "events")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report.records, report.ingested, report.quarantined) == (3, 2, 1)
    [(record, reason, raw)] = _rows(con, "SELECT record, reason, raw FROM quarantine")
    assert (record, reason) == (2, "record longer than 8 MiB")
    assert len(raw) <= 2000
    # A few 16 MiB read blocks at most, however long the line (Python-side buffers).
    assert peak < 64 * 1024 * 1024, f"peak Python allocation {peak / 2**20:.0f} MiB"
    _assert_intact(con, ingestions=2)


def test_empty_file_ingests_zero_records(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    inputs = {"empty.jsonl": b"", "blank.jsonl": b"\n\n", "header.csv": b"ts,actor,kind\n"}
    reports = []
    for name, content in inputs.items():
        (tmp_path / name).write_bytes(content)
        reports.append(ingest(con, tmp_path / name, "events"))
    assert [(r.records, r.ingested, r.quarantined, r.already_ingested) for r in reports] == [
        (0, 0, 0, False)] * 3
    _assert_intact(con, ingestions=4)
    assert _rows(con, "SELECT count(*) FROM events") == [(4,)]


def test_missing_path_and_folder_and_unknown_extension_are_refused(
        con: duckdb.DuckDBPyConnection, baseline: Path, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        ingest(con, tmp_path / "absent.jsonl", "events")
    folder = tmp_path / "folder.jsonl"
    folder.mkdir()
    with pytest.raises(SourceError, match="expected a file, got a folder"):
        ingest(con, folder, "events")
    odd = tmp_path / "events.xlsx"
    odd.write_text("x")
    with pytest.raises(SourceError, match=r"reads \.jsonl, .*\.parquet"):
        ingest(con, odd, "events")
    _assert_intact(con)


def _big_parquet(path: Path, rows: int) -> None:
    duckdb.sql(
        "COPY (SELECT 'twitter' AS network, 'k' || i AS event_id, "
        "TIMESTAMP '2024-03-01' + to_seconds(i) AS ts, 'u' || (i % 50000) AS actor, "
        "'like' AS kind, 'u' || ((i + 1) % 50000) AS subject, 'text ' || i AS text "
        f"FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet)")


def test_killed_mid_ingest_leaves_the_store_as_it_was(db_path: Path, tmp_path: Path) -> None:
    with open_store(db_path) as con:
        ingest(con, _jsonl(tmp_path / "baseline.jsonl", BASELINE), "events")
    big = tmp_path / "big.parquet"
    _big_parquet(big, 1_300_000)  # two batches: killed while the first is written
    size = db_path.stat().st_size
    child = subprocess.Popen(
        [sys.executable, "-c", "from renown.interfaces.cli.main import app; app()",
         "ingest", str(big), "--format", "events", "--db", str(db_path), "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while child.poll() is None and db_path.stat().st_size == size and \
            time.monotonic() < deadline:
        time.sleep(0.005)  # the database file grows once the first batch is being written
    assert child.poll() is None, "the ingest finished before it could be killed: " + \
        (child.stderr.read().decode() if child.stderr else "")
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    with open_store(db_path) as con:
        _assert_intact(con)
        assert _rows(con, "SELECT count(*) FROM events") == [(4,)]
        assert _rows(con, "SELECT count(*) FROM quarantine") == [(0,)]
