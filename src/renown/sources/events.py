"""The generic event format: JSON Lines, CSV or Parquet files of `Event` fields.

This is the format anybody can produce from anything (a script, a spreadsheet,
a warehouse export), so it is forgiving in the shapes it accepts and strict in
what it lets through (docs/formats.md is the user's reference):

- encodings, by extension: ``.jsonl``/``.ndjson``/``.json`` (one object per
  line), ``.csv`` (header row of field names), either optionally ``.gz``, and
  ``.parquet``;
- ``ts``: ISO 8601 (``Z`` or an offset is converted to UTC; no zone means UTC),
  unix epoch seconds (integer or decimal), or a Parquet timestamp/date;
- ``network`` may be left out when ``options.network`` is given (it fills the
  missing values); a missing ``event_id`` is the SHA-1 of the normalised
  record (`renown.sources.event_rows`), so re-ingesting is idempotent;
- fields that are not event fields are ignored (exports carry extra columns);
- a record longer than `renown.sources.event_rows.MAX_RECORD_BYTES` is
  rejected without being held in memory whole.

Speed comes from never touching a row in Python on the happy path: Parquet is
read batch by batch and cast with Arrow kernels; JSON Lines and CSV are cut into
blocks of whole records and parsed by Arrow's C++ readers.  Only a block that
fails to parse is bisected down to a few records, which are then read one by
one, so each bad record is rejected with its exact line number and reason
while its neighbours still take the fast path.  Rules about *valid events*
(known kinds, actor present, no future timestamps...) are the store's, not
checked here.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from renown.events import EVENT_COLUMNS
from renown.sources.base import BATCH_SCHEMA, Batch, Rejection, SourceError, SourceOptions
from renown.sources.event_rows import (
    STRING_FIELDS,
    BadRecordError,
    Normaliser,
    Rows,
    prefetched,
    record_blocks,
    split_tags,
)
from renown.sources.parquet_pieces import grouped_pieces
from renown.sources.parquet_scan import native_scan_sql
from renown.sources.sniffing import sniff_events as sniff  # noqa: F401  (Source.sniff)

DESCRIPTION: Final = (
    "Generic events: JSON Lines (.jsonl, .ndjson, .json) or CSV (.csv), optionally .gz, "
    "or Parquet (.parquet); see docs/formats.md"
)
EXPECTS_FOLDER: Final = False

#: Extension → encoding.  ``.gz`` may follow the text encodings.
ENCODINGS: Final = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet",
}
#: Rows per batch handed to the store: big enough to amortise its per-batch
#: work, small enough that memory stays bounded on any input size.
BATCH_ROWS: Final = 1_000_000
#: Columns a CSV header or Parquet schema must have; without them no row could
#: ever be a valid event, so the file as a whole is refused.
REQUIRED_COLUMNS: Final = ("ts", "actor", "kind")
#: JSON Schema (draft 2020-12) of one record, shipped with the package.
SCHEMA_FILE: Final = Path(__file__).with_name("event.schema.json")
#: Below this many records a block that fails the fast path is read record by record.
_LEAF_ROWS: Final = 32
_SUPPORTED: Final = ".jsonl, .ndjson, .json, .csv (each optionally .gz) or .parquet"


def encoding_of(path: Path) -> tuple[str, bool]:
    """(encoding, gzip-compressed) from the file name, or a SourceError naming what works."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes.pop()
    encoding = ENCODINGS.get(suffixes[-1]) if suffixes else None
    if encoding is None or (compressed and encoding == "parquet"):
        raise SourceError(path, f"unsupported file extension; the events format reads {_SUPPORTED}")
    return encoding, compressed


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    """The file's events in batches of about `BATCH_ROWS` (see the module docstring).

    The file name and kind are checked at once; the next batch is parsed in a
    background thread while the store writes the current one.
    """
    encoding, compressed = encoding_of(path)
    if not path.is_file():
        raise SourceError(path, "not a regular file")
    if path.stat().st_size == 0:
        return iter(())  # an empty export is a valid export of nothing
    return prefetched(_batches(path, encoding, compressed, options))


def _batches(path: Path, encoding: str, compressed: bool, options: SourceOptions,
             ) -> Iterator[Batch]:
    normaliser = Normaliser(path, options)
    try:
        if encoding == "parquet":
            yield from _read_parquet(path, normaliser)
        else:
            yield from _read_text(path, compressed, encoding == "csv", normaliser)
    finally:
        normaliser.close()


# ----------------------------------------------------------------------------- Parquet

def _read_parquet(path: Path, normaliser: Normaliser) -> Iterator[Batch]:
    try:
        parquet = pq.ParquetFile(path, pre_buffer=True)
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(path, f"not a readable Parquet file: {_plain(exc)}") from exc
    names = parquet.schema_arrow.names
    _require_columns(path, names)
    scan = native_scan_sql(path, parquet.schema_arrow, normaliser.network)
    if scan is not None:
        yield Batch(BATCH_SCHEMA.empty_table(), scan=scan)
        return
    tables = grouped_pieces(parquet, [c for c in EVENT_COLUMNS if c in names], BATCH_ROWS)
    first = 1
    try:
        for table in tables:
            raw = table.append_column("record", pa.array(
                np.arange(first, first + table.num_rows, dtype=np.int64)))
            first += table.num_rows
            yield Batch(*normaliser.normalise(raw))
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(path, f"cannot read Parquet data: {_plain(exc)}", first) from exc


