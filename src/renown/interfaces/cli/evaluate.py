"""``renown evaluate`` and ``renown model fit``: does the score predict what happens next?

``evaluate_command`` is the callback of the ``evaluate`` group (so ``renown
evaluate --split ...`` runs it, and ``renown evaluate topics`` runs a named
check instead); ``fit_command`` is ``renown model fit``.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import pyarrow.csv as pa_csv
import typer
from rich.table import Table

from renown.evaluate.bootstrap import DEFAULT_K, DEFAULT_RESAMPLES, DEFAULT_SEED, Estimate
from renown.evaluate.fit import FitResult, Step, candidate_toml, fit
from renown.evaluate.gamed import GamedEvaluation, evaluate_gamed
from renown.evaluate.gaming import KINDS as GAMING_KINDS
from renown.evaluate.gaming import GamingSpec, GamingSpecError
from renown.evaluate.harness import Evaluation, PopulationResult, collect, measure
from renown.evaluate.report import (
    best_scorer,
    metric_label,
    scorer_label,
    to_dict,
    verdict_lines,
    write_report,
)
from renown.interfaces.cli.common import (
    DbOption,
    JsonOption,
    console,
    error_console,
    fail,
    print_json,
    store,
)
from renown.scoring.model import Model
from renown.scoring.registry import current_model

SplitOption = Annotated[str, typer.Option(
    "--split", help="Scores use events before this day (YYYY-MM-DD, midnight UTC); "
                    "outcomes are measured from it on.", show_default=False)]
SeedOption = Annotated[int, typer.Option(help="Bootstrap random seed.")]


def _split(text: str) -> datetime:
    try:
        day = datetime.fromisoformat(text)
    except ValueError:
        fail(f"--split {text!r} is not a date (expected YYYY-MM-DD)", code=2)
    return datetime(day.year, day.month, day.day)


def _load(path: Path) -> Model:
    try:
        return Model.load(path)
    except ValueError as exc:
        fail(str(exc))


def evaluate_command(
    ctx: typer.Context,
    split: Annotated[str | None, typer.Option(
        "--split", help="Scores use events before this day (YYYY-MM-DD, midnight UTC); "
                        "outcomes are measured from it on.", show_default=False)] = None,
    horizon: Annotated[float, typer.Option(
        min=0.001, help="Days after the split in which outcomes count.")] = 7.0,
    candidate: Annotated[list[Path] | None, typer.Option(
        help="A candidate model TOML to score beside the current one (repeatable).",
        show_default=False)] = None,
    resamples: Annotated[int, typer.Option(
        min=0, help="Bootstrap resamples of people (intervals need ≥ 200).")] = DEFAULT_RESAMPLES,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="k of NDCG@k and precision@k.")]
        = DEFAULT_K,
    seed: SeedOption = DEFAULT_SEED,
    report: Annotated[Path | None, typer.Option(
        help="Write DIR/report.md with PNG plots (needs the 'report' extra).",
        show_default=False)] = None,
    inject_gaming: Annotated[str | None, typer.Option(
        "--inject-gaming", metavar="SPEC",
        help="Evaluate on a copy with gaming planted before the split: 'mixed' or "
             f"KIND[:SHARE],... with KIND in {', '.join(GAMING_KINDS)} (the store is "
             "never written).", show_default=False)] = None,
    gaming_seed: Annotated[int, typer.Option(help="Random seed of the planted gaming.")] = 0,
    gaming_truth: Annotated[Path | None, typer.Option(
        help="Write the planted accounts (ground truth) to this CSV.",
        show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score before --split, measure who drew responses after it, compare with baselines.

    `renown evaluate topics` checks topic attribution instead (see its --help).
    """
    if ctx.invoked_subcommand is not None:
        return
    if split is None:
        fail("--split is required (or run a check by name: renown evaluate topics)", code=2)
    day = _split(split)
    candidates = [_load(p) for p in candidate or []]
    spec = _gaming_spec(inject_gaming, gaming_seed)
    clock = time.perf_counter()
    gamed: GamedEvaluation | None = None
    with store(db, read_only=True) as con:
        model = current_model(con)
        try:
            if spec is None:
                data = collect(con, day, horizon, model, candidates)
            else:
                gamed, data = evaluate_gamed(con, spec, day, horizon, model,
                                             candidates=tuple(candidates), k=top_k,
                                             resamples=resamples, seed=seed)
        except ValueError as exc:
            fail(str(exc))
    if data.outcome.size == 0:
        fail(f"nobody was active before {day:%Y-%m-%d}: choose a later --split")
    evaluation = (gamed.evaluation if gamed is not None
                  else measure(data, k=top_k, resamples=resamples, seed=seed))
    seconds = time.perf_counter() - clock
    if gamed is not None and gaming_truth is not None:
        _write_truth(gamed, gaming_truth)
    if report is not None:
        try:
            path = write_report(evaluation, data, report)
        except ImportError as exc:
            fail(f"--report needs matplotlib (pip install 'renown[report]'): {exc}")
        (error_console if as_json else console).print(f"report written to {path}")
    if as_json:
        extra = {"gaming": gamed.to_dict()} if gamed is not None else {}
        print_json(dict(to_dict(evaluation), seconds=seconds, **extra))
        return
    if gamed is not None:
        _print_gaming(gamed)
    _print_evaluation(evaluation, seconds)
    if gamed is not None:
        console.print(_gamer_table(gamed))


