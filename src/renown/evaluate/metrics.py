"""Rank metrics with exact tie handling, computed for many bootstrap resamples at once.

Every metric takes a matrix of *weights* ``W`` (resamples × items): row ``b``
says how many times each item (a person, or a group of people identical in
every score and in outcome) was drawn in resample ``b``.  A resample drawn with
replacement *is* the weighted data set (copies of a person have the same score
and outcome, so they tie with each other), so one vectorised code path gives
both the point estimate (weights = 1 per person) and every bootstrap
replicate, without materialising resampled arrays.

Ties are handled the textbook way, never by an arbitrary sort order:

* ranks are *mid-ranks* (the average of the positions a tie group occupies),
  as in Spearman's ρ with tie correction (Kendall & Gibbons, *Rank Correlation
  Methods*, 1990, ch. 3) and in the Mann–Whitney form of ROC AUC (Hanley &
  McNeil, *Radiology* 143, 1982), where a tied positive/negative pair counts ½;
* top-k metrics (NDCG@k, precision@k) are the *expectation over random
  tie-breaking* (McSherry & Najork, "Computing information retrieval
  performance measures efficiently in the presence of tied scores", ECIR
  2008): a tie group straddling position k adds its mean gain times the
  discounts of the positions it covers within the top k.

A scorer's ranks are constant inside its tie groups, so every metric reduces
to sums over the groups of per-item quantities that depend only on the
outcome (`OutcomeSide`, computed once per batch of resamples).  Each scorer
then costs one pass to find its tie groups' positions and one to correlate
ranks; the top-k and top-1% sums touch only the few items that can count
(`score_metrics`).  Arrays are item-major (items × resamples): gathering and
adding whole rows is what NumPy does fastest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Share of people counted as "top" for the ROC AUC.
TOP_SHARE: Final = 0.01


@dataclass(frozen=True, slots=True)
class Ordering:
    """Items sorted by a value, descending, with their tie groups (computed once)."""

    #: Item indices, largest value first (order inside a tie group never matters).
    order: IntArray
    #: Offset in ``order`` where each tie group starts.
    starts: IntArray
    #: Tie group of each item, in the original indexing.
    group_of: IntArray
    #: The value of each tie group (descending).
    group_values: FloatArray

    @staticmethod
    def of(values: npt.ArrayLike) -> Ordering:
        """Sort descending and find the tie groups; NaN is refused (it has no rank)."""
        array = np.asarray(values, dtype=np.float64)
        if array.ndim != 1 or not np.all(np.isfinite(array)):
            raise ValueError("values to rank must be a 1-D array of finite numbers")
        order = np.argsort(-array, kind="stable").astype(np.int64)
        ranked = array[order]
        new_group = np.ones(ranked.size, dtype=bool)
        new_group[1:] = ranked[1:] != ranked[:-1]
        starts = np.flatnonzero(new_group).astype(np.int64)
        group_of = np.empty(array.size, dtype=np.int64)
        group_of[order] = np.cumsum(new_group) - 1
        return Ordering(order, starts, group_of, ranked[starts])

    def group_sums(self, values: FloatArray) -> FloatArray:
        """Sums over each tie group of item-major ``values`` (items × …): (groups × …).

        Item-major because gathering and adding whole rows is what NumPy does
        fastest (contiguous memory), several times faster than along the last axis.
        """
        return np.add.reduceat(values[self.order], self.starts, axis=0)


def positions(counts: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(start, end) of each tie group in descending order (0-based, end exclusive)."""
    ends = np.cumsum(counts, axis=0)
    return ends - counts, ends


def ascending_mid_ranks(counts: FloatArray) -> FloatArray:
    """Mid-rank (1 = smallest) of each tie group (groups × resamples, descending order)."""
    starts, ends = positions(counts)
    total = ends[-1:]
    # Descending positions start+1 … end average (start + end + 1) / 2; flip to ascending.
    ranks: FloatArray = total + 1.0 - (starts + ends + 1.0) / 2.0
    return ranks


