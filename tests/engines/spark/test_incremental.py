"""Incremental Spark runs: only changed event partitions are read, and the scores are a full run's.

A store is exported by day (`renown.store.day_export`); each test changes it
the way real use does (a new day, a late event, a forgotten account, a model
change, an interrupted run) and compares the incremental Spark run with a
full Spark run on the same export, bit for bit, and with the local engine to
rounding.  One Spark session for all (conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from pyspark.sql import DataFrame
from typer.testing import CliRunner

from renown.engines.spark.engine import EngineError, SparkEngine
from renown.engines.spark.partitions import DayPartitions, PartitionError
from renown.engines.spark.run import Incremental, score_spark
from renown.engines.spark.signal_state import SignalState
from renown.events import Event, events_to_table
from renown.interfaces.cli.main import app
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.pipeline import ScoreRun, compute_scores
from renown.scoring.snapshots import day_end
from renown.simulation import simulate
from renown.store.database import open_store
from renown.store.day_export import export_by_day
from renown.store.forget import account_subject, erase
from renown.store.ingest import ingest_table
from tests.engines.spark.test_engine import assert_same_scores

pytestmark = [pytest.mark.slow]

DAYS = 20
#: Few iterations keep each run quick; both engines stop at the same step.
CAPPED = DEFAULT_MODEL.with_changes(version="spark-incremental-capped", max_iterations=8)
#: Run to convergence (a looser tolerance than the default, for fewer steps): a warm
#: start must reach a cold start's ranks, to well within the parity bound.
CONVERGED = DEFAULT_MODEL.with_changes(version="spark-incremental-converged", tolerance=1e-8)


@pytest.fixture(scope="module")
def world_events(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("spark-incremental-world")
    simulate(200, DAYS, 11, folder / "world")
    table = pq.read_table(folder / "world" / "events.parquet")
    table = table.filter(pc.not_equal(table["kind"], "follow"))
    return table.select(list(events_to_table([]).column_names))


@dataclass(frozen=True)
class Recording(DayPartitions):
    """The real partitioned table, noting which days an incremental run read."""

    read: list[date] = field(default_factory=list)

    def read_days(self, days: Iterable[date]) -> DataFrame:
        chosen = sorted(set(days))
        self.read.extend(chosen)
        return super().read_days(chosen)


@dataclass
class Setup:
    spark: Any
    folder: Path

    @property
    def db(self) -> Path:
        return self.folder / "renown.duckdb"

    @property
    def export(self) -> Path:
        return self.folder / "export"

    def ingest(self, events: pa.Table, label: str) -> None:
        with open_store(self.db) as con:
            assert ingest_table(con, events, label).quarantined == 0
            export_by_day(con, self.export)

    def incremental(self, day: date, model: Model = CAPPED, *,
                    full: bool = False) -> tuple[ScoreRun, Recording]:
        events = Recording(self.spark, str(self.export / "events"))
        state = SignalState(self.spark, str(self.folder / "state"))
        scores = score_spark(self.spark, events.frame(), day_end(day), model,
                             self.spark.read.parquet(str(self.export / "identities.parquet")),
                             incremental=Incremental(events, state, full, warm_start=False))
        return scores.to_score_run(), events

    def assert_same_as_full(self, run: ScoreRun, day: date, model: Model = CAPPED) -> None:
        """Bit for bit a full Spark run's scores, and the local engine's to rounding."""
        events = self.spark.read.parquet(str(self.export / "events"))
        identities = self.spark.read.parquet(str(self.export / "identities.parquet"))
        full = score_spark(self.spark, events, day_end(day), model, identities).to_score_run()
        assert run.accounts.equals(full.accounts)
        assert run.people.equals(full.people)
        with open_store(self.db) as con:
            local = compute_scores(con, day_end(day), model)
        assert_same_scores(local.people, run.people, ("person_id",))


@pytest.fixture()
def setup(spark: Any, tmp_path: Path) -> Setup:
    return Setup(spark, tmp_path)


def stored_basis(setup: Setup) -> str:
    (folder,) = (setup.folder / "state" / "signals").iterdir()
    return folder.name.removeprefix("basis=")


def day_of(events: pa.Table, offset: int) -> date:
    return pc.min(events["ts"]).as_py().date() + timedelta(days=offset)  # type: ignore[no-any-return]


def split(events: pa.Table, day: date) -> tuple[pa.Table, pa.Table]:
    """(events before ``day``, events of ``day`` and later)."""
    cut = pa.scalar(day_end(day - timedelta(days=1)), pa.timestamp("us"))
    return (events.filter(pc.less(events["ts"], cut)),
            events.filter(pc.greater_equal(events["ts"], cut)))


def test_a_new_day_reads_only_its_partition_and_scores_as_a_full_run(
        setup: Setup, world_events: pa.Table) -> None:
    today = day_of(world_events, DAYS - 1)
    history, latest = split(world_events, today)
    setup.ingest(history, "history")
    run, events = setup.incremental(today - timedelta(days=1))
    reuse = run.signal_reuse
    assert reuse is not None and reuse.full and reuse.computed == reuse.days >= DAYS - 2

    setup.ingest(latest, "today")
    run, events = setup.incremental(today)
    assert run.signal_reuse is not None and not run.signal_reuse.full
    assert (run.signal_reuse.reused, run.signal_reuse.computed) == (reuse.days, 1)
    assert events.read == [today]
    setup.assert_same_as_full(run, today)
    run, events = setup.incremental(today)
    assert events.read == [] and run.signal_reuse is not None
    assert run.signal_reuse.computed == 0
    # An earlier day scored in between (a backfill) keeps the later days' sums.
    setup.incremental(today - timedelta(days=3))
    run, events = setup.incremental(today)
    assert events.read == [] and run.signal_reuse is not None
    assert run.signal_reuse.removed == 0


def test_late_events_and_forget_rewrite_and_recompute_their_days_only(
        setup: Setup, world_events: pa.Table) -> None:
    today = day_of(world_events, DAYS - 1)
    setup.ingest(world_events, "all")
    setup.incremental(today)
    with open_store(setup.db) as con:
        network, actor, author = con.execute("""SELECT network, actor, subject FROM events
            WHERE kind = 'reshare' ORDER BY event_id LIMIT 1""").fetchall()[0]
    late = datetime.combine(today - timedelta(days=6), datetime.min.time()) + timedelta(hours=7)
    setup.ingest(events_to_table([Event(network, "late-1", late, actor, "reply", author)]),
                 "late")
    run, events = setup.incremental(today)
    assert events.read == [late.date()]

    with open_store(setup.db) as con:
        days_of_actor = {row[0] for row in con.execute(
            "SELECT DISTINCT CAST(ts AS DATE) FROM events WHERE actor = ? OR subject = ?",
            [actor, actor]).fetchall()}
        erase(con, [account_subject(con, network, actor)])
        export_by_day(con, setup.export)
    run, events = setup.incremental(today)
    assert set(events.read) <= days_of_actor and events.read
    state = SignalState(setup.spark, str(setup.folder / "state"))
    for table, column in (("_signal_day_pairs", "reactor"), ("_signal_day_pairs", "author"),
                          ("_signal_day_output", "account")):
        assert state.day_table(stored_basis(setup), table).where(
            f"{column} = '{actor}'").count() == 0
    setup.assert_same_as_full(run, today)


def test_a_model_change_starts_a_new_basis_and_full_reads_everything(
        setup: Setup, world_events: pa.Table) -> None:
    today = day_of(world_events, DAYS - 1)
    setup.ingest(world_events, "all")
    setup.incremental(today)
    faster = CAPPED.with_changes(version="spark-incremental-halflife", half_life_days=7.0)
    run, events = setup.incremental(today, faster)
    assert run.signal_reuse is not None and run.signal_reuse.full
    assert len(events.read) == run.signal_reuse.days
    bases = sorted(p.name for p in (setup.folder / "state" / "signals").iterdir())
    assert len(bases) == 1  # the old basis is gone
    again, events = setup.incremental(today, faster, full=True)
    assert again.signal_reuse is not None and again.signal_reuse.full
    assert len(events.read) == again.signal_reuse.days
    assert again.people.equals(run.people) and again.accounts.equals(run.accounts)
    with open_store(setup.db) as con:
        local = compute_scores(con, day_end(today), faster)
    assert_same_scores(local.people, run.people, ("person_id",))


def test_an_interrupted_run_leaves_no_day_it_did_not_finish(
        setup: Setup, world_events: pa.Table) -> None:
    """A crash after a day's sums were (partly) written, before the record: that day is redone."""
    today = day_of(world_events, DAYS - 1)
    setup.ingest(world_events, "all")
    run, _ = setup.incremental(today)
    state = SignalState(setup.spark, str(setup.folder / "state"))
    key = stored_basis(setup)
    record = state.record(key)
    broken = sorted(record)[-3]
    del record[broken]
    state.write_record(key, record)
    # The half-written day: rows doubled, as an append that was retried would leave them.
    pairs = setup.spark.read.parquet(f"{state.basis_root(key)}/day_pairs")
    pairs.where(f"day = DATE '{broken}'").write.mode("append").partitionBy("day").parquet(
        f"{state.basis_root(key)}/day_pairs")
    again, events = setup.incremental(today)
    assert events.read == [broken]
    assert again.people.equals(run.people) and again.accounts.equals(run.accounts)


