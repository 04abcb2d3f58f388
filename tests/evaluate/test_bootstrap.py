"""Bootstrap intervals: reproducible, around the estimate, exact under compression."""

from __future__ import annotations

import numpy as np
import pytest

from renown.evaluate.bootstrap import Compressed, bootstrap, percentile_interval
from renown.evaluate.harness import measure_population
from renown.evaluate.metrics import point_metrics


def _data(n: int = 2000, seed: int = 1) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    signal = rng.pareto(2.0, n)
    outcome = rng.poisson(signal).astype(float)
    return ({"good": signal + rng.normal(0, 0.2, n), "coarse": np.round(signal),
             "random": rng.random(n)}, outcome)


def test_intervals_contain_the_point_estimate_and_are_seeded() -> None:
    scores, outcome = _data()
    first = bootstrap(scores, outcome, resamples=200, seed=7)
    again = bootstrap(scores, outcome, resamples=200, seed=7)
    for key in first.points:
        estimate = first.estimate(key)
        assert estimate.low <= estimate.value <= estimate.high, key
        assert first.replicates[key].shape == (200,)
        np.testing.assert_array_equal(first.replicates[key], again.replicates[key])
    other = bootstrap(scores, outcome, resamples=200, seed=8)
    assert not np.array_equal(first.replicates["good/spearman"],
                              other.replicates["good/spearman"])


def test_points_equal_the_unweighted_metrics() -> None:
    scores, outcome = _data(500)
    result = bootstrap(scores, outcome, resamples=0)
    for name, values in scores.items():
        for metric, value in point_metrics(values, outcome).items():
            assert result.points[f"{name}/{metric}"] == pytest.approx(value, abs=1e-12)


def test_random_scores_score_near_chance() -> None:
    scores, outcome = _data(3000)
    result = measure_population("eligible", outcome, scores, resamples=200)
    spearman = result.metrics["random"]["spearman"]
    assert spearman.low < 0 < spearman.high
    assert result.metrics["random"]["auc_top1%"].value == pytest.approx(0.5, abs=0.1)
    assert result.metrics["good"]["spearman"].low > spearman.high


def test_compression_merges_identical_people_only() -> None:
    scores = {"a": np.array([1.0, 1.0, 2.0, 1.0]), "b": np.array([0.0, 0.0, 0.0, 5.0])}
    data = Compressed.of(scores, np.array([3.0, 3.0, 3.0, 3.0]))
    assert sorted(data.counts.tolist()) == [1.0, 1.0, 2.0]
    assert data.item_of[0] == data.item_of[1] != data.item_of[3]


def test_paired_difference_and_standard_error() -> None:
    scores, outcome = _data()
    result = bootstrap(scores, outcome, resamples=200)
    diff = result.difference("good/spearman", "random/spearman")
    assert diff.value == pytest.approx(result.points["good/spearman"]
                                       - result.points["random/spearman"])
    assert diff.low > 0
    assert 0 < result.standard_error("good/spearman") < 0.1


def test_percentile_interval_skips_nan_and_handles_empty() -> None:
    low, high = percentile_interval(np.array([np.nan, *np.arange(101.0)]))
    assert (low, high) == pytest.approx((2.5, 97.5))
    assert all(np.isnan(percentile_interval(np.array([np.nan]))))
