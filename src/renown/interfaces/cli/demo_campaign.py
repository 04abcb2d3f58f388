"""The demo's campaign: Perks with measured outcomes, on the simulated world's planted truth.

`renown demo` runs one campaign after scoring, so the dashboard's campaign
pages and ``renown campaign report`` have something real to show: the best
matches from discover plus a few planted converters and planted
fake-audience accounts (high scores bought from pods and volume posting) are
invited and accept; their followers' clicks and orders come from
`renown.simulation.campaigns.simulate_campaign` and are stored as the
tracked-link server and a shop import would store them (keyed hashes, no
address).  The report then shows the fake audiences driving nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

import duckdb

from renown.scoring.campaigns.propose import candidate_for, propose
from renown.simulation.campaigns import campaign_candidates, latent_influence, simulate_campaign
from renown.simulation.truth import Truth
from renown.sources.conversions import ConversionRecord
from renown.store.campaigns import create_campaign, invite_people, respond
from renown.store.outcomes import Visit, record_clicks, record_conversions

CAMPAIGN_ID: Final = "demo-launch"
DAYS: Final = 7
#: Proposals from discover, and planted people of each kind invited by name.
PROPOSED: Final = 6
PLANTED: Final = 3


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    campaign_id: str
    invited: int
    fake_audience: int
    clicks: int
    orders: int


def run_demo_campaign(con: duckdb.DuckDBPyConnection, truth: Truth, last: date
                      ) -> DemoCampaign:
    """Create, invite, accept, and record a week of simulated clicks and orders."""
    starts = last + timedelta(days=1)
    campaign = create_campaign(
        con, campaign_id=CAMPAIGN_ID, name="Spring launch (demo)", brand="Acme Kitchen",
        goal="sales", landing_url="https://acme.example/spring", starts=starts,
        ends=starts + timedelta(days=DAYS - 1), budget=1200.0, currency="EUR",
        offer="a stand mixer")
    person_of = _people_by_truth(con, truth)
    found = propose(con, campaign, limit=PROPOSED)
    chosen = {c.person_id for c in found}
    kinds = campaign_candidates(truth)
    influence = latent_influence(truth)
    named = {kind: [person_of[p] for p in sorted(kinds[kind], key=lambda p: -influence[p])
                    if p in person_of and person_of[p] not in chosen][:PLANTED]
             for kind in ("converters", "fake_audience")}
    found += [candidate_for(con, campaign, p) for kind in named.values() for p in kind]
    invites = invite_people(con, CAMPAIGN_ID, found)
    for invite in invites:
        respond(con, CAMPAIGN_ID, invite.person_id, accepted=True)
    truth_of = {store: t for t, store in person_of.items()}
    activity = simulate_campaign(
        truth, {truth_of[i.person_id]: i.code for i in invites if i.person_id in truth_of},
        start=datetime.combine(starts, datetime.min.time(), UTC), days=DAYS)
    counted = record_clicks(con, [Visit(v.code, v.ip, v.user_agent, v.ts.replace(tzinfo=None))
                                  for v in activity.visits])
    orders = [ConversionRecord(n, o.code, o.order_id, o.ts.replace(tzinfo=None), o.value,
                               customer=o.customer)
              for n, o in enumerate(activity.conversions, start=1)]
    record_conversions(con, CAMPAIGN_ID, orders, label="demo shop: orders.csv")
    return DemoCampaign(CAMPAIGN_ID, len(invites), len(named["fake_audience"]), counted,
                        len(orders))


def _people_by_truth(con: duckdb.DuckDBPyConnection, truth: Truth) -> dict[str, str]:
    """The truth's person id → the store's person id (linked people keep it)."""
    stored = {(n, a): p for n, a, p in con.execute(
        "SELECT network, account, person_id FROM account_people").fetchall()}
    table = truth.influence()
    found: dict[str, str] = {}
    for network, account, person in zip(table["network"].to_pylist(),
                                        table["account"].to_pylist(),
                                        table["person_id"].to_pylist(), strict=True):
        if (network, account) in stored:
            found.setdefault(person, stored[(network, account)])
    return found
