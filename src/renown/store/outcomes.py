"""Outcome events: what people did because of someone (clicks, sign-ups, sales).

Each outcome is stored twice, in one transaction: as an event of kind
``outcome`` (network and account of the invitee, actor the visitor or
customer) so it counts as a response in the score, and as a
``campaign_outcomes`` row carrying the campaign, the outcome and its value for
the report.

Privacy: a visitor is ``~v:`` + HMAC-SHA256 (under the store's secret key,
`renown.store.optout`) of the campaign, IP address and user agent; a customer
the same of the campaign and the customer id (or the order id).  Neither the
address nor the agent nor the customer id is stored anywhere; the hash is
stable within a campaign, so one visitor clicking a link a thousand times is
one click, and one visitor clicking everyone's links is one (selective-
discounted) reactor.

Idempotency: an outcome's event id is derived from what makes it one outcome
(visitor and code for a click; order id, or the webhook's idempotency key,
for a conversion), and events are deduplicated on ``(network, event_id)``: a
replayed import or webhook adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from renown.events import EVENT_SCHEMA, VISITOR_ACCOUNT_PREFIX
from renown.sources.base import Rejection
from renown.sources.conversions import ConversionRecord
from renown.store.campaigns import Campaign, Invite, get_campaign, invite_by_code, open_campaign
from renown.store.database import utc_now
from renown.store.ingest import IngestReport, ingest_table
from renown.store.optout import StoreKey, store_key

_HASH_CHARS = 24
_OUTCOME_SCHEMA = pa.schema([
    pa.field("network", pa.string()), pa.field("event_id", pa.string()),
    pa.field("campaign_id", pa.string()), pa.field("person_id", pa.string()),
    pa.field("code", pa.string()), pa.field("outcome", pa.string()),
    pa.field("value", pa.float64()), pa.field("visitor", pa.string()),
    pa.field("channel", pa.string()), pa.field("ts", pa.timestamp("us")),
])


@dataclass(frozen=True, slots=True)
class Click:
    """A followed tracked link: where to send the browser, and whether it counted."""

    landing_url: str
    counted: bool
    campaign_id: str
    person_id: str


@dataclass(frozen=True, slots=True)
class _Outcome:
    invite: Invite
    event_id: str
    actor: str
    outcome: str
    value: float
    ts: datetime


@dataclass(frozen=True, slots=True)
class Visit:
    """One request for a tracked link, as the server saw it (nothing of it is stored)."""

    code: str
    ip: str
    user_agent: str
    ts: datetime | None = None


def record_click(con: duckdb.DuckDBPyConnection, code: str, *, ip: str, user_agent: str,
                 ts: datetime | None = None) -> Click | None:
    """Count a click on ``code`` once per visitor; None when no invite has that code.

    A closed campaign's link still leads to the landing page but counts nothing.
    """
    invite = invite_by_code(con, code)
    if invite is None:
        return None
    campaign = get_campaign(con, invite.campaign_id)
    if not campaign.is_open:
        return Click(campaign.landing_url, False, campaign.campaign_id, invite.person_id)
    outcome = _click(_key(con), campaign, invite, Visit(code, ip, user_agent, ts))
    report = _store(con, [outcome], [], f"tracked link /r/{code}", "link")
    return Click(campaign.landing_url, report.ingested == 1, campaign.campaign_id,
                 invite.person_id)


def record_clicks(con: duckdb.DuckDBPyConnection, visits: Sequence[Visit]) -> int:
    """Count a batch of clicks in one ingestion (all or nothing); how many counted.

    As `record_click` for each, at the cost of one transaction for the whole
    batch instead of one per click: a visitor counts once per link, unknown
    codes and closed campaigns count nothing.
    """
    key = _key(con)
    invites: dict[str, Invite | None] = {}
    campaigns: dict[str, Campaign] = {}
    outcomes: dict[str, _Outcome] = {}
    for visit in visits:
        if visit.code not in invites:
            invites[visit.code] = invite_by_code(con, visit.code)
        invite = invites[visit.code]
        if invite is None:
            continue
        if invite.campaign_id not in campaigns:
            campaigns[invite.campaign_id] = get_campaign(con, invite.campaign_id)
        campaign = campaigns[invite.campaign_id]
        if campaign.is_open:
            outcome = _click(key, campaign, invite, visit)
            outcomes.setdefault(outcome.event_id, outcome)
    if not outcomes:
        return 0
    label = f"tracked links ({len(outcomes):,} visitors)"
    return _store(con, list(outcomes.values()), [], label, "link").ingested


def _click(key: StoreKey, campaign: Campaign, invite: Invite, visit: Visit) -> _Outcome:
    """A click as an outcome: the visitor a keyed hash of campaign, address and agent."""
    visitor = key.digest("visitor", campaign.campaign_id, visit.ip,
                         visit.user_agent)[:_HASH_CHARS]
    return _Outcome(invite, f"outcome-{campaign.campaign_id}-click-{visit.code}-{visitor}",
                    VISITOR_ACCOUNT_PREFIX + visitor, "click", 0.0, visit.ts or utc_now())


def record_conversions(
    con: duckdb.DuckDBPyConnection, campaign_id: str, records: Sequence[ConversionRecord],
    rejections: Sequence[Rejection] = (), *, label: str, channel: str = "import",
) -> IngestReport:
    """Store a campaign's conversions; codes unknown or of another campaign are quarantined."""
    campaign = open_campaign(con, campaign_id)
    key = _key(con)
    outcomes, refused = [], list(rejections)
    for record in records:
        invite = invite_by_code(con, record.code)
        reason = _refusal(campaign, invite, record)
        if reason is not None or invite is None:
            refused.append(Rejection.of(record.record, reason or "unknown code", record.raw))
            continue
        order = key.digest("order", campaign_id, record.order_id)[:_HASH_CHARS]
        who = record.customer or f"order:{record.order_id}"
        customer = key.digest("customer", campaign_id, who)[:_HASH_CHARS]
        outcomes.append(_Outcome(invite, f"outcome-{campaign_id}-{order}",
                                 VISITOR_ACCOUNT_PREFIX + customer,
                                 record.outcome or campaign.outcome, record.value, record.ts))
    return _store(con, outcomes, refused, label, channel)


