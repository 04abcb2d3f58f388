"""Reading the newest published snapshot, switching generations between requests.

Each request leases the current generation: it gets its own cursor on that
generation's read-only connection, so everything it reads comes from one
published state.  When a newer generation is published, the next lease opens
it and later requests use it; the old connection closes when its last lease
ends.  Checking for a new generation costs one ``stat`` of the pointer file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from renown.store.database import StoreError, connect
from renown.store.serving import POINTER, Pointer, read_pointer, serving_dir

T = TypeVar("T")
#: Results memoised per generation (explanations, previews, verified keys).
CACHE_ENTRIES = 4096


class Generation:
    """One published snapshot, open read-only, with a memo that lives as long as it does."""

    def __init__(self, pointer: Pointer) -> None:
        self.number = pointer.generation
        self.path = pointer.path
        #: What was published, not only its number: `renown forget` removes every
        #: generation, so numbering restarts and a number alone could repeat.
        self.identity = (pointer.generation, pointer.source_size, pointer.source_mtime_ns)
        self.con = connect(pointer.path, read_only=True)
        self.leases = 0
        self.retired = False
        self._memo: dict[Hashable, Any] = {}
        self._memo_lock = threading.Lock()

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per key in this generation (its data never changes)."""
        found, value = self.peek(key)
        if found:
            return value  # type: ignore[no-any-return]
        value = compute()
        self.keep(key, value)
        return value

    def peek(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) when ``key`` is memoised, else (False, None)."""
        with self._memo_lock:
            if key in self._memo:
                return True, self._memo[key]
        return False, None

    def keep(self, key: Hashable, value: Any) -> None:
        """Memoise ``value`` (the oldest entry goes when the memo is full)."""
        with self._memo_lock:
            if len(self._memo) >= CACHE_ENTRIES:
                self._memo.pop(next(iter(self._memo)))
            self._memo[key] = value


class ServingReader:
    """The newest published generation of a store, leased per request."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._seen: tuple[int, int] | None = None

    @contextmanager
    def lease(self) -> Iterator[tuple[Generation, duckdb.DuckDBPyConnection]]:
        """The current generation and a cursor of its own on it, for one request."""
        with self._lock:
            generation = self._refresh()
            generation.leases += 1
            cursor = generation.con.cursor()
        try:
            yield generation, cursor
        finally:
            cursor.close()
            with self._lock:
                generation.leases -= 1
                if generation.retired and generation.leases == 0:
                    generation.con.close()

    def generation(self) -> int:
        with self.lease() as (generation, _):
            return generation.number

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._retire(self._current)
                self._current = None

    def _refresh(self) -> Generation:
        """Switch to a newer generation if the pointer changed (caller holds the lock)."""
        try:
            stat = (serving_dir(self.db) / POINTER).stat()
        except FileNotFoundError:
            raise StoreError(f"{self.db}: no published snapshot (serve it once, or run "
                             "`renown serve`, to publish one)") from None
        seen = (stat.st_ino, stat.st_mtime_ns)
        if self._current is not None and seen == self._seen:
            return self._current
        for _ in range(3):
            pointer = read_pointer(self.db)
            if pointer is None:
                break
            if self._current is not None and (pointer.generation, pointer.source_size,
                                              pointer.source_mtime_ns) == self._current.identity:
                self._seen = seen
                return self._current
            try:
                fresh = Generation(pointer)
            except StoreError:
                continue  # pruned between reading the pointer and opening it: read again
            if self._current is not None:
                self._retire(self._current)
            self._current, self._seen = fresh, seen
            return fresh
        if self._current is not None:
            return self._current
        raise StoreError(f"{self.db}: cannot open its published snapshot")

    @staticmethod
    def _retire(generation: Generation) -> None:
        generation.retired = True
        if generation.leases == 0:
            generation.con.close()
