"""Staging one batch of events into the store, inside the caller's transaction.

`renown.store.ingest` owns the transaction and the ingestion log; this module
owns what happens to one batch within it: opt-out filtering, validation with
the event rules in DuckDB, quarantine of bad rows with file, record and reason,
dedupe on ``(network, event_id)``, and the merge of account facts.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from renown.events import EVENT_COLUMNS, rejection_reason_sql
from renown.sources.base import BATCH_SCHEMA, Batch, Rejection, SourceError
from renown.store.database import scalar, utc_now
from renown.store.optout import OptOutFilter


class StagingCounts:
    """Running totals of one ingestion, shared by all of its batches."""


    __slots__ = ("duplicates", "ingested", "opted_out", "quarantined", "records")

    def __init__(self) -> None:
        self.records = self.ingested = self.duplicates = self.quarantined = self.opted_out = 0


def store_batch(
    con: duckdb.DuckDBPyConnection, batch: Batch, ingestion_id: int, path: str,
    counts: StagingCounts, opt_outs: OptOutFilter | None,
) -> None:
    if batch.scan is not None and opt_outs is None:
        _store_scan(con, batch.scan, ingestion_id, batch.file or path, counts)
        return
    staged, accounts = batch.events, batch.accounts
    if batch.scan is not None:  # the opt-out filter works on Arrow rows
        staged = _scanned_rows(batch, batch.file or path)
    if staged.schema != BATCH_SCHEMA:
        raise SourceError(path, f"source produced columns {staged.schema.names}, "
                          f"expected {BATCH_SCHEMA.names}")
    counts.records += staged.num_rows + len(batch.rejections)
    if opt_outs is not None:
        staged, accounts, dropped = opt_outs.apply(con, staged, accounts)
        counts.opted_out += dropped
    _quarantine_rejections(con, batch.rejections, ingestion_id, path, counts)
    con.register("_batch", staged)
    try:
        _stage_and_insert(con, ingestion_id, batch.file or path, counts)
    finally:
        con.unregister("_batch")
    if accounts is not None and accounts.num_rows:
        _merge_account_facts(con, accounts)


#: What DuckDB raises for a file its reader cannot read (bad bytes, bad UTF-8, I/O).
_UNREADABLE = (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException)


def _store_scan(con: duckdb.DuckDBPyConnection, scan: str, ingestion_id: int, path: str,
                counts: StagingCounts) -> None:
    """A batch the source handed over as a DuckDB scan of the file itself.

    On any error the ingestion's rollback removes the view with everything else.
    """
    con.execute(f"CREATE OR REPLACE TEMP VIEW _batch AS {scan}")
    try:
        if not (counts.records == 0 and _insert_if_clean(con, ingestion_id, counts)):
            before = counts.ingested + counts.duplicates + counts.quarantined
            _stage_and_insert(con, ingestion_id, path, counts)
            counts.records += counts.ingested + counts.duplicates + counts.quarantined - before
    except _UNREADABLE as exc:
        raise _unreadable(path, exc) from exc
    con.execute("DROP VIEW _batch")


def _insert_if_clean(con: duckdb.DuckDBPyConnection, ingestion_id: int,
                     counts: StagingCounts) -> bool:
    """Insert a whole scanned file in one pass if every row is valid, new and unique.

    The usual file is, and reading it once instead of twice is most of the
    speed of ingesting Parquet.  Otherwise the rows just inserted are taken out
    again (inside the ingestion's transaction: nothing else saw them) and the
    careful path decides row by row.  Only for an ingestion's first batch, so
    every row with this ingestion id is this batch's.
    """
    total = int(scalar(con, "SELECT count(*) FROM _batch"))
    new_only = "" if not scalar(con, "SELECT count(*) FROM events") else (
        "AND NOT EXISTS (SELECT 1 FROM events e WHERE e.network = s.network "
        "AND e.event_id = s.event_id)")
    inserted = int(scalar(
        con,
        f"INSERT INTO events SELECT {', '.join(EVENT_COLUMNS)}, $id FROM _batch s "
        f"WHERE ({rejection_reason_sql()}) IS NULL {new_only}",
        {"id": ingestion_id, "now": utc_now()}))
    # By 64-bit hash: a collision only sends the file down the careful path.
    repeated = inserted == total and int(scalar(
        con, "SELECT count(*) - count(DISTINCT hash(network, event_id)) FROM events "
             "WHERE ingestion_id = $id", {"id": ingestion_id}))
    if inserted == total and not repeated:
        counts.records += total
        counts.ingested += inserted
        return True
    con.execute("DELETE FROM events WHERE ingestion_id = $id", {"id": ingestion_id})
    return False


def _scanned_rows(batch: Batch, path: str) -> pa.Table:
    try:
        return batch.table()
    except _UNREADABLE as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: str, exc: duckdb.Error) -> SourceError:
    return SourceError(path, f"cannot read: {str(exc).splitlines()[0]}")


def _stage_and_insert(
    con: duckdb.DuckDBPyConnection, ingestion_id: int, path: str, counts: StagingCounts
) -> None:
    """Validate, quarantine, dedupe and insert one batch, reading it as few times as possible.

    The usual batch is all valid with no id twice: one scan finds that out
    (duplicates by a 64-bit hash of the key: a collision only costs the slower
    exact path), and one INSERT with an anti-join writes it.  Only batches
    with invalid rows are copied, and only batches with a repeated key pay
    for the exact dedupe (first occurrence in record order wins).
    """
    columns = ", ".join(EVENT_COLUMNS)
    reason = rejection_reason_sql()
    now = utc_now()  # one instant for the whole batch, so the counts agree
    invalid, total, keys = con.execute(
        f"SELECT count(*) FILTER (WHERE ({reason}) IS NOT NULL), count(*), "
        "count(DISTINCT hash(network, event_id)) FROM _batch", {"now": now},
    ).fetchall()[0]
    rows = "_batch"
    if invalid:
        counts.quarantined += int(scalar(
            con,
            "INSERT INTO quarantine SELECT $id, $path, record, _reason, "
            f"left(CAST(to_json(struct_pack({columns})) AS VARCHAR), 2000) "
            f"FROM (SELECT *, {reason} AS _reason FROM _batch) WHERE _reason IS NOT NULL",
            {"id": ingestion_id, "path": path, "now": now},
        ))
        con.execute(f"CREATE OR REPLACE TEMP TABLE _valid AS SELECT * FROM _batch "
                    f"WHERE ({reason}) IS NULL", {"now": now})
        rows = "_valid"
    dedupe = ("QUALIFY row_number() OVER (PARTITION BY network, event_id ORDER BY record) = 1"
              if keys < total else "")
    inserted = int(scalar(
        con,
        f"INSERT INTO events SELECT {columns}, $id FROM {rows} s WHERE NOT EXISTS "
        "(SELECT 1 FROM events e WHERE e.network = s.network AND e.event_id = s.event_id) "
        f"{dedupe}",
        {"id": ingestion_id},
    ))
    if invalid:
        con.execute("DROP TABLE _valid")
    counts.ingested += inserted
    counts.duplicates += total - invalid - inserted


def record_accounts(con: duckdb.DuckDBPyConnection, ingestion_id: int) -> None:
    """First and last seen of every account in this ingestion's new events.

    Once per input rather than per batch: an account active across batches
    is upserted once, and the events of one ingestion sit together on disk.
    """
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _seen AS
        SELECT network, account, min(ts) AS first_seen, max(ts) AS last_seen FROM (
            SELECT network, actor AS account, ts FROM events WHERE ingestion_id = $id
            UNION ALL
            SELECT network, subject, ts FROM events
            WHERE ingestion_id = $id AND subject IS NOT NULL
        ) GROUP BY network, account
    """, {"id": ingestion_id})
    _upsert_accounts(con, "_seen", "first_seen = least(a.first_seen, s.first_seen), "
                                   "last_seen = greatest(a.last_seen, s.last_seen)")


