"""Scoring real data: the Higgs Twitter activity (304,691 accounts, 563,069 reactions)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pytest

from renown.scoring import run as run_module
from renown.scoring.pipeline import ScoreRun, compute_scores
from renown.scoring.registry import current_model
from renown.scoring.run import latest_event_day, score_day
from renown.scoring.snapshots import SnapshotInfo, day_end
from renown.sources import SourceOptions
from renown.store.database import connect, scalar
from renown.store.ingest import ingest
from tests.conftest import shared_path

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

HIGGS_ACCOUNTS = 304_691


@dataclass(frozen=True)
class Higgs:
    con: duckdb.DuckDBPyConnection
    info: SnapshotInfo
    #: The run `score_day` computed and stored.
    run: ScoreRun


@pytest.fixture(scope="module")
def higgs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Higgs]:
    source = shared_path("higgs/higgs-activity_time.txt.gz")
    con = connect(tmp_path_factory.mktemp("higgs") / "higgs.duckdb")
    runs: list[ScoreRun] = []

    def keep(*args: Any, **kwargs: Any) -> ScoreRun:
        runs.append(compute_scores(*args, **kwargs))
        return runs[-1]

    try:
        report = ingest(con, source, "higgs", SourceOptions())
        assert report.quarantined == 0 and report.ingested == report.records
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(run_module, "compute_scores", keep)
            info = score_day(con)
        yield Higgs(con, info, runs[0])
    finally:
        con.close()


def test_every_account_gets_a_score_in_range(
        higgs: Higgs) -> None:
    con, info = higgs.con, higgs.info
    assert info.people == info.accounts == HIGGS_ACCOUNTS
    assert scalar(con, "SELECT count(*) FROM accounts") == HIGGS_ACCOUNTS
    rows = con.execute("SELECT count(*), count(DISTINCT person_id), min(score), max(score) "
                       "FROM person_scores WHERE run_id = ?", [info.run_id]).fetchall()
    assert rows == [(HIGGS_ACCOUNTS, HIGGS_ACCOUNTS, rows[0][2], rows[0][3])]
    assert rows[0][2] >= 1.0 and rows[0][3] <= 100.0
    unscored = scalar(con, """SELECT count(*) FROM account_people ap
        LEFT JOIN person_scores p ON p.person_id = ap.person_id AND p.run_id = ?
        WHERE p.person_id IS NULL""", [info.run_id])
    assert unscored == 0


def test_scores_are_calibrated_for_people_with_an_audience(
        higgs: Higgs) -> None:
    con, info = higgs.con, higgs.info
    scores = con.execute("""
        SELECT p.score FROM person_scores p WHERE p.run_id = ? AND p.person_id IN (
            SELECT person_id FROM account_scores WHERE run_id = ? AND reactors > 0)""",
        [info.run_id, info.run_id]).fetchnumpy()["score"]
    assert len(scores) > 10_000
    median, p99 = np.quantile(scores, [0.5, 0.99])
    assert 20 <= median <= 40, median
    assert p99 > 80, p99


def test_recomputation_is_bit_identical(higgs: Higgs) -> None:
    con, info, first = higgs.con, higgs.info, higgs.run
    assert info.as_of == latest_event_day(con)
    second = compute_scores(con, day_end(info.as_of), current_model(con))
    assert first.people.equals(second.people)
    assert first.accounts.equals(second.accounts)
    stored = con.execute("SELECT person_id, score FROM person_scores WHERE run_id = ? "
                         "ORDER BY person_id", [info.run_id]).fetchnumpy()
    computed = second.people.sort_by("person_id")
    assert list(stored["person_id"]) == computed["person_id"].to_pylist()
    assert np.array_equal(stored["score"], computed["score"].to_numpy())
