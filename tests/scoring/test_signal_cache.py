"""Incremental signals: reusing stored per-day sums gives exactly the full run's scores.

Each test changes the store the way real use does (a new day, a late or
back-dated event, a forgotten account, a model change) and compares the
incremental run with a run computed from the events alone, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.events import Event, events_to_table
from renown.scoring.day_cache import DayReuse
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.pipeline import ScoreRun, compute_scores
from renown.scoring.signal_cache import basis
from renown.scoring.snapshots import day_end
from renown.simulation import simulate
from renown.store.database import connect
from renown.store.forget import account_subject, erase
from renown.store.ingest import ingest_table

DAYS = 40


@pytest.fixture(scope="module")
def world_events(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("world")
    simulate(300, DAYS, 5, folder / "world")
    table = pq.read_table(folder / "world" / "events.parquet")
    return table.filter(pc.not_equal(table["kind"], "follow"))


@pytest.fixture()
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = connect(tmp_path / "renown.duckdb")
    yield connection
    connection.close()


def first_day(events: pa.Table) -> date:
    return pc.min(events["ts"]).as_py().date()  # type: ignore[no-any-return]


def before(events: pa.Table, day: date) -> pa.Table:
    return events.filter(pc.less(events["ts"], pa.scalar(day_end(day - timedelta(days=1)),
                                                          pa.timestamp("us"))))


def on_day(events: pa.Table, day: date) -> pa.Table:
    start = pa.scalar(day_end(day - timedelta(days=1)), pa.timestamp("us"))
    end = pa.scalar(day_end(day), pa.timestamp("us"))
    return events.filter(pc.and_(pc.greater_equal(events["ts"], start),
                                 pc.less(events["ts"], end)))


def ingest(con: duckdb.DuckDBPyConnection, events: pa.Table, label: str) -> None:
    report = ingest_table(con, events.select(_event_columns()), label)
    assert report.quarantined == 0, report


def _event_columns() -> list[str]:
    return list(events_to_table([]).column_names)


def incremental(con: duckdb.DuckDBPyConnection, day: date, model: Model = DEFAULT_MODEL,
                *, full: bool = False) -> tuple[ScoreRun, DayReuse]:
    run = compute_scores(con, day_end(day), model, reuse_signals=True, full=full)
    assert run.signal_reuse is not None
    return run, run.signal_reuse


def assert_same_as_full(con: duckdb.DuckDBPyConnection, run: ScoreRun, day: date,
                        model: Model = DEFAULT_MODEL) -> None:
    """The run's tables equal, bit for bit, those computed from the events alone."""
    fresh = compute_scores(con, day_end(day), model)
    assert fresh.signal_reuse is None
    assert run.accounts.equals(fresh.accounts)
    assert run.people.equals(fresh.people)


def scored_history(con: duckdb.DuckDBPyConnection,
                   world_events: pa.Table) -> tuple[date, ScoreRun]:
    """Every day but the last ingested, and scored once (storing every day's sums)."""
    today = first_day(world_events) + timedelta(days=DAYS - 1)
    ingest(con, before(world_events, today), "history")
    run, _ = incremental(con, today)
    return today, run


def test_a_new_day_reuses_every_earlier_day_and_matches_the_full_run(
        con: duckdb.DuckDBPyConnection, world_events: pa.Table) -> None:
    today = first_day(world_events) + timedelta(days=DAYS - 2)
    ingest(con, before(world_events, today), "history")
    run, reuse = incremental(con, today - timedelta(days=1))
    assert reuse.full and reuse.computed == reuse.days > 30
    assert_same_as_full(con, run, today - timedelta(days=1))

    ingest(con, on_day(world_events, today), "today")
    run, reuse = incremental(con, today)
    assert not reuse.full
    assert (reuse.reused, reuse.computed) == (reuse.days - 1, 1)
    assert_same_as_full(con, run, today)
    # Nothing changed: everything is reused.
    run, reuse = incremental(con, today)
    assert (reuse.reused, reuse.computed) == (reuse.days, 0)
    assert_same_as_full(con, run, today)


def test_late_and_back_dated_events_recompute_their_days_only(
        con: duckdb.DuckDBPyConnection, world_events: pa.Table) -> None:
    today, _ = scored_history(con, world_events)
    actor, author = _two_accounts(con)
    late = datetime.combine(today - timedelta(days=12), datetime.min.time()) + timedelta(hours=9)
    older = late - timedelta(days=3)
    events = [Event("twitter", "late-1", late, actor, "reshare", author),
              Event("twitter", "late-2", older, author, "reply", actor)]
    ingest(con, events_to_table(events), "late")
    run, reuse = incremental(con, today)
    assert reuse.computed == 2 and reuse.reused == reuse.days - 2
    assert_same_as_full(con, run, today)


