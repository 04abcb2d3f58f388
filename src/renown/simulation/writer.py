"""Turning integer-coded events into the generic event Parquet file, fast.

Strings are produced per chunk (a million rows by default) with Arrow
kernels: fixed-width ids (``e000000042``, ``s000000007``) are written digit by
digit into one byte matrix and wrapped as a string array without copying;
account names, kinds, texts and tags are ``take``\\ s from small dictionaries.
`renown.simulation.sink` writes each chunk as one row group of a single
``events.parquet``.  Files are written under a temporary name and renamed, so
a crash never leaves a half-written file that looks complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from renown.events import EVENT_SCHEMA
from renown.simulation.blocks import KIND_NAMES, EventBlock
from renown.simulation.graph import NETWORKS
from renown.simulation.topics import TOPICS, Catalogue

CHUNK_ROWS: Final = 1 << 20
#: Digits of event and post ids: one letter + 11 digits is 12 bytes, a multiple of
#: 4 (the fast path of `fixed_ids`), and fits every serial (posts are < 2^31).
ID_DIGITS: Final = 11
COMPRESSION: Final = "zstd"
#: Columns with few distinct values; the unique ids are not worth a dictionary attempt.
DICTIONARY_COLUMNS: Final = ["network", "actor", "kind", "subject", "text", "tags", "lang",
                             "topic", "url"]
#: Min/max statistics where they say something (each row group's time range, its
#: networks and kinds); on the id and text columns they cost a third of the
#: write time and would prune nothing.
STATISTICS_COLUMNS: Final = ["ts", "network", "kind"]
_NETWORK_NAMES: Final = pa.array(NETWORKS, pa.string())
_KIND_NAMES: Final = pa.array(KIND_NAMES, pa.string())
TOPIC_SLUGS: Final = pa.array([t.slug for t in TOPICS], pa.string())


def digits_for(largest: int, minimum: int = 6) -> int:
    """Zero-padded width that fits ``largest`` (at least ``minimum``)."""
    return max(minimum, len(str(max(largest, 0))))


#: "0000" … "9999" as 4-byte words, and the same for a one-letter prefix + 3 digits.
_QUADS: Final = np.frombuffer(b"".join(b"%04d" % i for i in range(10_000)), dtype=np.uint32)


@lru_cache(maxsize=8)
def _prefixed_triples(prefix: bytes) -> np.ndarray:
    return np.frombuffer(b"".join(prefix + b"%03d" % i for i in range(1000)), dtype=np.uint32)


def _id_bytes(prefix: bytes, numbers: np.ndarray, width: int) -> np.ndarray:
    """(n, len(prefix) + width) ASCII bytes of prefix + zero-padded numbers."""
    n, length = numbers.size, len(prefix) + width
    if len(prefix) == 1 and length % 4 == 0 and (n == 0 or int(numbers.max()) < 2**32):
        # Fast path: one table lookup per four digits, in 32-bit arithmetic
        # (a division by a constant plus a multiply-subtract, ~7× faster than
        # a 64-bit divmod).
        words = np.empty((n, length // 4), dtype=np.uint32)
        rest = numbers.astype(np.uint32)
        for column in range(length // 4 - 1, 0, -1):
            high = rest // np.uint32(10_000)
            words[:, column] = _QUADS[rest - high * np.uint32(10_000)]
            rest = high
        words[:, 0] = _prefixed_triples(prefix)[rest % np.uint32(1000)]
        return words.view(np.uint8).reshape(n, length)
    matrix = np.empty((n, length), dtype=np.uint8)
    matrix[:, :len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    rest = numbers.astype(np.int64)
    for position in range(length - 1, len(prefix) - 1, -1):  # one pass per digit
        rest, digit = np.divmod(rest, 10)
        matrix[:, position] = 48 + digit
    return matrix


def fixed_ids(prefix: str, numbers: np.ndarray, width: int,
              valid: np.ndarray | None = None) -> pa.Array:
    """``prefix`` + zero-padded ``numbers`` as an Arrow string array (null where not valid).

    The bytes are built in one NumPy matrix and wrapped without copying.
    """
    n, length = numbers.size, len(prefix) + width
    if (n + 1) * length >= 2**31:
        raise ValueError("too many ids for one string array; use smaller chunks")
    values = np.where(valid, numbers, 0) if valid is not None else numbers
    matrix = _id_bytes(prefix.encode(), values, width)
    offsets = np.arange(0, (n + 1) * length, length, dtype=np.int32)
    bitmap = None if valid is None else pa.array(valid, pa.bool_()).buffers()[1]
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(matrix), bitmap)


def sequential_ids(prefix: str, first: int, n: int, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``first … first + n - 1``, without per-row arithmetic.

    The last four digits cycle through "0000" … "9999"; the digits above change
    once every 10,000 rows, so they are formatted once per block and repeated.
    ``len(prefix) + width`` must be a multiple of 4 and ``prefix`` one character.
    """
    length = len(prefix) + width
    if len(prefix) != 1 or length % 4 or width < 7:
        return fixed_ids(prefix, np.arange(first, first + n, dtype=np.int64), width)
    words = np.empty((n, length // 4), dtype=np.uint32)
    words[:, -1] = np.resize(np.roll(_QUADS, -(first % 10_000)), n)
    blocks = np.arange(first // 10_000, (first + max(n, 1) - 1) // 10_000 + 1, dtype=np.int64)
    edges = np.clip(blocks * 10_000 - first, 0, n)
    rows = np.diff(np.append(edges, n))
    high = _id_bytes(prefix.encode(), blocks, width - 4).view(np.uint32)
    words[:, :-1] = np.repeat(high, rows, axis=0)
    offsets = np.arange(0, (n + 1) * length, length, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(words))


@dataclass(frozen=True, slots=True)
class Naming:
    """What turns codes into strings: account names, their networks, texts."""

    account_names: pa.Array
    account_network: np.ndarray
    catalogue: Catalogue


def post_ids(serials: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Post ids (``s00000000042``) of post serials."""
    return fixed_ids("s", serials, ID_DIGITS, valid)


def events_table(block: EventBlock, first_event: int, naming: Naming) -> pa.Table:
    """One chunk of events as an Arrow table in `EVENT_SCHEMA`."""
    n, names = len(block), naming.account_names
    content = pa.array(block.content, mask=block.content < 0)
    texts = naming.catalogue.table
    columns = [
        _NETWORK_NAMES.take(pa.array(naming.account_network[block.actor])),
        sequential_ids("e", first_event, n, ID_DIGITS),
        pa.array(block.ts, pa.timestamp("us")),
        names.take(pa.array(block.actor)),
        _KIND_NAMES.take(pa.array(block.kind)),
        names.take(pa.array(block.subject, mask=block.subject < 0)),
        post_ids(block.post, block.post >= 0),
        post_ids(block.parent, block.parent >= 0),
        *(texts.column(name).take(content) for name in ("text", "tags", "lang", "topic", "url")),
    ]
    return pa.Table.from_arrays(columns, schema=EVENT_SCHEMA)


@contextmanager
def _atomic(path: Path) -> Iterator[Path]:
    """Write to a temporary sibling, rename into place on success."""
    temporary = path.with_name(path.name + ".partial")
    try:
        yield temporary
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def write_table(path: Path, table: pa.Table) -> None:
    """A small Parquet side file (truth tables), atomically."""
    with _atomic(path) as temporary:
        pq.write_table(table, temporary, compression=COMPRESSION)


def write_text(path: Path, text: str) -> None:
    with _atomic(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def write_identities(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """``identities.csv``: person_id,network,account (ids never need quoting)."""
    lines = ["person_id,network,account", *(",".join(row) for row in rows)]
    write_text(path, "\n".join(lines) + "\n")


def topic_lists(interests: np.ndarray) -> pa.Array:
    """(n, 3) interest codes padded with -1 → list<string> of topic slugs."""
    valid = interests >= 0
    offsets = np.zeros(interests.shape[0] + 1, dtype=np.int32)
    np.cumsum(valid.sum(axis=1), out=offsets[1:])
    values = TOPIC_SLUGS.take(pa.array(interests[valid].astype(np.int64)))
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def with_specials(ids: pa.Array, positions: dict[int, str]) -> pa.Array:
    """``ids`` with the entries at ``positions`` replaced (planted person ids)."""
    if not positions:
        return ids
    mask = np.zeros(len(ids), dtype=bool)
    order = sorted(positions)
    mask[order] = True
    return pc.replace_with_mask(ids, pa.array(mask), pa.array([positions[i] for i in order]))
