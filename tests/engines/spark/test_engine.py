"""The Spark engine against the local engine: same scores on a simulated world and on Higgs,
through the Python entry, ``renown score --engine spark`` and the spark-submit entry.

Parity: raw values within 1e-6, and the 1–100 scores rounded to whole points
identical.  Propagated on the driver (the default for a graph this size) the
scores are the local engine's bit for bit: the same edge arrays in the same
order go to the same solver.  On the cluster they are equal to ~1e-14: the same
iteration, with sums in another order.  One Spark session for all (conftest.py).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.pipeline import ScoreRun, compute_scores
from renown.scoring.snapshots import day_end
from renown.simulation import simulate
from renown.sources import SourceOptions
from renown.store.database import open_store
from renown.store.export import export_parquet
from renown.store.ingest import ingest
from renown.store.people import link_accounts, read_identity_file
from tests.conftest import shared_path

pytestmark = [pytest.mark.slow]

#: A small cap on iterations for the command-line runs: both engines stop at
#: the same step either way, and this keeps them quick.
CAPPED = DEFAULT_MODEL.with_changes(version="spark-test-capped", max_iterations=12)


@dataclass(frozen=True)
class Store:
    db: Path
    export: Path
    day: date


def build_store(folder: Path, source: Path, fmt: str, identities: Path | None) -> Store:
    db = folder / "renown.duckdb"
    with open_store(db) as con:
        report = ingest(con, source, fmt, SourceOptions())
        assert report.quarantined == 0
        if identities is not None:
            link_accounts(con, read_identity_file(identities))
        export_parquet(con, folder / "export")
        day = con.execute("SELECT max(ts) FROM events WHERE network <> 'offline'").fetchall()
    return Store(db, folder / "export", day[0][0].date())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("spark-world")
    simulate(250, 30, 7, folder / "world")
    return build_store(folder, folder / "world" / "events.parquet", "events",
                       folder / "world" / "identities.csv")


def local_run(store: Store, model: Model) -> ScoreRun:
    with open_store(store.db) as con:
        return compute_scores(con, day_end(store.day), model)


def spark_run(spark: Any, store: Store, model: Model, *, on_driver: bool = True) -> ScoreRun:
    from renown.engines.spark import read_export, score_spark
    from renown.engines.spark.driver_propagation import DRIVER_EDGE_LIMIT

    events, identities = read_export(spark, str(store.export))
    return score_spark(spark, events, day_end(store.day), model, identities,
                       driver_edges=DRIVER_EDGE_LIMIT if on_driver else 0).to_score_run()


def assert_same_scores(local: pa.Table, spark: pa.Table, key: tuple[str, ...]) -> None:
    """Same rows; raw within 1e-6; 1–100 scores equal when rounded to whole points."""
    def keyed(table: pa.Table) -> dict[tuple[Any, ...], dict[str, Any]]:
        return {tuple(row[k] for k in key): row for row in table.to_pylist()}

    ours, theirs = keyed(local), keyed(spark)
    assert ours.keys() == theirs.keys()
    keys = sorted(ours)
    for column in ("raw", "score"):
        a = np.array([ours[k][column] for k in keys])
        b = np.array([theirs[k][column] for k in keys])
        assert np.max(np.abs(a - b)) <= 1e-6, column
    assert [round(ours[k]["score"]) for k in keys] == [round(theirs[k]["score"]) for k in keys]


@pytest.mark.parametrize("on_driver", [True, False], ids=["driver", "cluster"])
def test_simulated_world_scores_match_the_local_engine(spark: Any, world: Store,
                                                       on_driver: bool) -> None:
    spark.conf.set("spark.sql.session.timeZone", "America/New_York")
    try:  # the run sets UTC for itself and gives the user's setting back
        run = spark_run(spark, world, DEFAULT_MODEL, on_driver=on_driver)
        assert spark.conf.get("spark.sql.session.timeZone") == "America/New_York"
    finally:
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    local = local_run(world, DEFAULT_MODEL)
    assert run.accounts.num_rows > 250 and run.people.num_rows == local.people.num_rows
    assert run.propagation_iterations == local.propagation_iterations
    assert run.propagation_converged
    assert_same_scores(local.accounts, run.accounts, ("network", "account"))
    assert_same_scores(local.people, run.people, ("person_id",))
    offline = [row for row in run.people.to_pylist() if row["offline_units"] > 0]
    assert offline, "the world has offline credentials: people scored from them too"
    if on_driver:
        assert run.people.sort_by("person_id").column("raw").to_pylist() == \
            local.people.sort_by("person_id").column("raw").to_pylist()


def test_the_mutual_group_discount_matches_the_local_engine(spark: Any, world: Store) -> None:
    """The group exponent off (every exchange discounted, as up to renown-2026.12.2): the same
    SQL without the triangle count gives the local engine's scores, and other scores than
    the default's (η = 1, which every other test here runs)."""
    model = DEFAULT_MODEL.with_changes(version="spark-test-no-groups", mutual_group_exponent=0.0)
    run, local = spark_run(spark, world, model), local_run(world, model)
    assert_same_scores(local.accounts, run.accounts, ("network", "account"))
    assert_same_scores(local.people, run.people, ("person_id",))
    grouped = local_run(world, DEFAULT_MODEL)
    assert grouped.people.column("score").to_pylist() != local.people.column("score").to_pylist()


