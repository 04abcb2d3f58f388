"""Campaigns: a brand's offer, who was invited and why, who took it, what they posted.

Klout's Perks picked people and never looked back; a Renown campaign keeps the
whole loop in the store so its report (`renown.scoring.campaigns.report`) can
say what each person achieved and whether their score predicted it.  This
module owns the campaign tables (schema migration 7); outcomes (clicks and
conversions) are recorded by `renown.store.outcomes`.

Every invite gets a tracked-link code: ``secrets.token_urlsafe`` (unguessable,
so nobody can credit clicks to someone else by trying codes) and unique across
the store.  An invite names the account its outcomes are credited to: the
person's highest-scoring account on the campaign's networks.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Final

import duckdb

from renown.errors import RenownError
from renown.store.database import scalar, utc_now

#: Goals a campaign can have; ``custom:NAME`` names any other outcome.
GOALS: Final = ("clicks", "signups", "sales", "installs")
#: The outcome each goal counts (what a conversion row of that goal records).
GOAL_OUTCOMES: Final = {"clicks": "click", "signups": "signup", "sales": "sale",
                        "installs": "install"}
STATUSES: Final = ("invited", "accepted", "declined")
_CUSTOM: Final = re.compile(r"custom:[a-z][a-z0-9_-]{0,31}")
_ID: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")


class CampaignError(RenownError):
    """A campaign request Renown refuses; the message says why."""


@dataclass(frozen=True, slots=True)
class CampaignTarget:
    """Who a campaign is for; every part optional, combined with AND (as `discover`)."""

    topic: str | None = None
    audience: str | None = None
    networks: tuple[str, ...] = ()
    min_score: float = 1.0
    max_score: float = 100.0
    min_quality: float = 0.0

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "networks": list(self.networks)}, sort_keys=True)

    @staticmethod
    def from_json(text: str) -> CampaignTarget:
        data = json.loads(text)
        return CampaignTarget(**{**data, "networks": tuple(data.get("networks", ()))})


@dataclass(frozen=True, slots=True)
class Campaign:
    campaign_id: str
    name: str
    brand: str
    goal: str
    target: CampaignTarget
    landing_url: str
    budget: float | None
    currency: str | None
    offer: str | None
    starts: date
    ends: date
    created_at: datetime
    closed_at: datetime | None = None

    @property
    def outcome(self) -> str:
        """The outcome the goal counts: ``click``, ``sale``… or the custom name."""
        return GOAL_OUTCOMES.get(self.goal, self.goal.removeprefix("custom:"))

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True, slots=True)
class InviteCandidate:
    """Someone to invite, with why (from `discover`) and the score they had then."""

    person_id: str
    network: str
    account: str
    reasons: tuple[str, ...] = ()
    score: float | None = None
    score_day: date | None = None
    model_version: str | None = None


@dataclass(frozen=True, slots=True)
class Invite:
    campaign_id: str
    person_id: str
    network: str
    account: str
    code: str
    reasons: tuple[str, ...]
    score: float | None
    score_day: date | None
    model_version: str | None
    status: str
    invited_at: datetime
    responded_at: datetime | None
    cost: float | None
    posts: tuple[str, ...] = field(default_factory=tuple)


def create_campaign(
    con: duckdb.DuckDBPyConnection, *, campaign_id: str, name: str, brand: str, goal: str,
    landing_url: str, starts: date, ends: date, target: CampaignTarget | None = None,
    budget: float | None = None, currency: str | None = None, offer: str | None = None,
) -> Campaign:
    """Store a new campaign (refusing a malformed one, or an id already taken)."""
    campaign = Campaign(campaign_id, name.strip(), brand.strip(), goal, target or CampaignTarget(),
                        landing_url.strip(), budget, currency, offer, starts, ends, utc_now())
    _check(campaign)
    if scalar(con, "SELECT count(*) FROM campaigns WHERE campaign_id = ?", [campaign_id]):
        raise CampaignError(f"campaign {campaign_id!r} exists already")
    con.execute("INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", [
        campaign.campaign_id, campaign.name, campaign.brand, campaign.goal,
        campaign.target.to_json(), campaign.landing_url, budget, currency, offer, starts, ends,
        campaign.created_at])
    return campaign


def _check(c: Campaign) -> None:
    problems = []
    if not _ID.fullmatch(c.campaign_id):
        problems.append(f"id {c.campaign_id!r} must be lower-case letters, digits and -, "
                        "at most 48 characters")
    if not c.name or not c.brand:
        problems.append("a campaign needs a name and a brand")
    if c.goal not in GOALS and not _CUSTOM.fullmatch(c.goal):
        problems.append(f"goal {c.goal!r} must be one of {', '.join(GOALS)} or custom:NAME")
    if not re.fullmatch(r"https?://[^\s]+", c.landing_url):
        problems.append(f"landing URL {c.landing_url!r} must be an http(s) URL")
    if c.ends < c.starts:
        problems.append(f"the campaign ends ({c.ends}) before it starts ({c.starts})")
    if c.budget is not None and not c.budget >= 0:
        problems.append(f"budget {c.budget} must be a non-negative number")
    t = c.target
    if not 1.0 <= t.min_score <= t.max_score <= 100.0:
        problems.append(f"score band [{t.min_score}, {t.max_score}] must lie within 1–100")
    if not 0.0 <= t.min_quality <= 1.0:
        problems.append(f"minimum audience quality {t.min_quality} must lie within 0–1")
    if problems:
        raise CampaignError("; ".join(problems))


def get_campaign(con: duckdb.DuckDBPyConnection, campaign_id: str) -> Campaign:
    rows = _campaign_rows(con, "WHERE campaign_id = ?", [campaign_id])
    if not rows:
        raise CampaignError(f"no campaign {campaign_id!r} (see `renown campaign list`)")
    return rows[0]


def list_campaigns(con: duckdb.DuckDBPyConnection) -> list[Campaign]:
    return _campaign_rows(con, "ORDER BY created_at, campaign_id", [])


def _campaign_rows(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[Campaign]:
    rows = con.execute(
        "SELECT campaign_id, name, brand, goal, target, landing_url, budget, currency, offer, "
        f"starts, ends, created_at, closed_at FROM campaigns {where}", params).fetchall()
    return [Campaign(r[0], r[1], r[2], r[3], CampaignTarget.from_json(r[4]), *r[5:]) for r in rows]


def close_campaign(con: duckdb.DuckDBPyConnection, campaign_id: str) -> Campaign:
    """Close a campaign: no new invites or outcomes are recorded for it afterwards."""
    campaign = open_campaign(con, campaign_id)
    con.execute("UPDATE campaigns SET closed_at = ? WHERE campaign_id = ?",
                [utc_now(), campaign.campaign_id])
    return get_campaign(con, campaign_id)


def open_campaign(con: duckdb.DuckDBPyConnection, campaign_id: str) -> Campaign:
    """The campaign, refusing one that is closed (it takes no more invites or outcomes)."""
    campaign = get_campaign(con, campaign_id)
    if not campaign.is_open:
        raise CampaignError(f"campaign {campaign_id!r} was closed on "
                            f"{campaign.closed_at:%Y-%m-%d}")
    return campaign


def invite_people(con: duckdb.DuckDBPyConnection, campaign_id: str,
                  candidates: Sequence[InviteCandidate]) -> list[Invite]:
    """Record invitations, one tracked-link code each; someone invited before keeps theirs."""
    open_campaign(con, campaign_id)
    now = utc_now()
    con.execute("BEGIN TRANSACTION")
    try:
        for c in candidates:
            if scalar(con, "SELECT count(*) FROM campaign_invites WHERE campaign_id = ? "
                      "AND person_id = ?", [campaign_id, c.person_id]):
                continue
            con.execute(
                "INSERT INTO campaign_invites VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'invited', ?, "
                "NULL, NULL)",
                [campaign_id, c.person_id, c.network, c.account, _new_code(con),
                 json.dumps(list(c.reasons)), c.score, c.score_day, c.model_version, now])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    wanted = {c.person_id for c in candidates}
    return [i for i in invites(con, campaign_id) if i.person_id in wanted]


def _new_code(con: duckdb.DuckDBPyConnection) -> str:
    while True:
        code = secrets.token_urlsafe(9)  # 12 characters, 72 bits
        if not scalar(con, "SELECT count(*) FROM campaign_invites WHERE code = ?", [code]):
            return code


def respond(con: duckdb.DuckDBPyConnection, campaign_id: str, person_id: str, *,
            accepted: bool, cost: float | None = None) -> Invite:
    """Record an invitee's answer (and, on acceptance, what they are paid or given)."""
    open_campaign(con, campaign_id)
    invite = invite_of(con, campaign_id, person_id)
    if cost is not None and not cost >= 0:
        raise CampaignError(f"cost {cost} must be a non-negative number")
    con.execute("UPDATE campaign_invites SET status = ?, responded_at = ?, cost = ? "
                "WHERE campaign_id = ? AND person_id = ?",
                ["accepted" if accepted else "declined", utc_now(), cost, campaign_id,
                 invite.person_id])
    return invite_of(con, campaign_id, person_id)


