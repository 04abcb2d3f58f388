"""Far-out fences: read from the population, unit-free, robust to degenerate spreads."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.scoring.audience.fences import MIN_LOG_SPREAD, beyond, far_out_fence

positive = st.lists(st.floats(0.01, 1e6, allow_nan=False), min_size=1, max_size=200)


@settings(max_examples=200)
@given(values=positive, unit=st.floats(1e-3, 1e3))
def test_fences_follow_the_unit(values: list[float], unit: float) -> None:
    """Measuring per hour instead of per day flags the same accounts."""
    data = np.array(values)
    for side in ("high", "low"):
        fence = far_out_fence(data, side)
        assert far_out_fence(data * unit, side) == pytest.approx(fence * unit, rel=1e-9)
        clear = ~np.isclose(data, fence, rtol=1e-9)  # a value on the fence is a rounding call
        assert np.array_equal(beyond(data, fence, side)[clear],
                              beyond(data * unit, far_out_fence(data * unit, side), side)[clear])


@given(values=positive)
def test_the_fence_lies_at_least_eight_times_beyond_the_quartile(values: list[float]) -> None:
    data = np.array(values)
    q1, q3 = np.quantile(np.log(data), [0.25, 0.75])
    assert math.log(far_out_fence(data)) >= q3 + 3 * MIN_LOG_SPREAD - 1e-9
    assert math.log(far_out_fence(data, "low")) <= q1 - 3 * MIN_LOG_SPREAD + 1e-9


def test_a_population_that_behaves_alike_flags_only_eightfold_outliers() -> None:
    """Most Higgs accounts react exactly once: the IQR is 0, the floor keeps the fence sane."""
    data = np.array([1.0] * 900 + [2.0] * 90 + [9.0, 50.0])
    fence = far_out_fence(data)
    assert fence == pytest.approx(8.0)
    assert beyond(data, fence).tolist() == [False] * 990 + [True, True]


def test_a_wide_population_moves_its_fence() -> None:
    rng = np.random.default_rng(1)
    narrow, wide = rng.lognormal(0, 0.5, 5000), rng.lognormal(0, 1.5, 5000)
    assert far_out_fence(wide) > 5 * far_out_fence(narrow)


def test_missing_values_and_empty_populations_flag_nothing() -> None:
    assert math.isnan(far_out_fence([]))
    assert math.isnan(far_out_fence([0.0, -1.0, float("nan")]))
    assert not beyond([1e9, float("nan")], math.nan).any()
    assert beyond([float("nan"), 100.0], 10.0).tolist() == [False, True]
    assert beyond([float("nan"), 0.5], 1.0, "low").tolist() == [False, True]
