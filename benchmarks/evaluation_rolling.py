"""Rolling-origin splits, gamed variants, cross-data-set fits and model selection (issue 13).

Used by ``benchmarks/evaluate_real_data.py``, which writes the results at the
top of docs/evaluation.md.  Everything here reads a store that already holds
one data set; nothing is written to it (gaming is planted into an in-memory
copy, `renown.evaluate.gamed`).

* **Rolling origin**: several split dates per data set and several horizons;
  per cell the point metrics of every scorer on everyone eligible, and per
  split the paired difference Renown − best baseline (averaged over
  horizons).  The interval across splits is a t-interval on those per-split
  differences (splits, not people, are the unit that varies).
* **Gamed**: each gaming kind alone and mixed, planted before one split.
* **Selection**: the candidate models scored on the *earliest* splits only
  (never on the splits reported), with the gaming constraint.
* **Cross-data-set**: `renown model fit` on one data set, its candidate
  evaluated on the other data set's rolling splits.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

import duckdb
import numpy as np
from scipy import stats

from renown.evaluate.fit import fit
from renown.evaluate.gamed import evaluate_gamed
from renown.evaluate.gaming import KINDS, GamingSpec
from renown.evaluate.harness import collect
from renown.evaluate.headroom import headroom
from renown.evaluate.metrics import point_metrics
from renown.scoring.model import DEFAULT_MODEL, Model

BASELINES = ("reactors", "reactions", "in_degree", "pagerank", "posts")
METRICS = ("spearman", "ndcg@100")

ROOT: Final = Path(__file__).resolve().parents[1]
#: The default before renown-2026.12.3: every exchange discounted (group exponent
#: η = 0, docs/scoring.md "Exchanges inside a group"), reported beside the default on
#: every data set.
EVERY_EXCHANGE: Final = Model.from_toml((ROOT / "docs" / "models" / "renown-2026.12.2.toml")
                                        .read_text(encoding="utf-8"))
#: Its column in the gamed tables.
EVERY_EXCHANGE_KEY: Final = f"candidate:{EVERY_EXCHANGE.version}"


@dataclass(frozen=True)
class Rolling:
    splits: tuple[datetime, ...]
    horizons: tuple[float, ...]
    #: The splits model selection may look at (the rest are reported).
    selection_splits: int = 2
    gamed_split: datetime | None = None
    gamed_horizon: float = 1.0


@dataclass
class RollingResult:
    """cells[(split, horizon)][scorer][metric] on everyone eligible (and 'audience:')."""

    cells: dict[tuple[datetime, float], dict[str, dict[str, float]]] = field(default_factory=dict)
    seconds: float = 0.0

    def per_split(self, scorer: str, metric: str) -> dict[datetime, float]:
        by_split: dict[datetime, list[float]] = {}
        for (split, _), scores in self.cells.items():
            by_split.setdefault(split, []).append(scores[scorer][metric])
        return {s: float(np.mean(v)) for s, v in sorted(by_split.items())}

    def best_baseline(self, metric: str, prefix: str = "") -> str:
        return max(BASELINES, key=lambda b: np.mean(list(
            self.per_split(prefix + b, metric).values())))

    def difference(self, metric: str, other: str, scorer: str = "renown",
                   prefix: str = "") -> tuple[float, float, float]:
        """Mean over splits of (scorer − other), with a 95% t-interval across splits."""
        a, b = self.per_split(prefix + scorer, metric), self.per_split(prefix + other, metric)
        d = np.array([a[s] - b[s] for s in a])
        if d.size < 2:
            return float(d.mean()), float("nan"), float("nan")
        half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
        return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def rolling(con: duckdb.DuckDBPyConnection, plan: Rolling, models: Sequence[Model] = (),
            splits: Sequence[datetime] | None = None) -> RollingResult:
    """Point metrics of Renown, ``models`` (as candidate:VERSION) and every baseline per cell."""
    result = RollingResult()
    clock = time.perf_counter()
    for split in splits or plan.splits:
        for horizon in plan.horizons:
            data = collect(con, split, horizon, DEFAULT_MODEL, list(models))
            cell: dict[str, dict[str, float]] = {}
            for prefix, mask in (("", np.ones(data.outcome.size, bool)),
                                 ("audience:", data.audience)):
                for key, values in data.scores.items():
                    m = point_metrics(values[mask], data.outcome[mask])
                    cell[prefix + key] = {metric: m[metric] for metric in METRICS}
            room = headroom(data.audience, data.outcome)
            cell["audience_only"] = {metric: room.audience_only[metric] for metric in METRICS}
            cell["oracle"] = {metric: room.oracle[metric] for metric in METRICS}
            result.cells[(split, horizon)] = cell
    result.seconds = time.perf_counter() - clock
    return result


def rolling_table(result: RollingResult, prefix: str = "") -> str:
    """Per metric: mean over splits and horizons of each scorer, and Renown − best baseline."""
    lines = ["| metric | Renown | " + " | ".join(BASELINES) + " | Renown − best baseline "
             "(95% interval across splits) | wins / splits |",
             "|---|---|" + "---|" * len(BASELINES) + "---|---|"]
    for metric in METRICS:
        means = {k: np.mean(list(result.per_split(prefix + k, metric).values()))
                 for k in ("renown", *BASELINES)}
        best = result.best_baseline(metric, prefix)
        d, low, high = result.difference(metric, best, prefix=prefix)
        ours, theirs = result.per_split(prefix + "renown", metric), result.per_split(
            prefix + best, metric)
        wins = sum(ours[s] > theirs[s] for s in ours)
        lines.append(f"| {metric} | **{means['renown']:.4f}** | "
                     + " | ".join(f"{means[b]:.4f}" for b in BASELINES)
                     + f" | {d:+.4f} [{low:+.4f}, {high:+.4f}] vs {best} | {wins}/{len(ours)} |")
    return "\n".join(lines)


def headroom_table(result: RollingResult) -> str:
    """What there was to win: audience-only and oracle orders beside Renown and the best
    baseline (means over cells), and the share of that range each reached."""
    lines = ["| metric | audience only | best baseline | Renown | oracle | share of the range: "
             "best baseline | share: Renown |", "|---|---|---|---|---|---|---|"]
    for metric in METRICS:
        best = result.best_baseline(metric)
        mean = {k: float(np.mean(list(result.per_split(k, metric).values())))
                for k in ("audience_only", "oracle", "renown", best)}
        span = mean["oracle"] - mean["audience_only"]

        def share(key: str, mean: dict[str, float] = mean, span: float = span) -> str:
            return f"{(mean[key] - mean['audience_only']) / span:.0%}" if span > 0 else "n/a"

        lines.append(f"| {metric} | {mean['audience_only']:.4f} | {mean[best]:.4f} ({best}) | "
                     f"{mean['renown']:.4f} | {mean['oracle']:.4f} | {share(best)} | "
                     f"{share('renown')} |")
    spearman = {k: float(np.mean(list(result.per_split(k, "spearman").values())))
                for k in ("audience_only", "oracle")}
    span = spearman["oracle"] - spearman["audience_only"]
    if span > 0:
        lines += ["", f"Here a Spearman gain of +0.01 over the best baseline is "
                      f"{0.01 / span:.0%} of the whole range from audience-only to the oracle."]
    return "\n".join(lines)


HEADROOM_NOTE = (
    "What there was to win (`renown.evaluate.headroom`): every audience-based scorer gives "
    "the same floor to people nobody reacted to before the split, so on everyone eligible "
    "it ranges from *audience only* (1 for an audience, 0 otherwise) to the *oracle* (the "
    "audience ordered by the outcome itself). A gain over the best baseline should be read "
    "against that range:")


def split_table(result: RollingResult, metric: str = "spearman") -> str:
    splits = sorted({s for s, _ in result.cells})
    horizons = sorted({h for _, h in result.cells})
    lines = ["| split | horizon (days) | Renown | distinct reactors | reactions | PageRank |",
             "|---|---|---|---|---|---|"]
    for s in splits:
        for h in horizons:
            c = result.cells[(s, h)]
            lines.append(f"| {s:%Y-%m-%d} | {h:g} | {c['renown'][metric]:.4f} | "
                         f"{c['reactors'][metric]:.4f} | {c['reactions'][metric]:.4f} | "
                         f"{c['pagerank'][metric]:.4f} |")
    return "\n".join(lines)


@dataclass
class GamedRow:
    label: str
    seconds: float
    gamers: int
    planted_accounts: int
    targets: tuple[int, int]
    #: scorer → metric → value (spearman, ndcg@100, precision@100, share).
    values: dict[str, dict[str, float]]


def gamed(con: duckdb.DuckDBPyConnection, split: datetime, horizon: float,
          specs: Sequence[str] = (*KINDS, "mixed"), resamples: int = 0) -> list[GamedRow]:
    rows = []
    for text in specs:
        clock = time.perf_counter()
        result, _ = evaluate_gamed(con, GamingSpec.parse(text, seed=1), split, horizon,
                                   DEFAULT_MODEL, candidates=(EVERY_EXCHANGE,),
                                   resamples=resamples)
        seconds = time.perf_counter() - clock
        eligible = result.evaluation.population("eligible")
        values = {key: {"spearman": m["spearman"].value, "ndcg@100": m["ndcg@100"].value,
                        "precision@100": m["precision@100"].value,
                        "share": result.gamer_share[key]}
                  for key, m in eligible.metrics.items()
                  if key in ("renown", EVERY_EXCHANGE_KEY, *BASELINES)}
        rows.append(GamedRow(result.planted.spec.label, seconds, result.gamers,
                             result.planted.accounts,
                             (result.planted.target_low, result.planted.target_high), values))
    return rows


def gamed_table(rows: list[GamedRow]) -> str:
    scorers = ("renown", EVERY_EXCHANGE_KEY, *BASELINES)
    header = ["renown", f"{EVERY_EXCHANGE.version} (η = 0)", *BASELINES]
    lines = ["| gaming | metric | " + " | ".join(header) + " |",
             "|---|---|" + "---|" * len(scorers)]
    for row in rows:
        for metric, label in (("spearman", "Spearman"), ("ndcg@100", "NDCG@100"),
                              ("precision@100", "P@100"), ("share", "gamers in top 1%")):
            cells = []
            best = (min if metric == "share" else max)(
                scorers, key=lambda s, m=metric: row.values[s][m])
            for s in scorers:
                v = row.values[s][metric]
                text = f"{v:.1%}" if metric == "share" else f"{v:.4f}"
                cells.append(f"**{text}**" if s == best else text)
            name = (f"{row.label} ({row.gamers:,} planted people eligible)"
                    if metric == "spearman" else "")
            lines.append(f"| {name} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def selection(con: duckdb.DuckDBPyConnection, plan: Rolling,
              candidates: Sequence[Model]) -> RollingResult:
    """Candidates on the selection splits only (the earliest ones)."""
    return rolling(con, plan, candidates, splits=plan.splits[:plan.selection_splits])


def cross_fit(con: duckdb.DuckDBPyConnection, split: datetime, validation_days: float,
              name: str) -> Model:
    """`renown model fit` before ``split`` on this data set (guarded, a small budget)."""
    result = fit(con, DEFAULT_MODEL, split, validation_days, max_evaluations=16,
                 time_budget_s=120.0, guard_se=1.0)
    return result.fitted.with_changes(version=f"fitted-on-{name}")


PLANS = {
    "higgs": Rolling(tuple(datetime(2012, 7, d) for d in (3, 4, 5, 6)), (1.0, 2.0),
                     gamed_split=datetime(2012, 7, 5), gamed_horizon=1.0),
    "stackexchange": Rolling(tuple(datetime(2018, m, 1) for m in (5, 6, 7, 8)), (14.0, 30.0),
                             gamed_split=datetime(2018, 7, 1), gamed_horizon=30.0),
    "collegemsg": Rolling(tuple(datetime(2004, m, d) for m, d in
                                ((5, 10), (5, 24), (6, 7), (6, 21))), (14.0, 28.0)),
}
#: Where selection plants gaming: an early split, never a reported one.
SELECTION_GAMED = {"higgs": (datetime(2012, 7, 4), 1.0),
                   "stackexchange": (datetime(2018, 6, 1), 14.0)}


def selection_candidates(older: Model, previous: Model, chosen: Model) -> list[Model]:
    """The models renown-2026.12.1 was chosen from (each a documented idea, not a sweep).

    ``older`` is renown-2026.11.1, ``previous`` renown-2026.12 (B), ``chosen``
    renown-2026.12.1; C–D add the repetition discount to B, F1–F2 the one-voice
    discount (F2 is ``chosen``).
    """
    voice = {"focus_allowance": chosen.focus_allowance,
             "focus_elsewhere": chosen.focus_elsewhere}
    return [
        older,
        previous.with_changes(version=f"B: {previous.version}"),
        *(previous.with_changes(version=f"{name}: B + repetition {gamma:g}",
                                repetition_exponent=gamma)
          for name, gamma in (("C", 1.0), ("D", 1.5))),
        previous.with_changes(version="F1: B + one voice, δ = 1", focus_exponent=1.0, **voice),
        chosen.with_changes(version=f"F2: B + one voice, δ = 2 = {chosen.version}"),
    ]


def selection_table(results: dict[str, RollingResult], shares: dict[str, dict[str, float]],
                    candidates: Sequence[Model]) -> str:
    keys = list(results)
    lines = ["| candidate | " + " | ".join(f"{k} Spearman | {k} NDCG@100" for k in keys)
             + " | " + " | ".join(f"{k} gamers in top 1%" for k in shares) + " |",
             "|---|" + "---|---|" * len(keys) + "---|" * len(shares)]
    for model in candidates:
        scorer = f"candidate:{model.version}"
        cells = []
        for k in keys:
            for metric in METRICS:
                cells.append(f"{np.mean(list(results[k].per_split(scorer, metric).values())):.4f}")
        cells += [f"{shares[k][scorer]:.1%}" for k in shares]
        lines.append(f"| {model.version} | " + " | ".join(cells) + " |")
    for k in keys:
        best = {m: results[k].best_baseline(m) for m in METRICS}
        lines.append(f"| best baseline on {k} | " + " | ".join(
            (f"{np.mean(list(results[k].per_split(best[m], m).values())):.4f} ({best[m]})"
             if kk == k else "") for kk in keys for m in METRICS) + " | " * len(shares) + " |")
    return "\n".join(lines)


def selection_shares(con: duckdb.DuckDBPyConnection, key: str,
                     candidates: Sequence[Model]) -> dict[str, float]:
    split, horizon = SELECTION_GAMED[key]
    result, _ = evaluate_gamed(con, GamingSpec.parse("mixed", seed=7), split, horizon,
                               DEFAULT_MODEL, candidates=tuple(candidates), resamples=0)
    return result.gamer_share


#: The rule renown-2026.12.3 (η = 1) was adopted by against renown-2026.12.2 (η = 0),
#: written down before the selection run; `groups_decision` applies it.
GROUPS_RULE: Final = (
    "adopt η = 1 only if (a) on each gamed selection set its planted share of the top 1% "
    "is under 5% and at most 0.5 points above η = 0's; (b) its Spearman gain, averaged "
    "over the data sets, is above 0 and its NDCG@100 gain, averaged, at least −0.001; "
    "(c) on no data set does it lose more than 0.005 Spearman or 0.01 NDCG@100 (one data "
    "set may not be bought with another)")


@dataclass(frozen=True)
class GroupsDecision:
    adopt: bool
    #: data set → metric → mean gain of η = 1 over η = 0 on the selection splits.
    gains: dict[str, dict[str, float]]
    failures: list[str]


def groups_decision(results: dict[str, RollingResult],
                    shares: dict[str, dict[str, float]]) -> GroupsDecision:
    """`GROUPS_RULE` on selection results whose "renown" is η = 1 and whose
    `EVERY_EXCHANGE_KEY` candidate is η = 0."""
    gains = {key: {metric: float(np.mean(list(r.per_split("renown", metric).values()))
                                 - np.mean(list(r.per_split(EVERY_EXCHANGE_KEY, metric).values())))
                   for metric in METRICS} for key, r in results.items()}
    failures = []
    for key, share in shares.items():
        new, old = share["renown"], share[EVERY_EXCHANGE_KEY]
        if not (new < 0.05 and new <= old + 0.005):
            failures.append(f"(a) {key}: gamers hold {new:.1%} of the top 1% (η = 0: {old:.1%})")
    spearman = float(np.mean([g["spearman"] for g in gains.values()]))
    ndcg = float(np.mean([g["ndcg@100"] for g in gains.values()]))
    if spearman <= 0 or ndcg < -0.001:
        failures.append(f"(b) mean gains Spearman {spearman:+.4f}, NDCG@100 {ndcg:+.4f}")
    for key, g in gains.items():
        if g["spearman"] < -0.005 or g["ndcg@100"] < -0.01:
            failures.append(f"(c) {key}: Spearman {g['spearman']:+.4f}, "
                            f"NDCG@100 {g['ndcg@100']:+.4f}")
    return GroupsDecision(not failures, gains, failures)


def groups_table(results: dict[str, RollingResult], shares: dict[str, dict[str, float]]) -> str:
    """η = 0 against η = 1 on the selection splits, per data set, with the rule's verdict."""
    decision = groups_decision(results, shares)
    lines = ["| data set | metric | η = 0 (renown-2026.12.2) | η = 1 | η = 1 − η = 0 |",
             "|---|---|---|---|---|"]
    for key, r in results.items():
        for metric in METRICS:
            old = np.mean(list(r.per_split(EVERY_EXCHANGE_KEY, metric).values()))
            new = np.mean(list(r.per_split("renown", metric).values()))
            lines.append(f"| {key} | {metric} | {old:.4f} | {new:.4f} | "
                         f"{decision.gains[key][metric]:+.4f} |")
        if key in shares:
            lines.append(f"| {key} | gamers in top 1% (mixed) | "
                         f"{shares[key][EVERY_EXCHANGE_KEY]:.1%} | {shares[key]['renown']:.1%} "
                         "| |")
    mean = {m: np.mean([g[m] for g in decision.gains.values()]) for m in METRICS}
    lines.append(f"| mean over data sets | | | | Spearman {mean['spearman']:+.4f}, "
                 f"NDCG@100 {mean['ndcg@100']:+.4f} |")
    verdict = ("**adopted**: every condition holds" if decision.adopt else
               "**not adopted**: " + "; ".join(decision.failures))
    return "\n".join(lines) + f"\n\nThe rule: {GROUPS_RULE}. Verdict: {verdict}."


