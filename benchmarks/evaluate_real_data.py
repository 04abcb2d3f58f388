"""Property 10 on real data: evaluate, fit and diagnose on Higgs, StackExchange and CollegeMsg.

Run ``python benchmarks/evaluate_real_data.py [--data ../shared/data] [--doc docs/evaluation.md]
[--figures docs/evaluation] [--resamples 200]``.

Each data set is ingested into a fresh temporary DuckDB file (nothing is
copied into the repository), then:

1. ``renown evaluate`` at the documented split (timed: the must-show asks for
   under 60 s on Higgs);
2. ``renown model fit`` before the split, with the product's guard (1 bootstrap
   standard error) and without it (greedy, to show where the data points);
3. the fitted candidates scored on the *test* period beside the current model
   (paired differences on the same resamples) and previewed
   (`renown.scoring.preview`);
4. diagnostics of why a baseline wins: tie sensitivity, the component mix, and
   how the kind of a person's only reaction relates to their outcome.

It writes ``docs/evaluation.md`` (method + results, all numbers from this run)
and the plots and candidate TOMLs under ``docs/evaluation/``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from scipy.stats import spearmanr

from renown.evaluate.baselines import renown_scorers
from renown.evaluate.bootstrap import DEFAULT_RESAMPLES
from renown.evaluate.fit import FitResult, candidate_toml, fit
from renown.evaluate.harness import Evaluation, EvaluationData, collect, measure, must_show
from renown.evaluate.metrics import point_metrics
from renown.evaluate.outcomes import Period, build_population
from renown.evaluate.report import (
    differences_table,
    fmt,
    markdown_table,
    metric_label,
    plot_metrics,
    plot_scatter,
    scorer_label,
    verdict_lines,
)
from renown.events import REACTION_KINDS
from renown.scoring.model import DEFAULT_MODEL, Model
from renown.scoring.pipeline import compute_scores
from renown.scoring.preview import preview
from renown.sources import SourceOptions
from renown.store.database import connect
from renown.store.ingest import ingest

try:
    import evaluation_rolling as rolling_mod  # run as a script: benchmarks/ is on sys.path
except ImportError:  # imported as benchmarks.evaluate_real_data
    from benchmarks import evaluation_rolling as rolling_mod

ROOT = Path(__file__).resolve().parents[1]
#: The model 2026.11.1 replaced, evaluated beside it so the change stays visible.
PREVIOUS_MODEL = Model.from_toml((ROOT / "docs" / "models" / "renown-2026.11.toml")
                                 .read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    path: str
    fmt: str
    kind: str | None
    split: datetime
    horizon_days: float
    validation_days: float
    why: str


DATASETS = (
    Dataset("higgs", "Higgs Twitter (SNAP, 1–7 July 2012)", "higgs/higgs-activity_time.txt.gz",
            "higgs", None, datetime(2012, 7, 5), 3, 1,
            "after day 4 of 7 (the announcement was on 4 July): scores from 1–4 July, "
            "outcomes on 5–7 July; the fit validates on 4 July with scores from 1–3 July"),
    Dataset("stackexchange", "StackExchange quantumcomputing (March–September 2018)",
            "stackexchange/quantumcomputing_2018-09", "stackexchange", None,
            datetime(2018, 7, 1), 60, 30,
            "1 July 2018: scores from March–June, outcomes in July–August; the fit "
            "validates on June with scores from March–May"),
    Dataset("collegemsg", "CollegeMsg (SNAP, April–October 2004)", "snap/CollegeMsg.txt",
            "snap-temporal", "mention", datetime(2004, 5, 24), 28, 14,
            "24 May 2004, after the first five weeks (about 55% of all messages, "
            "the network's busiest period), outcomes over the next four weeks; the fit "
            "validates on 10–23 May"),
)


@dataclass
class Outcome:
    dataset: Dataset
    evaluation: Evaluation
    seconds: float
    fits: dict[str, FitResult]
    diagnostics: list[str] = field(default_factory=list)
    previews: list[str] = field(default_factory=list)
    numbers: dict[str, object] = field(default_factory=dict)


def _ingested(ds: Dataset, data_root: Path, folder: Path) -> duckdb.DuckDBPyConnection:
    con = connect(folder / f"{ds.key}.duckdb")
    ingest(con, data_root / ds.path, ds.fmt, SourceOptions(kind=ds.kind))
    return con


def _evaluate_and_fit(con: duckdb.DuckDBPyConnection, ds: Dataset, figures: Path,
                      resamples: int) -> Outcome:
    clock = time.perf_counter()
    measure(collect(con, ds.split, ds.horizon_days, DEFAULT_MODEL), resamples=resamples)
    seconds = time.perf_counter() - clock
    print(f"{ds.key}: evaluate in {seconds:.1f} s", flush=True)
    fits = {guard: fit(con, DEFAULT_MODEL, ds.split, days, guard_se=value)
            for guard, value, days in (("guarded", 1.0, ds.validation_days),
                                       ("greedy", 0.0, ds.validation_days),
                                       ("guarded-2n", 1.0, 2 * ds.validation_days))}
    candidates = _candidates(fits, ds, figures)
    data = collect(con, ds.split, ds.horizon_days, DEFAULT_MODEL, [PREVIOUS_MODEL, *candidates])
    evaluation = measure(data, resamples=resamples)
    plot_scatter(data, figures / f"{ds.key}-scatter.png")
    plot_metrics(evaluation, figures / f"{ds.key}-metrics.png")
    day = (ds.split - timedelta(days=1)).date()
    previews = [_preview_text(con, c, day) for c in candidates]
    previews.append(_preview_text(con, DEFAULT_MODEL, day, current=PREVIOUS_MODEL))
    numbers: dict[str, object] = {}
    diagnostics = diagnose(con, ds, data, numbers)
    return Outcome(ds, evaluation, seconds, fits, diagnostics, previews, numbers)


def _candidates(fits: dict[str, FitResult], ds: Dataset, figures: Path) -> list[Model]:
    """Fitted models with changes, written as TOML (identical ones once)."""
    models: dict[str, Model] = {}
    for guard, result in fits.items():
        if not result.changes:
            continue
        model = result.fitted if guard == "guarded" else result.fitted.with_changes(
            version=f"{result.fitted.version}-{guard}")
        (figures / f"{ds.key}-fit-{guard}.toml").write_text(
            candidate_toml(result).replace(result.fitted.version, model.version),
            encoding="utf-8")
        models.setdefault(model.fingerprint, model)
    return list(models.values())


def _preview_text(con: duckdb.DuckDBPyConnection, candidate: Model, day: object,
                  current: Model = DEFAULT_MODEL) -> str:
    report = preview(con, current, candidate, day, top=3)  # type: ignore[arg-type]
    movers = "; ".join(f"{m.person_id} {m.before:.1f}→{m.after:.1f} ({m.why})"
                       for m in report.movers_up + report.movers_down)
    return (f"`renown model preview` of `{candidate.version}` on {report.as_of}: "
            f"from `{current.version}`: {report.people:,} people, mean change "
            f"{report.mean_change:+.2f} points, mean "
            f"|change| {report.mean_abs_change:.2f}, 5–95% of changes in "
            f"[{report.quantiles['p05']:+.1f}, {report.quantiles['p95']:+.1f}], rank "
            f"correlation with the current scores {report.spearman:.3f}. Biggest movers: "
            f"{movers}.")


# --- diagnostics -----------------------------------------------------------------------

def diagnose(con: duckdb.DuckDBPyConnection, ds: Dataset, data: EvaluationData,
             numbers: dict[str, object]) -> list[str]:
    """Why a baseline wins, in sentences; the figures behind them go into ``numbers``."""
    return [_tie_sensitivity(data, numbers), _network_sweep(con, ds, data, numbers),
            _network_top(data, numbers), _reach_variants(con, ds, data, numbers),
            _single_reactor(con, ds, data, numbers),
            _duplicated_replies(con, ds, numbers)]


def _tie_sensitivity(data: EvaluationData, numbers: dict[str, object]) -> str:
    """How much of distinct reactors' Spearman comes from leaving its ties unbroken."""
    aud = data.audience
    y, reactors = data.outcome[aud], data.scores["reactors"][aud]
    rng = np.random.default_rng(0)
    jittered = float(np.mean([spearmanr(reactors + rng.uniform(0, 0.5, reactors.size),
                                        y).statistic for _ in range(5)]))
    rho = {name: float(spearmanr(data.scores[name][aud], y).statistic)
           for name in ("reactors", "reach", "renown")}
    numbers["ties"] = {"single": float(np.mean(reactors == 1)), "jittered": jittered, **rho}
    return (f"**Ties.** On the audience view, {np.mean(reactors == 1):.0%} of people had "
            f"exactly one reactor. Distinct reactors leaves them tied (mid-ranks): Spearman "
            f"{rho['reactors']:.3f}; the same counts with ties broken at random: "
            f"{jittered:.3f}; Reach, which orders them by kind, recency and the reactor's "
            f"selectivity: {rho['reach']:.3f}; Renown: {rho['renown']:.3f}. Ordering people a "
            "count leaves tied pays only if that order predicts the outcome.")


