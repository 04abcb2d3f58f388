"""``renown export --parquet`` and the engine options of ``renown score`` (no Spark needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from renown.interfaces.cli.main import app
from tests.interfaces.test_cli_scores import clean_error, cli_world

runner = CliRunner()


def test_export_writes_the_scoring_inputs(tmp_path: Path) -> None:
    db = tmp_path / "renown.duckdb"
    world = cli_world()
    con = world.store(db)
    links = con.execute("SELECT count(*) FROM identities").fetchall()[0][0]
    con.close()
    result = runner.invoke(app, ["export", "--parquet", str(tmp_path / "out"), "--db", str(db),
                                 "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["inputs"]["rows"]
    events = pq.read_table(tmp_path / "out" / "events.parquet")
    assert rows == {"events.parquet": events.num_rows, "identities.parquet": links}
    assert events.num_rows == len(world.events) > 50


def test_engine_options_are_checked_before_any_work(tmp_path: Path) -> None:
    db = str(tmp_path / "renown.duckdb")
    clean_error(runner.invoke(app, ["score", "--engine", "hadoop", "--db", db]),
                "--engine 'hadoop'")
    clean_error(runner.invoke(app, ["score", "--input", "x", "--db", db]), "--engine spark")
    clean_error(runner.invoke(app, ["score", "--engine", "spark", "--input", "x",
                                    "--events-table", "t", "--db", db]), "alternatives")
