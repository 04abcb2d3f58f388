"""`renown model fit`: learn the model's free weights on a validation window before the split.

The test period (after the split) is never read.  Scores are computed from
events before ``split − N days`` and judged on what happened in the N days
before the split (the *validation window*), by the objective

    J = (Spearman ρ + NDCG@100) / 2      over everyone eligible,

the two metrics property 10 is judged on.  The optimiser is a coordinate
search over a small grid (Hooke & Jeeves' pattern search without the pattern
move; Kolda, Lewis & Torczon, "Optimization by direct search", SIAM Review
2003): for one parameter at a time, score each grid value, keep the best, and
move on; repeat passes until a pass changes nothing or the budget of
evaluations (each one `compute_scores` call) runs out.

**Guard against overfitting.** A change is accepted only if it beats the
incumbent by more than the bootstrap standard error of the paired difference
in J (resampling people on the validation window), so a change must stand out
from sampling noise; starting from the current model and moving one
coordinate at a time keeps the result close to it (regularisation toward the
default).  Afterwards both models are also scored on an *earlier* window
(scores from before ``split − 2N``, outcomes in the N days after), which the
search never saw: a gain that shows only on the validation window is
overfitting, and the report shows the gap.

**Guard against breaking the design.** Component weights keep their sum (the
1–100 calibration is in effective people), and half-lives shorter than what
property 3 allows (≤ 2 points lost in a silent week, ≤ 6 in a month, at the
scale's steepest slope) are never tried.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

import duckdb
import numpy as np
import numpy.typing as npt

from renown.evaluate.baselines import renown_scorers
from renown.evaluate.bootstrap import DEFAULT_K, DEFAULT_SEED, bootstrap
from renown.evaluate.outcomes import Period, build_population, outcomes
from renown.scoring.model import Model
from renown.scoring.pipeline import compute_scores
from renown.scoring.scale import max_points_per_e_fold

FloatArray = npt.NDArray[np.float64]

#: Grids: shares of the component mix, multipliers of a kind weight, half-lives.
NETWORK_SHARES: Final = (0.0, 0.1, 0.2, 0.35, 0.5)
AMPLIFICATION_SHARES: Final = (0.0, 0.05, 0.1, 0.2)
KIND_FACTORS: Final = (0.5, 1.5, 2.0)
HALF_LIVES: Final = (75.0, 100.0, 150.0, 300.0)
#: The mutual discount's group exponent: off (every exchange discounted) or on (only
#: exchanges inside a group, i.e. pods).  Both keep pods out: it is a free weight
#: the fit may set per network (conversation networks want it on), not a defence.
GROUP_EXPONENTS: Final = (0.0, 1.0)
MAX_KIND_WEIGHT: Final = 2.0
#: Property 3: points a silent person may lose after 7 and 30 days.
SILENCE_ALLOWANCE: Final = ((7.0, 2.0), (30.0, 6.0))


def silence_points(model: Model, days: float) -> float:
    """Worst-case points lost after ``days`` of silence (docs/scoring.md §4)."""
    h, w = model.half_life_days, model.window_days
    kept = (2.0 ** (-days / h) - 2.0 ** (-w / h)) / (1.0 - 2.0 ** (-w / h))
    return max_points_per_e_fold(model) * -math.log(max(kept, 1e-300))


def keeps_silence_bound(model: Model) -> bool:
    return all(silence_points(model, d) <= allowed for d, allowed in SILENCE_ALLOWANCE)


def _with_share(model: Model, component: str, share: float) -> Model:
    """Set one component's share of the (fixed) weight sum; the others keep their ratio."""
    names = ("weight_reach", "weight_network", "weight_amplification")
    weights = {n: getattr(model, n) for n in names}
    total, target = sum(weights.values()), f"weight_{component}"
    rest = total - weights[target]
    others = {n: (total * (1 - share) * (w / rest if rest > 0 else 0.5))
              for n, w in weights.items() if n != target}
    return model.with_changes(**{target: total * share}, **others)


def parameters(kinds: list[str]) -> list[str]:
    """The coordinates searched, in order: component mix, kind weights, half-life, and
    whether the mutual discount spares exchanges between two people."""
    return ["weight_network", "weight_amplification",
            *(f"kind_weights.{kind}" for kind in kinds), "half_life_days",
            "mutual_group_exponent"]


