"""All metrics for all scorers, with percentile-bootstrap 95% intervals over people.

The unit resampled is the person (Efron & Tibshirani, *An Introduction to the
Bootstrap*, 1993, ch. 13: the percentile interval).  Every scorer is measured
on the *same* resamples, so the difference between two scorers has its own
paired interval, which is sharper than comparing two separate intervals: a
paired interval excluding 0 means one scorer is better on this population,
not just on this sample.

Resamples are drawn as multiplicity weights (`renown.evaluate.metrics`), in
chunks so memory stays bounded (chunk × people × 8 bytes per temporary), with
a seeded generator so the same data and seed give the same intervals.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from renown.evaluate.metrics import Ordering, OutcomeSide, score_metrics

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DEFAULT_RESAMPLES: Final = 200
DEFAULT_SEED: Final = 20260601
DEFAULT_K: Final = 100
#: Resamples per batch: about this many (resample × person) cells (≈ 32 MB per temporary).
_CHUNK_CELLS: Final = 4_000_000


def metric_names(k: int) -> tuple[str, ...]:
    return ("spearman", f"ndcg@{k}", f"precision@{k}", "auc_top1%")


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its percentile-bootstrap interval."""

    value: float
    low: float
    high: float

    def overlaps(self, other: Estimate) -> bool:
        return not (self.low > other.high or other.low > self.high)


@dataclass(frozen=True, slots=True)
class Compressed:
    """People identical in outcome and every score, merged into one weighted item.

    Exact, not an approximation: identical people are exchangeable in every
    metric, so a resample only needs how many of each kind it drew.  On Higgs
    ~180k people without an audience collapse into a few hundred items.
    """

    outcome: FloatArray
    scores: dict[str, FloatArray]
    counts: FloatArray
    #: Item of each original person.
    item_of: IntArray

    @staticmethod
    def of(scores: Mapping[str, FloatArray], outcome: FloatArray) -> Compressed:
        names = list(scores)
        table = np.column_stack([outcome, *(scores[n] for n in names)])
        unique, item_of, counts = np.unique(table, axis=0, return_inverse=True,
                                            return_counts=True)
        return Compressed(unique[:, 0], {n: unique[:, i + 1] for i, n in enumerate(names)},
                          counts.astype(np.float64), item_of.reshape(-1).astype(np.int64))


def resample_weights(item_of: IntArray, n_items: int, resamples: int,
                     seed: int) -> Iterator[FloatArray]:
    """Bootstrap multiplicities, items × resamples, in batches; each resample draws all people."""
    rng = np.random.default_rng(seed)
    people = item_of.size
    chunk = max(1, min(resamples, _CHUNK_CELLS // max(people, n_items, 1)))
    done = 0
    while done < resamples:
        rows = min(chunk, resamples - done)
        draws = item_of[rng.integers(0, people, size=(rows, people))] * rows
        draws += np.arange(rows, dtype=np.int64)[:, None]
        yield np.bincount(draws.ravel(), minlength=rows * n_items).reshape(
            n_items, rows).astype(np.float64)
        done += rows


def metrics_for_weights(weights: FloatArray, outcome: FloatArray,
                        orderings: Mapping[str, Ordering], k: int) -> dict[str, FloatArray]:
    """Every metric of every scorer for these weights (items × resamples).

    Keys are ``"scorer/metric"``; values have one entry per resample (column).
    """
    side = OutcomeSide.of(weights, outcome, k)
    names = metric_names(k)
    results: dict[str, FloatArray] = {}
    for scorer, order in orderings.items():
        for name, value in zip(names, score_metrics(side, order), strict=True):
            results[f"{scorer}/{name}"] = value
    return results


def percentile_interval(values: FloatArray, level: float = 0.95) -> tuple[float, float]:
    """The percentile interval of bootstrap replicates (NaN replicates are left out)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    """Point estimates and replicates of every ``scorer/metric``."""

    points: dict[str, float]
    replicates: dict[str, FloatArray]

    def estimate(self, key: str) -> Estimate:
        return Estimate(self.points[key], *percentile_interval(self.replicates[key]))

    def difference(self, key_a: str, key_b: str) -> Estimate:
        """Paired difference a − b, with its interval from the same resamples."""
        low, high = percentile_interval(self.replicates[key_a] - self.replicates[key_b])
        return Estimate(self.points[key_a] - self.points[key_b], low, high)

    def standard_error(self, key: str) -> float:
        finite = self.replicates[key][np.isfinite(self.replicates[key])]
        return float(np.std(finite, ddof=1)) if finite.size > 1 else float("nan")


def bootstrap(scores: Mapping[str, FloatArray], outcome: FloatArray, *, k: int = DEFAULT_K,
              resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> BootstrapResult:
    """Point estimates and ``resamples`` bootstrap replicates of every metric."""
    data = Compressed.of(scores, np.asarray(outcome, dtype=np.float64))
    orderings = {name: Ordering.of(values) for name, values in data.scores.items()}
    points = {key: float(value[0]) for key, value in
              metrics_for_weights(data.counts[:, None], data.outcome, orderings, k).items()}
    chunks: dict[str, list[FloatArray]] = {key: [] for key in points}
    for weights in resample_weights(data.item_of, data.counts.size, resamples, seed):
        for key, value in metrics_for_weights(weights, data.outcome, orderings, k).items():
            chunks[key].append(value)
    replicates = {key: np.concatenate(parts) if parts else np.zeros(0)
                  for key, parts in chunks.items()}
    return BootstrapResult(points, replicates)