def test_events_outside_their_days_partition_are_refused(
        setup: Setup, world_events: pa.Table) -> None:
    today = day_of(world_events, DAYS - 1)
    setup.ingest(world_events, "all")
    folder = setup.export / "events" / f"day={today}"
    moved = pq.read_table(next(folder.glob("*.parquet")))
    wrong = setup.export / "events" / f"day={today - timedelta(days=2)}" / "extra.parquet"
    pq.write_table(moved, wrong)
    with pytest.raises(PartitionError, match=f"day={today - timedelta(days=2)}: .* another UTC"):
        setup.incremental(today)


def test_the_engine_scores_the_store_incrementally_and_warm_starts_the_propagation(
        setup: Setup, world_events: pa.Table) -> None:
    """Through `SparkEngine` (the store exported by day into the state), propagating on the
    cluster: the next day starts from the last ranks, converges in fewer steps, and gives
    the local engine's scores.  (On the driver the ranks are not kept: below.)"""
    today = day_of(world_events, DAYS - 1)
    history, latest = split(world_events, today)
    setup.ingest(history, "history")
    engine = SparkEngine(spark=setup.spark, state=str(setup.folder / "engine-state"),
                         driver_edges=0)
    on_driver = SparkEngine(spark=setup.spark, state=str(setup.folder / "driver-state"))
    with open_store(setup.db) as con:
        engine.score(con, day_end(today - timedelta(days=1)), CONVERGED)
        assert (setup.folder / "engine-state" / "ranks" / "_SUCCESS").is_file()
        on_driver.score(con, day_end(today - timedelta(days=1)), CONVERGED)
        assert not (setup.folder / "driver-state" / "ranks").exists()
        assert ingest_table(con, latest, "today").quarantined == 0
        run = engine.score(con, day_end(today), CONVERGED)
        assert run.signal_reuse is not None and run.signal_reuse.computed == 1
        local = compute_scores(con, day_end(today), CONVERGED)
        table_engine = SparkEngine(spark=setup.spark, events_table="events",
                                   state=str(setup.folder / "x"))
        with pytest.raises(EngineError, match="--events-table"):
            table_engine.score(con, day_end(today), CAPPED)
    assert run.propagation_converged
    assert run.propagation_iterations < local.propagation_iterations
    assert_same_scores(local.people, run.people, ("person_id",))
    assert_same_scores(local.accounts, run.accounts, ("network", "account"))


def test_the_cli_scores_an_export_by_day_incrementally(
        setup: Setup, world_events: pa.Table) -> None:
    today = day_of(world_events, DAYS - 1)
    history, latest = split(world_events, today)
    setup.ingest(history, "history")
    model_file = setup.folder / "capped.toml"
    model_file.write_text(CAPPED.to_toml())
    command = ["score", "--engine", "spark", "--input", str(setup.export), "--state",
               str(setup.folder / "cli-state"), "--model", str(model_file), "--no-topics",
               "--db", str(setup.db), "--json"]
    first = CliRunner().invoke(app, command)
    assert first.exit_code == 0, first.output
    assert "(full run)" in json.loads(first.stdout[first.stdout.index("["):])[0]["signals"]
    setup.ingest(latest, "today")
    second = CliRunner().invoke(app, command)
    assert second.exit_code == 0, second.output
    info = json.loads(second.stdout[second.stdout.index("["):])[0]
    assert info["as_of"] == today.isoformat()
    assert "computed 1 from their event partitions" in info["signals"]
    wrong = CliRunner().invoke(app, ["score", "--state", "x", "--db", str(setup.db)])
    assert wrong.exit_code == 2 and "--state and --driver-edges need --engine spark" in wrong.output