def _metrics_of(con: duckdb.DuckDBPyConnection, ds: Dataset, data: EvaluationData,
                model: Model) -> dict[str, float]:
    """Point metrics of ``model``'s score on the test split (everyone eligible)."""
    build_population(con, Period(ds.split, ds.horizon_days, DEFAULT_MODEL.window_days))
    scores = renown_scorers(con, compute_scores(con, ds.split, model))["renown"]
    return point_metrics(scores, data.outcome)


def _network_sweep(con: duckdb.DuckDBPyConnection, ds: Dataset, data: EvaluationData,
                   numbers: dict[str, object]) -> str:
    """The component mix on the test split (diagnostic only: no candidate is chosen here)."""
    sweep = {}
    rest = DEFAULT_MODEL.weight_reach + DEFAULT_MODEL.weight_amplification
    for share in (0.0, 0.1, 0.2, 0.35, 0.5):
        sweep[share] = _metrics_of(con, ds, data, DEFAULT_MODEL.with_changes(
            weight_network=share, weight_reach=(1 - share) * DEFAULT_MODEL.weight_reach / rest,
            weight_amplification=(1 - share) * DEFAULT_MODEL.weight_amplification / rest))
    numbers["sweep"] = sweep
    parts = [f"{share:.2f}: ρ {m['spearman']:.4f}, NDCG {m['ndcg@100']:.3f}"
             for share, m in sweep.items()]
    return ("**Component mix** (Network's share of the weights, Reach and Amplification "
            "keeping their ratio; everyone eligible; a diagnostic on the test split, not used "
            "to choose any candidate): " + "; ".join(parts) + ".")


def _network_top(data: EvaluationData, numbers: dict[str, object]) -> str:
    """Who the Network component puts in the top 100 that Reach does not, and how they fared."""
    k = min(100, data.outcome.size)
    top = {name: set(np.argsort(-data.scores[name], kind="stable")[:k].tolist())
           for name in ("network", "reach")}
    only_network = np.array(sorted(top["network"] - top["reach"]), dtype=np.int64)
    only_reach = np.array(sorted(top["reach"] - top["network"]), dtype=np.int64)

    def medians(idx: np.ndarray) -> tuple[float, float]:
        if idx.size == 0:
            return float("nan"), float("nan")
        return (float(np.median(data.scores["reactors"][idx])),
                float(np.median(data.outcome[idx])))

    found = {"shared": k - only_network.size, "network": medians(only_network),
             "reach": medians(only_reach)}
    numbers["network_top"] = found
    (n_reactors, n_outcome), (r_reactors, r_outcome) = found["network"], found["reach"]
    return (f"**Network's top {k}.** It shares {found['shared']} people with Reach's top {k}. "
            f"The {only_network.size} only Network ranks there had a median of "
            f"{n_reactors:,.0f} distinct reactors before the split and drew a median of "
            f"{n_outcome:,.0f} responders after it; the {only_reach.size} only Reach ranks "
            f"there: {r_reactors:,.0f} and {r_outcome:,.0f}.")


