"""Stream cursors move with their micro-batch, in one transaction, or not at all."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
import pytest

from renown.sources.base import BATCH_SCHEMA, Batch, SourceError
from renown.store.cursors import commit_batch, load_cursor
from renown.store.erasure_rules import unclassified

STREAM = "bluesky-jetstream ws://127.0.0.1/subscribe"


def _batch(*ids: str) -> Batch:
    rows = [{"network": "bluesky", "event_id": i, "ts": datetime(2026, 7, 4, 14, 38),
             "actor": "did:plc:aaaa", "kind": "post", "subject": None, "post_id": i,
             "parent_id": None, "text": "hi", "tags": None, "lang": "en", "topic": None,
             "url": None, "record": n} for n, i in enumerate(ids, 1)]
    return Batch(pa.Table.from_pylist(rows, schema=BATCH_SCHEMA))


def _commit(con: duckdb.DuckDBPyConnection, batch: Batch, position: str, messages: int) -> int:
    report = commit_batch(con, STREAM, batch, position, messages, label=STREAM,
                          fmt="bluesky-jetstream", digest_of=position.encode())
    return report.ingested


def _events(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM events").fetchall()[0][0])


def test_cursor_and_events_commit_together_and_accumulate(
        con: duckdb.DuckDBPyConnection) -> None:
    assert load_cursor(con, STREAM) is None
    assert _commit(con, _batch("at://a/1", "at://a/2"), "100", 3) == 2
    assert _commit(con, _batch("at://a/2", "at://a/3"), "200", 2) == 1  # a/2 again: deduped
    cursor = load_cursor(con, STREAM)
    assert cursor is not None and (cursor.position, cursor.messages) == ("200", 5)
    assert _events(con) == 3
    ingestion = con.execute("SELECT max(ingestion_id) FROM ingestions").fetchall()[0][0]
    assert con.execute("SELECT ingestion_id FROM stream_cursors").fetchall()[0][0] == ingestion


def test_a_batch_the_store_refuses_leaves_the_cursor_where_it_was(
        con: duckdb.DuckDBPyConnection) -> None:
    _commit(con, _batch("at://a/1"), "100", 1)
    broken = Batch(pa.table({"event_id": ["at://a/9"]}))
    with pytest.raises(SourceError):
        _commit(con, broken, "900", 1)
    cursor = load_cursor(con, STREAM)
    assert cursor is not None and cursor.position == "100" and _events(con) == 1


def test_a_cursor_that_cannot_be_written_takes_its_events_back(
        con: duckdb.DuckDBPyConnection) -> None:
    """The events are inserted first; a failure writing the cursor rolls them back."""
    con.execute("ALTER TABLE stream_cursors RENAME TO stream_cursors_gone")
    with pytest.raises(duckdb.CatalogException):
        _commit(con, _batch("at://a/1", "at://a/2"), "100", 2)
    assert _events(con) == 0
    assert con.execute("SELECT count(*) FROM ingestions").fetchall()[0][0] == 0


def test_every_cursor_column_has_an_erasure_rule(con: duckdb.DuckDBPyConnection) -> None:
    assert unclassified(con) == []
