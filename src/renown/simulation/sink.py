"""Streaming events to ``events.parquet`` while the world is still being generated.

Generators hand each `EventBlock` to an `EventSink` as soon as it exists.  The
sink applies the world's final rules (`FinalRules`), counts what it keeps and
buffers rows until it has a full row group, which a writer thread turns into
strings and compresses (Arrow and NumPy release the GIL for both) while the
main thread generates the next blocks.  Memory
therefore stays bounded by the world's posts and graphs plus a couple of row
groups, however many events are written.

Rows are written in generation order (posts, then their reactions, then
follows, network by network, then the planted behaviour), not in time order:
a global sort would force the whole event set into memory before the first
byte is written.  Event ids are assigned in file order.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Final

import numpy as np
import pyarrow.parquet as pq

from renown.events import EVENT_SCHEMA
from renown.simulation.blocks import KIND, KIND_NAMES, EventBlock
from renown.simulation.graph import NETWORKS
from renown.simulation.writer import (
    CHUNK_ROWS,
    COMPRESSION,
    DICTIONARY_COLUMNS,
    STATISTICS_COLUMNS,
    Naming,
    events_table,
)

_NEVER: Final = np.iinfo(np.int64).max
#: Row groups handed to the writer thread and not yet written.
MAX_IN_FLIGHT: Final = 2


@dataclass(frozen=True, slots=True)
class FinalRules:
    """What no event may break (applied to every block before it is written).

    * inside the period (follows may reach back into the follow history);
    * nothing by or about a silent account from its ``silent_from`` on;
    * no event from a capital_markets community account about the mass-market star.

    Per-account arrays carry one extra trailing entry so that a null subject
    (-1) indexes a harmless default instead of needing a mask.
    """

    start_us: int
    end_us: int
    silent_from: np.ndarray  # per global account (+1): µs from which it is silent
    community: np.ndarray  # per global account (+1): in the capital_markets community
    star: int  # global account of the mass-market star

    def keep(self, block: EventBlock) -> np.ndarray:
        """Which events of ``block`` pass (a boolean mask)."""
        ts = block.ts
        follow = block.kind == KIND["follow"]
        keep: np.ndarray = (ts < self.end_us) & ((ts >= self.start_us) | follow)
        keep &= ts < self.silent_from[block.actor]
        keep &= ts < self.silent_from[block.subject]
        to_star = np.flatnonzero(block.subject == self.star)
        keep[to_star[self.community[block.actor[to_star]]]] = False
        return keep

    @staticmethod
    def never_silent(accounts: int) -> np.ndarray:
        return np.full(accounts + 1, _NEVER, dtype=np.int64)


@dataclass(slots=True)
class Tally:
    """What the sink wrote: counts by kind and network, and every post row."""

    kinds: np.ndarray = field(default_factory=lambda: np.zeros(len(KIND_NAMES), np.int64))
    networks: np.ndarray = field(default_factory=lambda: np.zeros(len(NETWORKS), np.int64))
    post_parts: list[EventBlock] = field(default_factory=list)

    @property
    def total(self) -> int:
        return int(self.kinds.sum())

    def by_kind(self) -> dict[str, int]:
        """Events per kind, most frequent first (ties by name)."""
        return _named(self.kinds, KIND_NAMES)

    def by_network(self) -> dict[str, int]:
        return _named(self.networks, NETWORKS)

    def posts(self) -> EventBlock:
        """All original posts written (in file order)."""
        return EventBlock.concat(self.post_parts)


def _named(counts: np.ndarray, names: tuple[str, ...]) -> dict[str, int]:
    pairs = [(names[i], int(c)) for i, c in enumerate(counts) if c]
    return dict(sorted(pairs, key=lambda kv: (-kv[1], kv[0])))


class EventSink:
    """Filters, counts and writes event blocks to one Parquet file (a context manager)."""

    def __init__(self, path: Path, naming: Naming, rules: FinalRules,
                 chunk_rows: int = CHUNK_ROWS) -> None:
        self.path, self.naming, self.rules, self.chunk_rows = path, naming, rules, chunk_rows
        self.tally = Tally()
        self._partial = path.with_name(path.name + ".partial")
        self._buffer: list[EventBlock] = []
        self._buffered = 0
        self._written = 0
        self._pending: deque[Future[None]] = deque()
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._writer = pq.ParquetWriter(
            self._partial, EVENT_SCHEMA, compression=COMPRESSION,
            use_dictionary=DICTIONARY_COLUMNS, write_statistics=STATISTICS_COLUMNS,
            column_encoding={"ts": "DELTA_BINARY_PACKED"})

    def add(self, block: EventBlock) -> None:
        """Keep what passes the final rules; write every full row group."""
        kept = block.select(self.rules.keep(block))
        if not len(kept):
            return
        self.tally.kinds += np.bincount(kept.kind, minlength=len(KIND_NAMES))
        self.tally.networks += np.bincount(self.naming.account_network[kept.actor],
                                           minlength=len(NETWORKS))
        is_post = (kept.kind == KIND["post"]) & (kept.post >= 0)
        if is_post.any():
            self.tally.post_parts.append(kept.select(is_post))
        self._buffer.append(kept)
        self._buffered += len(kept)
        while self._buffered >= self.chunk_rows:
            self._flush(self.chunk_rows)

    def _flush(self, rows: int) -> None:
        merged = EventBlock.concat(self._buffer)
        chunk, rest = merged.select(slice(0, rows)), merged.select(slice(rows, None))
        self._buffer, self._buffered = ([rest] if len(rest) else []), len(rest)
        while len(self._pending) >= MAX_IN_FLIGHT:  # bounded memory; the thread keeps order
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._write, chunk, self._written))
        self._written += len(chunk)

    def _write(self, chunk: EventBlock, first_event: int) -> None:
        """In the writer thread: strings, then compression (both mostly outside the GIL)."""
        table = events_table(chunk, first_event, self.naming)
        self._writer.write_table(table, row_group_size=self.chunk_rows)

    def close(self) -> None:
        """Write what is left and move the finished file into place."""
        if self._buffered or not self._written:
            self._flush(self._buffered)
        while self._pending:
            self._pending.popleft().result()
        self._writer.close()
        self._pool.shutdown()
        self._partial.replace(self.path)

    def abort(self) -> None:
        """Stop without leaving a file that looks complete."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._writer.close()
        self._partial.unlink(missing_ok=True)

    def __enter__(self) -> EventSink:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()