def _reach_variants(con: duckdb.DuckDBPyConnection, ds: Dataset, data: EvaluationData,
                    numbers: dict[str, object]) -> str:
    """How close the model family gets to distinct reactors when its refinements are removed."""
    reach = DEFAULT_MODEL.with_changes(weight_reach=1.0, weight_network=0.0,
                                       weight_amplification=0.0)
    equal = dict.fromkeys(DEFAULT_MODEL.kind_weights, 1.0)
    variants = {"Reach only": reach,
                "+ equal kind weights": reach.with_changes(kind_weights=equal),
                "+ no selectivity (k = 10⁶)": reach.with_changes(kind_weights=equal,
                                                                  selectivity_k=1e6)}
    found = {label: _metrics_of(con, ds, data, model) for label, model in variants.items()}
    found["distinct reactors"] = point_metrics(data.scores["reactors"], data.outcome)
    numbers["variants"] = found
    return ("**Refinements** (diagnostic on the test split, everyone eligible): "
            + "; ".join(f"{label}: ρ {m['spearman']:.4f}, NDCG {m['ndcg@100']:.3f}"
                        for label, m in found.items()) + ".")


def _single_reactor(con: duckdb.DuckDBPyConnection, ds: Dataset, data: EvaluationData,
                    numbers: dict[str, object]) -> str:
    """Outcomes of people whose whole pre-split audience was one person, by how they reacted."""
    con.register("_diag_outcome", pa.table({"person_id": data.person_ids,
                                            "outcome": data.outcome}))
    try:
        rows = con.execute(f"""
            WITH pre AS (
                SELECT ap.person_id, string_agg(DISTINCT e.kind, '+' ORDER BY e.kind) AS kinds
                FROM events e
                JOIN account_people ap ON ap.network = e.network AND ap.account = e.subject
                WHERE e.ts >= $start AND e.ts < $split AND e.subject IS NOT NULL
                  AND e.kind IN ({", ".join(f"'{k}'" for k in sorted(REACTION_KINDS))})
                GROUP BY ap.person_id HAVING count(DISTINCT e.actor) = 1
            )
            SELECT kinds, count(*), avg(outcome), avg(CAST(outcome > 0 AS DOUBLE))
            FROM pre JOIN _diag_outcome USING (person_id)
            GROUP BY kinds HAVING count(*) >= 20 ORDER BY count(*) DESC LIMIT 5
        """, {"start": ds.split - timedelta(days=DEFAULT_MODEL.window_days),
              "split": ds.split}).fetchall()
    finally:
        con.unregister("_diag_outcome")
    numbers["single"] = {kinds: (n, mean, share) for kinds, n, mean, share in rows}
    parts = [f"{kinds}: {n:,} people, mean outcome {mean:.2f}, {share:.0%} drew any response"
             for kinds, n, mean, share in rows]
    return ("**Kinds.** People whose whole pre-split audience was one person, by the kinds "
            "of reaction that person used (groups of ≥ 20): " + ("; ".join(parts) or "none")
            + ".")


def _duplicated_replies(con: duckdb.DuckDBPyConnection, ds: Dataset,
                        numbers: dict[str, object]) -> str:
    """Replies that arrive together with a mention of the same person at the same second."""
    total, doubled = con.execute("""
        SELECT count(*), count(m.actor) FROM events r
        LEFT JOIN (SELECT DISTINCT network, actor, subject, ts FROM events
                   WHERE kind = 'mention') m
          ON m.network = r.network AND m.actor = r.actor AND m.subject = r.subject
         AND m.ts = r.ts
        WHERE r.kind = 'reply' AND r.subject IS NOT NULL AND r.ts < $split
    """, {"split": ds.split}).fetchall()[0]
    numbers["doubled_replies"] = (total, doubled)
    if not total:
        return "**Replies.** No replies in this data set."
    return (f"**Replies.** {doubled:,} of {total:,} replies before the split come with a "
            "mention of the same person at the same second (the source records a reply's "
            "@-mention as a second event), so such a reply weighs reply + mention in the "
            "signals and counts twice as a raw reaction.")


# --- the document -------------------------------------------------------------------------

def summary_table(outcomes: list[Outcome]) -> str:
    lines = ["| data set | metric | Renown | best baseline | Renown − best baseline |",
             "|---|---|---|---|---|"]
    for o in outcomes:
        result = o.evaluation.population("eligible")
        for metric in result.metrics["renown"]:
            baselines = {b: result.metrics[b][metric] for b in
                         ("reactors", "reactions", "in_degree", "pagerank", "posts")}
            best = max(baselines, key=lambda b: baselines[b].value)
            d = result.renown_minus[best][metric]
            lines.append(f"| {o.dataset.key} | {metric_label(metric)} | "
                         f"{fmt(result.metrics['renown'][metric])} | {scorer_label(best)} "
                         f"{fmt(baselines[best])} | {d.value:+.4f} [{d.low:+.4f}, "
                         f"{d.high:+.4f}] |")
    return "\n".join(lines)


def fit_text(o: Outcome) -> str:
    lines = []
    for guard, r in o.fits.items():
        earlier = (f"; the earlier window the search never saw: {r.earlier[0]:.4f} → "
                   f"{r.earlier[1]:.4f}" if r.earlier else "")
        changes = ", ".join(f"{k} {a} → {b}" for k, (a, b) in r.changes.items()) or (
            "none passed the guard" if guard.startswith("guarded") else "none improved J")
        warning = "" if r.holds_up else (" **Worse on the earlier window: likely "
                                         "overfitting.**")
        lines.append(f"- **{guard}** (guard {r.guard_se:g} SE, {r.validation_days:g} validation "
                     f"days): {r.evaluations} scoring runs "
                     f"in {r.seconds:.0f} s; validation J {r.validation[0]:.4f} → "
                     f"{r.validation[1]:.4f}{earlier}. Changes: {changes}.{warning}")
    for key in o.evaluation.population("eligible").renown_minus:
        if key.startswith("candidate:"):
            d = o.evaluation.population("eligible").renown_minus[key]
            lines.append(f"- On the test period, {scorer_label(key)} − current model: "
                         + "; ".join(f"{metric_label(m)} {-v.value:+.4f} "
                                     f"[{-v.high:+.4f}, {-v.low:+.4f}]" for m, v in d.items()))
    return "\n".join(lines)


