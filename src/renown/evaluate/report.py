"""Evaluation reports: JSON-ready dicts, Markdown tables, and PNG plots.

Plots use matplotlib with the Agg backend (no display needed), installed by
the ``report`` extra; everything else here needs only the standard library.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from renown.evaluate.baselines import BASELINES, SCORERS
from renown.evaluate.bootstrap import Estimate
from renown.evaluate.harness import Evaluation, EvaluationData, PopulationResult, must_show

METRIC_LABELS = {"spearman": "Spearman ρ", "ndcg": "NDCG@{k}", "precision": "precision@{k}",
                 "auc_top1%": "ROC AUC (top 1%)"}


def scorer_label(key: str) -> str:
    if key.startswith("candidate:"):
        return f"Candidate {key.removeprefix('candidate:')}"
    return SCORERS.get(key, key)


def metric_label(metric: str) -> str:
    name, _, k = metric.partition("@")
    return METRIC_LABELS.get(name, metric).format(k=k)


def _clean(value: Any) -> Any:
    """NaN and infinities become None, so the result is valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """Everything in the evaluation, JSON-ready (dates as ISO strings, NaN as null)."""
    data = asdict(evaluation)
    data["split"] = evaluation.split.isoformat()
    data["must_show"] = must_show(evaluation)
    data["seconds"] = sum(evaluation.timings.values())
    cleaned: dict[str, Any] = _clean(data)
    return cleaned


def fmt(estimate: Estimate, digits: int = 3) -> str:
    if not math.isfinite(estimate.value):
        return "n/a"
    return (f"{estimate.value:.{digits}f} [{estimate.low:.{digits}f}, "
            f"{estimate.high:.{digits}f}]")


def best_scorer(result: PopulationResult, metric: str) -> str:
    """The scorer with the highest point estimate of ``metric`` ("" if none is defined)."""
    values = {s: m[metric].value for s, m in result.metrics.items()
              if math.isfinite(m[metric].value)}
    return max(values, key=lambda s: values[s]) if values else ""


