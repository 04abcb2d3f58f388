"""The higgs source: the real SNAP file, and small files for every rule."""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from renown.sources import SourceOptions
from renown.store.ingest import ingest
from tests.conftest import shared_path


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


@pytest.mark.shared_data
def test_real_file_ingests_every_line(con: duckdb.DuckDBPyConnection) -> None:
    path = shared_path("higgs/higgs-activity_time.txt.gz")
    report = ingest(con, path, "higgs")
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        563_069, 563_069, 0, 0)
    assert _rows(con, "SELECT count(*) FROM accounts") == [(304_691,)]
    assert _rows(con, "SELECT count(*) FROM quarantine") == [(0,)]
    assert _rows(con, "SELECT kind, count(*) FROM events GROUP BY kind ORDER BY kind") == [
        ("mention", 171_237), ("reply", 36_902), ("reshare", 354_930)]
    # Self-loops stay as the same kind with no subject: output, never an outcome.
    assert _rows(con, "SELECT count(*) FROM events WHERE subject IS NULL") == [(7_588,)]
    assert _rows(con, "SELECT count(*) FROM events WHERE subject = actor") == [(0,)]
    assert _rows(con, "SELECT actor, subject, ts, kind FROM events "
                      "WHERE event_id = '376989-50329-1341101181-RT'") == [
        ("376989", "50329", datetime(2012, 7, 1, 0, 6, 21), "reshare")]

    again = ingest(con, path, "higgs")
    assert again.already_ingested
    assert _rows(con, "SELECT count(*), count(DISTINCT ingestion_id) FROM ingestions") == [
        (1, 1)]
    # Without the content-hash shortcut every line is read again, and is a duplicate.
    con.execute("DELETE FROM ingestions")
    reread = ingest(con, path, "higgs")
    assert (reread.ingested, reread.duplicates, reread.quarantined) == (0, 563_069, 0)
    assert _rows(con, "SELECT count(*) FROM events") == [(563_069,)]
    assert _rows(con, "SELECT count(*) FROM accounts") == [(304_691,)]


LINES = (
    "1 2 1341100972 RT\n"
    "3 2 1341100980 MT\n"
    "4 4 1341100990 RE\n"  # self-loop
    "5 6 1341101000 re\n"  # lower-case code is fine
)


@pytest.mark.parametrize("name", ["activity.txt", "activity.txt.gz"])
def test_small_file_plain_and_gzip(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                   name: str) -> None:
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(LINES.encode()))
    else:
        path.write_text(LINES)
    report = ingest(con, path, "higgs")
    assert (report.records, report.ingested, report.quarantined) == (4, 4, 0)
    assert _rows(con, "SELECT network, event_id, actor, subject, kind, ts FROM events "
                      "ORDER BY ts") == [
        ("twitter", "1-2-1341100972-RT", "1", "2", "reshare", datetime(2012, 7, 1, 0, 2, 52)),
        ("twitter", "3-2-1341100980-MT", "3", "2", "mention", datetime(2012, 7, 1, 0, 3)),
        ("twitter", "4-4-1341100990-RE", "4", None, "reply", datetime(2012, 7, 1, 0, 3, 10)),
        ("twitter", "5-6-1341101000-RE", "5", "6", "reply", datetime(2012, 7, 1, 0, 3, 20)),
    ]
    assert _rows(con, "SELECT count(*) FROM accounts") == [(6,)]


def test_bad_lines_are_quarantined_with_their_line_numbers(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(
        "1 2 1341100972 RT\n"
        "1 2 1341100972 XX\n"  # 2: unknown code
        "1 2 yesterday RT\n"  # 3: bad timestamp
        "1 2 1341100972.5 RT\n"  # 4: not whole seconds
        "1 2 1341100972\n"  # 5: three fields
        "1 2 1341100972 RT extra\n"  # 6: five fields
        "7 8 1341100999 MT\n",
    )
    report = ingest(con, path, "higgs", SourceOptions(network="higgs"))
    assert (report.records, report.ingested, report.quarantined) == (7, 2, 5)
    quarantined = _rows(con, "SELECT file, record, reason FROM quarantine ORDER BY record")
    assert [(file, record) for file, record, _ in quarantined] == [
        (str(path), line) for line in (2, 3, 4, 5, 6)]
    reasons = [str(reason) for _, _, reason in quarantined]
    assert reasons[:3] == ["interaction code must be RT, MT or RE",
                           "timestamp is not whole unix seconds",
                           "timestamp is not whole unix seconds"]
    assert re.fullmatch(r"expected 4 (\S+ )?fields, found 3", reasons[3])
    assert re.fullmatch(r"expected 4 (\S+ )?fields, found 5", reasons[4])
    assert _rows(con, "SELECT DISTINCT network FROM events") == [("higgs",)]