def dataset_section(o: Outcome) -> str:
    ds, ev = o.dataset, o.evaluation
    parts = [f"## {ds.title}", "", f"Split: {ds.why}. `renown evaluate --split "
             f"{ds.split:%Y-%m-%d} --horizon {ds.horizon_days:g}` took **{o.seconds:.1f} s** "
             f"({ev.resamples} resamples). In-degree: "
             + ", ".join(f"{n}: {s}" for n, s in ev.in_degree_sources.items()) + ".", "",
             "Property 10 (everyone eligible):", "", *verdict_lines(ev)]
    for result in ev.populations:
        parts += ["", f"### {result.name.capitalize()}: {result.description}", "",
                  f"{result.people:,} people; {result.responded:,} drew a response in the "
                  f"horizon (largest outcome {result.outcome_max:,.0f}).", "",
                  markdown_table(result), "", "Renown − each scorer, paired on the same "
                  "resamples (✔ interval above 0, ✘ below):", "", differences_table(result)]
    parts += ["", f"![{ds.key}: score vs outcome](evaluation/{ds.key}-scatter.png)",
              f"![{ds.key}: metrics](evaluation/{ds.key}-metrics.png)", "",
              "### Fitted weights", "", fit_text(o), "", *o.previews, "",
              "### Diagnostics", "", *(f"- {d}" for d in o.diagnostics)]
    return "\n".join(parts)


def write_doc(outcomes: list[Outcome], path: Path, seconds: float, rolling_text: str) -> None:
    text = [METHOD, rolling_text, "", "# Results at one split, in detail", "",
            f"Generated by `python benchmarks/evaluate_real_data.py` in {seconds:.0f} s "
            f"(model `{DEFAULT_MODEL.version}`). Everyone eligible; value [95% interval]; the "
            "last column is paired (same resamples).", "", summary_table(outcomes), "",
            findings(outcomes), ""]
    text += [dataset_section(o) + "\n" for o in outcomes]
    path.write_text("\n".join(text), encoding="utf-8")


def _verdict(o: Outcome) -> str:
    parts = []
    for metric, v in must_show(o.evaluation).items():
        beaten = "beats every baseline" if v["beats_all"] else \
            "is beaten by " + ", ".join(scorer_label(b) for b in v["not_beaten"])
        clear = [scorer_label(b) for b, ok in v["interval_clear_of"].items() if ok]
        overlap = [scorer_label(b) for b, ok in v["interval_clear_of"].items() if not ok]
        notes = ([f"interval clear of {', '.join(clear)}"] if clear else []) + (
            [f"overlapping {', '.join(overlap)}"] if overlap else [])
        parts.append(f"on {metric_label(metric)} Renown {beaten} ({'; '.join(notes)})")
    return f"- **{o.dataset.key}** ({o.seconds:.1f} s): " + "; ".join(parts) + "."


def _candidate_lines(o: Outcome) -> list[str]:
    result = o.evaluation.population("eligible")
    lines = []
    for key, values in result.metrics.items():
        if not key.startswith("candidate:"):
            continue
        vs = result.renown_minus[key]
        for metric in ("spearman", "ndcg@100"):
            best = max(("reactors", "reactions", "in_degree", "pagerank", "posts"),
                       key=lambda b, m=metric: result.metrics[b][m].value)
            lines.append(
                f"  - {scorer_label(key)}, {metric_label(metric)}: {fmt(values[metric])} vs "
                f"current {fmt(result.metrics['renown'][metric])} (paired gain "
                f"{-vs[metric].value:+.4f} [{-vs[metric].high:+.4f}, {-vs[metric].low:+.4f}]) "
                f"and best baseline {scorer_label(best)} {fmt(result.metrics[best][metric])}.")
    return lines


def findings(outcomes: list[Outcome]) -> str:
    """Property 10 per data set, then what the numbers say about the model (all computed)."""
    text = ["## Findings", "", "Property 10 (DESIGN.md §3), everyone eligible:", "",
            *(_verdict(o) for o in outcomes), ""]
    for o in outcomes:
        r = o.evaluation.population("eligible").metrics
        text += [f"**{o.dataset.key}.** Components alone: NDCG@100 Reach "
                 f"{r['reach']['ndcg@100'].value:.3f}, Network {r['network']['ndcg@100'].value:.3f}"
                 f" (plain PageRank {r['pagerank']['ndcg@100'].value:.3f}), Amplification "
                 f"{r['amplification']['ndcg@100'].value:.3f}; Renown "
                 f"{r['renown']['ndcg@100'].value:.3f}. Spearman Reach "
                 f"{r['reach']['spearman'].value:.4f}, Renown {r['renown']['spearman'].value:.4f},"
                 f" distinct reactors {r['reactors']['spearman'].value:.4f}. Candidates (the "
                 "previous default and the fits) on the test period:", "",
                 *(_candidate_lines(o) or ["  - none (no change)."]), ""]
    return "\n".join([*text, *recommendations({o.dataset.key: o for o in outcomes})])


def _diff(o: Outcome, other: str, metric: str) -> str:
    d = o.evaluation.population("eligible").renown_minus[other][metric]
    return f"{d.value:+.4f} [{d.low:+.4f}, {d.high:+.4f}]"