def discount_table(size: int, k: int, *, log_discount: bool) -> FloatArray:
    """Cumulative discount D[m] = Σ_{p<min(m,k)} d(p), d(p) = 1/log2(p+2) or 1."""
    shown = np.arange(min(size, k), dtype=np.float64)
    per_position = 1.0 / np.log2(shown + 2.0) if log_discount else np.ones_like(shown)
    table = np.concatenate([[0.0], np.cumsum(per_position)])
    return np.concatenate([table, np.full(max(size - k, 0), table[-1])])


def coverage(starts: FloatArray, ends: FloatArray, counts: FloatArray, k: int, *,
             log_discount: bool) -> FloatArray:
    """Per tie group: Σ of the discounts of its positions within the top k, per member.

    Under random tie-breaking each member of a group covering positions [s, e)
    sits at each of them with probability 1/(e − s) (McSherry & Najork 2008),
    so a member's expected discount is Σ_{p∈[s,e)∩[0,k)} d(p) / (e − s).
    """
    table = discount_table(int(np.max(ends, initial=0)) + 1, k, log_discount=log_discount)
    # Positions are whole numbers (sums of integer weights); rint guards float noise.
    covered = table[np.rint(ends).astype(np.int64)] - table[np.rint(starts).astype(np.int64)]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_member: FloatArray = np.where(counts > 0, covered / counts, 0.0)
    return per_member


def top_k_relevance(weights: FloatArray, outcome_order: Ordering, k: int) -> FloatArray:
    """Probability that each item is among the top k by outcome (ties broken at random)."""
    counts = outcome_order.group_sums(weights)
    starts, _ = positions(counts)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(counts > 0, np.clip((k - starts) / counts, 0.0, 1.0), 0.0)
    relevance: FloatArray = share[outcome_order.group_of]
    return relevance


def top_share_labels(weights: FloatArray, outcome_order: Ordering,
                     share: float = TOP_SHARE) -> FloatArray:
    """1.0 for items in the top ``share`` of outcomes in each resample, else 0.0.

    The threshold is the outcome at position ⌈share·N⌉; everyone tied with it
    is in (a label cannot split a tie), except that the smallest outcome value
    (usually 0: nobody responded) is never "top".
    """
    counts = outcome_order.group_sums(weights)
    starts, _ = positions(counts)
    cutoff = np.ceil(share * weights.sum(axis=0))[None, :]
    floor_value = outcome_order.group_values[-1]
    top = (starts < cutoff) & (outcome_order.group_values > floor_value)[:, None]
    labels: FloatArray = top.astype(np.float64)[outcome_order.group_of]
    return labels


@dataclass(frozen=True, slots=True)
class _Sparse:
    """The items where a weighted quantity can be non-zero, and its values there."""

    items: IntArray
    values: FloatArray

    @staticmethod
    def of(values: FloatArray) -> _Sparse:
        items = np.flatnonzero(np.any(values != 0, axis=1)).astype(np.int64)
        return _Sparse(items, values[items])


