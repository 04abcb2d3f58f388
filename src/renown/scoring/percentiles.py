"""Percentile ranks: where a score stands among everyone scored that day.

A score of 34 means little alone; "34, above 91 % of people" is what Twitter
Grader showed and what people understand.  The percentile rank of a score is
the share of scored people below it plus half the share tied with it
(Crocker & Algina, *Introduction to Classical and Modern Test Theory*, 1986,
§19.2), on 0–100.  Ties matter here: many people sit at the floor score of 1,
and counting them all as "above" each other (or as below) would put every
one of them at the same misleading extreme.

It is computed per snapshot (one day, one model) over people, or over one
network's accounts for a network's leaderboard, so percentiles of different
days or models are never mixed.
"""

from __future__ import annotations

import math
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt

from renown.store.database import scalar

FloatArray = npt.NDArray[np.float64]

#: The percentile rank as a SQL window expression over rows of one snapshot
#: (``score`` column); add ``PARTITION BY`` through `percentile_sql`.
PERCENTILE_SQL: Final = ("100.0 * ((rank() OVER (ORDER BY score) - 1) "
                         "+ 0.5 * count(*) OVER (PARTITION BY score)) / count(*) OVER ()")


def percentile_sql(score: str = "score", partition: str | None = None) -> str:
    """`PERCENTILE_SQL` for a score column, optionally within partitions (e.g. run_id)."""
    by = f"PARTITION BY {partition}" if partition else ""
    group = f"PARTITION BY {partition + ', ' if partition else ''}{score}"
    return (f"100.0 * ((rank() OVER ({by} ORDER BY {score}) - 1) "
            f"+ 0.5 * count(*) OVER ({group})) / count(*) OVER ({by})")


def percentile_ranks(scores: FloatArray) -> FloatArray:
    """The percentile rank (0–100) of every score among ``scores``."""
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        return np.zeros(0)
    ordered = np.sort(values)
    below = np.searchsorted(ordered, values, side="left")
    tied = np.searchsorted(ordered, values, side="right") - below
    return 100.0 * (below + 0.5 * tied) / values.size


def percentile_in(ordered: FloatArray, score: float) -> float:
    """The percentile rank of ``score`` among scores already sorted ascending."""
    if ordered.size == 0:
        return 0.0
    below = int(np.searchsorted(ordered, score, side="left"))
    tied = int(np.searchsorted(ordered, score, side="right")) - below
    return 100.0 * (below + 0.5 * tied) / ordered.size


def percentile_of(con: duckdb.DuckDBPyConnection, run_id: int, score: float,
                  network: str | None = None) -> float:
    """The percentile rank of one score in a stored snapshot (people, or one network)."""
    table, where = (("account_scores", "AND network = $network") if network is not None
                    else ("person_scores", ""))
    params: dict[str, object] = {"run": run_id, "score": score}
    if network is not None:
        params["network"] = network
    value = scalar(con, f"""
        SELECT 100.0 * (count(*) FILTER (WHERE score < $score)
                        + 0.5 * count(*) FILTER (WHERE score = $score)) / count(*)
        FROM {table} WHERE run_id = $run {where}""", params)
    return float(value) if value is not None else 0.0


def format_percentile(value: float) -> str:
    """One decimal, rounded down: the top person of 2,000 reads 99.9, never 100.0 ahead
    of people tied with them, and nobody reads as higher than they are."""
    return f"{math.floor(value * 10.0 + 1e-9) / 10.0:.1f}"