def versus_lines(result: RollingResult, previous: Model, others: Sequence[Model]) -> str:
    """The previous default and the models fitted on the other data sets, against the default."""
    lines = []
    for model in (previous, *others):
        scorer = f"candidate:{model.version}"
        parts = []
        for metric in METRICS:
            d, low, high = result.difference(metric, "renown", scorer=scorer)
            parts.append(f"{metric} {d:+.4f} [{low:+.4f}, {high:+.4f}]")
        what = ("the previous default: every exchange discounted, η = 0" if model is previous
                else "fitted by `renown model fit` on the other data set")
        lines.append(f"- {model.version} ({what}) − {DEFAULT_MODEL.version}: "
                     + "; ".join(parts) + ".")
    return "\n".join(lines)


def timed_full(con: duckdb.DuckDBPyConnection, split: datetime, horizon: float) -> float:
    """`renown evaluate --inject-gaming mixed` as the CLI runs it (default resamples)."""
    clock = time.perf_counter()
    evaluate_gamed(con, GamingSpec.parse("mixed"), split, horizon, DEFAULT_MODEL)
    return time.perf_counter() - clock


def gamed_timing(key: str, rows: list[GamedRow]) -> str:
    mixed = next(r for r in rows if r.label == "mixed")
    return (f"Targets {mixed.targets[0]}–{mixed.targets[1]} distinct reactors; the mixed "
            f"variant planted {mixed.planted_accounts:,} accounts; each row took "
            + ", ".join(f"{r.label} {r.seconds:.0f} s" for r in rows)
            + " (copy, plant, score, baselines; no bootstrap).")


