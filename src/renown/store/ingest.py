"""Ingestion: one input into the store, all or nothing.

Each input (a file, or a folder for folder formats) is ingested inside one
transaction: a crash or error part-way leaves the database exactly as it was.
Rows are checked with the event rules (`renown.events.VALIDATION_RULES`) in
DuckDB, bad ones go to ``quarantine`` with file, record and reason, and rows
already stored (same ``(network, event_id)``) are counted as duplicates and
skipped, so re-ingesting the same or an overlapping input adds nothing twice.
Rows whose actor or subject opted out (`renown.store.optout`) are dropped
before any of that, and only counted: they never reach quarantine either.

A folder of files of a file format (a month of dumps per file) goes through
`ingest_folder`: each file is its own all-or-nothing ingestion.  A compressed
file whose source cannot stream the codec itself is read from a decompressed
copy (`renown.sources.compressed`).
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from renown.events import EVENT_COLUMNS, rejection_reason_sql
from renown.sources import SourceOptions, get_source
from renown.sources.base import BATCH_SCHEMA, Batch, Rejection, SourceError, check_input_path
from renown.sources.compressed import NATIVE, decompressed_copy, needs_copy
from renown.store.database import configured_memory_limit, scalar, utc_now
from renown.store.optout import OptOutFilter

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one ingestion did, for people (the CLI summary) and for scripts."""

    path: str
    format: str
    records: int
    ingested: int
    duplicates: int
    quarantined: int
    seconds: float
    #: True when this exact input (same content hash and format) was ingested before.
    already_ingested: bool = False
    #: Rows dropped because their actor or subject opted out (never stored anywhere).
    opted_out: int = 0
    #: Why nothing of this input was stored (a file of a folder that could not be read).
    error: str | None = None


def content_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files (names and contents, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode())
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


class _Counts:
    __slots__ = ("duplicates", "ingested", "opted_out", "quarantined", "records")

    def __init__(self) -> None:
        self.records = self.ingested = self.duplicates = self.quarantined = self.opted_out = 0


