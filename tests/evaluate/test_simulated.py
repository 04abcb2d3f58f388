"""The harness on a simulated world with planted influence: it recovers it, and it can fail."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import spearmanr

from renown.evaluate.harness import EvaluationData, collect, measure_population, must_show
from renown.scoring.model import DEFAULT_MODEL
from tests.evaluate.conftest import HORIZON_DAYS, SimWorld


@pytest.fixture(scope="module")
def sim_data(sim_world: SimWorld) -> Iterator[EvaluationData]:
    con = duckdb.connect(str(sim_world.db), read_only=True)
    try:
        yield collect(con, sim_world.split, HORIZON_DAYS, DEFAULT_MODEL)
    finally:
        con.close()


def latent_by_person(sim_world: SimWorld, people: np.ndarray) -> np.ndarray:
    """Planted influence per person (their strongest account), aligned with ``people``."""
    truth: pa.Table = sim_world.truth.influence()
    con = duckdb.connect(str(sim_world.db), read_only=True)
    try:  # the store's person ids: declared links, else "network:account"
        person_of = {(n, a): p for n, a, p in con.execute(
            "SELECT network, account, person_id FROM account_people").fetchall()}
    finally:
        con.close()
    latent: dict[str, float] = {}
    for row in truth.select(["network", "account", "latent_influence"]).to_pylist():
        person = person_of.get((row["network"], row["account"]))
        if person is not None:
            latent[person] = max(latent.get(person, 0.0), row["latent_influence"])
    return np.array([latent.get(p, np.nan) for p in people])


def test_renown_recovers_the_planted_influence(sim_world: SimWorld,
                                               sim_data: EvaluationData) -> None:
    latent = latent_by_person(sim_world, sim_data.person_ids)
    known = np.isfinite(latent)
    assert known.mean() > 0.95
    rho = spearmanr(sim_data.scores["renown"][known], latent[known]).statistic
    assert rho > 0.5
    assert rho > spearmanr(sim_data.scores["posts"][known], latent[known]).statistic


def test_renown_beats_post_count_on_what_happens_next(sim_data: EvaluationData) -> None:
    scores = {k: sim_data.scores[k] for k in ("renown", "posts")}
    result = measure_population("eligible", sim_data.outcome, scores, resamples=200)
    renown, posts = result.metrics["renown"], result.metrics["posts"]
    assert renown["spearman"].value > 0.4
    for metric in ("spearman", "ndcg@100"):
        assert result.renown_minus["posts"][metric].low > 0, metric
        assert not renown[metric].overlaps(posts[metric]), metric


def test_a_random_scorer_scores_near_chance(sim_data: EvaluationData) -> None:
    rng = np.random.default_rng(0)
    scores = {"renown": sim_data.scores["renown"], "random": rng.random(sim_data.outcome.size)}
    result = measure_population("eligible", sim_data.outcome, scores, resamples=200)
    random = result.metrics["random"]
    assert random["spearman"].low < 0 < random["spearman"].high
    assert random["auc_top1%"].value == pytest.approx(0.5, abs=0.15)
    assert result.renown_minus["random"]["spearman"].low > 0
    assert result.renown_minus["random"]["ndcg@100"].low > 0


def test_must_show_reports_each_metric(sim_data: EvaluationData) -> None:
    from renown.evaluate.harness import measure
    evaluation = measure(sim_data, resamples=20)
    verdict = must_show(evaluation)
    assert set(verdict) == {"spearman", "ndcg@100"}
    assert verdict["spearman"]["interval_clear_of"]["posts"] is True
