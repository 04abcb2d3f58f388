"""Percentile ranks: the NumPy and SQL forms agree, stay in bounds, and treat ties fairly."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from renown.scoring.percentiles import (
    format_percentile,
    percentile_in,
    percentile_ranks,
    percentile_sql,
)

scores = st.lists(st.sampled_from([1.0, 1.0, 2.5, 7.0, 40.0, 99.0]) | st.floats(1, 100),
                  min_size=1, max_size=60)


@given(scores)
def test_numpy_and_sql_agree_within_bounds(values: list[float]) -> None:
    ranks = percentile_ranks(np.array(values))
    con = duckdb.connect()
    con.register("s", pa.table({"i": range(len(values)), "score": values}))
    sql = [r for _, r in con.execute(f"SELECT i, {percentile_sql()} FROM s ORDER BY i"
                                     ).fetchall()]
    assert np.allclose(ranks, sql)
    assert ((ranks > 0) & (ranks <= 100)).all()
    ordered = np.sort(values)
    assert np.allclose([percentile_in(ordered, v) for v in values], ranks)


@given(scores)
def test_higher_score_never_a_lower_percentile(values: list[float]) -> None:
    ranks = percentile_ranks(np.array(values))
    order = np.argsort(values, kind="stable")
    assert (np.diff(ranks[order]) >= -1e-12).all()


def test_ties_share_the_middle_and_partitions_stay_apart() -> None:
    assert percentile_ranks(np.array([1.0, 1.0, 1.0, 1.0])).tolist() == [50.0] * 4
    assert percentile_ranks(np.array([1.0, 1.0, 5.0, 9.0])).tolist() == [25.0, 25.0, 62.5, 87.5]
    con = duckdb.connect()
    con.register("s", pa.table({"run": [1, 1, 2, 2], "score": [1.0, 2.0, 3.0, 4.0]}))
    got = con.execute(f"SELECT {percentile_sql(partition='run')} AS p FROM s ORDER BY score"
                      ).fetchall()
    assert [p for p, in got] == [25.0, 75.0, 25.0, 75.0]


def test_shown_percentile_rounds_down() -> None:
    assert format_percentile(99.95) == "99.9" and format_percentile(100.0) == "100.0"
    assert format_percentile(0.5) == "0.5" and percentile_in(np.zeros(0), 3.0) == 0.0