def record_post(con: duckdb.DuckDBPyConnection, campaign_id: str, person_id: str,
                post_id: str, network: str | None = None) -> Invite:
    """Note that an invitee posted ``post_id`` for the campaign (its reactions are its reach)."""
    open_campaign(con, campaign_id)
    invite = invite_of(con, campaign_id, person_id)
    if invite.status != "accepted":
        raise CampaignError(f"{person_id} has not accepted campaign {campaign_id!r}")
    if not post_id.strip():
        raise CampaignError("a post id (or the post's URL as the network gives it) is needed")
    con.execute("INSERT OR IGNORE INTO campaign_posts VALUES (?, ?, ?, ?, ?)",
                [campaign_id, person_id, network or invite.network, post_id.strip(), utc_now()])
    return invite_of(con, campaign_id, person_id)


def invite_of(con: duckdb.DuckDBPyConnection, campaign_id: str, person_id: str) -> Invite:
    found = _invite_rows(con, "WHERE i.campaign_id = ? AND i.person_id = ?",
                         [campaign_id, person_id])
    if not found:
        raise CampaignError(f"{person_id} was not invited to campaign {campaign_id!r}")
    return found[0]


def invites(con: duckdb.DuckDBPyConnection, campaign_id: str) -> list[Invite]:
    return _invite_rows(con, "WHERE i.campaign_id = ? ORDER BY i.invited_at, i.person_id",
                        [campaign_id])


def invite_by_code(con: duckdb.DuckDBPyConnection, code: str) -> Invite | None:
    found = _invite_rows(con, "WHERE i.code = ?", [code])
    return found[0] if found else None


def _invite_rows(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[Invite]:
    rows = con.execute(f"""
        SELECT i.campaign_id, i.person_id, i.network, i.account, i.code, i.reasons, i.score,
               i.score_day, i.model_version, i.status, i.invited_at, i.responded_at, i.cost,
               coalesce((SELECT list(p.post_id ORDER BY p.recorded_at, p.post_id)
                         FROM campaign_posts p WHERE p.campaign_id = i.campaign_id
                           AND p.person_id = i.person_id), [])
        FROM campaign_invites i {where}""", params).fetchall()
    return [Invite(campaign_id=r[0], person_id=r[1], network=r[2], account=r[3], code=r[4],
                   reasons=tuple(json.loads(r[5])), score=r[6], score_day=r[7],
                   model_version=r[8], status=r[9], invited_at=r[10], responded_at=r[11],
                   cost=r[12], posts=tuple(r[13])) for r in rows]