# ----------------------------------------------------------------------------- text

class _Parser(Protocol):
    def fast(self, rows: Rows) -> pa.Table: ...
    def slow(self, raw: bytes) -> dict[str, Any] | None: ...


def _read_text(path: Path, compressed: bool, is_csv: bool, normaliser: Normaliser,
               ) -> Iterator[Batch]:
    """Blocks of whole records → parsed tables → batches of about `BATCH_ROWS` events."""
    try:
        stream = pa.input_stream(str(path), compression="gzip" if compressed else None)
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(path, f"cannot open: {_plain(exc)}") from exc
    pending: list[pa.Table] = []
    rejections: list[Rejection] = []
    rows = 0
    with stream:
        blocks = record_blocks(stream, path, quoted=is_csv)
        for tables, rejected in _parsed_blocks(blocks, path, is_csv):
            rejections.extend(rejected)
            for raw in tables:
                events, invalid = normaliser.normalise(raw)
                pending.append(events)
                rejections.extend(invalid)
                rows += events.num_rows
            if rows >= BATCH_ROWS:
                yield Batch(normaliser.concat(pending), _in_order(rejections))
                pending, rejections, rows = [], [], 0
    if pending or rejections:
        yield Batch(normaliser.concat(pending), _in_order(rejections))


def _in_order(rejections: list[Rejection]) -> list[Rejection]:
    return sorted(rejections, key=lambda r: r.record)


def _parsed_blocks(blocks: Iterator[Rows | Rejection], path: Path, is_csv: bool,
                   ) -> Iterator[tuple[list[pa.Table], list[Rejection]]]:
    """Each block parsed (CSV: after taking its header from the first record)."""
    parser: _Parser | None = None if is_csv else _JsonParser()
    first = True
    for block in blocks:
        if isinstance(block, Rejection):
            if parser is None:
                raise SourceError(path, f"CSV header: {block.reason}", block.record)
            yield [], [block]
            continue
        if not len(block):
            continue
        if parser is None:
            parser, block = _CsvParser.from_header(path, block)
        elif first and block.row(0).lstrip().startswith(b"["):
            raise SourceError(path, "this is a JSON array, not JSON Lines: write one JSON "
                              "object per line", int(block.lines[0]))
        first = False
        rejected: list[Rejection] = []
        yield _parse(block, parser, rejected), rejected


def _parse(rows: Rows, parser: _Parser, rejections: list[Rejection]) -> list[pa.Table]:
    """Fast-parse ``rows``; on failure bisect, so only a bad record's neighbours go slow."""
    if not len(rows):
        return []
    if len(rows) > _LEAF_ROWS:
        try:
            return [parser.fast(rows)]
        except (pa.ArrowException, UnicodeDecodeError, _MismatchError):
            mid = len(rows) // 2
            return (_parse(rows.take(0, mid), parser, rejections)
                    + _parse(rows.take(mid, len(rows)), parser, rejections))
    return _parse_each(rows, parser, rejections)


def _parse_each(rows: Rows, parser: _Parser, rejections: list[Rejection]) -> list[pa.Table]:
    """The careful way: record by record, each bad one rejected with its reason."""
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    for i in range(len(rows)):
        raw, line = rows.row(i), int(rows.lines[i])
        try:
            record = parser.slow(raw)
        except BadRecordError as exc:
            rejections.append(Rejection.of(line, str(exc), raw))
            continue
        if record is not None:
            records.append(record)
            lines.append(line)
    if not records:
        return []
    columns: dict[str, pa.Array] = {
        f: pa.array([r.get(f) for r in records], pa.string()) for f in (*STRING_FIELDS, "ts")}
    columns["tags"] = pa.array([r.get("tags") for r in records], pa.list_(pa.string()))
    columns["record"] = pa.array(lines, pa.int64())
    return [pa.table(columns)]


class _MismatchError(Exception):
    """Arrow read a different number of records than the block holds (e.g. a
    whitespace-only line, which Arrow skips): the block goes the careful way."""


def _block_size(rows: Rows) -> int:
    """Arrow's block must hold the longest record; otherwise 1 MiB, for threading."""
    longest = int((rows.ends - rows.starts).max())
    return max(1 << 20, 1 << (2 * longest + 2).bit_length())


