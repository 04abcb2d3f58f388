"""Vectorised sampling building blocks for the simulator.

Everything here works on whole arrays (one NumPy call per step, never a Python
loop per person or per event), which is what lets the simulator produce
millions of events per second.  Groups of variable size (a person's
followers, a topic's members, a person's posts) are kept in CSR form: a flat
``members`` array sorted by group, plus each group's ``start`` and ``count``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

#: Seconds and microseconds in a day.
DAY_S = 86_400
DAY_US = DAY_S * 1_000_000

# Relative activity per hour of the day (UTC): quiet nights, busy evenings.
_HOURLY = np.array([2, 1.5, 1, 1, 1, 1.5, 3, 5, 6, 6, 6, 6, 7, 6, 6, 6, 6, 7, 8, 9, 9, 8, 6,
                    4], dtype=np.float64)
_HOUR_CDF = np.cumsum(_HOURLY / _HOURLY.sum())


@dataclass(frozen=True, slots=True)
class Groups:
    """CSR grouping: group g's members are ``members[start[g]:start[g] + count[g]]``."""

    members: np.ndarray
    start: np.ndarray
    count: np.ndarray


def group_by(keys: np.ndarray, values: np.ndarray, n_groups: int) -> Groups:
    """Group ``values`` by integer ``keys`` in [0, n_groups), stably (deterministic)."""
    order = np.argsort(keys, kind="stable")
    count = np.bincount(keys, minlength=n_groups).astype(np.int64)
    start = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(count[:-1], out=start[1:])
    return Groups(values[order], start, count)


def segment_draws(
    rng: np.random.Generator, groups: Groups, which: np.ndarray, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``counts[i]`` uniform draws (with replacement) from group ``which[i]``.

    Returns (draw owner i, drawn member).  Groups drawn from must be non-empty.
    """
    owner = np.repeat(np.arange(which.size, dtype=np.int64), counts)
    group = which[owner]
    offset = (rng.random(owner.size) * groups.count[group]).astype(np.int64)
    return owner, groups.members[groups.start[group] + offset]


def all_members(groups: Groups, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every member of group ``which[i]``, for each i: returns (i, member) pairs."""
    counts = groups.count[which]
    owner = np.repeat(np.arange(which.size, dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    within = np.arange(owner.size, dtype=np.int64) - first[owner]
    return owner, groups.members[groups.start[which[owner]] + within]


def weighted_draws(
    rng: np.random.Generator, cumulative: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> np.ndarray:
    """One index per draw from ``[lo, hi)``, with probability proportional to weight.

    ``cumulative`` is the inclusive cumulative sum of the weights over the flat
    array the ranges index into; each range must have positive total weight.
    """
    base = np.where(lo > 0, cumulative[np.maximum(lo - 1, 0)], 0.0)
    top = cumulative[hi - 1]
    x = base + rng.random(lo.size) * (top - base)
    picked = np.searchsorted(cumulative, x, side="right")
    return np.asarray(np.clip(picked, lo, hi - 1))


def categorical(rng: np.random.Generator, probs: np.ndarray, size: int) -> np.ndarray:
    """``size`` draws of category indices with the given probabilities."""
    cdf = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"),
                      probs.size - 1).astype(np.int8)


def lognormal_with_mean(
    rng: np.random.Generator, mean: float, sigma: float, size: int
) -> np.ndarray:
    """Lognormal draws whose mean (not median) is ``mean``: heavy-tailed rates."""
    return np.asarray(rng.lognormal(np.log(mean) - sigma * sigma / 2, sigma, size),
                      dtype=np.float64)


def times_in_period(
    rng: np.random.Generator, start_us: int, days: int, size: int
) -> np.ndarray:
    """Timestamps (µs) spread over ``days`` days from ``start_us``, with a daily rhythm."""
    day = rng.integers(0, days, size, dtype=np.int64)
    hour = np.searchsorted(_HOUR_CDF, rng.random(size), side="right").clip(0, 23)
    second = rng.integers(0, 3600, size, dtype=np.int64)
    return start_us + (day * DAY_S + hour.astype(np.int64) * 3600 + second) * 1_000_000


def reaction_delays_us(
    rng: np.random.Generator, size: int, median_s: float, sigma: float, max_s: float
) -> np.ndarray:
    """Heavy-tailed delays between seeing content and reacting (µs), ≥ 1 s and ≤ max."""
    seconds = rng.lognormal(np.log(median_s), sigma, size).clip(1.0, max_s)
    return (seconds * 1_000_000).astype(np.int64)


def first_occurrences(keys: np.ndarray) -> np.ndarray:
    """Sorted positions of the first occurrence of each distinct key (dedupe, keep first).

    A stable argsort plus a neighbour comparison: several times faster than
    ``np.unique(return_index=True)`` on large random keys.
    """
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    first = np.ones(keys.size, dtype=bool)
    np.not_equal(ranked[1:], ranked[:-1], out=first[1:])
    return np.sort(order[first])


def unique_pairs(a: np.ndarray, b: np.ndarray, b_bound: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (a, b) pairs, sorted by (a, b); every ``b`` must be < ``b_bound``.

    Sorting the packed keys is the cheapest exact dedupe NumPy offers (no
    argsort, no hashing); the pairs come back in a canonical order.
    """
    keys = np.sort(a.astype(np.int64) * b_bound + b)
    keep = np.ones(keys.size, dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    keys = keys[keep]
    return keys // b_bound, keys % b_bound


def contains_sorted(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` occurs in the ascending array ``sorted_keys``."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return np.asarray(sorted_keys[at] == keys)


@dataclass(frozen=True, slots=True)
class Period:
    """The simulated period ``[start, end)`` (naive UTC) and the follow history before it."""

    start: datetime
    end: datetime
    days: int
    #: Follows reach back this many days before ``start`` (the graph predates the period).
    history_days: int = 90

    @staticmethod
    def ending(end: datetime, days: int) -> Period:
        return Period(end - timedelta(days=days), end, days)

    @property
    def start_us(self) -> int:
        return _epoch_us(self.start)

    @property
    def end_us(self) -> int:
        return _epoch_us(self.end)

    @property
    def history_start(self) -> datetime:
        return self.start - timedelta(days=self.history_days)

    @property
    def history_start_us(self) -> int:
        return _epoch_us(self.history_start)


def _epoch_us(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1)) // timedelta(microseconds=1)