def _higgs_causes(o: Outcome) -> list[str]:
    m = o.evaluation.population("eligible").metrics
    sweep: dict[float, dict[str, float]] = o.numbers["sweep"]  # type: ignore[assignment]
    ties: dict[str, float] = o.numbers["ties"]  # type: ignore[assignment]
    var: dict[str, dict[str, float]] = o.numbers["variants"]  # type: ignore[assignment]
    single: dict[str, tuple[int, float, float]] = o.numbers["single"]  # type: ignore[assignment]
    kinds = "; ".join(f"{k}: mean {v[1]:.2f}, {v[2]:.0%} any" for k, v in single.items())
    total, doubled = o.numbers["doubled_replies"]  # type: ignore[misc]
    nosel = var["+ no selectivity (k = 10⁶)"]
    return [
        f"1. **Top of the ranking (NDCG@100): the Network component.** Alone it scores "
        f"{m['network']['ndcg@100'].value:.3f}, no better than plain PageRank "
        f"({m['pagerank']['ndcg@100'].value:.3f}), against Reach's "
        f"{m['reach']['ndcg@100'].value:.3f}; a share of 0.35 (renown-2026.11's) pulls "
        f"Renown down to {sweep[0.35]['ndcg@100']:.3f}; at 2026.11.1's "
        f"{DEFAULT_MODEL.weight_network:g} Renown scores {m['renown']['ndcg@100'].value:.3f}. "
        "The test-split sweep of Network's share gives "
        f"NDCG {sweep[0.0]['ndcg@100']:.3f} / {sweep[0.1]['ndcg@100']:.3f} / "
        f"{sweep[0.2]['ndcg@100']:.3f} / {sweep[0.35]['ndcg@100']:.3f} / "
        f"{sweep[0.5]['ndcg@100']:.3f} at 0 / 0.1 / 0.2 / 0.35 / 0.5 (distinct reactors: "
        f"{m['reactors']['ndcg@100'].value:.3f}). " + _network_top_text(o),
        f"2. **The bulk of the ranking (Spearman): ties and the refinements that break them.** "
        f"{ties['single']:.0%} of people with an audience had exactly one reactor. Distinct "
        f"reactors leaves them tied (ρ {ties['reactors']:.3f} on the audience view); breaking "
        f"those ties at random drops it to {ties['jittered']:.3f}; Reach breaks them by kind "
        f"weight, recency and the reactor's selectivity and gets {ties['reach']:.3f}, i.e. "
        "that order carries little information about the outcome. renown-2026.11's kind "
        f"weights pointed the wrong way here (single-reactor people by kind — {kinds}): a "
        "mention is conversation and conversation is reciprocated, while it weighed a "
        "reshare 1.0 and a mention 0.6 (2026.11.1 weighs them equally). Removing the "
        "remaining refinements one by one on the test "
        f"split: Reach only ρ {var['Reach only']['spearman']:.4f}, equal kind weights "
        f"{var['+ equal kind weights']['spearman']:.4f}, and no selectivity "
        f"{nosel['spearman']:.4f} / NDCG {nosel['ndcg@100']:.3f} — only then does the model "
        f"reach distinct reactors (ρ {var['distinct reactors']['spearman']:.4f}, NDCG "
        f"{var['distinct reactors']['ndcg@100']:.3f}), i.e. by giving up the gaming "
        "resistance (properties 1–2) that this outcome does not reward.",
        f"3. **Data: {doubled:,} of {total:,} Higgs replies are also recorded as a mention** "
        "of the same person at the same second (SNAP lists a reply's @-mention separately), "
        "so the raw-reaction baseline counts such a reply twice. Renown counts it once: "
        "its signals treat events by the same reactor about the same author in the same "
        "second as one act, at the strongest kind (docs/scoring.md §1); that lifted "
        "Renown's NDCG@100 on Higgs from 0.583 to the figure above.",
    ]


def _guarded_summary(name: str, r: FitResult) -> str:
    if not r.changes:
        return f"the {name} fit changed nothing"
    changed = ", ".join(f"{k} {a} → {b}" for k, (a, b) in r.changes.items())
    check = ("" if r.earlier is None else " and held up on the earlier window" if r.holds_up
             else " but did worse on the earlier window (overfitting: do not promote)")
    return f"the {name} fit changed {changed}{check}"


def _network_top_text(o: Outcome) -> str:
    found: dict[str, object] = o.numbers["network_top"]  # type: ignore[assignment]
    (n_reactors, n_outcome) = found["network"]  # type: ignore[misc]
    (r_reactors, r_outcome) = found["reach"]  # type: ignore[misc]
    return (f"Network's top 100 shares {found['shared']} people with Reach's; those only "
            f"Network puts there had fewer reactors (median {n_reactors:,.0f} against "
            f"{r_reactors:,.0f}) — whoever reacted to them was central — and drew fewer "
            f"responders afterwards (median {n_outcome:,.0f} against {r_outcome:,.0f}). "
            "Over a 3-day horizon, many distinct responders now predict many later; who "
            "they were adds little.")


def _fit_summary(o: Outcome) -> str:
    greedy = o.fits["greedy"]
    parts = [f"{o.dataset.key}: " + _guarded_summary("guarded", o.fits["guarded"]),
             _guarded_summary(f"guarded ({o.fits['guarded-2n'].validation_days:g} validation "
                              "days)", o.fits["guarded-2n"])]
    if greedy.changes:
        key = f"candidate:{greedy.fitted.version}-greedy"
        held = "held up" if greedy.holds_up else "did not hold up"
        minus = o.evaluation.population("eligible").renown_minus.get(key, {})
        test = "".join(f"; test-period gain over the current model, {metric_label(m)}: "
                       f"{-d.value:+.4f} [{-d.high:+.4f}, {-d.low:+.4f}]"
                       for m, d in minus.items() if m in ("spearman", "ndcg@100"))
        changed = ", ".join(f"{k} {a} → {b}" for k, (a, b) in greedy.changes.items())
        parts.append(f"the greedy fit changed {changed} (its validation gain {held} on the "
                     f"earlier window{test})")
    return "; ".join(parts) + "."


def recommendations(by_key: dict[str, Outcome]) -> list[str]:
    """What the numbers say about the model, with the evidence (all from this run)."""
    text = ["## Why, and what changed", ""]
    higgs = by_key.get("higgs")
    if higgs is not None:
        verdict = must_show(higgs.evaluation)
        holds = all(v["beats_all"] for v in verdict.values())
        text += [f"**Higgs must-show: {'holds' if holds else 'does not hold'}.** Renown − "
                 f"distinct reactors: Spearman {_diff(higgs, 'reactors', 'spearman')}, "
                 f"NDCG@100 {_diff(higgs, 'reactors', 'ndcg@100')}; Renown − post count: "
                 f"Spearman {_diff(higgs, 'posts', 'spearman')}, NDCG@100 "
                 f"{_diff(higgs, 'posts', 'ndcg@100')} (intervals clear); Renown − raw "
                 f"reactions: Spearman {_diff(higgs, 'reactions', 'spearman')}, NDCG@100 "
                 f"{_diff(higgs, 'reactions', 'ndcg@100')}. `renown evaluate` took "
                 f"{higgs.seconds:.1f} s. Why:", "", *_higgs_causes(higgs), ""]
    text += ["**Fits** (validation before the split only; test period read only to report):",
             "", *(f"- {_fit_summary(o)}" for o in by_key.values()), "",
             *proposals(by_key)]
    return text


