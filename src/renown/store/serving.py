"""Published read snapshots: how a server reads the store while another process writes it.

DuckDB lets one process write a database file and, while it does, no other
process open it at all.  So readers (the HTTP server) never open the store
itself: after each successful write the writer checkpoints and *publishes* a
read-only copy, ``<db>.serving/<generation>.duckdb``, written under a temporary
name and renamed into place, then points the small ``CURRENT`` file at it
(itself replaced atomically).  A reader opens the newest generation and sees
one whole published state, the old or the new, never a mix.

Publishing happens under the store's write lock (the publisher holds the
writing connection), so two publishers never race.  Old generations are
unlinked once two newer ones exist; a reader still holding one keeps reading it
(POSIX frees the file when its last handle closes).  Writers publish only when
the store has been published before (``<db>.serving`` exists): a store that is
never served costs nothing extra, and the server publishes once at start.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import duckdb

from renown.store.database import StoreError, connect, utc_now

POINTER: Final = "CURRENT"
#: Generations kept on disk: the current one and the one before it (a reader
#: that read the pointer just before a publish can still open its file).
KEEP: Final = 2


class StoreBusyError(StoreError):
    """Another process holds the store's write lock for longer than we wait."""


@dataclass(frozen=True, slots=True)
class Pointer:
    generation: int
    path: Path
    #: The source file's size and modification time when it was published,
    #: so a store written by something that did not publish can be noticed.
    source_size: int
    source_mtime_ns: int


@dataclass(frozen=True, slots=True)
class Published:
    pointer: Pointer
    bytes: int
    seconds: float


def serving_dir(db: Path) -> Path:
    return db.with_name(db.name + ".serving")


def read_pointer(db: Path) -> Pointer | None:
    """The newest published generation of ``db`` (None when never published)."""
    folder = serving_dir(db)
    try:
        data = json.loads((folder / POINTER).read_text(encoding="utf-8"))
        return Pointer(int(data["generation"]), folder / str(data["file"]),
                       int(data["source_size"]), int(data["source_mtime_ns"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{folder / POINTER}: unreadable serving pointer ({exc}); "
                         "delete the folder and serve again to republish") from exc


def is_current(db: Path) -> bool:
    """Whether the newest published generation matches the store file as it is now."""
    pointer = read_pointer(db)
    if pointer is None or not pointer.path.exists():
        return False
    stat = db.stat()
    return (stat.st_size, stat.st_mtime_ns) == (pointer.source_size, pointer.source_mtime_ns)


def publish(con: duckdb.DuckDBPyConnection, db: Path) -> Published:
    """Checkpoint the writer's connection ``con`` on ``db`` and publish a copy of the file."""
    clock = time.perf_counter()
    con.execute("CHECKPOINT")
    folder = serving_dir(db)
    folder.mkdir(exist_ok=True)
    previous = read_pointer(db)
    generation = max([previous.generation if previous else 0, generation_floor(folder),
                      *_generations(folder)]) + 1
    target = folder / f"{generation:09d}.duckdb"
    temporary = folder / f".{target.name}.tmp"
    stat = db.stat()
    shutil.copyfile(db, temporary)
    _fsync(temporary)
    temporary.replace(target)
    pointer = Pointer(generation, target, stat.st_size, stat.st_mtime_ns)
    _write_pointer(folder, pointer)
    _prune(folder, generation)
    return Published(pointer, stat.st_size, time.perf_counter() - clock)


def publish_if_served(con: duckdb.DuckDBPyConnection, db: Path) -> Published | None:
    """`publish` when ``db`` has been published before (someone serves it), else nothing."""
    return publish(con, db) if serving_dir(db).is_dir() else None


@contextmanager
def open_writer(db: Path, timeout: float = 2.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store opened for writing, waiting at most ``timeout`` s for another writer.

    Raises `StoreBusyError` when the lock is still held after that, so a caller
    (the API) can answer "busy, retry" instead of hanging.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            con = connect(db)
            break
        except StoreError as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise StoreBusyError(f"{db}: another process is writing to the store") from exc
            time.sleep(0.05)
    try:
        yield con
    finally:
        con.close()


def ensure_published(db: Path, timeout: float = 30.0) -> Pointer:
    """A readable generation that matches the store, publishing one when there is none,
    it is stale, or it was published by an older schema (publishing migrates the store)."""
    if not db.exists():
        raise StoreError(f"{db}: no such database (run `renown ingest` or `renown demo` first)")
    pointer = read_pointer(db) if is_current(db) else None
    if pointer is not None and _readable(pointer.path):
        return pointer
    with open_writer(db, timeout) as con:
        return publish(con, db).pointer


def _readable(path: Path) -> bool:
    """Whether this Renown can read a published file (an older one's schema needs a
    republish after the store is migrated)."""
    try:
        connect(path, read_only=True).close()
    except StoreError:
        return False
    return True


#: After `renown forget` removes every snapshot, the highest generation it had.
FLOOR: Final = "FLOOR"


def generation_floor(folder: Path) -> int:
    """The highest generation ever published in ``folder`` (0 if none)."""
    numbers = _generations(folder)
    with suppress(FileNotFoundError, ValueError):
        numbers.append(int((folder / FLOOR).read_text(encoding="utf-8").strip() or 0))
    pointer = folder / POINTER
    if pointer.exists():
        with suppress(ValueError, KeyError, TypeError):
            numbers.append(int(json.loads(pointer.read_text(encoding="utf-8"))["generation"]))
    return max(numbers, default=0)


def _generations(folder: Path) -> list[int]:
    return [int(p.stem) for p in folder.glob("*.duckdb") if p.stem.isdigit()]


def _write_pointer(folder: Path, pointer: Pointer) -> None:
    temporary = folder / f".{POINTER}.tmp"
    temporary.write_text(json.dumps({
        "generation": pointer.generation, "file": pointer.path.name,
        "source_size": pointer.source_size, "source_mtime_ns": pointer.source_mtime_ns,
        "published_at": utc_now().isoformat()}), encoding="utf-8")
    _fsync(temporary)
    temporary.replace(folder / POINTER)
    _fsync(folder)


def _prune(folder: Path, newest: int) -> None:
    """Unlink generations older than the newest `KEEP`, and leftovers of crashed publishes."""
    for number in _generations(folder):
        if number <= newest - KEEP:
            (folder / f"{number:09d}.duckdb").unlink(missing_ok=True)
    for leftover in folder.glob(".*.duckdb.tmp"):
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
