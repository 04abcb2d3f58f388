"""Live-stream cursors, committed in the same transaction as the events they cover.

A stream (`renown.streaming`) hands the store micro-batches of messages.  Each
goes through the ordinary ingestion path (`renown.store.ingest`: validation,
quarantine, opt-outs, dedupe on ``(network, event_id)``, one ingestion-log
row), and the stream's position after the batch is written to
``stream_cursors`` **inside that same transaction**.  So after any stop — a
clean one, an error, ``kill -9``, a power cut — the stored cursor says exactly
which messages are in the store: the batch and its cursor are both there or
neither is.  A restart resumes from the cursor; what the server sends again
around it is deduplicated by the store.  Nothing lost, nothing doubled.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

from renown.sources.base import Batch, SourceOptions
from renown.store.database import scalar, utc_now
from renown.store.ingest import IngestReport, _ingest_batches


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a stream stands in the store."""

    stream: str
    position: str
    #: Messages committed under this stream, all runs together.
    messages: int


def load_cursor(con: duckdb.DuckDBPyConnection, stream: str) -> Cursor | None:
    """The stream's committed cursor, or None for a stream never committed."""
    rows = con.execute("SELECT position, messages FROM stream_cursors WHERE stream = ?",
                       [stream]).fetchall()
    return Cursor(stream, str(rows[0][0]), int(rows[0][1])) if rows else None


def commit_batch(con: duckdb.DuckDBPyConnection, stream: str, batch: Batch, position: str,
                 messages: int, *, label: str, fmt: str, digest_of: bytes) -> IngestReport:
    """Store one micro-batch and move the stream's cursor to ``position``, atomically.

    ``messages`` is how many stream messages the batch covers (some give no
    event: deletes, identity changes), added to the cursor's count;
    ``digest_of`` is what the ingestion log's content hash is taken of.  The
    cursor is written by the batch iterator after its last batch, which
    `renown.store.ingest` consumes inside its transaction: a failure there
    rolls the events back with it.
    """

    def batches() -> Iterator[Batch]:
        yield batch
        _save(con, stream, position, messages)

    digest = hashlib.sha256(digest_of).hexdigest()
    return _ingest_batches(con, batches(), label, digest, fmt, SourceOptions(), None,
                           time.perf_counter())


def _save(con: duckdb.DuckDBPyConnection, stream: str, position: str, messages: int) -> None:
    """Upsert as UPDATE + INSERT: DuckDB 2.0.1's ON CONFLICT DO UPDATE can fail onto rows
    of the same transaction (see `renown.store.staging._upsert_accounts`)."""
    ingestion_id = int(scalar(con, "SELECT max(ingestion_id) FROM ingestions") or 0) + 1
    params = {"stream": stream, "position": position, "messages": messages,
              "id": ingestion_id, "now": utc_now()}
    con.execute("UPDATE stream_cursors SET position = $position, messages = messages + "
                "$messages, ingestion_id = $id, updated_at = $now WHERE stream = $stream",
                params)
    con.execute("INSERT INTO stream_cursors SELECT $stream, $position, $messages, $id, $now "
                "WHERE NOT EXISTS (SELECT 1 FROM stream_cursors WHERE stream = $stream)",
                params)