def _refusal(campaign: Campaign, invite: Invite | None, record: ConversionRecord) -> str | None:
    if invite is None:
        return f"unknown tracked-link code {record.code!r}"
    if invite.campaign_id != campaign.campaign_id:
        return f"code {record.code!r} belongs to campaign {invite.campaign_id!r}"
    if record.ts.date() < campaign.starts:
        return f"conversion at {record.ts:%Y-%m-%d} is before the campaign started"
    return None


def _key(con: duckdb.DuckDBPyConnection) -> StoreKey:
    key = store_key(con, create=True)
    assert key is not None  # made above when missing
    return key


def _store(con: duckdb.DuckDBPyConnection, outcomes: Sequence[_Outcome],
           refused: Sequence[Rejection], label: str, channel: str) -> IngestReport:
    """The outcome events and their campaign rows, in one ingestion (all or nothing)."""
    events = pa.Table.from_pylist([{
        "network": o.invite.network, "event_id": o.event_id, "ts": o.ts, "actor": o.actor,
        "kind": "outcome", "subject": o.invite.account, "post_id": None, "parent_id": None,
        "text": None, "tags": [o.outcome], "lang": None, "topic": None, "url": None,
    } for o in outcomes], schema=EVENT_SCHEMA)
    rows = pa.Table.from_pylist([{
        "network": o.invite.network, "event_id": o.event_id,
        "campaign_id": o.invite.campaign_id, "person_id": o.invite.person_id,
        "code": o.invite.code, "outcome": o.outcome, "value": o.value,
        "visitor": o.actor, "channel": channel, "ts": o.ts,
    } for o in outcomes], schema=_OUTCOME_SCHEMA)

    def campaign_rows(con: duckdb.DuckDBPyConnection, ingestion_id: int) -> None:
        # Only the events this ingestion added: a replayed outcome adds no row.
        con.register("_new_outcomes", rows)
        try:
            con.execute("""
                INSERT INTO campaign_outcomes
                SELECT o.* FROM _new_outcomes o JOIN events e
                  ON e.network = o.network AND e.event_id = o.event_id
                WHERE e.ingestion_id = ?""", [ingestion_id])
        finally:
            con.unregister("_new_outcomes")

    return ingest_table(con, events, label, fmt="campaign-outcome", rejections=list(refused),
                        also=campaign_rows)
