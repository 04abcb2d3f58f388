"""Reading whitespace-delimited edge lists fast, keeping true line numbers.

SNAP's formats (Higgs activity, temporal edge lists) are plain ``a b ts [x]``
lines, often gzipped.  Arrow's CSV reader parses them at C speed; this module
adds what ingestion needs on top: the original line number of every row,
bad lines turned into `Rejection`\\ s instead of errors (lines that are not UTF-8
or absurdly long never reach Arrow: `renown.sources.line_guard`), and blank
lines skipped.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from renown.sources.base import Rejection, SourceError
from renown.sources.line_guard import CHUNK, GuardedLines

#: No edge-list line (``a b ts [x]``) comes near this; a longer one is rejected unread.
MAX_LINE_BYTES: Final = 1 << 16


@dataclass(slots=True)
class DelimitedRows:
    """String columns of the well-formed lines, with their 1-based line numbers."""

    table: pa.Table
    lines: pa.Array
    rejections: list[Rejection]


def read_delimited(path: Path, columns: list[str], min_columns: int | None = None) -> DelimitedRows:
    """Read a space- or tab-delimited file (plain or .gz) as strings.

    Lines with another number of fields become rejections, except that with
    ``min_columns`` a line may omit trailing columns (they come out null).
    """
    rejections: list[Rejection] = []
    wanted = len(columns)
    allowed = range(min_columns or wanted, wanted + 1)
    short_rows: list[tuple[int, list[str]]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        number = int(row.number) if row.number is not None else -1
        fields = row.text.split()
        if row.actual_columns in allowed and len(fields) == row.actual_columns:
            short_rows.append((number, fields))
        else:
            rejections.append(Rejection.of(
                number, f"expected {wanted} fields, found {row.actual_columns}",
                row.text))
        return "skip"

    guarded: list[Rejection] = []  # lines blanked before Arrow: they stay as blank rows
    try:
        delimiter = sniff_delimiter(path)
        with pa.input_stream(str(path), compression="detect") as stream:
            table = pacsv.read_csv(
                io.BufferedReader(GuardedLines(stream, MAX_LINE_BYTES, guarded.append), CHUNK),
                read_options=pacsv.ReadOptions(column_names=columns, use_threads=False,
                                               block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=delimiter,
                                                 invalid_row_handler=on_invalid,
                                                 ignore_empty_lines=False, quote_char=False),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(columns, pa.string()),
                    strings_can_be_null=True, null_values=[""]),
            )
    except pa.ArrowInvalid as exc:
        if not str(exc).startswith("Empty CSV file"):
            raise SourceError(path, f"cannot read: {_plain(exc)}") from exc
        # Nothing at all (or only lines the guard took out): a valid file of nothing.
        table = pa.table({c: pa.array([], pa.string()) for c in columns})
    except (OSError, EOFError) as exc:
        raise SourceError(path, f"cannot read: {_plain(exc)}") from exc
    rows = _with_line_numbers(table, rejections, short_rows, columns)
    rows.rejections = sorted(rows.rejections + guarded, key=lambda r: r.record)
    return rows


def _with_line_numbers(
    table: pa.Table, rejections: list[Rejection], short_rows: list[tuple[int, list[str]]],
    columns: list[str],
) -> DelimitedRows:
    skipped = np.sort(np.array([r.record for r in rejections] + [n for n, _ in short_rows],
                               dtype=np.int64))
    # The rows Arrow kept are exactly the lines it did not skip, in order.
    total = table.num_rows + len(skipped)
    lines = np.setdiff1d(np.arange(1, total + 1, dtype=np.int64), skipped, assume_unique=True)
    if short_rows:
        extra = pa.table({c: pa.array([f[i] if i < len(f) else None for _, f in short_rows],
                                      pa.string()) for i, c in enumerate(columns)})
        table = pa.concat_tables([table, extra])
        lines = np.concatenate([lines, np.array([n for n, _ in short_rows], np.int64)])
    # A blank line comes out as a row of nulls; any other row is data (or a
    # rejection), never silently dropped.
    blank = pc.is_null(table.column(columns[0]))
    for column in columns[1:]:
        blank = pc.and_(blank, pc.is_null(table.column(column)))
    keep = pc.invert(pc.fill_null(blank, True))
    return DelimitedRows(table.filter(keep), pa.array(lines).filter(keep), rejections)


def sniff_delimiter(path: Path, sample_bytes: int = 1 << 16) -> str:
    """Tab if the first data line has one (many SNAP files), else a space."""
    with pa.input_stream(str(path), compression="detect") as stream:
        sample = stream.read(sample_bytes)
    for line in sample.split(b"\n"):
        if line.strip() and not line.startswith(b"#"):
            return "\t" if b"\t" in line else " "
    return " "


def _plain(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def unix_seconds_to_timestamp(values: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse decimal epoch seconds; returns (timestamps, mask of unparseable)."""
    text = pc.utf8_trim_whitespace(values)
    ok = pc.fill_null(pc.match_substring_regex(text, r"^-?[0-9]{1,12}$"), False)
    seconds = pc.cast(pc.if_else(ok, text, "0"), pa.int64())
    stamps = pc.cast(pc.multiply(seconds, 1_000_000), pa.timestamp("us"))
    return stamps, pc.invert(ok)
