"""The machinery under the generic event format (`renown.sources.events`).

Three jobs, the first two vectorised so that a row costs no Python on the
happy path:

- `record_blocks` cuts a byte stream (plain or gzip) into blocks of whole
  records, with the 1-based line number each record starts on, without ever
  holding more than a few blocks in memory: a record longer than
  `MAX_RECORD_BYTES` is rejected and skipped, not loaded.
- `Normaliser` turns a parsed table (columns of whatever types the encoding
  gave) into `BATCH_SCHEMA`: strings, UTC timestamps, tag lists, the network
  option, derived event ids.  Timestamps, tags and ids use an in-memory DuckDB
  (its ISO 8601 parser takes offsets; it hashes and splits in C++).
- `prefetched` parses the next batch in a thread while the store writes the
  current one.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from renown.events import EVENT_COLUMNS
from renown.sources.base import (
    BATCH_SCHEMA,
    RAW_EXCERPT_CHARS,
    Batch,
    Rejection,
    SourceError,
    SourceOptions,
)

#: The longest record read (a JSON line or CSV row).  Real events are a few KB
#: at most (text is capped at `renown.events.MAX_TEXT_CHARS`); anything far
#: bigger is broken or hostile, and must not be held in memory whole.
MAX_RECORD_BYTES: Final = 8 * 1024 * 1024
#: How much is read from the file at a time.
READ_BYTES: Final = 16 * 1024 * 1024
STRING_FIELDS: Final = tuple(c for c in EVENT_COLUMNS if c not in ("ts", "tags"))
Int64s = npt.NDArray[np.int64]


class BadRecordError(Exception):
    """One record cannot be parsed; the message is the reason people see."""


@dataclass(frozen=True, slots=True)
class Rows:
    """Whole records: ``data[starts[i]:ends[i]]`` is record i, starting on ``lines[i]``."""

    data: bytes
    starts: Int64s
    ends: Int64s
    lines: Int64s

    def __len__(self) -> int:
        return len(self.starts)

    def row(self, i: int) -> bytes:
        """Record i without its line ending (LF or CRLF)."""
        raw = self.data[int(self.starts[i]):int(self.ends[i])]
        return raw[:-1] if raw.endswith(b"\r") else raw

    def take(self, lo: int, hi: int) -> Rows:
        """Records ``lo..hi-1`` as their own block (the bytes are copied)."""
        if lo >= hi:
            empty = np.zeros(0, np.int64)
            return Rows(b"", empty, empty, empty)
        base, stop = int(self.starts[lo]), int(self.ends[hi - 1]) + 1
        return Rows(self.data[base:stop], self.starts[lo:hi] - base, self.ends[lo:hi] - base,
                    self.lines[lo:hi])


def record_blocks(stream: Any, path: Path, *, quoted: bool) -> Iterator[Rows | Rejection]:
    """Blocks of whole records, and a `Rejection` for each over-long record.

    A record ends at a newline; with ``quoted`` (CSV) only at a newline outside
    double quotes, found by the parity of the quotes before it (``""`` inside
    a quoted field counts twice, so parity still holds).  Blank lines are not
    records.  A last line without a newline still counts.
    """
    tail, line, eof, first = b"", 1, False, True
    while not eof or tail:
        if len(tail) > MAX_RECORD_BYTES:  # an unfinished record already over the limit
            rejection = Rejection.of(line, _TOO_LONG, tail[:RAW_EXCERPT_CHARS])
            line += tail.count(b"\n") + 1
            tail = b""  # let it go before reading on
            yield rejection
            tail, eof = _skip_past_newline(stream, path)
            continue
        chunk = b"" if eof else _read(stream, path)
        if first:
            chunk, first = chunk.removeprefix(b"\xef\xbb\xbf"), False
        eof = eof or not chunk
        data, tail = tail + chunk, b""
        if eof and data and not data.endswith(b"\n"):
            data += b"\n"
        if not data:
            return
        newlines, ends = _record_ends(data, quoted)
        if eof and (not ends.size or ends[-1] != len(data) - 1):
            ends = np.append(ends, np.int64(len(data) - 1))  # an unclosed quote runs to the end
        if not ends.size:
            tail = data
            continue
        cut = int(ends[-1]) + 1
        inside = newlines[newlines < cut]
        yield from _split(data[:cut], inside, ends, line)
        line += len(inside)
        tail = data[cut:]


_TOO_LONG: Final = f"record longer than {MAX_RECORD_BYTES // (1024 * 1024)} MiB"


def _read(stream: Any, path: Path) -> bytes:
    try:
        return bytes(stream.read(READ_BYTES))
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise SourceError(path, f"cannot read (truncated or corrupt file?): {exc}") from exc


def _skip_past_newline(stream: Any, path: Path) -> tuple[bytes, bool]:
    """Discard input up to and including the next newline: (what follows, at end)."""
    while chunk := _read(stream, path):
        at = chunk.find(b"\n")
        if at >= 0:
            return chunk[at + 1:], False
    return b"", True


def _record_ends(data: bytes, quoted: bool) -> tuple[Int64s, Int64s]:
    """(positions of every newline, positions of the newlines that end a record)."""
    array = np.frombuffer(data, np.uint8)
    newlines = np.flatnonzero(array == 10).astype(np.int64)
    if not quoted:
        return newlines, newlines
    quotes = np.flatnonzero(array == 34)
    if not quotes.size:
        return newlines, newlines
    return newlines, newlines[np.searchsorted(quotes, newlines) % 2 == 0]


def _split(data: bytes, newlines: Int64s, ends: Int64s, first_line: int,
           ) -> Iterator[Rows | Rejection]:
    """The records of ``data`` minus blank ones; over-long ones become rejections."""
    starts = np.concatenate((np.zeros(1, np.int64), ends[:-1] + 1))
    lines = first_line + np.searchsorted(newlines, starts).astype(np.int64)
    array = np.frombuffer(data, np.uint8)
    length = ends - starts
    length -= (length > 0) & (array[ends - 1] == 13)  # CRLF
    keep = length > 0
    rows = Rows(data, starts[keep], ends[keep], lines[keep])
    lo = 0
    for i in np.flatnonzero(length[keep] > MAX_RECORD_BYTES).tolist():
        if i > lo:
            yield rows.take(lo, i)
        start = int(rows.starts[i])
        yield Rejection.of(int(rows.lines[i]), _TOO_LONG, data[start:start + RAW_EXCERPT_CHARS])
        lo = i + 1
    yield rows if lo == 0 else rows.take(lo, len(rows))


def prefetched(batches: Iterator[Batch]) -> Iterator[Batch]:
    """``batches``, produced one ahead in a thread.

    Arrow and DuckDB release the GIL, so parsing the next batch overlaps with
    the store writing this one.  One batch waits in the slot at most, so memory
    stays bounded; an error in the thread is raised here, and when the consumer
    stops early (an error in the store) the thread stops and closes the file.
    """
    slot: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: Batch | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                slot.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not offer(batch):
                    return
            offer(None)
        except BaseException as exc:  # handed over, raised in the consumer
            offer(exc)
        finally:
            getattr(batches, "close", lambda: None)()

    thread = threading.Thread(target=produce, name="renown-events-reader", daemon=True)
    thread.start()
    try:
        while (item := slot.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


_BAD_TAGS: Final = "tags look like a JSON array but are not valid JSON"


def split_tags(text: str | None) -> list[str] | None:
    """``a; b`` or ``["a", "b"]`` → ``["a", "b"]`` (the Python twin of `_TAGS_SQL`)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            raise BadRecordError(_BAD_TAGS) from None
        if not isinstance(value, list):
            raise BadRecordError("tags must be a list")
        return [str(v) for v in value if v is not None]
    return [t.strip() for t in text.split(";") if t.strip()]


