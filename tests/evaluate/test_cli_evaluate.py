"""`renown evaluate` and `renown model fit` through a throwaway Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from renown.interfaces.cli.evaluate import evaluate_command, fit_command
from renown.scoring.model import DEFAULT_MODEL, Model
from tests.evaluate.conftest import SimWorld
from tests.evaluate.worlds import SPLIT, twitter_world

runner = CliRunner()
app = typer.Typer(pretty_exceptions_enable=False)
app.command("evaluate")(evaluate_command)
model_app = typer.Typer()
model_app.command("fit")(fit_command)
app.add_typer(model_app, name="model")


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    twitter_world().store(tmp_path / "small.duckdb").close()
    return tmp_path / "small.duckdb"


def test_evaluate_json(small_db: Path) -> None:
    result = runner.invoke(app, ["evaluate", "--split", f"{SPLIT:%Y-%m-%d}", "--db",
                                 str(small_db), "--json", "--resamples", "50"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    eligible = data["populations"][0]
    assert eligible["name"] == "eligible" and eligible["people"] == 6
    assert set(eligible["metrics"]["renown"]) == {"spearman", "ndcg@100", "precision@100",
                                                  "auc_top1%"}
    assert data["model_version"] == DEFAULT_MODEL.version and data["seconds"] > 0
    assert set(data["must_show"]) == {"spearman", "ndcg@100"}


def test_evaluate_table_report_and_candidate(small_db: Path, tmp_path: Path) -> None:
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(DEFAULT_MODEL.with_changes(
        version="renown-test-candidate", weight_network=0.0, weight_reach=0.9).to_toml())
    result = runner.invoke(app, ["evaluate", "--split", f"{SPLIT:%Y-%m-%d}", "--horizon", "7",
                                 "--db", str(small_db), "--resamples", "20", "--candidate",
                                 str(candidate), "--report", str(tmp_path / "report")])
    assert result.exit_code == 0, result.output
    assert "Renown score" in result.stdout and "Candidate" in result.stdout
    assert "finished in" in result.stdout
    report = (tmp_path / "report" / "report.md").read_text()
    assert "| Renown score |" in report and "![Renown score vs outcome](scatter.png)" in report
    for png in ("scatter.png", "metrics.png"):
        assert (tmp_path / "report" / png).read_bytes()[:4] == b"\x89PNG"


def test_evaluate_errors_are_clean(small_db: Path, tmp_path: Path) -> None:
    bad_date = runner.invoke(app, ["evaluate", "--split", "soon", "--db", str(small_db)])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    early = runner.invoke(app, ["evaluate", "--split", "2000-01-01", "--db", str(small_db)])
    assert early.exit_code == 1 and "nobody was active" in early.output
    (tmp_path / "broken.toml").write_text("weight_reach = -1\n")
    broken = runner.invoke(app, ["evaluate", "--split", f"{SPLIT:%Y-%m-%d}", "--db",
                                 str(small_db), "--candidate", str(tmp_path / "broken.toml")])
    assert broken.exit_code == 1 and "cannot read model" in broken.output


def test_model_fit_writes_a_candidate(sim_world: SimWorld, tmp_path: Path) -> None:
    out = tmp_path / "fitted.toml"
    result = runner.invoke(app, ["model", "fit", "--split", f"{sim_world.split:%Y-%m-%d}",
                                 "--validation-days", "7", "--max-evaluations", "3",
                                 "--guard-se", "0", "--db", str(sim_world.db), "--out",
                                 str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["evaluations"] <= 3 and len(data["validation"]) == 2
    if data["written"]:
        model = Model.load(out)
        assert model.version == data["fitted"] and "-fit-" in model.version
        assert out.read_text().startswith("# Fitted by `renown model fit")
    else:
        assert not data["changes"]