def _gaming_spec(text: str | None, seed: int) -> GamingSpec | None:
    if text is None:
        return None
    try:
        return GamingSpec.parse(text, seed)
    except GamingSpecError as exc:
        fail(f"--inject-gaming: {exc}", code=2)


def _write_truth(gamed: GamedEvaluation, path: Path) -> None:
    try:
        pa_csv.write_csv(gamed.truth, path)
    except OSError as exc:
        fail(f"{path}: cannot write the ground truth: {exc}")


def _print_gaming(gamed: GamedEvaluation) -> None:
    planted = gamed.planted
    console.print(f"Planted [bold]{planted.spec.label}[/] gaming on {planted.network} "
                  f"(seed {planted.spec.seed}): {planted.accounts:,} accounts, "
                  f"{gamed.gamers:,} of them eligible; targets {planted.target_low}–"
                  f"{planted.target_high} distinct reactors (1.5 × the data's top-1% and "
                  f"top-100 thresholds), top 1% = {planted.top_slots:,} people.")
    for kind in planted.kinds:
        console.print(f"  {kind.kind}: {kind.beneficiaries:,} beneficiaries, "
                      f"{kind.helpers:,} helpers, {kind.events:,} events; {kind.sizing}",
                      highlight=False)


def _gamer_table(gamed: GamedEvaluation) -> Table:
    table = Table(title="Share of each scorer's top 1% held by planted gamers (lower is better)")
    table.add_column("scorer")
    table.add_column("gamer share", justify="right")
    for scorer, share in gamed.gamer_share.items():
        table.add_row(scorer_label(scorer), f"{share:.1%}")
    return table


def _print_evaluation(evaluation: Evaluation, seconds: float) -> None:
    console.print(f"Evaluation of [bold]{evaluation.model_version}[/]: scores from events "
                  f"before {evaluation.split:%Y-%m-%d}, outcomes over the next "
                  f"{evaluation.horizon_days:g} days (distinct people responding), "
                  f"{evaluation.resamples} bootstrap resamples.")
    for result in evaluation.populations:
        console.print(_table(result))
    for line in verdict_lines(evaluation):
        console.print(line.replace("**", ""), highlight=False)
    console.print(f"finished in {seconds:.1f} s")


_SHORT = {"spearman": "Spearman", "ndcg": "NDCG@{k}", "precision": "P@{k}",
          "auc_top1%": "AUC top 1%"}


def _cell(estimate: Estimate, best: bool) -> str:
    if not math.isfinite(estimate.value):
        return "n/a"
    value = f"[bold green]{estimate.value:.3f}[/]" if best else f"{estimate.value:.3f}"
    return f"{value}\n[dim]{estimate.low:.3f}–{estimate.high:.3f}[/]"