def candidates(parameter: str, model: Model) -> list[tuple[str, Model]]:
    """(value label, candidate model) for each grid value of one coordinate, from ``model``."""
    total = model.weight_reach + model.weight_network + model.weight_amplification
    if parameter in ("weight_network", "weight_amplification"):
        component = parameter.removeprefix("weight_")
        grid = NETWORK_SHARES if component == "network" else AMPLIFICATION_SHARES
        current = getattr(model, parameter) / total
        return [(f"{share * total:.3f}", _with_share(model, component, share))
                for share in grid if not math.isclose(share, current, abs_tol=1e-9)]
    if parameter.startswith("kind_weights."):
        kind = parameter.removeprefix("kind_weights.")
        weight = model.kind_weights.get(kind, 0.0)
        values = sorted({round(min(weight * f, MAX_KIND_WEIGHT), 3) for f in KIND_FACTORS}
                        - {round(weight, 3)})
        return [(f"{v:g}", model.with_changes(kind_weights={**model.kind_weights, kind: v}))
                for v in values if weight > 0]
    if parameter == "half_life_days":
        tried = [model.with_changes(half_life_days=h) for h in HALF_LIVES
                 if h != model.half_life_days]
        return [(f"{m.half_life_days:g}", m) for m in tried if keeps_silence_bound(m)]
    if parameter == "mutual_group_exponent":
        return [(f"{eta:g}", model.with_changes(mutual_group_exponent=eta))
                for eta in GROUP_EXPONENTS if eta != model.mutual_group_exponent]
    raise ValueError(f"unknown parameter {parameter!r}")


@dataclass(frozen=True, slots=True)
class Step:
    """One coordinate tried: the best value found and whether it passed the guard."""

    parameter: str
    value: str
    objective: float
    improvement: float
    standard_error: float
    accepted: bool


@dataclass(frozen=True, slots=True)
class FitResult:
    base: Model
    fitted: Model
    split: datetime
    validation_days: float
    #: J of the base and the fitted model on the validation window.
    validation: tuple[float, float]
    #: J of both on the earlier window the search never saw (None if no data).
    earlier: tuple[float, float] | None
    steps: list[Step]
    evaluations: int
    seconds: float
    guard_se: float = 1.0
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def holds_up(self) -> bool:
        """False when the fitted model does worse than the base on the earlier window.

        The search never looked at that window, so a validation gain that turns
        into a loss there is the signature of overfitting: do not promote.
        """
        return self.earlier is None or self.earlier[1] >= self.earlier[0]


def objective_parts(scores: FloatArray, outcome: FloatArray, *, k: int = DEFAULT_K,
                    resamples: int = 0, seed: int = DEFAULT_SEED) -> tuple[float, FloatArray]:
    """J and its bootstrap replicates (empty when ``resamples`` is 0)."""
    result = bootstrap({"m": scores}, outcome, k=k, resamples=resamples, seed=seed)
    value = (result.points["m/spearman"] + result.points[f"m/ndcg@{k}"]) / 2
    reps = (result.replicates["m/spearman"] + result.replicates[f"m/ndcg@{k}"]) / 2
    return value, reps


class _Window:
    """One scoring instant and its outcome window: scores a model, returns J."""

    def __init__(self, con: duckdb.DuckDBPyConnection, as_of: datetime, days: float,
                 window_days: float) -> None:
        self.con, self.as_of = con, as_of
        self.period = Period(as_of, days, window_days)
        self.size = build_population(con, self.period)
        self.outcome = np.asarray(outcomes(con, self.period)["outcome"], dtype=np.float64)
        self.evaluations = 0

    def scores(self, model: Model) -> FloatArray:
        self.evaluations += 1
        return renown_scorers(self.con, compute_scores(self.con, self.as_of, model))["renown"]


def _paired_se(a: FloatArray, b: FloatArray, outcome: FloatArray, resamples: int,
               seed: int) -> float:
    """Bootstrap standard error of J(a) − J(b) on the same resamples of people."""
    _, reps_a = objective_parts(a, outcome, resamples=resamples, seed=seed)
    _, reps_b = objective_parts(b, outcome, resamples=resamples, seed=seed)
    diff = reps_a - reps_b
    diff = diff[np.isfinite(diff)]
    return float(np.std(diff, ddof=1)) if diff.size > 1 else math.inf


def _kinds_in_window(con: duckdb.DuckDBPyConnection, period: Period, model: Model) -> list[str]:
    rows = con.execute("SELECT DISTINCT kind FROM events WHERE ts >= $start AND ts < $split "
                       "AND subject IS NOT NULL ORDER BY kind",
                       {"start": period.window_start, "split": period.split}).fetchall()
    return [kind for (kind,) in rows if model.kind_weights.get(kind, 0.0) > 0]


@dataclass
class _Search:
    """The coordinate search's state: the incumbent model and its scores on the window."""

    window: _Window
    model: Model
    scores: FloatArray
    value: float
    max_evaluations: int
    deadline: float
    resamples: int
    seed: int
    guard_se: float

    def budget_left(self) -> bool:
        return (self.window.evaluations < self.max_evaluations
                and time.perf_counter() < self.deadline)

    def step(self, parameter: str) -> Step | None:
        """Try every grid value of one coordinate; move there if the best passes the guard."""
        tried: list[tuple[float, str, Model, FloatArray]] = []
        for label, candidate in candidates(parameter, self.model):
            if not self.budget_left():
                break
            scores = self.window.scores(candidate)
            tried.append((objective_parts(scores, self.window.outcome)[0], label, candidate,
                          scores))
        if not tried:
            return None
        value, label, candidate, scores = max(tried, key=lambda t: t[0])
        se = _paired_se(scores, self.scores, self.window.outcome, self.resamples, self.seed)
        gain = value - self.value
        step = Step(parameter, label, value, gain, se, gain > max(self.guard_se * se, 0.0))
        if step.accepted:
            self.model, self.scores, self.value = candidate, scores, value
        return step


