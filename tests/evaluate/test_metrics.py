"""Each metric against hand-computed values and independent references."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import mannwhitneyu, spearmanr

from renown.evaluate.bootstrap import metrics_for_weights
from renown.evaluate.metrics import Ordering, point_metrics


def test_spearman_matches_scipy_with_and_without_ties() -> None:
    rng = np.random.default_rng(3)
    for low_cardinality in (True, False):
        x = rng.integers(0, 5, 300) if low_cardinality else rng.normal(size=300)
        y = x + rng.integers(0, 4, 300)
        got = point_metrics(x, y)["spearman"]
        assert got == pytest.approx(spearmanr(x, y).statistic, abs=1e-12)


def test_spearman_extremes_and_constant() -> None:
    x = np.arange(10.0)
    assert point_metrics(x, x * 3)["spearman"] == pytest.approx(1.0)
    assert point_metrics(x, -x)["spearman"] == pytest.approx(-1.0)
    assert math.isnan(point_metrics(np.ones(10), x)["spearman"])


def test_ndcg_by_hand() -> None:
    # Ranked by score: outcomes 1, 3, 0.  DCG@2 = 1/log2(2) + 3/log2(3); ideal 3 + 1/log2(3).
    got = point_metrics([3, 2, 1], [1, 3, 0], k=2)["ndcg@2"]
    assert got == pytest.approx((1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3)))
    assert point_metrics([1, 2, 3], [1, 2, 3], k=2)["ndcg@2"] == pytest.approx(1.0)
    assert math.isnan(point_metrics([1, 2, 3], [0, 0, 0], k=2)["ndcg@2"])


def test_ndcg_ties_are_the_average_over_tie_breaks() -> None:
    """McSherry & Najork: a tied group gets its mean gain on the positions it covers."""
    scores, outcomes, k = [5, 2, 2, 2, 1], [0, 4, 1, 0, 3], 3
    gains = []
    for perm in itertools.permutations([1, 2, 3]):
        order = [0, *perm, 4]
        gains.append(sum(outcomes[i] / math.log2(p + 2) for p, i in enumerate(order[:k])))
    ideal = 4 + 3 / math.log2(3) + 1 / 2
    assert point_metrics(scores, outcomes, k=k)["ndcg@3"] == pytest.approx(
        np.mean(gains) / ideal)
    assert point_metrics([1, 1], [2, 0], k=1)["ndcg@1"] == pytest.approx(0.5)


def test_precision_at_k_by_hand_with_tied_outcomes() -> None:
    assert point_metrics([4, 3, 2, 1], [0, 5, 4, 0], k=2)["precision@2"] == pytest.approx(0.5)
    # Outcomes 3, 1, 1, 0: the top 2 is item 0 plus one of the tied items (½ each).
    assert point_metrics([4, 3, 2, 1], [3, 1, 1, 0], k=2)["precision@2"] == pytest.approx(0.75)
    # Tied scores: the top 2 is any 2 of 4, each in with probability ½.
    assert point_metrics([1, 1, 1, 1], [3, 2, 0, 0], k=2)["precision@2"] == pytest.approx(0.5)


def test_auc_is_mann_whitney_on_the_top_one_percent() -> None:
    rng = np.random.default_rng(5)
    outcome = rng.permutation(np.arange(400.0))  # top 1% = the 4 largest
    scores = np.round(outcome / 100 + rng.normal(size=400), 1)  # ties in the scores
    positive = outcome >= 396
    u = mannwhitneyu(scores[positive], scores[~positive]).statistic
    assert point_metrics(scores, outcome)["auc_top1%"] == pytest.approx(u / (4 * 396))


def test_auc_counts_tied_pairs_half_and_never_labels_the_floor() -> None:
    # 200 people: top 1% = 2 positions; only one outcome is above 0, so one positive.
    outcome = np.zeros(200)
    outcome[7] = 5.0
    scores = np.zeros(200)
    assert point_metrics(scores, outcome)["auc_top1%"] == pytest.approx(0.5)
    scores[7] = 1.0
    assert point_metrics(scores, outcome)["auc_top1%"] == pytest.approx(1.0)
    assert math.isnan(point_metrics(scores, np.zeros(200))["auc_top1%"])


def test_weights_are_exactly_a_resample() -> None:
    """A row of multiplicities gives the metrics of the explicitly resampled data."""
    rng = np.random.default_rng(11)
    x, y = rng.integers(0, 30, 500).astype(float), rng.integers(0, 8, 500).astype(float)
    y[:5] = [40, 35, 30, 30, 29]
    draws = [rng.integers(0, 500, 500) for _ in range(3)]
    weights = np.column_stack([np.bincount(d, minlength=500) for d in draws]).astype(float)
    got = metrics_for_weights(weights, y, {"s": Ordering.of(x)}, 10)
    for column, d in enumerate(draws):
        expected = point_metrics(x[d], y[d], k=10)
        for name, value in expected.items():
            assert got[f"s/{name}"][column] == pytest.approx(value, abs=1e-12), name


def test_ordering_refuses_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        Ordering.of([1.0, float("nan")])