def test_forgetting_an_account_recomputes_the_days_its_events_were_in(
        con: duckdb.DuckDBPyConnection, world_events: pa.Table) -> None:
    today, _ = scored_history(con, world_events)
    # Someone with reactions on a few days (so that other days stay reusable).
    network, account = con.execute("""
        WITH touched AS (SELECT network, actor AS account, CAST(ts AS DATE) AS day FROM events
                         UNION SELECT network, subject, CAST(ts AS DATE) FROM events)
        SELECT t.network, t.account FROM touched t
        WHERE t.account IN (SELECT subject FROM events)
        GROUP BY ALL HAVING count(DISTINCT day) BETWEEN 2 AND 5
        ORDER BY count(DISTINCT day), 2 LIMIT 1""").fetchall()[0]
    erase(con, [account_subject(con, network, account)])
    for table, column in (("signal_day_pairs", "reactor"), ("signal_day_pairs", "author"),
                          ("signal_day_output", "account")):
        left = con.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?", [account])
        assert left.fetchall() == [(0,)]
    run, reuse = incremental(con, today)
    assert 0 < reuse.computed < reuse.days
    assert_same_as_full(con, run, today)


def test_a_model_change_recomputes_only_when_the_daily_sums_depend_on_it(
        con: duckdb.DuckDBPyConnection, world_events: pa.Table) -> None:
    today, _ = scored_history(con, world_events)
    saturation = DEFAULT_MODEL.with_changes(pair_saturation=0.8, version="test-saturation")
    assert basis(saturation) == basis(DEFAULT_MODEL)
    run, reuse = incremental(con, today, saturation)
    assert not reuse.full and reuse.computed == 0
    assert_same_as_full(con, run, today, saturation)

    half_life = DEFAULT_MODEL.with_changes(half_life_days=40.0, version="test-half-life")
    assert basis(half_life) != basis(DEFAULT_MODEL)
    run, reuse = incremental(con, today, half_life)
    assert reuse.full
    assert_same_as_full(con, run, today, half_life)
    # One basis is kept: the old one's rows are gone.
    assert con.execute("SELECT count(DISTINCT basis) FROM signal_day_pairs").fetchall() == [(1,)]


def test_an_earlier_day_never_reads_later_days(
        con: duckdb.DuckDBPyConnection, world_events: pa.Table) -> None:
    today, _ = scored_history(con, world_events)
    earlier = today - timedelta(days=6)
    run, reuse = incremental(con, earlier)
    assert reuse.computed == 0
    assert_same_as_full(con, run, earlier)
    # The later days are still stored for the next run of today.
    _, again = incremental(con, today)
    assert again.computed == 0


def test_full_recomputes_every_day_and_gives_the_same_scores(
        con: duckdb.DuckDBPyConnection, world_events: pa.Table) -> None:
    today, kept = scored_history(con, world_events)
    run, reuse = incremental(con, today, full=True)
    assert reuse.full and reuse.computed == reuse.days
    assert run.accounts.equals(kept.accounts)
    assert "full run" in reuse.describe()


def _two_accounts(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    rows = con.execute("""SELECT actor FROM events WHERE network = 'twitter'
                          GROUP BY actor ORDER BY count(*) DESC, actor LIMIT 2""").fetchall()
    return str(rows[0][0]), str(rows[1][0])


# A property over random histories: whatever arrives when, reuse never shows. ----------

ACCOUNTS = [f"u{i}" for i in range(8)]
KINDS = ["reshare", "reply", "like", "quote", "post"]
reaction = st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS),
                     st.sampled_from(KINDS), st.integers(0, 11), st.integers(0, 1439))


def _events(rows: list[tuple[str, str, str, int, int]], tag: str) -> pa.Table:
    base = datetime(2025, 3, 1)
    events = [Event("twitter", f"{tag}{i}", base + timedelta(days=day, minutes=minute), actor,
                    kind, None if kind == "post" else subject,
                    f"p{tag}{i}" if kind == "post" else None)
              for i, (actor, subject, kind, day, minute) in enumerate(rows)]
    return events_to_table(events)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(reaction, min_size=1, max_size=25), min_size=2, max_size=4),
       scored_days=st.lists(st.integers(4, 12), min_size=2, max_size=4))
def test_any_arrival_order_gives_the_full_runs_scores(
        tmp_path_factory: pytest.TempPathFactory,
        batches: list[list[tuple[str, str, str, int, int]]], scored_days: list[int]) -> None:
    path = tmp_path_factory.mktemp("arrivals") / "renown.duckdb"
    con = connect(path)
    try:
        for number, (batch, day) in enumerate(zip(batches, scored_days * 2, strict=False)):
            ingest_table(con, _events(batch, f"b{number}-"), f"batch {number}")
            as_of = date(2025, 3, 1) + timedelta(days=day)
            run, _ = incremental(con, as_of)
            assert_same_as_full(con, run, as_of)
    finally:
        con.close()