def _validation_window(con: duckdb.DuckDBPyConnection, split: datetime, days: float,
                       model: Model) -> _Window:
    start = split - timedelta(days=days)
    window = _Window(con, start, days, model.window_days)
    if window.size == 0:
        raise ValueError(f"nobody was active before {start:%Y-%m-%d} (the split minus the "
                         "validation days): choose a later --split")
    if not np.any(window.outcome > 0):
        raise ValueError(f"nobody drew any response between {start:%Y-%m-%d} and the split: "
                         "choose more --validation-days or a later --split")
    return window


def fit(con: duckdb.DuckDBPyConnection, base: Model, split: datetime, validation_days: float, *,
        max_evaluations: int = 40, time_budget_s: float = 600.0, resamples: int = 100,
        seed: int = DEFAULT_SEED, guard_se: float = 1.0,
        on_step: Callable[[Step], None] | None = None) -> FitResult:
    """Coordinate search from ``base``; see the module docstring for the method and guards.

    A change is accepted when it improves J by more than ``guard_se`` bootstrap
    standard errors (and by more than 0): 1 is the default guard; 0 accepts
    any improvement (greedy, for diagnosis only: it will chase noise).
    """
    clock = time.perf_counter()
    window = _validation_window(con, split, validation_days, base)
    scores = window.scores(base)
    initial = objective_parts(scores, window.outcome)[0]
    search = _Search(window, base, scores, initial, max_evaluations, clock + time_budget_s,
                     resamples, seed, guard_se)
    kinds = _kinds_in_window(con, window.period, base)
    steps: list[Step] = []
    changed = True
    while changed and search.budget_left():
        changed = False
        for parameter in parameters(kinds):
            step = search.step(parameter)
            if step is not None:
                steps.append(step)
                changed = changed or step.accepted
                if on_step is not None:
                    on_step(step)
    fitted = _named(search.model, base, split) if search.model is not base else base
    earlier = _earlier_check(con, base, fitted, window.as_of, validation_days)
    return FitResult(base, fitted, split, validation_days, (initial, search.value), earlier,
                     steps, window.evaluations, time.perf_counter() - clock, guard_se,
                     _changes(base, fitted))


def _named(model: Model, base: Model, split: datetime) -> Model:
    root = base.version.split("-fit-")[0]
    return model.with_changes(version=f"{root}-fit-{split:%Y%m%d}")


def _earlier_check(con: duckdb.DuckDBPyConnection, base: Model, fitted: Model,
                   validation_start: datetime, days: float) -> tuple[float, float] | None:
    """J of both models one window earlier (never seen by the search), if there is data."""
    as_of = validation_start - timedelta(days=days)
    window = _Window(con, as_of, days, base.window_days)
    if window.size == 0 or not np.any(window.outcome > 0):
        return None
    base_value = objective_parts(window.scores(base), window.outcome)[0]
    if fitted is base:
        return base_value, base_value
    return base_value, objective_parts(window.scores(fitted), window.outcome)[0]


def _changes(base: Model, fitted: Model) -> dict[str, tuple[str, str]]:
    changes: dict[str, tuple[str, str]] = {}
    for name in ("weight_reach", "weight_network", "weight_amplification", "half_life_days",
                 "mutual_group_exponent"):
        before, after = getattr(base, name), getattr(fitted, name)
        if not math.isclose(before, after, rel_tol=1e-12):
            changes[name] = (f"{before:g}", f"{after:g}")
    for kind in sorted(set(base.kind_weights) | set(fitted.kind_weights)):
        before, after = base.kind_weights.get(kind, 0.0), fitted.kind_weights.get(kind, 0.0)
        if not math.isclose(before, after, rel_tol=1e-12):
            changes[f"kind_weights.{kind}"] = (f"{before:g}", f"{after:g}")
    return changes


def candidate_toml(result: FitResult) -> str:
    """The fitted model as TOML, headed by comments saying how it was fitted."""
    base_v, fit_v = result.validation
    lines = [f"# Fitted by `renown model fit --split {result.split:%Y-%m-%d} "
             f"--validation-days {result.validation_days:g} --guard-se {result.guard_se:g}` "
             f"from {result.base.version}.",
             f"# Objective J = (Spearman + NDCG@100) / 2 on the validation window: "
             f"{base_v:.4f} -> {fit_v:.4f}."]
    if result.earlier is not None:
        lines.append(f"# Earlier window (not used by the search): {result.earlier[0]:.4f} -> "
                     f"{result.earlier[1]:.4f}."
                     + ("" if result.holds_up else " WORSE there: likely overfitting."))
    lines += [f"# {name}: {before} -> {after}" for name, (before, after) in result.changes.items()]
    lines.append("# Preview it with `renown model preview` before promoting it.")
    return "\n".join(lines) + "\n" + result.fitted.to_toml()
