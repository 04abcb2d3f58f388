"""Published read snapshots: readers see one whole published state, old or new, never a mix,
while another process writes; old generations go once unused."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from renown.store.database import StoreError, connect, open_store
from renown.store.serving import (
    StoreBusyError,
    ensure_published,
    is_current,
    open_writer,
    publish,
    publish_if_served,
    read_pointer,
    serving_dir,
)
from renown.store.serving_reader import ServingReader

ROOT = Path(__file__).resolve().parents[2]


def _store_with_accounts(db: Path, n: int, prefix: str = "a") -> None:
    with open_store(db) as con:
        con.execute("INSERT INTO accounts (network, account) SELECT 'x', ? || range "
                    "FROM range(?)", [prefix, n])


def _accounts(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM accounts").fetchall()[0][0])


def test_publish_copies_a_readable_snapshot_and_points_at_it(db_path: Path) -> None:
    _store_with_accounts(db_path, 5)
    assert read_pointer(db_path) is None and not is_current(db_path)
    with open_store(db_path) as con:
        assert publish_if_served(con, db_path) is None  # never served: nothing to do
        assert not serving_dir(db_path).exists()
        published = publish(con, db_path)
    pointer = read_pointer(db_path)
    assert pointer == published.pointer and pointer.generation == 1
    assert is_current(db_path)
    with open_store(pointer.path, read_only=True) as snapshot:
        assert _accounts(snapshot) == 5
    _store_with_accounts(db_path, 7, 'b')  # a write that did not publish
    assert not is_current(db_path)
    assert ensure_published(db_path).generation == 2
    assert ensure_published(db_path).generation == 2  # already current: nothing new
    with duckdb.connect(str(read_pointer(db_path).path)) as old:  # as an older Renown wrote it
        old.execute("DELETE FROM schema_version WHERE version = (SELECT max(version) "
                    "FROM schema_version)")
    assert ensure_published(db_path).generation == 3  # unreadable here: published anew


def test_readers_switch_between_requests_and_keep_their_snapshot(db_path: Path) -> None:
    _store_with_accounts(db_path, 3)
    ensure_published(db_path)
    reader = ServingReader(db_path)
    with reader.lease() as (old, old_cursor):
        assert old.number == 1 and _accounts(old_cursor) == 3
        with open_store(db_path) as con:
            con.execute("INSERT INTO accounts (network, account) VALUES ('x', 'new')")
            publish(con, db_path)
        with reader.lease() as (new, new_cursor):
            assert new.number == 2 and _accounts(new_cursor) == 4
        assert _accounts(old_cursor) == 3  # the in-flight request still reads its snapshot
    with pytest.raises(duckdb.Error):
        old.con.execute("SELECT 1")  # closed once its last lease ended
    for _ in range(3):
        with open_store(db_path) as con:
            publish(con, db_path)
    assert sorted(p.name for p in serving_dir(db_path).glob("*.duckdb")) == [
        "000000004.duckdb", "000000005.duckdb"]
    assert reader.generation() == 5
    reader.close()


def test_a_store_never_published_is_a_clear_error(db_path: Path) -> None:
    _store_with_accounts(db_path, 1)
    with pytest.raises(StoreError, match="no published snapshot"):
        ServingReader(db_path).generation()
    with pytest.raises(StoreError, match="no such database"):
        ensure_published(db_path.with_name("missing.duckdb"))


_WRITER = """
import sys
from pathlib import Path
from renown.store.database import open_store
from renown.store.serving import publish
db = Path(sys.argv[1])
for step in range(int(sys.argv[2])):
    with open_store(db) as con:
        con.execute("BEGIN TRANSACTION")
        # Move 7 from one row to the other: a reader must always see the sum 100.
        con.execute("UPDATE accounts SET followers = followers - 7 WHERE account = 'a'")
        con.execute("UPDATE accounts SET followers = followers + 7 WHERE account = 'b'")
        con.execute("INSERT INTO accounts (network, account, followers) VALUES ('n', ?, 0)",
                    [f"step{step}"])
        con.execute("COMMIT")
        publish(con, db)
"""


def test_reads_are_whole_while_another_process_writes_and_publishes(db_path: Path) -> None:
    with open_store(db_path) as con:
        con.execute("INSERT INTO accounts (network, account, followers) VALUES "
                    "('m', 'a', 100), ('m', 'b', 0)")
    ensure_published(db_path)
    reader = ServingReader(db_path)
    steps, seen, problems = 12, set(), []
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(db_path), str(steps)],
                              env={"PYTHONPATH": str(ROOT / "src")})

    def read_until_done() -> None:
        last = 0
        while writer.poll() is None or last < steps + 1:
            with reader.lease() as (generation, cursor):
                total, = cursor.execute("SELECT sum(followers) FROM accounts WHERE "
                                        "network = 'm'").fetchall()[0]
                moved, = cursor.execute("SELECT count(*) FROM accounts WHERE network = 'n'"
                                        ).fetchall()[0]
                if total != 100 or moved != generation.number - 1 or generation.number < last:
                    problems.append((generation.number, total, moved))
                last = generation.number
                seen.add(last)
            if writer.poll() is not None and last == steps + 1:
                break
            time.sleep(0.002)

    threads = [threading.Thread(target=read_until_done) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert writer.wait(timeout=120) == 0
    assert problems == []
    assert max(seen) == steps + 1 and len(seen) > 2  # readers moved through generations
    reader.close()


def test_a_writer_waits_briefly_for_another_process_then_says_busy(db_path: Path) -> None:
    connect(db_path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
         "print('locked', flush=True); sys.stdin.readline()", str(db_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        clock = time.monotonic()
        with pytest.raises(StoreBusyError, match="another process"), open_writer(db_path, 0.5):
            pass
        assert 0.5 <= time.monotonic() - clock < 5
    finally:
        holder.communicate("done\n", timeout=30)
    with open_writer(db_path, 0.5) as con:
        assert _accounts(con) == 0