class _JsonParser:
    """JSON Lines, read by Arrow with an explicit schema that adapts to the file.

    The schema starts as all strings (``tags`` a list of strings).  When Arrow
    reports that a field is a number, or that ``tags`` is a string, throughout
    a file, the schema follows, so common shapes stay on the fast path.
    """

    _CHANGED = re.compile(r"Column\(/(\w+)\) changed from \w+ to (\w+)")

    def __init__(self) -> None:
        self.types: dict[str, pa.DataType] = dict.fromkeys((*STRING_FIELDS, "ts"), pa.string())
        self.types["tags"] = pa.list_(pa.string())

    def fast(self, rows: Rows) -> pa.Table:
        rows.data.decode("utf-8")  # Arrow does not check UTF-8; this raises on bad bytes
        for _ in range(4):
            try:
                table = pajson.read_json(
                    pa.BufferReader(rows.data),
                    read_options=pajson.ReadOptions(block_size=_block_size(rows)),
                    parse_options=pajson.ParseOptions(explicit_schema=pa.schema(self.types),
                                                      unexpected_field_behavior="ignore"))
                break
            except pa.ArrowInvalid as exc:
                if not self._adapt(str(exc)):
                    raise
        else:
            raise _MismatchError
        if table.num_rows != len(rows):
            raise _MismatchError
        return table.append_column("record", pa.array(rows.lines))

    def _adapt(self, message: str) -> bool:
        match = self._CHANGED.search(message)
        if match is None or match.group(1) not in self.types:
            return False
        name, found = match.groups()
        new = {"number": pa.float64() if name == "ts" else pa.int64(),
               "string": pa.string(), "array": pa.list_(pa.string())}.get(found)
        if new is None or new == self.types[name]:
            return False
        self.types[name] = new
        return True

    def slow(self, raw: bytes) -> dict[str, Any] | None:
        text = _decode(raw)
        if not text.strip():
            return None
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise BadRecordError(f"invalid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise BadRecordError(f"not a JSON object (a JSON {type(value).__name__})")
        return {name: _field(name, value.get(name)) for name in EVENT_COLUMNS}


def _field(name: str, value: object) -> object:
    """One JSON value as the string (or tag list) the normaliser expects."""
    if value is None or isinstance(value, str):
        return split_tags(value) if name == "tags" and isinstance(value, str) else value
    if name == "tags" and isinstance(value, list):
        if all(v is None or (isinstance(v, str | int | float) and not isinstance(v, bool))
               for v in value):
            return [None if v is None else str(v) for v in value]
        raise BadRecordError("field tags must be a list of strings")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise BadRecordError(
        f"field {name} must be a string or a number, not a JSON {type(value).__name__}")


class _CsvParser:
    """CSV with a header row of field names; read by Arrow, rows may span lines."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.known = [c for c in header if c in EVENT_COLUMNS]

    @classmethod
    def from_header(cls, path: Path, rows: Rows) -> tuple[_CsvParser, Rows]:
        """The parser for the header in the first row, and the rows after it."""
        try:
            names = next(csv.reader([_decode(rows.row(0))]))
        except (BadRecordError, csv.Error, StopIteration) as exc:
            raise SourceError(path, f"cannot read the CSV header: {exc}", 1) from exc
        header = [n.strip().lower().removeprefix("\ufeff") for n in names]
        known = [n for n in header if n in EVENT_COLUMNS]
        if len(set(known)) != len(known):
            raise SourceError(path, f"CSV header names a field twice: {names}", 1)
        _require_columns(path, header)
        # Unknown columns get unique names so Arrow can be told to skip them.
        header = [n if n in EVENT_COLUMNS else f"_ignored_{i}" for i, n in enumerate(header)]
        return cls(header), rows.take(1, len(rows))

    def fast(self, rows: Rows) -> pa.Table:
        rows.data.decode("utf-8")
        table = pacsv.read_csv(
            pa.BufferReader(rows.data),
            read_options=pacsv.ReadOptions(column_names=self.header,
                                           block_size=_block_size(rows)),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=self.known, column_types=dict.fromkeys(self.known, pa.string()),
                strings_can_be_null=True, null_values=[""]))
        if table.num_rows != len(rows):
            raise _MismatchError
        return table.append_column("record", pa.array(rows.lines))

    def slow(self, raw: bytes) -> dict[str, Any] | None:
        text = _decode(raw)
        if not text.strip():
            return None
        try:
            parsed = list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise BadRecordError(f"invalid CSV: {exc}") from None
        found = len(parsed[0]) if len(parsed) == 1 else sum(len(p) for p in parsed)
        if len(parsed) != 1 or found != len(self.header):
            raise BadRecordError(
                f"expected {len(self.header)} columns as in the header, found {found}")
        record: dict[str, Any] = {n: v or None for n, v in zip(self.header, parsed[0], strict=True)
                                  if n in EVENT_COLUMNS}
        record["tags"] = split_tags(record.get("tags"))
        return record


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecordError(f"invalid UTF-8 (byte {exc.start} of the record)") from None


def _require_columns(path: Path, names: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise SourceError(path, f"no column named {', '.join(missing)} "
                          f"(found: {', '.join(names) or 'none'}); see docs/formats.md")


def _plain(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
