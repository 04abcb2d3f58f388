"""Previewing a candidate model against the current one before promoting it.

DESIGN.md property 8: nobody's score changes by surprise.  Both models score
the same data for the same day; the report gives the distribution of changes,
the biggest movers each way, and for each mover the component that moved most.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.stats import spearmanr

from renown.scoring.model import Model
from renown.scoring.pipeline import ScoreRun, compute_scores
from renown.scoring.snapshots import day_end
from renown.store.database import scalar

FloatArray = npt.NDArray[np.float64]
_COMPONENTS = ("reach", "amplification", "network")
_HISTOGRAM_EDGES = (-np.inf, -20, -10, -5, -2, -0.5, 0.5, 2, 5, 10, 20, np.inf)


@dataclass(frozen=True, slots=True)
class Mover:
    person_id: str
    before: float
    after: float
    why: str

    @property
    def change(self) -> float:
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class PreviewReport:
    current_version: str
    candidate_version: str
    as_of: date
    people: int
    mean_change: float
    mean_abs_change: float
    #: Quantiles of the change (5%, 25%, 50%, 75%, 95%).
    quantiles: dict[str, float]
    #: (label, count) buckets of the change in points.
    histogram: list[tuple[str, int]]
    spearman: float
    movers_up: list[Mover]
    movers_down: list[Mover]


def preview(con: duckdb.DuckDBPyConnection, current: Model, candidate: Model, day: date,
            top: int = 10) -> PreviewReport:
    """Score ``day`` with both models and compare (nothing is written)."""
    if candidate.version == current.version and candidate.fingerprint != current.fingerprint:
        raise ValueError("the candidate reuses the current version name: give it a new one")
    stored = scalar(con, "SELECT fingerprint FROM models WHERE version = ?", [candidate.version])
    if stored is not None and stored != candidate.fingerprint:
        raise ValueError(f"model version {candidate.version!r} already exists with different "
                         "parameters: give the candidate a new version name")
    before_run = compute_scores(con, day_end(day), current)
    after_run = compute_scores(con, day_end(day), candidate)
    ids, before, after = _aligned_scores(before_run.people, after_run.people)
    change = after - before
    parts_before = _component_points(before_run, ids)
    parts_after = _component_points(after_run, ids)
    order = np.argsort(-change, kind="stable")

    def mover(i: int) -> Mover:
        deltas = {c: parts_after[c][i] - parts_before[c][i] for c in _COMPONENTS}
        main = max(deltas, key=lambda c: abs(deltas[c]))
        return Mover(str(ids[i]), float(before[i]), float(after[i]),
                     f"{main.capitalize()} {deltas[main]:+.1f} points")

    up = [mover(i) for i in order[:top] if change[i] > 0]
    down = [mover(i) for i in order[::-1][:top] if change[i] < 0]
    counts, _ = np.histogram(change, bins=np.array(_HISTOGRAM_EDGES))
    labels = [_bucket_label(lo, hi) for lo, hi in itertools.pairwise(_HISTOGRAM_EDGES)]
    qs = np.quantile(change, [0.05, 0.25, 0.5, 0.75, 0.95]) if len(change) else np.zeros(5)
    rho = float(spearmanr(before, after).statistic) if len(change) > 2 else 1.0
    empty = len(change) == 0
    return PreviewReport(
        current.version, candidate.version, day, len(ids),
        0.0 if empty else float(change.mean()), 0.0 if empty else float(np.abs(change).mean()),
        dict(zip(("p05", "p25", "p50", "p75", "p95"), map(float, qs), strict=True)),
        list(zip(labels, map(int, counts), strict=True)), rho, up, down)


def _bucket_label(lo: float, hi: float) -> str:
    if np.isinf(lo):
        return f"< {hi:+g}"
    if np.isinf(hi):
        return f">= {lo:+g}"
    return f"{lo:+g} to {hi:+g}"


def _aligned_scores(before: pa.Table, after: pa.Table
                    ) -> tuple[npt.NDArray[np.str_], FloatArray, FloatArray]:
    """Scores of the union of people under both runs (absent = 1, the floor)."""
    b = dict(zip(before["person_id"].to_pylist(), before["score"].to_pylist(), strict=True))
    a = dict(zip(after["person_id"].to_pylist(), after["score"].to_pylist(), strict=True))
    ids = np.array(sorted(set(a) | set(b)), dtype=str)
    return (ids, np.array([b.get(i, 1.0) for i in ids]), np.array([a.get(i, 1.0) for i in ids]))


def _component_points(run: ScoreRun, ids: npt.NDArray[np.str_]) -> dict[str, FloatArray]:
    """Points per component per person (aligned to ``ids``)."""
    accounts = run.accounts
    position = {pid: i for i, pid in enumerate(ids.tolist())}
    person = np.array([position[p] for p in accounts["person_id"].to_pylist()], dtype=np.int64)
    raw = accounts["raw"].to_numpy()
    points = accounts["points"].to_numpy()
    weights = run.model.component_weights()
    columns = {"reach": "reach", "amplification": "amplification", "network": "network_value"}
    result: dict[str, FloatArray] = {}
    for component in _COMPONENTS:
        value = weights[component] * accounts[columns[component]].to_numpy()
        share = np.divide(value, raw, out=np.zeros_like(raw), where=raw > 0)
        result[component] = np.bincount(person, weights=points * share,
                                        minlength=len(ids)).astype(np.float64)
    return result