@dataclass(frozen=True, slots=True)
class OutcomeSide:
    """Everything the metrics need from the outcome, for one batch of resamples.

    Arrays are item-major (items × resamples).  Besides the weights, only
    W·(rank_y − mean) is dense; the gains (W·y), top-k relevance and top-1%
    labels are non-zero for few items, so they are kept sparse.
    """

    weights: FloatArray
    y_dev: FloatArray
    gains: _Sparse
    relevance: _Sparse
    labels: _Sparse
    total: FloatArray
    var_y: FloatArray
    ideal_dcg: FloatArray
    positives: FloatArray
    k: int

    @staticmethod
    def of(weights: FloatArray, outcome: FloatArray, k: int) -> OutcomeSide:
        """``weights`` is items × resamples (a column per resample)."""
        weights = np.ascontiguousarray(weights, dtype=np.float64)
        order = Ordering.of(outcome)
        counts = order.group_sums(weights)
        total = weights.sum(axis=0)
        deviation = (ascending_mid_ranks(counts) - (total + 1.0) / 2.0)[order.group_of]
        y_dev = weights * deviation
        group_starts, group_ends = positions(counts)
        ideal = (coverage(group_starts, group_ends, counts, k, log_discount=True)
                 * order.group_sums(weights * outcome[:, None])).sum(axis=0)
        labels = weights * top_share_labels(weights, order)
        var_y = np.einsum("ij,ij->j", y_dev, deviation)
        return OutcomeSide(
            weights, y_dev, _Sparse.of(weights * outcome[:, None]),
            _Sparse.of(weights * top_k_relevance(weights, order, k)), _Sparse.of(labels),
            total, var_y, ideal, labels.sum(axis=0), k)


def score_metrics(side: OutcomeSide, order: Ordering) -> tuple[FloatArray, ...]:
    """(Spearman ρ, NDCG@k, precision@k, ROC AUC top 1%) of one scorer, per resample.

    * Spearman: the weighted Pearson correlation of mid-ranks; NaN if a side is constant.
    * NDCG@k: linear gain = outcome (Järvelin & Kekäläinen, ACM TOIS 2002) — a
      person 200 people respond to is worth twice one 100 respond to, not
      2^100 times as with 2^rel − 1; NaN when nobody has a positive outcome.
    * precision@k: expected share of the scorer's top k who are in the outcome's top k.
    * ROC AUC: Mann–Whitney U / (P·N) on mid-ranks; NaN without positives or negatives.
    """
    counts = order.group_sums(side.weights)
    starts, ends = positions(counts)
    total, mean = side.total, (side.total + 1.0) / 2.0
    x_dev = ends[-1:] + 1.0 - (starts + ends + 1.0) / 2.0 - mean
    cov = np.einsum("ij,ij->j", x_dev[order.group_of], side.y_dev)
    var_x = np.einsum("ij,ij,ij->j", counts, x_dev, x_dev)

    def top_k(sparse: _Sparse, *, log_discount: bool) -> FloatArray:
        """Σ over the sparse items of value × their group's expected discount in the top k."""
        groups = order.group_of[sparse.items]
        per_member = coverage(starts[groups], ends[groups], counts[groups], side.k,
                              log_discount=log_discount)
        summed: FloatArray = np.einsum("ij,ij->j", per_member, sparse.values)
        return summed

    dcg = top_k(side.gains, log_discount=True)
    hits = top_k(side.relevance, log_discount=False)
    rank_sum = np.einsum("ij,ij->j", (x_dev + mean)[order.group_of[side.labels.items]],
                         side.labels.values)
    negatives = total - side.positives
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where((var_x > 0) & (side.var_y > 0), cov / np.sqrt(var_x * side.var_y), np.nan)
        ndcg = np.where(side.ideal_dcg > 0, dcg / side.ideal_dcg, np.nan)
        precision = np.where(total > 0, hits / np.minimum(total, side.k), np.nan)
        auc = np.where((side.positives > 0) & (negatives > 0),
                       (rank_sum - side.positives * (side.positives + 1.0) / 2.0)
                       / (side.positives * negatives), np.nan)
    return rho, ndcg, precision, auc


def point_metrics(scores: npt.ArrayLike, outcome: npt.ArrayLike, k: int = 100) -> dict[str, float]:
    """The four metrics of one scorer on unweighted data (for tests and quick checks)."""
    y = np.asarray(outcome, dtype=np.float64)
    side = OutcomeSide.of(np.ones((y.size, 1)), y, k)
    values = score_metrics(side, Ordering.of(scores))
    names = ("spearman", f"ndcg@{k}", f"precision@{k}", "auc_top1%")
    return {name: float(value[0]) for name, value in zip(names, values, strict=True)}
