"""The headroom references: audience-only and oracle orders, and the share a scorer captured."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.evaluate.headroom import headroom
from renown.evaluate.metrics import point_metrics


def test_the_oracle_orders_the_audience_by_the_outcome_and_floors_everyone_else() -> None:
    audience = np.array([True, True, True, False, False, False])
    outcome = np.array([5.0, 0.0, 2.0, 1.0, 0.0, 0.0])
    room = headroom(audience, outcome, k=3)
    oracle = point_metrics(np.array([6.0, 1.0, 3.0, 0.0, 0.0, 0.0]), outcome, k=3)
    assert room.oracle == oracle
    assert room.audience_only == point_metrics(audience.astype(float), outcome, k=3)
    assert room.oracle["spearman"] > room.audience_only["spearman"]
    # the third-best outcome (1) had no audience: the oracle's third is the audience's 0
    ideal = 5 + 2 / math.log2(3) + 1 / math.log2(4)
    assert room.oracle["ndcg@3"] == pytest.approx((5 + 2 / math.log2(3)) / ideal)


def test_captured_is_the_share_of_the_range() -> None:
    audience = np.array([True] * 4 + [False] * 4)
    outcome = np.array([4.0, 3.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    room = headroom(audience, outcome, k=3)
    low, high = room.audience_only["spearman"], room.oracle["spearman"]
    assert room.captured("spearman", low) == pytest.approx(0.0)
    assert room.captured("spearman", high) == pytest.approx(1.0)
    assert room.captured("spearman", (low + high) / 2) == pytest.approx(0.5)


def test_no_range_means_no_share() -> None:
    room = headroom(np.ones(5, bool), np.zeros(5))
    assert math.isnan(room.captured("spearman", 0.3))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        headroom(np.ones(3, bool), np.zeros(4))
    with pytest.raises(ValueError, match="negative"):
        headroom(np.ones(2, bool), np.array([1.0, -1.0]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 6), st.floats(0, 10)),
                min_size=3, max_size=60))
def test_no_scorer_that_floors_people_without_an_audience_beats_the_oracle_on_ndcg(
        rows: list[tuple[bool, int, float]]) -> None:
    audience = np.array([a for a, _, _ in rows])
    outcome = np.array([float(o) for _, o, _ in rows])
    scorer = np.where(audience, 1.0 + np.array([s for _, _, s in rows]), 0.0)
    room = headroom(audience, outcome, k=5)
    got = point_metrics(scorer, outcome, k=5)["ndcg@5"]
    if not math.isnan(got):
        assert got <= room.oracle["ndcg@5"] + 1e-9
