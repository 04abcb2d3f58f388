"""The dashboard's campaign pages: every campaign, and one campaign's outcomes.

A campaign page shows what `renown campaign report` writes (the same
`campaign_report`, the same facts and prediction sentence) for the published
snapshot: the campaign's facts, the totals, whether the score at invite
predicted the outcomes, two charts and one row per invitee.  The report is
heavy (a signal build over the invitees' accounts, a bootstrap), so it goes
through the heavy-work gate and is memoised per snapshot.  It runs on the
snapshot's read-only connection: it only writes temporary tables, which
DuckDB keeps per cursor outside the read-only database.

The charts follow the dashboard's convention: SVG geometry computed here and
drawn by the template (no chart library, no script, no inline style), each
with a title, a description and the numbers as a table.  A tracked link is
shown as text, not a link, so viewing the dashboard never clicks one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import duckdb
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from renown.interfaces.api import views
from renown.interfaces.api.auth import page_limit
from renown.interfaces.api.errors import not_found
from renown.interfaces.api.state import Lease, LeaseDep, StateDep
from renown.interfaces.campaign_files import campaign_facts, outcome_label, prediction_sentence
from renown.interfaces.web.charts import Bar, Tick, bars, nice_range
from renown.interfaces.web.render import page
from renown.scoring.campaigns.report import (
    MIN_PREDICTION_PEOPLE,
    CampaignReport,
    PersonResult,
    campaign_report,
)
from renown.store.campaigns import Campaign, CampaignError, get_campaign, list_campaigns

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_limit)])
#: Bootstrap resamples for the prediction interval (as `renown campaign report`).
RESAMPLES: Final = 1000
#: Invite statuses in the order the charts' legend lists them.
STATUS_ORDER: Final = ("accepted", "invited", "declined")


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    status: str
    label: str


@dataclass(frozen=True, slots=True)
class ScatterChart:
    width: int
    height: int
    #: The plot area: left, top, right, bottom (pixels).
    box: tuple[float, float, float, float]
    dots: list[Dot]
    x_ticks: list[Tick]
    y_ticks: list[Tick]


def _ticks(low: float, high: float, step: float, place: Any) -> list[Tick]:
    count = round((high - low) / step)
    values = [round(low + i * step, 6) for i in range(count + 1)]
    return [Tick(round(place(v), 1), f"{v:g}") for v in values]


def scatter_chart(rows: list[tuple[float, float, str, str]], width: int = 640,
                  height: int = 280) -> ScatterChart | None:
    """Score at invite (x, 0–100) against outcomes (y, counts from 0): one dot per
    ``(score, outcomes, status, label)``; None when nobody has a score."""
    if not rows:
        return None
    left, top, right, bottom = 48.0, 12.0, width - 16.0, height - 40.0
    x0, x1, x_step = nice_range(min(r[0] for r in rows), max(r[0] for r in rows))
    y0, y1, y_step = nice_range(0.0, max(r[1] for r in rows), ceiling=float("inf"),
                                min_span=4.0)

    def x_of(score: float) -> float:
        return left + (right - left) * (score - x0) / (x1 - x0)

    def y_of(outcomes: float) -> float:
        return bottom - (bottom - top) * (outcomes - y0) / (y1 - y0)

    dots = [Dot(round(x_of(s), 1), round(y_of(o), 1), status, label)
            for s, o, status, label in rows]
    return ScatterChart(width, height, (left, top, right, bottom), dots,
                        _ticks(x0, x1, x_step, x_of), _ticks(y0, y1, y_step, y_of))


def _campaign(lease: Lease, campaign_id: str) -> Campaign:
    try:
        return get_campaign(lease.con, campaign_id)
    except CampaignError:
        raise not_found("campaign_not_found",
                        f"There is no campaign {campaign_id!r} in this store.") from None


def _report(state: StateDep, lease: Lease, campaign: Campaign) -> CampaignReport:
    """The campaign's report on this snapshot (heavy: gated, memoised per generation)."""

    def compute() -> CampaignReport:
        return campaign_report(lease.con, campaign.campaign_id, resamples=RESAMPLES)

    key = ("campaign-report", campaign.campaign_id, RESAMPLES)
    return lease.generation.memo(key, lambda: state.run_heavy(compute))


def _name(p: PersonResult) -> str:
    return p.display_name or p.person_id


def _charts(report: CampaignReport, label: str) -> dict[str, Any]:
    """Outcomes per person (bars, best first) and score at invite vs outcomes (dots)."""
    people = report.people
    outcome_bars: list[tuple[PersonResult, Bar]] = list(zip(
        people, bars([(_name(p), float(p.outcomes)) for p in people], "{:,.0f}"), strict=True))
    scored = [(p, p.score) for p in people if p.score is not None]
    scatter = scatter_chart([
        (score, float(p.outcomes), p.status,
         f"{_name(p)} ({p.status}): score {score:.1f}, {p.outcomes:,} {label}")
        for p, score in scored])
    return {"bars": outcome_bars, "scatter": scatter, "scored": [p for p, _ in scored]}


def _common(lease: Lease) -> dict[str, Any]:
    return {"nav": "campaigns", "snapshot": views.snapshot(lease),
            "generation": lease.generation.number}


@router.get("/campaigns")
def campaigns_page(request: Request, lease: LeaseDep) -> Response:
    """Every campaign in the store, newest first, with its invitees and outcomes so far."""
    found = list(reversed(list_campaigns(lease.con)))
    return page(request, "campaigns.html", {**_common(lease), "campaigns": found,
                                            "counts": _counts(lease.con)})


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, int, int]]:
    """Per campaign: invitees, accepted, clicks, conversions (cheap: no report)."""
    rows = con.execute("""
        SELECT c.campaign_id,
               (SELECT count(*) FROM campaign_invites i WHERE i.campaign_id = c.campaign_id),
               (SELECT count(*) FROM campaign_invites i WHERE i.campaign_id = c.campaign_id
                  AND i.status = 'accepted'),
               (SELECT count(*) FROM campaign_outcomes o WHERE o.campaign_id = c.campaign_id
                  AND o.outcome = 'click'),
               (SELECT count(*) FROM campaign_outcomes o WHERE o.campaign_id = c.campaign_id
                  AND o.outcome <> 'click')
        FROM campaigns c""").fetchall()
    return {str(r[0]): (int(r[1]), int(r[2]), int(r[3]), int(r[4])) for r in rows}


@router.get("/campaigns/{campaign_id}")
def campaign_page(request: Request, campaign_id: str, lease: LeaseDep,
                  state: StateDep) -> Response:
    """A campaign: facts, totals, whether the score predicted outcomes, charts, invitees."""
    common = _common(lease)
    campaign = _campaign(lease, campaign_id)
    report = _report(state, lease, campaign)
    label = outcome_label(campaign)
    return page(request, "campaign.html", {
        **common, "c": campaign, "report": report, "facts": campaign_facts(campaign),
        "prediction": prediction_sentence(report), "outcome_label": label,
        "min_people": MIN_PREDICTION_PEOPLE, "currency": campaign.currency,
        "statuses": STATUS_ORDER, **_charts(report, label)})