def ingest(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    fmt: str,
    options: SourceOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> IngestReport:
    """Ingest one input atomically; see the module docstring for the guarantees."""
    clock = time.perf_counter()
    path = Path(path)
    source = get_source(fmt)
    options = options or SourceOptions()
    check_input_path(path, expects_folder=source.EXPECTS_FOLDER)
    file_hash = content_hash(path)
    if _already_ingested(con, file_hash, fmt, options):
        return IngestReport(str(path), fmt, 0, 0, 0, 0, time.perf_counter() - clock, True)
    native = getattr(source, "COMPRESSIONS", NATIVE.get(fmt, frozenset()))
    if not needs_copy(path, native):
        return _ingest_batches(con, source.read(path, options), str(path), file_hash, fmt,
                               options, on_progress, clock)
    with decompressed_copy(path) as plain:  # a codec the source cannot stream itself
        try:
            return _ingest_batches(con, source.read(plain, options), str(path), file_hash,
                                   fmt, options, on_progress, clock)
        except SourceError as exc:
            raise SourceError(path, exc.reason, exc.record) from exc


def folder_files(folder: Path) -> list[Path]:
    """The files a folder of file-format inputs holds, in name order, at any depth.

    Hidden files (``.DS_Store``, editors' ``.swp``) are not inputs and are left
    out; anything that could fool a reader (links out, FIFOs) refuses the folder.
    """
    check_input_path(folder, expects_folder=True)
    return sorted(p for p in folder.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _settle(con: duckdb.DuckDBPyConnection) -> None:
    """Between the files of a folder: write the last file's rows into the database file.

    DuckDB otherwise keeps them in its write-ahead log and checkpoints the
    folder's worth at once (at close, or when the log is large), and that
    checkpoint's memory grows with the folder: 1.4 GB for 12 monthly dumps of
    83 MB.  A checkpoint per file keeps it to one file's worth.
    """
    gc.collect()  # a file's rows die in reference cycles the collector frees late
    pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages
    con.execute("CHECKPOINT")
    # The written blocks stay in DuckDB's buffer pool up to its limit (GBs): a
    # folder's worth would stay resident.  Lowering the limit for a moment evicts
    # them (they are on disk now); the next file reads back what it needs.
    con.execute("SET memory_limit = '32MB'")
    con.execute("SET memory_limit = ?", [configured_memory_limit()])


def ingest_folder(
    con: duckdb.DuckDBPyConnection,
    folder: Path | str,
    fmt: str | None,
    options: SourceOptions | None = None,
    on_file: Callable[[Path, str], ProgressCallback | None] | None = None,
) -> list[IngestReport]:
    """Ingest every file of a folder, each all or nothing on its own, for a file format.

    ``fmt`` None: each file's format is detected from its content.  A file that
    cannot be read (or whose format cannot be told) stores nothing and is
    reported with its ``error``; the other files still go in, so one bad month
    of a dump does not cost the other eleven.  ``on_file(path, fmt)`` may return
    a progress callback for that file.
    """
    from renown.sources import detect_format

    folder = Path(folder)
    files = folder_files(folder)
    if not files:
        raise SourceError(folder, "the folder holds no files to ingest")
    reports = []
    for file in files:
        clock = time.perf_counter()
        try:
            file_fmt = fmt or detect_format(file)
            progress = on_file(file, file_fmt) if on_file is not None else None
            reports.append(ingest(con, file, file_fmt, options, progress))
        except SourceError as exc:
            reports.append(IngestReport(str(file), fmt or "?", 0, 0, 0, 0,
                                        time.perf_counter() - clock, error=str(exc)))
        _settle(con)
    return reports


def ingest_table(
    con: duckdb.DuckDBPyConnection, events: pa.Table, label: str = "<python>",
    fmt: str = "table",
) -> IngestReport:
    """Ingest events built in Python (columns of `renown.events.EVENT_SCHEMA`).

    Same rules, deduplication and atomicity as files; ``label`` names the
    input in the ingestion log and in quarantine rows.
    """
    clock = time.perf_counter()
    n = events.num_rows
    if "record" not in events.column_names:
        events = events.append_column("record", pa.array(range(1, n + 1), pa.int64()))
    events = events.select(BATCH_SCHEMA.names).cast(BATCH_SCHEMA)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, events.schema) as writer:
        writer.write_table(events)
    digest = hashlib.sha256(label.encode() + sink.getvalue().to_pybytes()).hexdigest()
    return _ingest_batches(con, iter([Batch(events)]), label, digest, fmt, SourceOptions(),
                           None, clock)


def _ingest_batches(
    con: duckdb.DuckDBPyConnection, batches: Iterator[Batch], label: str, digest: str,
    fmt: str, options: SourceOptions, on_progress: ProgressCallback | None, clock: float,
) -> IngestReport:
    """Store every batch and log the ingestion in one transaction: all or nothing."""
    started = utc_now()
    counts = _Counts()
    con.execute("BEGIN TRANSACTION")
    try:
        ingestion_id = _next_ingestion_id(con)
        opt_outs = OptOutFilter.for_store(con)
        for batch in batches:
            _store_batch(con, batch, ingestion_id, label, counts, opt_outs)
            if on_progress is not None:
                on_progress(counts.records)
        _record_accounts(con, ingestion_id)
        con.execute(
            "INSERT INTO ingestions (ingestion_id, path, file_hash, format, network, kind, "
            "started_at, finished_at, records, ingested, duplicates, quarantined, opted_out) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [ingestion_id, label, digest, fmt, options.network, options.kind, started, utc_now(),
             counts.records, counts.ingested, counts.duplicates, counts.quarantined,
             counts.opted_out],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return IngestReport(label, fmt, counts.records, counts.ingested, counts.duplicates,
                        counts.quarantined, time.perf_counter() - clock,
                        opted_out=counts.opted_out)


def _already_ingested(
    con: duckdb.DuckDBPyConnection, file_hash: str, fmt: str, options: SourceOptions
) -> bool:
    return bool(scalar(
        con,
        "SELECT count(*) FROM ingestions WHERE file_hash = ? AND format = ? "
        "AND network IS NOT DISTINCT FROM ? AND kind IS NOT DISTINCT FROM ?",
        [file_hash, fmt, options.network, options.kind],
    ))


def _next_ingestion_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(scalar(con, "SELECT coalesce(max(ingestion_id), 0) + 1 FROM ingestions"))


def _store_batch(
    con: duckdb.DuckDBPyConnection, batch: Batch, ingestion_id: int, path: str, counts: _Counts,
    opt_outs: OptOutFilter | None,
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
                counts: _Counts) -> None:
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
                     counts: _Counts) -> bool:
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
    con: duckdb.DuckDBPyConnection, ingestion_id: int, path: str, counts: _Counts
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


def _record_accounts(con: duckdb.DuckDBPyConnection, ingestion_id: int) -> None:
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
    counts: _Counts,
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