SECTION_INTRO = """# Rolling-origin evaluation, gamed data, and how {version} was chosen

Issue 13 asked for more honest evidence than one split: several split dates
per data set (rolling origin) and several horizons, averaged, with intervals
across splits; the same on data with planted gaming; a model fitted on one
data set evaluated on another; and a default chosen before looking at the
splits it is reported on.

## How {version} was chosen: two people who talk are not a pod

renown-2026.12.2 discounted every exchange: the share of a pair's attention
that the author returned removed that much of the reactor as a person. That is
what stops engagement pods, and on CollegeMsg (private messages, where every
conversation is an exchange) it cost Renown most of its ranking. The group
exponent η (docs/scoring.md, "Exchanges inside a group") scales the discount
by how far an exchange sits inside a group of mutual partners: 1 in a pod or
a ring, 0 between two people who only talk to each other. It had been built
and reported beside the default, and held back because Higgs preferred it
off, which let one data set decide; the issue asks that the default come from
data sets of several kinds. So η = 1 was put to a rule written down before the
run, on the two **earliest** rolling splits of all three data sets (Higgs 3–4
July, StackExchange 1 May and 1 June, CollegeMsg 10 and 24 May; every
horizon) and on mixed gaming planted before an early split (Higgs 4 July,
StackExchange 1 June). Honest caveat: the reported splits' figures for η = 1
were already on this page as a variant, so the rule was written knowing their
direction, though not these cells. Mean over the selection splits and
horizons (everyone eligible; "renown" is η = 1):
"""