def _upsert_accounts(con: duckdb.DuckDBPyConnection, staged: str, updates: str) -> None:
    """Update the accounts ``staged`` (a temp table, dropped after) already has; add the rest.

    Not ``INSERT … ON CONFLICT DO UPDATE``: onto rows inserted earlier in the
    same transaction, DuckDB 2.0.1 sometimes fails that with "Corrupted
    fixed-size segment" (5 of 962 ingestions on a loaded 2-core machine; this
    form, 0 of 1,669).  The ingestion rolled back, so nothing stored was
    harmed, but it failed for no fault of its input.  (On an error the
    ingestion's rollback takes ``staged`` away with everything else.)
    """
    con.execute(f"UPDATE accounts a SET {updates} FROM {staged} s "
                "WHERE a.network = s.network AND a.account = s.account")
    con.execute(f"INSERT INTO accounts BY NAME SELECT * FROM {staged} s WHERE NOT EXISTS "
                "(SELECT 1 FROM accounts a WHERE a.network = s.network AND a.account = s.account)")
    con.execute(f"DROP TABLE {staged}")


def _quarantine_rejections(
    con: duckdb.DuckDBPyConnection,
    rejections: list[Rejection],
    ingestion_id: int,
    path: str,
    counts: StagingCounts,
) -> None:
    if not rejections:
        return
    table = pa.table({
        "ingestion_id": pa.array([ingestion_id] * len(rejections), pa.int64()),
        "file": pa.array([r.file or path for r in rejections], pa.string()),
        "record": pa.array([r.record for r in rejections], pa.int64()),
        "reason": pa.array([r.reason for r in rejections], pa.string()),
        "raw": pa.array([r.raw for r in rejections], pa.string()),
    })
    con.register("_rejections", table)
    try:
        con.execute("INSERT INTO quarantine SELECT * FROM _rejections")
    finally:
        con.unregister("_rejections")
    counts.quarantined += len(rejections)


def _merge_account_facts(con: duckdb.DuckDBPyConnection, accounts: pa.Table) -> None:
    """Display names and follower counts a source knows; the latest wins."""
    con.register("_account_facts", accounts)
    try:
        con.execute("""
            CREATE OR REPLACE TEMP TABLE _facts AS
            SELECT network, account, any_value(display_name) AS display_name,
                   max(followers) AS followers
            FROM _account_facts GROUP BY network, account
        """)
    finally:
        con.unregister("_account_facts")
    _upsert_accounts(con, "_facts", "display_name = coalesce(s.display_name, a.display_name), "
                                    "followers = coalesce(s.followers, a.followers)")
