"""`renown evaluate` on the real Higgs data: under a minute, and far better than counting posts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from renown.store.database import connect
from renown.store.ingest import ingest
from tests.conftest import shared_path
from tests.evaluate.test_cli_evaluate import app

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def test_higgs_evaluation_beats_post_count_with_clear_intervals(tmp_path: Path) -> None:
    """Its run time (target < 60 s) is printed by benchmarks/evaluate_real_data.py."""
    source = shared_path("higgs/higgs-activity_time.txt.gz")
    db = tmp_path / "higgs.duckdb"
    con = connect(db)
    try:
        assert ingest(con, source, "higgs").quarantined == 0
    finally:
        con.close()
    result = CliRunner().invoke(app, ["evaluate", "--split", "2012-07-05", "--horizon", "3",
                                      "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    eligible = data["populations"][0]
    assert eligible["people"] > 200_000 and eligible["responded"] > 10_000
    renown, posts = eligible["metrics"]["renown"], eligible["metrics"]["posts"]
    for metric in ("spearman", "ndcg@100"):
        assert renown[metric]["low"] > posts[metric]["high"], metric
    assert renown["auc_top1%"]["value"] > 0.9
    assert data["must_show"]["spearman"]["interval_clear_of"]["posts"] is True