GROUPS_NOTE = """Where it costs: on Higgs two people who retweet or mention each other
draw slightly fewer later responders than one-way attention of the same size,
so sparing their exchange lowers Spearman a little there (the rolling rows
below show it on every split); on StackExchange and, by far, on CollegeMsg the
conversations are what predicts being answered or written to. Pods, rings and
reply-spam circles stay out of the top 1% because every exchange in them sits
inside a group (overlap 1). The overlap counts, for each exchanging pair, the
mutual partners they share; it is computed by listing triangles of exchanges
from each exchange's lower-degree end (Chiba & Nishizeki 1985), so an account
with 20,000 mutual partners costs 0.1 s rather than the 83 s of pairing
every two of its partners (`renown.scoring.signal_pairs`)."""

HISTORY_INTRO = """## How renown-2026.12.1 was chosen

The candidates below are each one documented
idea (renown-2026.12's discount on exchanged attention and fence at human
volume, B; a discount on one-author repetition, C–D; the one-voice discount on
accounts that boost one author and no one else, F1–F2), scored **only on the
two earliest splits** of Higgs and StackExchange (Higgs 3–4 July, horizons 1
and 2 days; StackExchange 1 May and 1 June, horizons 14 and 30 days) and on
mixed gaming planted before an early split (Higgs 4 July, StackExchange 1
June). The rule applied: first every property 1–9 must hold (this rules out
C–D, see below), then the fewest planted gamers in the top 1%, then the clean
metrics. Honest caveat: during development the one-voice variants were also
screened on gamed and clean Higgs at 5 July (1-day horizon) and StackExchange
at 1 July (30 days), which are reported splits, so those cells are not
strictly out of sample; the 2-day Higgs and 14-day StackExchange horizons of
the later splits were not looked at before the choice, and CollegeMsg only to
check it did not move (it did not: Spearman 0.4355 → 0.4362 at 24 May).
Mean over the selection splits and horizons (everyone eligible; each
candidate with η = 0, as it was then):
"""

