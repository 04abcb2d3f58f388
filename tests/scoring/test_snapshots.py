"""Score snapshots: replaced not duplicated, backfilled in order, atomic for readers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from renown.events import Event, events_to_table
from renown.scoring.model import DEFAULT_MODEL
from renown.scoring.pipeline import compute_scores
from renown.scoring.queries import history, person_summary
from renown.scoring.run import NothingToScoreError, backfill, latest_event_day, score_day
from renown.scoring.snapshots import day_end, latest_run, write_snapshot
from renown.store.database import connect, scalar
from renown.store.ingest import ingest_table
from tests.scoring.builders import START, World


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def growing_world() -> World:
    """'rising' gains a new fan every day for 40 days; 'steady' has the same 3 fans."""
    world = World()
    for d in range(40):
        post = world.post("rising", d)
        world.react(f"fan{d}", "rising", d, post=post)
        if d % 10 == 0:
            steady_post = world.post("steady", d)
            for i in range(3):
                world.react(f"regular{i}", "steady", d, post=steady_post)
    return world


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = growing_world().store(tmp_path / "snapshots.duckdb")
    try:
        yield connection
    finally:
        connection.close()


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int]:
    return tuple(int(scalar(con, f"SELECT count(*) FROM {t}"))  # type: ignore[return-value]
                 for t in ("score_runs", "person_scores", "account_scores"))


def test_scoring_a_day_twice_replaces_the_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    first = score_day(con, day(30))
    after_first = counts(con)
    assert after_first == (1, first.people, first.accounts)
    second = score_day(con, day(30))
    assert counts(con) == after_first
    assert latest_run(con, DEFAULT_MODEL.version) == second
    duplicates = scalar(con, "SELECT count(*) FROM (SELECT run_id, person_id FROM person_scores "
                             "GROUP BY ALL HAVING count(*) > 1)")
    assert duplicates == 0


def test_score_day_defaults_to_the_day_of_the_newest_event(
        con: duckdb.DuckDBPyConnection) -> None:
    assert latest_event_day(con) == day(39)
    assert score_day(con).as_of == day(39)


def test_an_empty_store_has_nothing_to_score(tmp_path: Path) -> None:
    empty = connect(tmp_path / "empty.duckdb")
    with pytest.raises(NothingToScoreError, match="no events"):
        score_day(empty)
    empty.close()


def test_backfill_writes_one_snapshot_per_day_in_order(con: duckdb.DuckDBPyConnection) -> None:
    seen: list[date] = []
    infos = backfill(con, day(20), day(29), on_day=lambda info: seen.append(info.as_of))
    expected = [day(d) for d in range(20, 30)]
    assert [i.as_of for i in infos] == expected == seen
    runs = con.execute("SELECT as_of FROM score_runs ORDER BY run_id").fetchall()
    assert [d for d, in runs] == expected
    rows = history(con, "twitter:rising")
    assert [d for d, _, _, _ in rows] == expected
    scores = [s for _, s, _, _ in rows]
    assert scores == sorted(scores) and scores[0] < scores[-1]  # a new fan every day
    assert {v for _, _, v, _ in rows} == {DEFAULT_MODEL.version}
    assert [d for d, _, _, _ in history(con, "twitter:rising", day(22), day(24))] == [
        day(22), day(23), day(24)]
    # Backfilling again over an overlapping range replaces, never duplicates.
    backfill(con, day(25), day(32))
    assert [d for d, _, _, _ in history(con, "twitter:rising")] == [day(d) for d in range(20, 33)]


def test_backfill_is_incremental_unless_asked_to_replace(
        con: duckdb.DuckDBPyConnection) -> None:
    first = backfill(con, day(20), day(24))
    again = backfill(con, day(22), day(26))
    kept = {i.as_of: i.run_id for i in first}
    assert [i.run_id for i in again[:3]] == [kept[day(d)] for d in (22, 23, 24)]
    assert scalar(con, "SELECT count(*) FROM score_runs") == 7
    replaced = backfill(con, day(22), day(22), replace=True)
    assert replaced[0].run_id != kept[day(22)]
    assert scalar(con, "SELECT count(*) FROM score_runs") == 7


def test_backfill_refuses_an_empty_range(con: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="empty"):
        backfill(con, day(5), day(4))


def test_stored_snapshot_matches_the_computed_run(con: duckdb.DuckDBPyConnection) -> None:
    info = score_day(con, day(30))
    run = compute_scores(con, day_end(day(30)), DEFAULT_MODEL)
    stored = dict(con.execute("SELECT person_id, score FROM person_scores WHERE run_id = ?",
                              [info.run_id]).fetchall())
    computed = dict(zip(run.people["person_id"].to_pylist(), run.people["score"].to_pylist(),
                        strict=True))
    assert stored == computed


class _Interposed:
    """A connection that runs ``hook(sql)`` before each statement it executes."""

    def __init__(self, con: duckdb.DuckDBPyConnection, hook: Any) -> None:
        self._con = con
        self._hook = hook

    def execute(self, sql: str, params: object = None) -> Any:
        self._hook(sql)
        return self._con.execute(sql, params)

    def register(self, name: str, table: object) -> Any:
        return self._con.register(name, table)

    def unregister(self, name: str) -> Any:
        return self._con.unregister(name)


SNAPSHOT_VIEW = """
    SELECT r.run_id, r.people, r.accounts,
           (SELECT count(*) FROM person_scores p WHERE p.run_id = r.run_id),
           (SELECT count(*) FROM account_scores a WHERE a.run_id = r.run_id),
           (SELECT sum(score) FROM person_scores p WHERE p.run_id = r.run_id)
    FROM score_runs r WHERE r.as_of = ? ORDER BY r.run_id"""


def add_fan(con: duckdb.DuckDBPyConnection, fan: str, author: str, on: int) -> None:
    """One more reaction, so the next snapshot of that day differs from the last."""
    ts = datetime.combine(day(on), datetime.min.time()) + timedelta(hours=12)
    ingest_table(con, events_to_table([Event("twitter", f"extra-{fan}", ts, fan, "reshare",
                                             author)]), f"extra-{fan}")


def test_a_reader_sees_the_old_or_the_new_snapshot_never_a_mix(
        con: duckdb.DuckDBPyConnection) -> None:
    old = score_day(con, day(30))
    reader = con.cursor()
    old_view = reader.execute(SNAPSHOT_VIEW, [day(30)]).fetchall()
    assert len(old_view) == 1
    assert old_view[0][:5] == (old.run_id, old.people, old.accounts, old.people, old.accounts)
    add_fan(con, "newcomer", "steady", 30)
    views: list[list[tuple[Any, ...]]] = []

    def look(sql: str) -> None:  # a concurrent reader, between every statement of the write
        views.append(reader.execute(SNAPSHOT_VIEW, [day(30)]).fetchall())

    run = compute_scores(con, day_end(day(30)), DEFAULT_MODEL)
    new = write_snapshot(_Interposed(con, look), run, day(30), 0.1)  # type: ignore[arg-type]
    assert len(views) >= 5
    assert all(v == old_view for v in views)  # nothing uncommitted leaks out
    new_view = reader.execute(SNAPSHOT_VIEW, [day(30)]).fetchall()
    assert new.people == old.people + 1
    assert len(new_view) == 1
    assert new_view[0][:5] == (new.run_id, new.people, new.accounts, new.people, new.accounts)
    assert new_view[0][5] > old_view[0][5]
    reader.close()


def test_a_failed_write_leaves_the_old_snapshot(con: duckdb.DuckDBPyConnection) -> None:
    old = score_day(con, day(30))
    before = con.execute(SNAPSHOT_VIEW, [day(30)]).fetchall()

    def fail_midway(sql: str) -> None:
        if sql.startswith("INSERT INTO account_scores"):
            raise RuntimeError("power cut")

    run = compute_scores(con, day_end(day(30)), DEFAULT_MODEL)
    with pytest.raises(RuntimeError, match="power cut"):
        write_snapshot(_Interposed(con, fail_midway), run, day(30), 0.1)  # type: ignore[arg-type]
    assert con.execute(SNAPSHOT_VIEW, [day(30)]).fetchall() == before
    assert latest_run(con, DEFAULT_MODEL.version) == old
    # The connection is still usable, and the temporary views are gone.
    assert score_day(con, day(30)).people == old.people


def test_readers_in_threads_never_see_a_partial_snapshot(
        con: duckdb.DuckDBPyConnection) -> None:
    score_day(con, day(30))
    expected = con.execute("SELECT people, accounts FROM score_runs").fetchall()[0]
    stop = threading.Event()
    problems: list[object] = []
    reads = [0]

    def read() -> None:
        cursor = con.cursor()
        try:
            while not stop.is_set():
                rows = cursor.execute(SNAPSHOT_VIEW, [day(30)]).fetchall()
                reads[0] += 1
                if len(rows) != 1 or rows[0][1:3] != expected or rows[0][3:5] != expected:
                    problems.append(rows)
        except Exception as exc:  # pragma: no cover - reported below
            problems.append(exc)
        finally:
            cursor.close()

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for _ in range(4):
            score_day(con, day(30))
    finally:
        stop.set()
        thread.join()
    assert reads[0] > 0
    assert problems == []


def test_person_summary_deltas_come_from_stored_snapshots(
        con: duckdb.DuckDBPyConnection) -> None:
    for d in (0, 8, 14, 15):
        score_day(con, day(d + 24))  # snapshots on days 24, 32, 38, 39

    def stored(on: date) -> float:
        return float(scalar(con, """SELECT p.score FROM person_scores p JOIN score_runs r
            USING (run_id) WHERE r.as_of = ? AND p.person_id = 'twitter:rising'""", [on]))

    summary = person_summary(con, "twitter:rising")
    assert summary.as_of == day(39)
    assert summary.score == stored(day(39))
    assert summary.deltas["day"] == pytest.approx(stored(day(39)) - stored(day(38)))
    assert summary.deltas["week"] == pytest.approx(stored(day(39)) - stored(day(32)))
    assert summary.deltas["month"] is None  # no snapshot on day 9
    assert summary.deltas["day"] > 0 and summary.deltas["week"] > summary.deltas["day"]

    earlier = person_summary(con, "twitter:rising", day(38))
    assert earlier.as_of == day(38)
    assert earlier.deltas == {"day": None, "week": None, "month": None}

    score_day(con, day(9))
    assert person_summary(con, "twitter:rising").deltas["month"] == pytest.approx(
        stored(day(39)) - stored(day(9)))