@pytest.mark.shared_data
def test_higgs_day_scores_match_the_local_engine(
        spark: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    source = shared_path("higgs/higgs-activity_time.txt.gz")
    store = build_store(tmp_path_factory.mktemp("spark-higgs"), source, "higgs", None)
    model = DEFAULT_MODEL.with_changes(window_days=1.0)  # the last day: 16,846 events
    run, local = spark_run(spark, store, model), local_run(store, model)
    assert local.accounts.num_rows > 10_000
    assert run.propagation_iterations == local.propagation_iterations
    assert_same_scores(local.accounts, run.accounts, ("network", "account"))
    assert_same_scores(local.people, run.people, ("person_id",))


def test_cli_scores_on_spark_into_the_store_and_parquet(
        spark: Any, world: Store, tmp_path: Path) -> None:
    db = tmp_path / "renown.duckdb"
    shutil.copy(world.db, db)
    model_file = tmp_path / "capped.toml"
    model_file.write_text(CAPPED.to_toml())
    refused = CliRunner().invoke(app, ["score", "--driver-edges", "0", "--db", str(db)])
    assert refused.exit_code == 2 and "need --engine spark" in refused.output
    result = CliRunner().invoke(app, [
        "score", "--engine", "spark", "--master", "local[2]", "--model", str(model_file),
        "--output", str(tmp_path / "scores"), "--db", str(db), "--json",
        "--driver-edges", "0"])  # propagated on the cluster: same scores to rounding
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout[result.stdout.index("["):])[0]
    assert info["as_of"] == world.day.isoformat() and info["model_version"] == CAPPED.version
    local = local_run(world, CAPPED)
    with open_store(db) as con:
        stored = con.sql("SELECT person_id, raw, score FROM person_scores WHERE run_id = $run",
                         params={"run": info["run_id"]}).to_arrow_table()
        topics = con.execute("SELECT count(*) FROM topic_runs WHERE run_id = ?",
                             [info["run_id"]]).fetchall()
    assert topics == [(1,)]  # topics come from the store's events, as with the local engine
    assert_same_scores(local.people, stored, ("person_id",))
    people = pq.read_table(tmp_path / "scores" / "person_scores")
    assert people.num_rows == local.people.num_rows
    assert pq.read_table(tmp_path / "scores" / "account_scores").num_rows == \
        local.accounts.num_rows


def test_spark_submit_entry_scores_an_export(spark: Any, world: Store, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from renown.engines.spark import submit

    model_file = tmp_path / "capped.toml"
    model_file.write_text(CAPPED.to_toml())
    day = world.day - timedelta(days=3)
    status = submit.main(["--input", str(world.export), "--output", str(tmp_path / "out"),
                          "--model", str(model_file), "--as-of", day.isoformat(),
                          "--driver-edges", "0"])  # the cluster path, capped at 12 steps
    assert status == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["as_of"] == day.isoformat() and summary["iterations"] == 12
    with open_store(world.db) as con:
        local = compute_scores(con, day_end(day), CAPPED)
    assert_same_scores(local.people, pq.read_table(tmp_path / "out" / "person_scores"),
                       ("person_id",))
    runs = pq.read_table(tmp_path / "out" / "score_runs").to_pylist()
    assert runs[0]["people"] == local.people.num_rows