def _network_moves(by_key: dict[str, Outcome]) -> str:
    moves = []
    for key, o in by_key.items():
        for guard, r in o.fits.items():
            if "weight_network" in r.changes:
                before, after = r.changes["weight_network"]
                moves.append(f"{key} {guard} {before} → {float(after):.2f}"
                             + ("" if r.holds_up else " (did not hold up)"))
    return ", ".join(moves) or "none"


def _flatness(by_key: dict[str, Outcome], keys: tuple[str, ...]) -> str:
    spans = []
    for key in keys:
        if key in by_key:
            sweep: dict[float, dict[str, float]] = by_key[key].numbers["sweep"]  # type: ignore
            ndcg = [m["ndcg@100"] for m in sweep.values()]
            rho = [m["spearman"] for m in sweep.values()]
            spans.append(f"{key} NDCG@100 {min(ndcg):.3f}–{max(ndcg):.3f}, ρ "
                         f"{min(rho):.4f}–{max(rho):.4f}")
    return "; ".join(spans)


def _guarded_network_step(o: Outcome, guard: str = "guarded") -> str:
    r = o.fits[guard]
    step = next((s for s in r.steps if s.parameter == "weight_network"), None)
    if step is None:
        return ""
    kept = f"the guard kept {DEFAULT_MODEL.weight_network:g}"
    verdict = "the guard accepted it" if step.accepted else kept
    return (f" On {o.dataset.key} with {r.validation_days:g} validation day(s) the best "
            f"network share ({step.value}) gained {step.improvement:+.4f} in J against a "
            f"standard error of {step.standard_error:.4f}: {verdict}.")


def _previous_text(by_key: dict[str, Outcome]) -> str:
    """The adopted change, measured: current default minus renown-2026.11, per data set."""
    key = f"candidate:{PREVIOUS_MODEL.version}"
    parts = []
    for name, o in by_key.items():
        minus = o.evaluation.population("eligible").renown_minus.get(key, {})
        gains = ", ".join(f"{metric_label(m)} {d.value:+.4f} [{d.low:+.4f}, {d.high:+.4f}]"
                          for m, d in minus.items() if m in ("spearman", "ndcg@100"))
        if gains:
            parts.append(f"{name}: {gains}")
    return ("Against renown-2026.11 on the same resamples (paired), the new default gains: "
            + "; ".join(parts) + ".") if parts else ""


def proposals(by_key: dict[str, Outcome]) -> list[str]:
    """The proposed model changes, each with the evidence this run produced."""
    higgs = by_key.get("higgs")
    return [
        "**Model changes**, in order of evidence:", "",
        "1. *Adopted in renown-2026.11.1: `weight_network` 0.35 → 0.10 (Reach 0.55 → 0.80), "
        "mention and reply weighed like a reshare (0.6 and 0.8 → 1.0), scale anchors "
        "recalibrated* (docs/scoring.md, History). " + _previous_text(by_key) + " "
        "On Higgs the Network share is the largest single effect on NDCG@100 (sweep above). "
        "Across the "
        "network shares 0–0.5 the other data sets barely move ("
        + _flatness(by_key, ("stackexchange", "collegemsg")) + "), so little is lost there. "
        "The fits moved it: " + _network_moves(by_key) + "."
        + (_guarded_network_step(higgs) if higgs else "")
        + (_guarded_network_step(higgs, "guarded-2n") if higgs else "")
        + " To confirm on a longer Twitter-like data set when one is available.",
        "2. *Do not adopt fitted kind weights as they are.* Greedy fits move single kind "
        "weights by large factors (mention above reshare, upvotes halved) and each moves "
        "everyone's score (see the previews: kind weights are in the units the 1–100 "
        "anchors are calibrated in); 2026.11.1 took only the direction two data sets agree "
        "on (directed attention at least as strong as a reshare). Fits "
        "that did not hold up on the earlier window are the overfitting the second guard is "
        "there to catch. Kind weights should be fitted on several data sets at once.",
        "3. *Keep selectivity and saturation.* They cost Spearman on Higgs (refinements "
        "diagnostic: only dropping selectivity, with equal kind weights and no Network, "
        "brings the model level with distinct reactors, and then only level), and they "
        "are what properties 1–2 (gaming resistance) require; a 3-day outcome after one "
        "news event rewards neither. So on Higgs property 10 as written conflicts with "
        "properties 1–2 for the distinct-reactor baseline (and for in-degree, which is the "
        "same count on Higgs for want of follower data, and raw reactions, nearly so): on "
        "data with no gaming in it, counting distinct reactors is close to the best any "
        "gaming-resistant score can do. What remains on Higgs is a Spearman gap of a few "
        "thousandths (since renown-2026.12.3 spares two-person exchanges, which Higgs "
        "rewards slightly less than one-way attention); closing it would mean weakening "
        "selectivity, which this outcome cannot judge.",
        "4. *CollegeMsg is not an influence network* (private messages): sending messages "
        "draws replies, so post count predicts being messaged better than any audience "
        "measure. Up to renown-2026.12.2 the mutual discount (against engagement pods) "
        "also discounted exactly the conversations that predict it; since 2026.12.3 the "
        "group exponent (`mutual_group_exponent` = 1, docs/scoring.md) discounts an "
        "exchange only as far as it sits inside a group of mutual partners (pods, rings) "
        "and spares two people who talk (how it was chosen: the rolling section above). "
        "What is left of the gap to post count is output rewarded by replies, which an "
        "outcome-based score does not count on purpose.", ""]


