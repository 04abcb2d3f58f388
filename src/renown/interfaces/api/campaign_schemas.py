"""Request and response bodies of ``/v1/campaigns`` (what the OpenAPI document shows).

Requests are strict: unknown fields, out-of-range numbers and dates that are
not ``YYYY-MM-DD`` are 422 before anything is stored; what only the campaign
core can judge (a goal's name, a landing URL, a score band) it judges, with
its own message.  Responses are built from the core's records by the
``of`` constructors here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from renown.interfaces.api.audience_views import parse_audience_text
from renown.interfaces.api.params import NETWORK_PATTERN, PERSON_PATTERN, Day
from renown.store.campaigns import Campaign, CampaignTarget, Invite, InviteCandidate

NetworkName = Annotated[str, Field(pattern=NETWORK_PATTERN)]
PersonRef = Annotated[str, Field(pattern=PERSON_PATTERN,
                                 description="A person id, or network:account.")]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def _audience(text: str) -> str:
    parse_audience_text(text)  # ValueError: a 422 naming the field
    return text


#: ``topic:SLUG`` or ``network:NAME``, never a path (the server's files are not input).
AudienceText = Annotated[str, Field(max_length=240), AfterValidator(_audience)]


def tracked_link(code: str) -> str:
    """The tracked link's path on this server (``GET /r/{code}``)."""
    return f"/r/{code}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Target(_Strict):
    """Who a campaign is for; every part optional, combined with AND (as ``discover``)."""

    topic: str | None = Field(default=None, pattern=r"^[^\s/\x00-\x1f\x7f]{1,200}$",
                              description="A topic slug.")
    audience: AudienceText | None = Field(default=None, description="topic:SLUG or network:NAME.")
    networks: list[NetworkName] = Field(default_factory=list, max_length=50, description=(
        "Credit outcomes to accounts on these networks (none: any)."))
    min_score: float = Field(default=1.0, allow_inf_nan=False)
    max_score: float = Field(default=100.0, allow_inf_nan=False)
    min_quality: float = Field(default=0.0, allow_inf_nan=False, description="0-1.")

    def core(self) -> CampaignTarget:
        return CampaignTarget(self.topic, self.audience, tuple(self.networks), self.min_score,
                              self.max_score, self.min_quality)


class TargetOut(BaseModel):
    """A stored campaign's target (one made with the CLI may name an audience file)."""

    topic: str | None
    audience: str | None
    networks: list[str]
    min_score: float
    max_score: float
    min_quality: float


class CampaignIn(_Strict):
    campaign_id: str = Field(min_length=1, max_length=48, description=(
        "Lower-case letters, digits and -, at most 48 characters."))
    name: str = Field(min_length=1, max_length=200)
    brand: str = Field(min_length=1, max_length=200)
    goal: str = Field(max_length=40, description="clicks, signups, sales, installs or "
                                                 "custom:NAME.")
    landing_url: str = Field(max_length=2000, description="Where tracked links lead.")
    starts: Day
    ends: Day
    target: Target = Field(default_factory=Target)
    budget: Amount | None = None
    currency: str | None = Field(default=None, max_length=8)
    offer: str | None = Field(default=None, max_length=2000)


class CampaignOut(BaseModel):
    campaign_id: str
    name: str
    brand: str
    goal: str
    #: What the goal counts: click, sale… or the custom name.
    outcome: str
    target: TargetOut
    landing_url: str
    budget: float | None
    currency: str | None
    offer: str | None
    starts: date
    ends: date
    created_at: datetime
    closed_at: datetime | None
    is_open: bool

    @staticmethod
    def of(c: Campaign) -> CampaignOut:
        t = c.target
        return CampaignOut(
            campaign_id=c.campaign_id, name=c.name, brand=c.brand, goal=c.goal,
            outcome=c.outcome, target=TargetOut(
                topic=t.topic, audience=t.audience, networks=list(t.networks),
                min_score=t.min_score, max_score=t.max_score, min_quality=t.min_quality),
            landing_url=c.landing_url, budget=c.budget, currency=c.currency, offer=c.offer,
            starts=c.starts, ends=c.ends, created_at=c.created_at, closed_at=c.closed_at,
            is_open=c.is_open)


class CampaignSummary(CampaignOut):
    invited: int
    accepted: int


class CampaignList(BaseModel):
    items: list[CampaignSummary]


class InviteOut(BaseModel):
    person_id: str
    network: str
    account: str
    code: str
    #: The tracked link's path on this server.
    link: str
    reasons: list[str]
    #: The score when invited (what the report compares outcomes with).
    score: float | None
    score_day: date | None
    model_version: str | None
    status: str
    invited_at: datetime
    responded_at: datetime | None
    cost: float | None
    posts: list[str]

    @staticmethod
    def of(i: Invite) -> InviteOut:
        return InviteOut(
            person_id=i.person_id, network=i.network, account=i.account, code=i.code,
            link=tracked_link(i.code), reasons=list(i.reasons), score=i.score,
            score_day=i.score_day, model_version=i.model_version, status=i.status,
            invited_at=i.invited_at, responded_at=i.responded_at, cost=i.cost,
            posts=list(i.posts))


class CampaignDetail(BaseModel):
    campaign: CampaignOut
    invites: list[InviteOut]


class InvitesIn(_Strict):
    people: list[PersonRef] | None = Field(default=None, max_length=1000, description=(
        "Invite these people instead of the proposed ones."))
    limit: int = Field(default=10, ge=1, le=1000, description="How many to propose and invite.")
    dry_run: bool = Field(default=False, description="Answer whom it would invite, and why; "
                                             "store nothing.")


class InviteItem(BaseModel):
    """A proposal (dry run) or an invite, with why they were chosen."""

    person_id: str
    network: str
    account: str
    reasons: list[str]
    score: float | None
    score_day: date | None
    model_version: str | None
    #: Not invited before this request (a dry run: would be new).
    new: bool
    #: The invite's tracked-link code and path (none in a dry run).
    code: str | None = None
    link: str | None = None
    status: str | None = None

    @staticmethod
    def proposed(c: InviteCandidate) -> InviteItem:
        return InviteItem(person_id=c.person_id, network=c.network, account=c.account,
                          reasons=list(c.reasons), score=c.score, score_day=c.score_day,
                          model_version=c.model_version, new=True)

    @staticmethod
    def invited(i: Invite, new: bool) -> InviteItem:
        return InviteItem(person_id=i.person_id, network=i.network, account=i.account,
                          reasons=list(i.reasons), score=i.score, score_day=i.score_day,
                          model_version=i.model_version, new=new, code=i.code,
                          link=tracked_link(i.code), status=i.status)


class InvitesOut(BaseModel):
    campaign_id: str
    dry_run: bool
    #: How many of the items were (a dry run: would be) invited by this request.
    new: int
    items: list[InviteItem]


class ResponseIn(_Strict):
    person: PersonRef
    accepted: bool
    cost: Amount | None = Field(default=None, description="What they are paid or given (else the "
                                                  "budget is split).")


class PostIn(_Strict):
    person: PersonRef
    post_id: str = Field(min_length=1, max_length=500,
                         description="The post's id as the network gives it.")
    network: NetworkName | None = Field(default=None, description="Default: the invite's network.")


class ConversionOut(BaseModel):
    campaign_id: str
    code: str
    #: The shop's order id, else the Idempotency-Key (only a keyed hash of it is stored).
    order_id: str
    outcome: str
    value: float
    ts: datetime
    #: True when this order (or key) was stored before: the call added nothing.
    duplicate: bool
