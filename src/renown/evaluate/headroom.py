"""How much any audience-based score *could* gain over a count, on one split.

Every audience-based scorer (Renown, distinct reactors, raw reactions,
in-degree on data without follows, PageRank) gives the same floor to everyone
nobody reacted to before the split: without a reaction there is nothing to
order them by.  On data where most eligible people have no audience (Higgs:
81%), whether someone had an audience at all then fixes most of the Spearman
correlation, and the order *within* the audience decides only the rest.  This
module measures both ends of that range on the split's own outcome:

* **audience only**: 1 for people with an audience, 0 for the rest (the least
  an audience-based scorer does);
* **oracle**: the audience ordered by the outcome itself, everyone else at
  the floor (the best order an audience-based scorer could give; not a strict
  bound for Spearman, whose tie structure an oracle cannot pick freely, but
  the reference a real scorer is measured against).

`captured` says what share of that range a scorer achieved, so "Renown −
distinct reactors" can be read against what was there to win: a Spearman gain
of 0.01 means little where the oracle is 0.30 above the floor and nearly all
of it where the oracle is 0.03 above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from renown.evaluate.metrics import point_metrics


@dataclass(frozen=True, slots=True)
class Headroom:
    """Point metrics (Spearman, NDCG@k, …) of the two reference orders on one split."""

    audience_only: dict[str, float]
    oracle: dict[str, float]

    def captured(self, metric: str, value: float) -> float:
        """Share of the range audience-only → oracle that ``value`` reached (nan if empty)."""
        low, high = self.audience_only[metric], self.oracle[metric]
        if not np.isfinite(low) or not np.isfinite(high) or high - low <= 1e-12:
            return float("nan")
        return float((value - low) / (high - low))


def headroom(audience: npt.ArrayLike, outcome: npt.ArrayLike, k: int = 100) -> Headroom:
    """The audience-only and oracle orders of ``outcome`` (≥ 0) measured like any scorer."""
    has_audience = np.asarray(audience, dtype=bool)
    result = np.asarray(outcome, dtype=np.float64)
    if has_audience.shape != result.shape:
        raise ValueError("audience and outcome must have the same length")
    if result.size and result.min() < 0:
        raise ValueError("outcomes are counts of people: they cannot be negative")
    audience_only = point_metrics(has_audience.astype(np.float64), result, k)
    oracle = point_metrics(np.where(has_audience, 1.0 + result, 0.0), result, k)
    return Headroom(audience_only, oracle)