def _table(result: PopulationResult) -> Table:
    """Scorers × metrics: value over its 95% interval, the best in each column in green."""
    metrics = list(next(iter(result.metrics.values())))
    table = Table(title=f"{result.name}: {result.description}\n{result.people:,} people, "
                        f"{result.responded:,} drew a response; value over its 95% interval")
    table.add_column("scorer", ratio=1, overflow="fold")
    for metric in metrics:
        table.add_column(_SHORT.get(metric.partition("@")[0], metric_label(metric)).format(
            k=metric.partition("@")[2]), justify="right", no_wrap=True)
    best = {m: best_scorer(result, m) for m in metrics}
    for scorer, values in result.metrics.items():
        name = scorer_label(scorer)
        table.add_row(f"[bold]{name}[/]" if scorer == "renown" else name,
                      *(_cell(values[m], best[m] == scorer) for m in metrics))
    return table


def _print_step(step: Step) -> None:
    mark = "[green]accepted[/]" if step.accepted else "kept"
    console.print(f"  {step.parameter} = {step.value}: J {step.objective:.4f} "
                  f"({step.improvement:+.4f}, SE {step.standard_error:.4f}) {mark}")


def fit_command(
    split: SplitOption,
    validation_days: Annotated[float, typer.Option(
        min=0.001, help="Days before the split whose outcomes judge the candidates.")] = 7.0,
    out: Annotated[Path | None, typer.Option(
        help="Where to write the candidate TOML (default: ./<version>.toml).",
        show_default=False)] = None,
    max_evaluations: Annotated[int, typer.Option(
        min=1, help="Most scoring runs the search may make.")] = 40,
    time_budget: Annotated[float, typer.Option(
        min=1, help="Seconds after which the search stops.")] = 600.0,
    guard_se: Annotated[float, typer.Option(
        min=0, help="Accept a change only if it improves J by more than this many "
                    "bootstrap standard errors (0: any improvement, diagnosis only).")] = 1.0,
    seed: SeedOption = DEFAULT_SEED,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fit kind weights, component mix and half-life before --split; write a candidate TOML."""
    day = _split(split)
    with store(db, read_only=True) as con:
        base = current_model(con)
        if not as_json:
            console.print(f"Fitting from [bold]{base.version}[/] on the {validation_days:g} "
                          f"days before {day:%Y-%m-%d} (nothing on or after it is read)")
        try:
            result = fit(con, base, day, validation_days, max_evaluations=max_evaluations,
                         time_budget_s=time_budget, seed=seed, guard_se=guard_se,
                         on_step=None if as_json else _print_step)
        except ValueError as exc:
            fail(str(exc))
    path = _write_candidate(result, out)
    if as_json:
        print_json(_fit_dict(result, path))
        return
    _print_fit(result, path)


def _write_candidate(result: FitResult, out: Path | None) -> Path | None:
    if not result.changes:
        return None
    path = out or Path(f"{result.fitted.version}.toml")
    path.write_text(candidate_toml(result), encoding="utf-8")
    return path


def _fit_dict(result: FitResult, path: Path | None) -> dict[str, object]:
    return {"base": result.base.version, "fitted": result.fitted.version,
            "split": result.split.isoformat(), "validation_days": result.validation_days,
            "validation": list(result.validation),
            "earlier": list(result.earlier) if result.earlier else None,
            "changes": {k: list(v) for k, v in result.changes.items()},
            "steps": result.steps, "evaluations": result.evaluations,
            "seconds": result.seconds, "guard_se": result.guard_se,
            "holds_up": result.holds_up,
            "written": str(path) if path else None}


def _print_fit(result: FitResult, path: Path | None) -> None:
    before, after = result.validation
    console.print(f"{result.evaluations} scoring runs in {result.seconds:.1f} s; "
                  f"validation J {before:.4f} → {after:.4f}")
    if result.earlier is not None:
        console.print(f"earlier window (never searched on): J {result.earlier[0]:.4f} → "
                      f"{result.earlier[1]:.4f} (gap to validation gain: "
                      f"{(after - before) - (result.earlier[1] - result.earlier[0]):+.4f})")
    if path is None:
        console.print("No change beat the guard: the current model stays the best candidate.")
        return
    if not result.holds_up:
        console.print("[bold yellow]warning:[/] the fitted model does worse than the current one "
                      "on the earlier window the search never saw: likely overfitting, "
                      "do not promote it on this evidence.")
    for name, (old, new) in result.changes.items():
        console.print(f"  {name}: {old} → {new}")
    console.print(f"Candidate [bold]{result.fitted.version}[/] written to {path}; compare it "
                  f"with `renown model preview {path}` and `renown evaluate --candidate {path}`.")
