"""`renown evaluate`: score before a split, measure what happened after it.

DESIGN.md property 10: scores computed from an early window must predict what
happens later (distinct people who respond to the person) better than every
simple baseline.  `collect` builds the data (scores from events strictly
before the split, outcomes from the horizon after it); `measure` computes the
metrics with bootstrap intervals, for everyone eligible and for the people who
already had an audience.  Both are deterministic for a given seed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt

from renown.evaluate.baselines import (
    BASELINES,
    SCORERS,
    count_baselines,
    in_degree_sources,
    pagerank_baseline,
    renown_scorers,
)
from renown.evaluate.bootstrap import (
    DEFAULT_K,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    BootstrapResult,
    Estimate,
    bootstrap,
    metric_names,
)
from renown.evaluate.outcomes import Period, build_population, outcomes
from renown.scoring.model import Model
from renown.scoring.pipeline import compute_scores

FloatArray = npt.NDArray[np.float64]

#: Population views: key → what it holds.
POPULATIONS = {
    "eligible": "everyone seen in the scoring window before the split",
    "audience": "people with at least one reaction from someone else before the split",
}


@dataclass(frozen=True, slots=True)
class EvaluationData:
    """Aligned arrays for the eligible people (sorted by person id)."""

    period: Period
    model_version: str
    person_ids: npt.NDArray[np.str_]
    audience: npt.NDArray[np.bool_]
    outcome: FloatArray
    #: Scorer key → value per person (higher = predicted more influential).
    scores: dict[str, FloatArray]
    in_degree_sources: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)


def candidate_key(model: Model) -> str:
    """Scorer key of a candidate model evaluated beside the current one."""
    return f"candidate:{model.version}"


def collect(con: duckdb.DuckDBPyConnection, split: datetime, horizon_days: float,
            model: Model, candidates: Sequence[Model] = ()) -> EvaluationData:
    """Scores (events before ``split`` only) and outcomes (the horizon after it).

    ``candidates`` are scored too, as extra scorers (``candidate:<version>``),
    so a fitted model is compared with the current one on the same resamples.
    """
    period = Period(split, horizon_days, model.window_days)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    run = compute_scores(con, split, model)
    timings["renown"] = time.perf_counter() - clock
    clock = time.perf_counter()
    build_population(con, period)
    columns = outcomes(con, period)
    scores = renown_scorers(con, run)
    scores.update(count_baselines(con))
    timings["baselines"] = time.perf_counter() - clock
    clock = time.perf_counter()
    scores["pagerank"] = pagerank_baseline(con)
    timings["pagerank"] = time.perf_counter() - clock
    sources = in_degree_sources(con)
    ordered = {key: scores[key] for key in SCORERS if key in scores}
    clock = time.perf_counter()
    for candidate in candidates:
        ordered[candidate_key(candidate)] = renown_scorers(
            con, compute_scores(con, split, candidate))["renown"]
    if candidates:
        timings["candidates"] = time.perf_counter() - clock
    return EvaluationData(
        period, model.version, np.asarray(columns["person_id"], dtype=str),
        np.asarray(columns["audience"], dtype=bool),
        np.asarray(columns["outcome"], dtype=np.float64), ordered, sources, timings)


@dataclass(frozen=True, slots=True)
class PopulationResult:
    """Metrics of every scorer on one population view."""

    name: str
    description: str
    people: int
    #: People with a positive outcome, and in the top 1% (the AUC's positives).
    responded: int
    outcome_total: float
    outcome_max: float
    #: scorer → metric → estimate.
    metrics: dict[str, dict[str, Estimate]]
    #: baseline → metric → paired difference (Renown − baseline).
    renown_minus: dict[str, dict[str, Estimate]]


@dataclass(frozen=True, slots=True)
class Evaluation:
    split: datetime
    horizon_days: float
    window_days: float
    model_version: str
    k: int
    resamples: int
    seed: int
    in_degree_sources: dict[str, str]
    populations: list[PopulationResult]
    timings: dict[str, float]

    def population(self, name: str) -> PopulationResult:
        return next(p for p in self.populations if p.name == name)


def measure_population(name: str, outcome: FloatArray, scores: Mapping[str, FloatArray], *,
                       k: int = DEFAULT_K, resamples: int = DEFAULT_RESAMPLES,
                       seed: int = DEFAULT_SEED) -> PopulationResult:
    """Every metric of every scorer, with intervals and Renown's paired differences."""
    result: BootstrapResult = bootstrap(scores, outcome, k=k, resamples=resamples, seed=seed)
    names = metric_names(k)
    metrics = {scorer: {m: result.estimate(f"{scorer}/{m}") for m in names} for scorer in scores}
    differences = {}
    if "renown" in scores:
        differences = {other: {m: result.difference(f"renown/{m}", f"{other}/{m}")
                               for m in names}
                       for other in scores if other != "renown"}
    return PopulationResult(
        name, POPULATIONS.get(name, name), int(outcome.size), int(np.count_nonzero(outcome)),
        float(outcome.sum()), float(outcome.max(initial=0.0)), metrics, differences)


def measure(data: EvaluationData, *, k: int = DEFAULT_K, resamples: int = DEFAULT_RESAMPLES,
            seed: int = DEFAULT_SEED) -> Evaluation:
    """Both population views of ``data``; see `measure_population`."""
    clock = time.perf_counter()
    views = [("eligible", np.ones(data.outcome.size, dtype=bool)), ("audience", data.audience)]
    populations = [
        measure_population(name, data.outcome[mask],
                           {key: values[mask] for key, values in data.scores.items()},
                           k=k, resamples=resamples, seed=seed)
        for name, mask in views if np.any(mask)]
    timings = dict(data.timings, bootstrap=time.perf_counter() - clock)
    return Evaluation(data.period.split, data.period.horizon_days, data.period.window_days,
                      data.model_version, k, resamples, seed, data.in_degree_sources,
                      populations, timings)


def evaluate(con: duckdb.DuckDBPyConnection, split: datetime, horizon_days: float, model: Model,
             *, candidates: Sequence[Model] = (), k: int = DEFAULT_K,
             resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED) -> Evaluation:
    """`collect` then `measure`: the whole evaluation of ``model`` at one split."""
    return measure(collect(con, split, horizon_days, model, candidates), k=k,
                   resamples=resamples, seed=seed)


def must_show(evaluation: Evaluation, population: str = "eligible") -> dict[str, Any]:
    """Property 10's check: does Renown beat every baseline on Spearman and NDCG@k?

    Returns, per metric, the baselines Renown does not beat (point estimate),
    and whether its interval is clear of post count's and raw reactions'.
    """
    result = evaluation.population(population)
    renown = result.metrics["renown"]
    verdict: dict[str, Any] = {}
    for metric in ("spearman", f"ndcg@{evaluation.k}"):
        losses = [b for b in BASELINES if b in result.metrics
                  and not renown[metric].value > result.metrics[b][metric].value]
        separated = {b: renown[metric].low > result.metrics[b][metric].high
                     for b in ("posts", "reactions") if b in result.metrics}
        verdict[metric] = {"beats_all": not losses, "not_beaten": losses,
                           "interval_clear_of": separated}
    return verdict
