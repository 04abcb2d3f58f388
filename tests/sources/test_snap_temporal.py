"""The snap-temporal source: real CollegeMsg, and small files for every rule."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from renown.sources import SourceError, SourceOptions
from renown.sources.snap_temporal import network_from_filename
from renown.store.ingest import ingest
from tests.conftest import shared_path

MENTION = SourceOptions(kind="mention")


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[object, ...]]:
    return con.execute(sql).fetchall()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    if name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.shared_data
def test_collegemsg_ingests_every_line(con: duckdb.DuckDBPyConnection) -> None:
    path = shared_path("snap/CollegeMsg.txt")
    report = ingest(con, path, "snap-temporal", MENTION)
    assert (report.records, report.ingested, report.duplicates, report.quarantined) == (
        59_835, 59_835, 0, 0)
    assert _rows(con, "SELECT network, kind, count(*), count(subject), count(DISTINCT actor) "
                      "FROM events GROUP BY ALL") == [("collegemsg", "mention", 59_835, 59_835,
                                                        1_350)]
    assert _rows(con, "SELECT count(*) FROM accounts") == [(1_899,)]
    # 36 lines occur twice and one three times: 37 repeats, all kept as -2/-3.
    assert _rows(con, "SELECT count(*) FROM events WHERE event_id LIKE '%-%-%-%'") == [(37,)]
    assert _rows(con, "SELECT count(*) FROM events WHERE event_id = '3-800-1097971961-3'") == [
        (1,)]
    assert _rows(con, "SELECT actor, subject, ts FROM events "
                      "WHERE event_id = '1-2-1082040961'") == [
        ("1", "2", datetime(2004, 4, 15, 14, 56, 1))]

    again = ingest(con, path, "snap-temporal", MENTION)
    assert again.already_ingested
    # Same file read again under an explicit network: every event is a duplicate.
    reread = ingest(con, path, "snap-temporal", SourceOptions(kind="mention",
                                                              network="collegemsg"))
    assert (reread.ingested, reread.duplicates, reread.quarantined) == (0, 59_835, 0)
    assert _rows(con, "SELECT count(*) FROM events") == [(59_835,)]


@pytest.mark.parametrize("options", [SourceOptions(), SourceOptions(kind="post"),
                                     SourceOptions(kind="retweet"),
                                     SourceOptions(kind="endorse")])
def test_kind_is_required_and_must_be_a_reaction(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, options: SourceOptions
) -> None:
    path = _write(tmp_path, "edges.txt", "1 2 1000000000\n")
    with pytest.raises(SourceError, match="reply") as info:
        ingest(con, path, "snap-temporal", options)
    message = str(info.value)
    assert "mention" in message and "upvote" in message and "endorse," not in message
    assert _rows(con, "SELECT count(*) FROM events") == [(0,)]
    assert _rows(con, "SELECT count(*) FROM ingestions") == [(0,)]


def test_comments_duplicates_self_loops_and_bad_lines(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = _write(tmp_path, "My Graph.v2.txt", "\n".join([
        "# Directed graph (each unordered pair of nodes is saved once): My Graph",  # 1
        "# Nodes: 3 Edges: 5",                                                      # 2
        "# FromNodeId ToNodeId Timestamp",                                          # 3
        "1 2 1000000000",                                                           # 4
        "1 2 1000000000",                                                           # 5
        "1 2 1000000000",                                                           # 6
        "3 3 1000000100",                                                           # 7
        "1 2",                                                                      # 8
        "2 1 not-a-time",                                                           # 9
        "2 1 1000000200 5 6",                                                       # 10
        "2 1 1.5",                                                                  # 11
        "2 1 1000000300",                                                           # 12
    ]) + "\n")
    report = ingest(con, path, "snap-temporal", SourceOptions(kind="reply"))
    assert (report.ingested, report.quarantined, report.duplicates) == (5, 4, 0)
    assert _rows(con, "SELECT event_id, actor, kind, subject FROM events ORDER BY ts, "
                      "event_id") == [
        ("1-2-1000000000", "1", "reply", "2"),
        ("1-2-1000000000-2", "1", "reply", "2"),
        ("1-2-1000000000-3", "1", "reply", "2"),
        ("3-3-1000000100", "3", "reply", None),  # a self-loop: output, no subject
        ("2-1-1000000300", "2", "reply", "1"),
    ]
    assert _rows(con, "SELECT DISTINCT network FROM events") == [("my-graph-v2",)]
    quarantined = _rows(con, "SELECT file, record, reason FROM quarantine ORDER BY record")
    assert [(r[1], r[2]) for r in quarantined] == [
        (8, "expected 3 fields, found 2"),
        (9, "timestamp is not whole unix seconds"),
        (10, "expected 3 fields, found 5"),
        (11, "timestamp is not whole unix seconds"),
    ]
    assert {r[0] for r in quarantined} == {str(path)}


def test_gzip_with_fourth_column(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _write(tmp_path, "sx-Example.txt.gz",
                  "# header\n10 20 1200000000 1\n20 10 1200000001\n10 20 1200000000 2\n30\n"
                  "40  50 1200000003\n")
    report = ingest(con, path, "snap-temporal", SourceOptions(kind="comment", network="qa"))
    assert (report.ingested, report.quarantined) == (3, 2)
    assert _rows(con, "SELECT network, event_id FROM events ORDER BY event_id") == [
        ("qa", "10-20-1200000000"), ("qa", "10-20-1200000000-2"), ("qa", "20-10-1200000001")]
    assert _rows(con, "SELECT record, reason, raw FROM quarantine ORDER BY record") == [
        (5, "expected 4 fields, found 1", "30"),
        (6, "empty field (fields are separated by a single space)", "40  50 1200000003")]


def test_corrupt_gzip_is_unusable(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "broken.txt.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(SourceError, match=r"broken\.txt\.gz"):
        ingest(con, path, "snap-temporal", MENTION)
    assert _rows(con, "SELECT count(*) FROM ingestions") == [(0,)]


def test_empty_and_comment_only_files(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.txt", "# nothing here\n")
    report = ingest(con, path, "snap-temporal", MENTION)
    assert (report.records, report.ingested, report.quarantined) == (0, 0, 0)


@pytest.mark.parametrize(("name", "network"), [
    ("CollegeMsg.txt", "collegemsg"),
    ("sx-StackOverflow.txt.gz", "sx-stackoverflow"),
    ("email-Eu-core-temporal.txt", "email-eu-core-temporal"),
    ("2004 messages.csv", "snap-2004-messages"),
    ("wiki_talk", "wiki_talk"),
    ("a" * 50 + ".txt", "a" * 32),
])
def test_network_from_filename(name: str, network: str) -> None:
    assert network_from_filename(Path(name)) == network