def issue13_sections(cons: dict[str, duckdb.DuckDBPyConnection]) -> str:
    """Rolling splits, model selection, gamed variants and cross-data-set fits (issue 13)."""
    clock = time.perf_counter()
    older = Model.from_toml((ROOT / "docs" / "models" / "renown-2026.11.1.toml")
                            .read_text(encoding="utf-8"))
    previous = Model.from_toml((ROOT / "docs" / "models" / "renown-2026.12.toml")
                               .read_text(encoding="utf-8"))
    twelve_one = Model.from_toml((ROOT / "docs" / "models" / "renown-2026.12.1.toml")
                                 .read_text(encoding="utf-8"))
    every_exchange = rolling_mod.EVERY_EXCHANGE
    groups = {k: rolling_mod.selection(con, rolling_mod.PLANS[k], [every_exchange])
              for k, con in cons.items()}
    group_shares = {k: rolling_mod.selection_shares(cons[k], k, [every_exchange])
                    for k in rolling_mod.SELECTION_GAMED if k in cons}
    print(f"group exponent selection in {time.perf_counter() - clock:.0f} s", flush=True)
    candidates = rolling_mod.selection_candidates(older, previous, twelve_one)
    keys = [k for k in ("higgs", "stackexchange") if k in cons]
    chosen = {k: rolling_mod.selection(cons[k], rolling_mod.PLANS[k], candidates) for k in keys}
    shares = {k: rolling_mod.selection_shares(cons[k], k, candidates) for k in keys}
    print(f"selection in {time.perf_counter() - clock:.0f} s", flush=True)
    fitted = {k: rolling_mod.cross_fit(cons[k], rolling_mod.PLANS[k].splits[1],
                                       1.0 if k == "higgs" else 14.0, k) for k in keys}
    print(f"cross fits in {time.perf_counter() - clock:.0f} s", flush=True)
    parts = [rolling_mod.SECTION_INTRO.format(version=DEFAULT_MODEL.version),
             rolling_mod.groups_table(groups, group_shares), "", rolling_mod.GROUPS_NOTE, "",
             rolling_mod.HISTORY_INTRO, rolling_mod.selection_table(chosen, shares, candidates),
             "", rolling_mod.SELECTION_NOTE, "", "## Rolling-origin results", ""]
    for key, con in cons.items():
        plan = rolling_mod.PLANS[key]
        others = [m for k, m in fitted.items() if k != key]
        result = rolling_mod.rolling(con, plan, [every_exchange, *others])
        reported = ", ".join(f"{s:%Y-%m-%d}" for s in plan.splits)
        parts += [f"### {key}", "", f"Splits {reported}; horizons "
                  f"{', '.join(f'{h:g}' for h in plan.horizons)} days; "
                  f"{len(result.cells)} cells in {result.seconds:.0f} s. Everyone eligible:", "",
                  rolling_mod.rolling_table(result), "", rolling_mod.HEADROOM_NOTE, "",
                  rolling_mod.headroom_table(result), "", "People with an audience before the "
                  "split:", "", rolling_mod.rolling_table(result, "audience:"), "",
                  "Spearman per cell:", "", rolling_mod.split_table(result), "",
                  rolling_mod.versus_lines(result, every_exchange, others), ""]
        if plan.gamed_split is not None:
            rows = rolling_mod.gamed(con, plan.gamed_split, plan.gamed_horizon)
            parts += [f"Gamed {key}: planted before {plan.gamed_split:%Y-%m-%d}, outcomes "
                      f"over {plan.gamed_horizon:g} days (everyone eligible; best per row in "
                      "bold):", "", rolling_mod.gamed_table(rows), "",
                      rolling_mod.gamed_timing(key, rows), ""]
            if key == "higgs":
                seconds = rolling_mod.timed_full(con, plan.gamed_split, plan.gamed_horizon)
                print(f"higgs: evaluate --inject-gaming mixed in {seconds:.1f} s", flush=True)
                parts += [f"`renown evaluate --inject-gaming mixed` on Higgs (default "
                          f"bootstrap resamples): **{seconds:.1f} s** (target: under 60 s "
                          "on 2 cores).", ""]
        print(f"{key} rolling in {time.perf_counter() - clock:.0f} s", flush=True)
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--doc", type=Path, default=ROOT / "docs" / "evaluation.md")
    parser.add_argument("--figures", type=Path, default=ROOT / "docs" / "evaluation")
    parser.add_argument("--resamples", type=int, default=DEFAULT_RESAMPLES)
    parser.add_argument("--only", choices=[d.key for d in DATASETS], action="append")
    args = parser.parse_args(argv)
    args.figures.mkdir(parents=True, exist_ok=True)
    clock = time.perf_counter()
    chosen = [ds for ds in DATASETS if not args.only or ds.key in args.only]
    with tempfile.TemporaryDirectory() as tmp:
        cons = {ds.key: _ingested(ds, args.data, Path(tmp)) for ds in chosen}
        try:
            rolling_text = issue13_sections(cons)
            outcomes = [_evaluate_and_fit(cons[ds.key], ds, args.figures, args.resamples)
                        for ds in chosen]
        finally:
            for con in cons.values():
                con.close()
    write_doc(outcomes, args.doc, time.perf_counter() - clock, rolling_text)
    print(f"wrote {args.doc} in {time.perf_counter() - clock:.0f} s")
    return 0



