"""What a campaign achieved, per person and in total, and whether the score predicted it.

Per invitee: the campaign posts they made, the raw reactions those drew, the
**genuine reach** (each distinct person who responded to a campaign post or
acted through the tracked link, counted as the score counts them: the pair's
reach after selectivity, the one-voice and mutual discounts, so a thousand
bought likes from one-voice accounts reach almost no one), clicks,
conversions, their value, the cost (the invitee's agreed cost, else the
budget split over those who accepted) and the cost per outcome.

**Prediction**: Spearman's ρ between each accepted invitee's score when
invited and the outcomes the goal counts, with a 95% percentile-bootstrap
interval over people.  It is what tells a brand whether choosing by score
was worth it; with fewer than three accepted people it is not computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import duckdb
import numpy as np
import numpy.typing as npt
from scipy.stats import spearmanr

from renown.events import REACTION_KINDS
from renown.scoring.registry import current_model
from renown.scoring.signals import QUANTUM, SignalScope, build_signals
from renown.store.campaigns import Campaign, Invite, get_campaign, invites
from renown.store.database import utc_now

#: Fewest accepted people for which a rank correlation means anything.
MIN_PREDICTION_PEOPLE = 3


@dataclass(frozen=True, slots=True)
class PersonResult:
    person_id: str
    display_name: str | None
    status: str
    network: str
    account: str
    code: str
    #: Their score when invited (before the campaign).
    score: float | None
    posts: int
    reactions: int
    reach: float
    clicks: int
    conversions: int
    value: float
    #: What the campaign's goal counts: clicks for a clicks goal, else conversions.
    outcomes: int
    cost: float | None
    cost_per_outcome: float | None


@dataclass(frozen=True, slots=True)
class Prediction:
    people: int
    spearman: float | None
    low: float | None
    high: float | None
    outcome: str


@dataclass(frozen=True, slots=True)
class CampaignReport:
    campaign: Campaign
    as_of: datetime
    #: Best outcomes first.
    people: tuple[PersonResult, ...]
    totals: PersonResult
    prediction: Prediction


def campaign_report(con: duckdb.DuckDBPyConnection, campaign_id: str, *,
                    resamples: int = 1000, seed: int = 0) -> CampaignReport:
    campaign = get_campaign(con, campaign_id)
    as_of = min(datetime.combine(campaign.ends + timedelta(days=1), datetime.min.time()),
                utc_now())
    invited = invites(con, campaign_id)
    reach = _genuine_reach(con, campaign, invited, as_of)
    counts = _outcome_counts(con, campaign_id)
    reactions = _post_reactions(con, campaign, as_of)
    names = _display_names(con, invited)
    accepted = sum(i.status == "accepted" for i in invited)
    people = [_result(campaign, i, accepted, reach.get(i.person_id, 0.0),
                      counts.get(i.person_id, (0, 0, 0.0)), reactions.get(i.person_id, 0),
                      names.get(i.person_id)) for i in invited]
    people.sort(key=lambda p: (-p.outcomes, -p.reach, p.person_id))
    return CampaignReport(campaign, as_of, tuple(people), _totals(people),
                          _prediction(people, campaign.outcome, resamples, seed))


def report_rows(report: CampaignReport) -> list[dict[str, object]]:
    """One flat row per person (the fields of `PersonResult`), for CSV and JSON."""
    return [asdict(p) for p in report.people]


def _result(campaign: Campaign, invite: Invite, accepted: int, reach: float,
            counts: tuple[int, int, float], reactions: int, name: str | None) -> PersonResult:
    clicks, conversions, value = counts
    outcomes = clicks if campaign.goal == "clicks" else conversions
    cost = invite.cost
    if cost is None and invite.status == "accepted" and campaign.budget is not None:
        cost = campaign.budget / accepted
    return PersonResult(invite.person_id, name, invite.status, invite.network, invite.account,
                        invite.code, invite.score, len(invite.posts), reactions, reach, clicks,
                        conversions, value, outcomes, cost, _per(cost, outcomes))


def _per(cost: float | None, outcomes: int) -> float | None:
    return None if cost is None or outcomes == 0 else cost / outcomes


def _totals(people: Sequence[PersonResult]) -> PersonResult:
    costs = [p.cost for p in people if p.cost is not None]
    cost = sum(costs) if costs else None
    outcomes = sum(p.outcomes for p in people)
    return PersonResult("total", None, f"{sum(p.status == 'accepted' for p in people)} accepted",
                        "", "", "", None, sum(p.posts for p in people),
                        sum(p.reactions for p in people), sum(p.reach for p in people),
                        sum(p.clicks for p in people), sum(p.conversions for p in people),
                        sum(p.value for p in people), outcomes, cost, _per(cost, outcomes))


def _prediction(people: Sequence[PersonResult], outcome: str, resamples: int,
                seed: int) -> Prediction:
    judged = [p for p in people if p.status == "accepted" and p.score is not None]
    if len(judged) < MIN_PREDICTION_PEOPLE:
        return Prediction(len(judged), None, None, None, outcome)
    scores = np.array([p.score for p in judged], dtype=np.float64)
    results = np.array([p.outcomes for p in judged], dtype=np.float64)
    rho = _spearman(scores, results)
    rng = np.random.default_rng(seed)
    drawn = [_spearman(scores[idx], results[idx]) for idx in
             (rng.integers(0, len(judged), len(judged)) for _ in range(resamples))]
    finite = np.array([d for d in drawn if d is not None], dtype=np.float64)
    if rho is None or finite.size == 0:
        return Prediction(len(judged), rho, None, None, outcome)
    low, high = np.percentile(finite, [2.5, 97.5])
    return Prediction(len(judged), rho, float(low), float(high), outcome)


def _spearman(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float | None:
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return None  # no ranking on one side: the correlation is undefined
    return float(spearmanr(x, y).statistic)


def _outcome_counts(con: duckdb.DuckDBPyConnection,
                    campaign_id: str) -> dict[str, tuple[int, int, float]]:
    rows = con.execute("""
        SELECT person_id, count(*) FILTER (WHERE outcome = 'click'),
               count(*) FILTER (WHERE outcome <> 'click'), coalesce(sum(value), 0)
        FROM campaign_outcomes WHERE campaign_id = ? GROUP BY person_id""",
                       [campaign_id]).fetchall()
    return {str(r[0]): (int(r[1]), int(r[2]), float(r[3])) for r in rows}


def _kinds() -> str:
    return ", ".join(f"'{k}'" for k in sorted(REACTION_KINDS - {"outcome"}))


def _post_reactions(con: duckdb.DuckDBPyConnection, campaign: Campaign,
                    as_of: datetime) -> dict[str, int]:
    rows = con.execute(f"""
        SELECT p.person_id, count(*) FROM campaign_posts p
        JOIN events e ON e.network = p.network AND e.parent_id = p.post_id
        WHERE p.campaign_id = ? AND e.kind IN ({_kinds()}) AND e.ts < ?
          AND e.actor <> e.subject
        GROUP BY p.person_id""", [campaign.campaign_id, as_of]).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def _display_names(con: duckdb.DuckDBPyConnection,
                   invited: Sequence[Invite]) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for i in invited:
        row = con.execute("SELECT display_name FROM accounts WHERE network = ? AND account = ?",
                          [i.network, i.account]).fetchone()
        names[i.person_id] = None if row is None else row[0]
    return names


def _genuine_reach(con: duckdb.DuckDBPyConnection, campaign: Campaign,
                   invited: Sequence[Invite], as_of: datetime) -> dict[str, float]:
    """Σ over each invitee's campaign responders of the pair's discounted reach (≤ 1 each)."""
    if not invited:
        return {}
    focus = "_campaign_focus"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {focus} (network VARCHAR, account VARCHAR, "
                "person_id VARCHAR)")
    con.executemany(f"INSERT INTO {focus} VALUES (?, ?, ?)",
                    [[i.network, i.account, i.person_id] for i in invited])
    try:
        build_signals(con, SignalScope(as_of=as_of, focus=focus), current_model(con))
        rows = con.execute(f"""
            WITH responders AS (
                SELECT p.person_id, e.network, e.actor AS reactor, e.subject AS author
                FROM campaign_posts p
                JOIN events e ON e.network = p.network AND e.parent_id = p.post_id
                WHERE p.campaign_id = $c AND e.kind IN ({_kinds()}) AND e.ts < $as_of
                UNION
                SELECT o.person_id, o.network, o.visitor, i.account
                FROM campaign_outcomes o JOIN campaign_invites i USING (campaign_id, person_id)
                WHERE o.campaign_id = $c AND o.ts < $as_of
            )
            SELECT r.person_id, sum(s.reach_q) FROM responders r
            JOIN _signal_pairs s ON s.network = r.network AND s.reactor = r.reactor
                                AND s.author = r.author
            GROUP BY r.person_id""", {"c": campaign.campaign_id, "as_of": as_of}).fetchall()
    finally:
        con.execute(f"DROP TABLE IF EXISTS {focus}")
        con.execute("DROP TABLE IF EXISTS _signal_pairs")
        con.execute("DROP TABLE IF EXISTS _signal_accounts")
    return {str(r[0]): int(r[1]) / QUANTUM for r in rows}
