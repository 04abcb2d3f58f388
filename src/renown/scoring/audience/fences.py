"""Far-out fences: where "unusual" starts, read from the data's own distribution.

Behaviour measures (reactions a day, authors reached, seconds to react,
reactions exchanged by a pair) are positive and heavy-tailed, so fences are
set on their logarithm with Tukey's *far-out* rule: beyond Q3 + 3·IQR (or
below Q1 − 3·IQR).  No constant is tuned to a data set: the fence moves with
the population it is computed on, and it is equivariant to the unit (a
population measured per hour instead of per day gets the same accounts
flagged).

One assumption: differences smaller than a factor of two are not taken as
evidence of anything, so the log-IQR is floored at ln 2.  Without the floor a
population where most accounts behave alike (on Higgs most accounts react
exactly once, IQR 0) would call everyone above the upper quartile far out;
with it, far out means at least 2³ = 8 times the upper quartile.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

#: Tukey's far-out multiple of the inter-quartile range.
FAR_OUT: Final = 3.0
#: Smallest log-spread taken as real variation (a doubling).
MIN_LOG_SPREAD: Final = math.log(2.0)


def far_out_fence(values: npt.ArrayLike, side: Literal["high", "low"] = "high") -> float:
    """The value beyond which an observation is far out (NaN when there is nothing to judge).

    Only positive, finite values take part (a zero has no logarithm: it is
    never unusual on the high side and carries no timing on the low side).
    """
    data = np.asarray(values, dtype=np.float64)
    data = data[np.isfinite(data) & (data > 0)]
    if data.size == 0:
        return math.nan
    logs = np.log(data)
    q1, q3 = (float(q) for q in np.quantile(logs, [0.25, 0.75]))
    spread = FAR_OUT * max(q3 - q1, MIN_LOG_SPREAD)
    return math.exp(q3 + spread) if side == "high" else math.exp(q1 - spread)


def beyond(values: npt.ArrayLike, fence: float,
           side: Literal["high", "low"] = "high") -> npt.NDArray[np.bool_]:
    """Which values lie strictly beyond ``fence`` (never true for NaN values or a NaN fence)."""
    data = np.asarray(values, dtype=np.float64)
    if math.isnan(fence):
        return np.zeros(data.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        result = data > fence if side == "high" else data < fence
    return np.asarray(result & np.isfinite(data))
