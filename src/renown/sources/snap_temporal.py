"""SNAP temporal edge lists: ``src dst unix_ts`` per line, plain or .gz.

SNAP publishes many networks this way (CollegeMsg, email-Eu-core-temporal,
sx-stackoverflow, wiki-talk-temporal...).  The lines say who interacted with
whom and when, but not how, so the kind comes from the user: ``options.kind``
must be a reaction kind other than ``endorse`` (for CollegeMsg's private
messages, ``mention``: a message is addressed to a person, not a response to
a post).

- The network defaults to the file's name, lower-cased and made a valid
  network name (``CollegeMsg.txt`` → ``collegemsg``).
- Lines starting with ``#`` are comments (SNAP puts a header there).  A fourth
  column (a weight or label in some SNAP files) is tolerated and ignored; the
  first data line decides whether the file has one.
- SNAP gives no event ids, so each is ``src-dst-ts``; a line that repeats an
  earlier line's ``src dst ts`` in the same file gets ``-2``, ``-3``...  Such
  repeats are separate interactions in the same second (CollegeMsg has 37 of
  them, 36 distinct lines: real messages, not copies), and numbering them by
  occurrence keeps every one while re-ingesting the file still adds nothing.
- A line with src == dst (a note to oneself) is no reaction to anybody: it is
  kept, as the same kind with no subject, so it is output and never an outcome
  (as the Higgs source does).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from renown.events import REACTION_KINDS
from renown.sources.base import BATCH_SCHEMA, Batch, Rejection, SourceError, SourceOptions
from renown.sources.delimited import MAX_LINE_BYTES, read_delimited, unix_seconds_to_timestamp
from renown.sources.line_guard import bounded_lines
from renown.sources.sniffing import sniff_snap_temporal as sniff  # noqa: F401  (Source.sniff)

DESCRIPTION: Final = ("SNAP temporal edge list (src dst unix_ts [x]), plain or .gz; "
                      "needs --kind, network defaults to the file name")
EXPECTS_FOLDER: Final = False

#: Kinds an edge can stand for: the reactions that need nothing but two accounts.
EDGE_KINDS: Final = REACTION_KINDS - {"endorse"}
_COMMENT: Final = "#"
_NETWORK_MAX: Final = 32
#: How many lines to look through for the first data line before giving up.
_SNIFF_LINES: Final = 10_000


def read(path: Path, options: SourceOptions) -> Iterator[Batch]:
    """One batch for the whole file: repeat numbering needs every line at once."""
    kind = _kind(path, options)
    network = options.network or network_from_filename(path)
    columns = ["src", "dst", "ts", "extra"] if _has_fourth_column(path) else ["src", "dst", "ts"]
    rows = read_delimited(path, columns, min_columns=3)
    rejections = [r for r in rows.rejections if not r.raw.lstrip().startswith(_COMMENT)]
    comment = pc.fill_null(pc.starts_with(rows.table.column("src"), _COMMENT), False)
    table, lines = rows.table.filter(pc.invert(comment)), rows.lines.filter(pc.invert(comment))

    stamps, bad_ts = unix_seconds_to_timestamp(table.column("ts"))
    missing = pc.or_(pc.is_null(table.column("dst")), pc.is_null(table.column("ts")))
    bad = pc.or_(pc.fill_null(missing, True), bad_ts)
    for i in pc.indices_nonzero(bad).to_pylist():
        raw = " ".join(str(table.column(c)[i].as_py() or "") for c in columns).strip()
        reason = ("empty field (fields are separated by a single space)" if missing[i].as_py()
                  else "timestamp is not whole unix seconds")
        rejections.append(Rejection.of(int(lines[i].as_py()), reason, raw))
    good = pc.invert(bad)
    table, stamps, lines = table.filter(good), stamps.filter(good), lines.filter(good)
    yield Batch(_events(table, stamps, lines, network, kind), rejections)


def _kind(path: Path, options: SourceOptions) -> str:
    """The kind every line stands for; the file cannot say, so the user must.

    ``endorse`` is left out: it needs a topic, which an edge list never has, so
    every line would only end up in quarantine.
    """
    valid = ", ".join(sorted(EDGE_KINDS))
    if not options.kind:
        raise SourceError(path, "snap-temporal needs the interaction kind the edges stand "
                          f"for (--kind / options.kind), one of: {valid}")
    if options.kind not in EDGE_KINDS:
        raise SourceError(path, f"kind {options.kind!r} is not a reaction kind; "
                          f"snap-temporal edges must be one of: {valid}")
    return options.kind


def network_from_filename(path: Path) -> str:
    """A valid network name from a file name: ``sx-StackOverflow.txt.gz`` → ``sx-stackoverflow``.

    Lower-cased, other characters become ``-``, it starts with a letter
    (``snap-`` is put in front otherwise) and fits the 32-character limit.
    """
    stem = path.name.lower().removesuffix(".gz")
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    name = re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_")
    if not re.match(r"[a-z]", name):
        name = f"snap-{name}".rstrip("-")
    return name[:_NETWORK_MAX].rstrip("-_")


def _has_fourth_column(path: Path) -> bool:
    """Whether the first data line has four fields (comment lines skipped).

    Knowing the width up front lets the common three-column file be parsed
    entirely in Arrow, instead of every line taking the short-row path.
    """
    try:
        with _open(path) as handle:  # bounded: the first line may be a gzip bomb
            for count, (_, line) in enumerate(bounded_lines(handle, MAX_LINE_BYTES)):
                text = line.decode("utf-8", "replace").strip()
                if text and not text.startswith(_COMMENT):
                    return len(text.split(" ")) == 4
                if count >= _SNIFF_LINES:
                    break
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(path, f"cannot read: {exc}") from exc
    return False


def _open(path: Path) -> io.BufferedIOBase:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _events(table: pa.Table, stamps: pa.Array, lines: pa.Array, network: str,
            kind: str) -> pa.Table:
    """Event rows, with ids made unique by counting repeats of the same line."""
    src, dst, ts = (pc.utf8_trim_whitespace(table.column(c)) for c in ("src", "dst", "ts"))
    key = pc.binary_join_element_wise(src, dst, ts, "-")
    occurrence = _occurrence(key)
    suffix = pc.if_else(pc.greater(occurrence, 1),
                        pc.binary_join_element_wise("", pc.cast(occurrence, pa.string()), "-"),
                        "")
    n = table.num_rows
    nulls = pa.nulls(n, pa.string())
    return pa.table({
        "network": pa.array([network] * n, pa.string()),
        "event_id": pc.binary_join_element_wise(key, suffix, ""),
        "ts": stamps, "actor": src, "kind": pa.array([kind] * n, pa.string()),
        "subject": pc.if_else(pc.equal(src, dst), pa.scalar(None, pa.string()), dst),
        "post_id": nulls, "parent_id": nulls, "text": nulls,
        "tags": pa.nulls(n, pa.list_(pa.string())), "lang": nulls, "topic": nulls,
        "url": nulls, "record": lines,
    }, schema=BATCH_SCHEMA)


def _occurrence(key: pa.ChunkedArray | pa.Array) -> pa.Array:
    """1 for the first line with a key, 2 for the second... in file order (vectorised)."""
    if isinstance(key, pa.ChunkedArray):
        key = key.combine_chunks()  # one dictionary for the whole file
    if len(key) == 0:
        return pa.array([], pa.int64())
    # A null key (a line missing a field) gets index -1: counted among its own kind,
    # never cast from NaN (those rows are rejected later for their missing id).
    indices = pc.fill_null(pc.dictionary_encode(key).indices, -1)
    index = indices.to_numpy(zero_copy_only=False).astype(np.int64)
    order = np.argsort(index, kind="stable")
    ordered = index[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    position = np.arange(len(ordered), dtype=np.int64)
    group_start = np.maximum.accumulate(np.where(starts, position, 0))
    rank = np.empty_like(index)
    rank[order] = position - group_start + 1
    return pa.array(rank, pa.int64())