def markdown_table(result: PopulationResult) -> str:
    """Scorers × metrics, each 'value [95% interval]', the best in each column in bold."""
    metrics = list(next(iter(result.metrics.values())))
    lines = ["| scorer | " + " | ".join(metric_label(m) for m in metrics) + " |",
             "|---|" + "---|" * len(metrics)]
    best = {m: best_scorer(result, m) for m in metrics}
    for scorer, values in result.metrics.items():
        cells = [f"**{fmt(values[m])}**" if best[m] == scorer else fmt(values[m])
                 for m in metrics]
        lines.append(f"| {scorer_label(scorer)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def differences_table(result: PopulationResult) -> str:
    """Renown − each other scorer, paired on the same resamples (✔ interval above 0)."""
    metrics = list(next(iter(result.metrics.values())))
    lines = ["| Renown − … | " + " | ".join(metric_label(m) for m in metrics) + " |",
             "|---|" + "---|" * len(metrics)]
    for other, values in result.renown_minus.items():
        cells = []
        for m in metrics:
            d = values[m]
            mark = " ✔" if d.low > 0 else " ✘" if d.high < 0 else ""
            cells.append(f"{d.value:+.4f} [{d.low:+.4f}, {d.high:+.4f}]{mark}"
                         if math.isfinite(d.value) else "n/a")
        lines.append(f"| {scorer_label(other)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def verdict_lines(evaluation: Evaluation) -> list[str]:
    """Property 10 in words, for the eligible population."""
    lines = []
    for metric, verdict in must_show(evaluation).items():
        label = metric_label(metric)
        if verdict["beats_all"]:
            lines.append(f"- {label}: Renown beats every baseline "
                         f"({', '.join(scorer_label(b) for b in BASELINES)}).")
        else:
            losers = ", ".join(scorer_label(b) for b in verdict["not_beaten"])
            lines.append(f"- {label}: Renown does **not** beat {losers}.")
        clear = [scorer_label(b) for b, ok in verdict["interval_clear_of"].items() if ok]
        unclear = [scorer_label(b) for b, ok in verdict["interval_clear_of"].items() if not ok]
        if clear:
            lines.append(f"  Its interval lies above (no overlap) {', '.join(clear)}.")
        if unclear:
            lines.append(f"  Its interval overlaps {', '.join(unclear)}.")
    return lines


def markdown(evaluation: Evaluation, *, title: str, plots: dict[str, str] | None = None,
             level: int = 2) -> str:
    """A report section: setup, verdict, tables per population, and plot links."""
    h = "#" * level
    total = sum(evaluation.timings.values())
    parts = [f"{h} {title}", "",
             f"Split {evaluation.split:%Y-%m-%d %H:%M} (scores from events before it), "
             f"outcome horizon {evaluation.horizon_days:g} days, model "
             f"`{evaluation.model_version}`, {evaluation.resamples} bootstrap resamples "
             f"(seed {evaluation.seed}), computed in {total:.1f} s. In-degree: "
             + ", ".join(f"{n}: {s}" for n, s in evaluation.in_degree_sources.items()) + ".",
             "", "Property 10 (everyone eligible):", "", *verdict_lines(evaluation)]
    for result in evaluation.populations:
        parts += ["", f"{h}# {result.name.capitalize()}: {result.description}", "",
                  f"{result.people:,} people, {result.responded:,} with any response in the "
                  f"horizon (largest: {result.outcome_max:,.0f} people).", "",
                  markdown_table(result), "", "Paired differences (✔: Renown better, "
                  "interval above 0; ✘: worse, interval below 0):", "",
                  differences_table(result)]
    for caption, path in (plots or {}).items():
        parts += ["", f"![{caption}]({path})"]
    return "\n".join(parts) + "\n"


def plot_scatter(data: EvaluationData, path: Path) -> None:
    """Renown score vs outcome, log axes (outcome + 1, so nobody is hidden at zero)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.0, 4.5), dpi=110)
    jitter = np.random.default_rng(0).uniform(0.85, 1.15, data.outcome.size)
    ax.scatter(data.scores["renown"], (data.outcome + 1.0) * jitter, s=3, alpha=0.25,
               linewidths=0, rasterized=True)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("Renown score before the split (log)")
    ax.set_ylabel("distinct responders after it + 1 (log, jittered)")
    ax.set_title(f"Score vs outcome, split {data.period.split:%Y-%m-%d}, "
                 f"{data.period.horizon_days:g} days")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_metrics(evaluation: Evaluation, path: Path, population: str = "eligible") -> None:
    """One bar chart per metric: every scorer's point estimate with its 95% whiskers."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = evaluation.population(population)
    scorers = list(result.metrics)
    metrics = list(result.metrics[scorers[0]])
    columns = 2 if len(metrics) > 2 else len(metrics)
    rows = math.ceil(len(metrics) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6.0 * columns, 0.35 * len(scorers) * rows
                                                     + 1.5), dpi=110, sharey=True, squeeze=False)
    for ax, metric in zip(axes.ravel(), metrics, strict=False):
        est = [result.metrics[s][metric] for s in scorers]
        values = np.array([e.value for e in est])
        errors = np.abs(np.array([[e.value - e.low for e in est],
                                  [e.high - e.value for e in est]]))
        colours = ["tab:red" if s == "renown" else "tab:orange" if s.startswith("candidate")
                   else "tab:blue" if s in BASELINES else "tab:gray" for s in scorers]
        ax.barh(range(len(scorers)), np.nan_to_num(values), xerr=np.nan_to_num(errors),
                color=colours, capsize=3)
        ax.set_title(metric_label(metric))
        ax.set_yticks(range(len(scorers)), [scorer_label(s) for s in scorers])
        ax.grid(axis="x", alpha=0.3)
    axes[0, 0].invert_yaxis()  # shared: once for all, Renown on top
    fig.suptitle(f"{population}: point estimates with bootstrap 95% intervals")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(evaluation: Evaluation, data: EvaluationData, directory: Path, *,
                 title: str = "Renown evaluation", prefix: str = "") -> Path:
    """``directory``/``prefix``report.md with its two PNG plots beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    plots = {"Renown score vs outcome": f"{prefix}scatter.png",
             "Metrics with 95% intervals": f"{prefix}metrics.png"}
    plot_scatter(data, directory / plots["Renown score vs outcome"])
    plot_metrics(evaluation, directory / plots["Metrics with 95% intervals"])
    path = directory / f"{prefix}report.md"
    path.write_text(markdown(evaluation, title=title, plots=plots, level=1), encoding="utf-8")
    return path