# Integer or decimal epoch seconds, else anything DuckDB reads as TIMESTAMPTZ
# (ISO 8601 with or without an offset; no offset = UTC as the session is UTC).
_TS_SQL: Final = r"""
SELECT CASE
    WHEN v IS NULL THEN NULL
    WHEN regexp_full_match(v, '[+-]?[0-9]{1,12}') THEN make_timestamp(CAST(v AS BIGINT) * 1000000)
    WHEN regexp_full_match(v, '[+-]?[0-9]{1,12}\.[0-9]*')
        THEN make_timestamp(CAST(round(CAST(v AS DOUBLE) * 1000000) AS BIGINT))
    ELSE CAST(TRY_CAST(v AS TIMESTAMPTZ) AS TIMESTAMP) END AS ts
FROM (SELECT nullif(trim(s), '') AS v FROM _ts)
"""
_TAGS_SQL: Final = """
SELECT CASE
    WHEN v IS NULL THEN NULL
    WHEN starts_with(v, '[') THEN
        CASE WHEN json_valid(v) THEN list_filter(TRY_CAST(CAST(v AS JSON) AS VARCHAR[]),
                                                 lambda x: x IS NOT NULL) END
    ELSE list_filter(list_transform(string_split(v, ';'), lambda x: trim(x)), lambda x: x <> '')
    END AS tags,
    v IS NOT NULL AND starts_with(v, '[') AND tags IS NULL AS bad
FROM (SELECT nullif(trim(s), '') AS v FROM _tags)
"""
#: The derived id: SHA-1 of the normalised record as canonical JSON, so the same
#: event gives the same id in any encoding (ISO or epoch time, tag syntax).
_ID_FIELDS: Final = ", ".join(
    f"{c} := epoch_us(ts)" if c == "ts" else f"{c} := {c}" for c in EVENT_COLUMNS
    if c != "event_id")