SELECTION_NOTE = """renown-2026.11.1 lets planted gamers into its top 1%:
its 60% discount on reciprocated *weight* is undone by saturation. renown-2026.12
(B) removes the exchanged share of the *person* after saturation (pods) and
fences accounts reacting beyond 50 a day (reply spam, bot farms), but not
bought engagement: fresh accounts that each react to one customer many times
look, account by account, like loyal fans. The repetition discount (C–D)
stops them but discounts every loyal fan (a reactor's spread of authors per
reaction is low for a fan of three people as much as for a booster), which
breaks property 3's steady-audience test and the simulated world's
calibration. The one-voice discount (F) looks at *where else* an account's
attention goes: focus = reactions to its most-reacted author / (1 + 4 ×
reactions to anyone else); beyond 1.5 the account's reach, saturated weight
and the influence it passes on through the propagation (the rest goes to a
system sink and back through the teleport) scale by (1.5 / focus)^δ. A fan of
several people is untouched; an exclusive account that reacts five times
counts 0.09 of a person. With δ = 1 (F1) a customer's hundreds of accounts
still add up to the top 1%; δ = 2 (F2) keeps them out, and it became the
default, **renown-2026.12.1** (renown-2026.12.2 then gave campaign outcome
events a weight, which none of these data sets has, so its figures are
2026.12.1's: tests/scoring/test_outcome_weight.py; renown-2026.12.3 turned on
the group exponent, above). Its cost is the exclusive superfan: on Higgs
2.7% of reactors (5,415 of 203,828 before 5 July, mostly exclusive accounts
that reacted twice) are discounted at all, 1.3% of all reactors' weight, and
data collected around a few accounts (where every fan looks exclusive,
because their other activity was not collected) should turn it off
(`focus_allowance = 0`)."""