METHOD = """# Evaluation: does the score predict what happens next?

DESIGN.md property 10: *on real data, scores computed from an early window
predict what happens later (distinct people who react to the person) better
than every simple baseline.* This page is written by
`python benchmarks/evaluate_real_data.py`, which ingests each data set into a
fresh temporary database and runs the same code as the commands:

    renown evaluate --split DATE [--horizon DAYS] [--candidate TOML ...] [--resamples 200]
                    [--top-k 100] [--seed N] [--report DIR] [--db PATH] [--json]
    renown model fit --split DATE [--validation-days N] [--out TOML] [--max-evaluations 40]
                     [--time-budget SECONDS] [--guard-se 1.0] [--db PATH] [--json]

Code: `src/renown/evaluate/` (`outcomes.py` population and outcome, `baselines.py`,
`metrics.py`, `bootstrap.py`, `harness.py`, `fit.py`, `report.py`).

# Method

**Temporal holdout.** `--split DATE` is midnight UTC starting DATE. Scores are
`compute_scores(con, split, model)`: its window keeps events with
`split − 300 days ≤ ts < split` (`scoring/signals.py`), so nothing at or after
the split is read. Baselines read the same window. The outcome reads only
`split ≤ ts < split + horizon`. `tests/evaluate/test_leakage.py` adds
reactions, posts, follows and new accounts at the split instant and later and
checks every scorer's values are bit-identical. It also found one leak, now
fixed in the pipeline (3745fab): offline credentials were selected with
`ts <= as_of`, so one dated on the split day (offline events carry a date,
i.e. midnight) counted before the split; the test stays as a regression test.

**Population.** Everyone *eligible* at the split: each person (declared
identity links, else one person per account) with an account seen in the
window as actor or as the subject of an event; system accounts (`~…`) are
never people. It is fixed before looking at the outcome (choosing people
active after the split would leak the outcome into who is counted). A second
view, **audience**, keeps people with at least one reaction from someone else
before the split: outside it every audience-based scorer ties everyone at its
minimum, so this view asks the harder question of ordering people who all have
some audience.

**Outcome.** Distinct people who responded to any of the person's accounts in
the horizon: reshared, quoted, replied to, commented on, mentioned or answered
them; not themselves (any of their linked accounts) and not system accounts.
Likes are left out (one click; the raw-reaction baseline counts them). On
StackExchange, where the dump hides most voters, each upvote and each
accepted answer received is added: the site allows one vote per person per
post, so each is one person's explicit verdict (reputation is built from
exactly these); downvotes are not counted.

**Scorers.** Renown's score (current model), each component alone (Reach,
Network, Amplification, summed over a person's accounts), and the baselines:
post count (content events: post, reshare, quote, reply, comment, mention,
answer); raw reactions received (every reaction kind, likes and votes
included); distinct reactors; in-degree (distinct followers from `follow`
events where the network has them, else stored follower counts, which may
postdate the split and so can only flatter this baseline, else distinct
accounts that did anything to the person); plain PageRank (damping 0.85,
uniform teleport, unit weight per distinct reactor → author pair, the same
`renown.scoring.propagation.pagerank`). `--candidate TOML` adds a candidate
model's score beside the current one.

**Metrics** (`metrics.py`; each with a 95% percentile-bootstrap interval):

- *Spearman's ρ* between score and outcome, with mid-ranks for ties (Kendall
  & Gibbons, *Rank Correlation Methods*, 1990).
- *NDCG@100* (Järvelin & Kekäläinen, ACM TOIS 2002) with linear gain = the
  outcome (a person 200 people respond to is worth twice one that 100 do, not
  2^100 times as with 2^rel − 1) and discount 1/log2(1 + position).
- *precision@100*: the share of the scorer's top 100 who are in the outcome's
  top 100.
- *ROC AUC* for "in the top 1% of outcomes" (the outcome at position ⌈1% · N⌉
  and everyone tied with it, never the lowest value, usually 0), by the
  Mann–Whitney statistic (Hanley & McNeil, Radiology 1982).

Ties are never broken by an arbitrary order: ranks are mid-ranks, and the
top-k metrics are the expectation over random tie-breaking (McSherry &
Najork, ECIR 2008). This matters on these data: most eligible people tie at
the floor of every audience-based scorer.

**Bootstrap.** People are resampled with replacement (Efron & Tibshirani, *An
Introduction to the Bootstrap*, 1993), 200 times, seeded (`--seed`). Every
scorer is measured on the same resamples, so "Renown − baseline" has its own
*paired* interval, sharper than comparing two intervals; the tables mark it ✔
when it lies above 0. For speed a resample is a column of multiplicities, which
is exactly the resampled data set (copies of a person tie with each other);
people identical in every score and in the outcome are merged into one
weighted item (exact); and each metric reduces to sums over a scorer's tie
groups. On Higgs (223k people, 9 scorers, two views) the 200 resamples take
about 7 s.

**Fitting** (`renown model fit`, `fit.py`). The free weights — kind weights of
the kinds present, the component mix (weight_reach / weight_network /
weight_amplification, keeping their sum so the 1–100 calibration holds) and
half_life_days — are fitted *before* the split: scores from events before
`split − N days`, judged on the outcomes of the N days before the split (the
validation window), by J = (Spearman + NDCG@100) / 2 over everyone eligible.
The test period after the split is never read (a test adds events after the
split and checks the fit is identical). The optimiser is a coordinate search
over a small grid (Kolda, Lewis & Torczon, SIAM Review 2003): network share
{0, 0.1, 0.2, 0.35, 0.5}, amplification share {0, 0.05, 0.1, 0.2}, each kind
weight × {0.5, 1.5, 2} (at most 2), half-life {75, 100, 150, 300} days; one
coordinate at a time, best value kept, passes repeated until nothing changes
or 40 scoring runs are spent (each is one `compute_scores`).

*Guards.* (1) Regularisation toward the current model: the search starts from
it and accepts a change only if J improves by more than one bootstrap standard
error of the paired difference (people resampled on the validation window,
100 resamples), so a change must stand out from sampling noise
(`--guard-se 0` accepts any improvement: diagnosis only). (2) Overfitting
check: both models are also scored one window earlier (scores before
`split − 2N`, outcomes in the N days after), which the search never used; the
report shows the validation gain beside this gain — a gain only on the
validation window is overfitting. (3) Design bounds: half-lives that would
break property 3 (≤ 2 points lost in a silent week, ≤ 6 in a month, at the
scale's steepest slope) are never tried; with the current scale that rules out
anything under about 61 days. The candidate is written as TOML (version
`<current>-fit-<split YYYYMMDD>`, headed by comments saying how it was fitted)
for `renown model preview` and `renown evaluate --candidate`; the lead decides
what is promoted.

**Splits.** Higgs: split 2012-07-05, horizon 3 days (scores from days 1–4,
outcomes on days 5–7). StackExchange: split 2018-07-01, horizon 60 days.
CollegeMsg: split 2004-05-24, horizon 28 days (the first five weeks, about
55% of all messages and the network's busiest stretch, then four weeks of
outcomes); its messages are ingested as `mention` (private messages name
their recipient).
"""





if __name__ == "__main__":
    raise SystemExit(main())
