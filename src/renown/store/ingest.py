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
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb
import pyarrow as pa

from renown.sources import SourceOptions, get_source
from renown.sources.base import BATCH_SCHEMA, Batch, Rejection, SourceError, check_input_path
from renown.sources.compressed import NATIVE, decompressed_copy, needs_copy
from renown.store.database import configured_memory_limit, scalar, utc_now
from renown.store.optout import OptOutFilter
from renown.store.staging import StagingCounts, record_accounts, store_batch

ProgressCallback = Callable[[int], None]

#: DuckDB's memory limit while a folder is ingested (`folder_memory_limit`): a
#: folder of 12 monthly Reddit dumps (1 GB of NDJSON) then peaks under 500 MB.
FOLDER_MEMORY_LIMIT: Final = "256MB"


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
    con.execute("SET memory_limit = ?", [folder_memory_limit()])


def folder_memory_limit() -> str:
    """DuckDB's limit while a folder goes in: ``RENOWN_MEMORY_LIMIT`` when set, else
    `FOLDER_MEMORY_LIMIT`.

    Each file's rows are flushed to the database file as they arrive and
    checkpointed after it (`_settle`), so a folder needs only a file's working
    set; the store's usual limit (GBs, for scoring) would let the buffer pool
    grow with the folder instead.
    """
    return os.environ.get("RENOWN_MEMORY_LIMIT") or FOLDER_MEMORY_LIMIT


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
    folder = Path(folder)
    files = folder_files(folder)
    if not files:
        raise SourceError(folder, "the folder holds no files to ingest")
    reports = []
    con.execute("SET memory_limit = ?", [folder_memory_limit()])
    try:
        for file in files:
            reports.append(_ingest_one_of_folder(con, file, fmt, options, on_file))
            _settle(con)
    finally:
        con.execute("SET memory_limit = ?", [configured_memory_limit()])
    return reports


def _ingest_one_of_folder(
    con: duckdb.DuckDBPyConnection, file: Path, fmt: str | None, options: SourceOptions | None,
    on_file: Callable[[Path, str], ProgressCallback | None] | None,
) -> IngestReport:
    """One file of a folder; a file that cannot be read becomes a report with its error."""
    from renown.sources import detect_format

    clock = time.perf_counter()
    try:
        file_fmt = fmt or detect_format(file)
        progress = on_file(file, file_fmt) if on_file is not None else None
        return ingest(con, file, file_fmt, options, progress)
    except SourceError as exc:
        return IngestReport(str(file), fmt or "?", 0, 0, 0, 0, time.perf_counter() - clock,
                            error=str(exc))


def ingest_table(
    con: duckdb.DuckDBPyConnection, events: pa.Table, label: str = "<python>",
    fmt: str = "table", *, rejections: list[Rejection] | None = None,
    also: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> IngestReport:
    """Ingest events built in Python (columns of `renown.events.EVENT_SCHEMA`).

    Same rules, deduplication and atomicity as files; ``label`` names the
    input in the ingestion log and in quarantine rows.  ``rejections`` are
    records the caller refused (quarantined with the rest); ``also(con,
    ingestion_id)`` writes the caller's own rows about the new events inside
    the same transaction, so both are stored or neither is.
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
    batch = Batch(events, list(rejections or ()))
    return _ingest_batches(con, iter([batch]), label, digest, fmt, SourceOptions(), None, clock,
                           also)


def _ingest_batches(
    con: duckdb.DuckDBPyConnection, batches: Iterator[Batch], label: str, digest: str,
    fmt: str, options: SourceOptions, on_progress: ProgressCallback | None, clock: float,
    also: Callable[[duckdb.DuckDBPyConnection, int], None] | None = None,
) -> IngestReport:
    """Store every batch and log the ingestion in one transaction: all or nothing."""
    started = utc_now()
    counts = StagingCounts()
    con.execute("BEGIN TRANSACTION")
    try:
        ingestion_id = _next_ingestion_id(con)
        opt_outs = OptOutFilter.for_store(con)
        for batch in batches:
            store_batch(con, batch, ingestion_id, label, counts, opt_outs)
            if on_progress is not None:
                on_progress(counts.records)
        if also is not None:
            also(con, ingestion_id)
        record_accounts(con, ingestion_id)
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