#: The derived id of a row of normalised event columns (SQL, also used by `parquet_scan`).
DERIVED_ID_SQL: Final = f"sha1(CAST(to_json(struct_pack({_ID_FIELDS})) AS VARCHAR))"
_ID_SQL: Final = f"SELECT {DERIVED_ID_SQL} AS id FROM _ids"
_MAX_EPOCH_SECONDS: Final = 253_402_300_799  # 9999-12-31T23:59:59Z


class Normaliser:
    """Parsed columns → `BATCH_SCHEMA` rows plus rejections for values that do not parse."""

    def __init__(self, path: Path, options: SourceOptions) -> None:
        self.path = path
        self.network = options.network
        self._duck: duckdb.DuckDBPyConnection | None = None

    def close(self) -> None:
        if self._duck is not None:
            self._duck.close()
            self._duck = None

    def concat(self, tables: list[pa.Table]) -> pa.Table:
        """One batch from many parsed blocks, in one chunk per column: DuckDB scans a
        few big chunks much faster than hundreds of small ones."""
        return pa.concat_tables(tables).combine_chunks() if tables else BATCH_SCHEMA.empty_table()

    def _sql(self, sql: str, name: str, table: pa.Table) -> pa.Table:
        if self._duck is None:
            self._duck = duckdb.connect()
            self._duck.execute("SET TimeZone = 'UTC'")
        self._duck.register(name, table)
        try:
            return self._duck.sql(sql).to_arrow_table()
        finally:
            self._duck.unregister(name)

    def normalise(self, raw: pa.Table) -> tuple[pa.Table, list[Rejection]]:
        """``raw`` has any subset of the event fields, in any Arrow types, plus ``record``."""
        n = raw.num_rows
        columns: dict[str, Any] = {f: self._strings(raw, f, n) for f in STRING_FIELDS}
        if self.network:
            columns["network"] = pc.fill_null(columns["network"], self.network)
        columns["ts"], bad_ts = self._timestamps(raw, n)
        columns["tags"], bad_tags = self._tags(raw, n)
        columns["record"] = raw.column("record")
        table = pa.table(columns).select(BATCH_SCHEMA.names)
        rejections: list[Rejection] = []
        bad = pc.or_(bad_ts, bad_tags)
        if pc.any(bad).as_py():
            for row, ts_bad in zip(raw.filter(bad).to_pylist(), bad_ts.filter(bad).to_pylist(),
                                   strict=True):
                reason = "timestamp is neither ISO 8601 nor unix epoch seconds" if ts_bad \
                    else _BAD_TAGS
                rejections.append(Rejection.of(int(row["record"]), reason,
                                               json.dumps(row, default=str, ensure_ascii=False)))
            table = table.filter(pc.invert(bad))
        return self._with_ids(table).cast(BATCH_SCHEMA), rejections

    def _strings(self, raw: pa.Table, name: str, n: int) -> pa.ChunkedArray:
        """A column as strings, with "" meaning missing (as in CSV)."""
        if name not in raw.column_names:
            return pa.chunked_array([pa.nulls(n, pa.string())])
        column = raw.column(name)
        kind = column.type
        if pa.types.is_dictionary(kind):
            column, kind = column.cast(kind.value_type), kind.value_type
        if not (pa.types.is_string(kind) or pa.types.is_null(kind)):
            if not (pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
                    or pa.types.is_integer(kind) or pa.types.is_floating(kind)
                    or pa.types.is_boolean(kind) or pa.types.is_binary(kind)
                    or pa.types.is_large_binary(kind)):
                raise SourceError(self.path, f"field {name} has type {kind}, expected text")
            try:
                column = column.cast(pa.string())
            except pa.ArrowInvalid as exc:
                raise SourceError(self.path, f"field {name}: not UTF-8 text ({exc})") from exc
        column = column.cast(pa.string())
        empty = pc.equal(column, "")
        if pc.any(empty).as_py():
            column = pc.if_else(empty, pa.scalar(None, pa.string()), column)
        return column

    def _timestamps(self, raw: pa.Table, n: int) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
        """UTC naive timestamps, and which non-missing values did not parse."""
        none = pa.chunked_array([pa.array(np.zeros(n, bool))])
        if "ts" not in raw.column_names:
            return pa.chunked_array([pa.nulls(n, pa.timestamp("us"))]), none
        column = raw.column("ts")
        kind = column.type
        if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
            # Arrow keeps tz-aware timestamps as UTC instants: dropping the zone keeps UTC.
            return column.cast(pa.timestamp(getattr(kind, "unit", "ms"))).cast(
                pa.timestamp("us"), safe=False), none
        if pa.types.is_integer(kind) or pa.types.is_floating(kind):
            seconds = column.cast(pa.float64())
            ok = pc.less_equal(pc.abs(seconds), _MAX_EPOCH_SECONDS)
            micros = pc.round(pc.multiply(pc.if_else(ok, seconds, 0.0), 1e6))
            stamps = pc.if_else(ok, micros.cast(pa.int64()).cast(pa.timestamp("us")), None)
            return stamps, pc.fill_null(pc.invert(ok), False)
        if pa.types.is_null(kind):
            return column.cast(pa.timestamp("us")), none
        text = self._strings(raw, "ts", n)
        for zoned in (pa.timestamp("us", "UTC"), pa.timestamp("us")):
            try:  # Arrow's ISO 8601 cast is far faster, when every value fits one shape
                return text.cast(zoned).cast(pa.timestamp("us")), none
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                pass
        stamps = self._sql(_TS_SQL, "_ts", pa.table({"s": text})).column("ts")
        return stamps, pc.and_(pc.is_valid(text), pc.is_null(stamps))

    def _tags(self, raw: pa.Table, n: int) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
        none = pa.chunked_array([pa.array(np.zeros(n, bool))])
        if "tags" not in raw.column_names or pa.types.is_null(raw.column("tags").type):
            return pa.chunked_array([pa.nulls(n, pa.list_(pa.string()))]), none
        column = raw.column("tags")
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            try:
                return column.cast(pa.list_(pa.string())), none
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise SourceError(self.path, f"tags: cannot read as a list of text ({exc})") \
                    from exc
        result = self._sql(_TAGS_SQL, "_tags", pa.table({"s": self._strings(raw, "tags", n)}))
        return result.column("tags").cast(pa.list_(pa.string())), result.column("bad")

    def _with_ids(self, table: pa.Table) -> pa.Table:
        """Fill missing event ids with the content hash (see `_ID_SQL`)."""
        missing = pc.is_null(table.column("event_id"))
        if not pc.any(missing).as_py():
            return table
        derived = self._sql(_ID_SQL, "_ids", table.filter(missing)).column("id")
        ids = pc.replace_with_mask(table.column("event_id").combine_chunks(),
                                   missing.combine_chunks(), derived.combine_chunks())
        return table.set_column(table.schema.get_field_index("event_id"), "event_id", ids)
