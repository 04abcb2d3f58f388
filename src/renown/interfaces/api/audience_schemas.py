"""Bodies for audiences: influencers and influencees, audience quality, discovery, and
scores within an audience.

An audience in a request body is one of ``{"topic": SLUG}``, ``{"network": NAME}``
or ``{"accounts": [...]}`` (person ids, ``network:account``, or
``{"network", "account"}`` objects): what `renown.scoring.audience.spec` resolves.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from renown.interfaces.api.schemas import Out, Page
from renown.scoring.queries import BANDS

#: NaN (a measure that is unavailable) as null: JSON has no NaN.
Measure = Annotated[float | None, BeforeValidator(
    lambda v: None if isinstance(v, float) and math.isnan(v) else v)]
_TEXT = r"^[^\x00-\x1f\x7f]+$"
_SLUG = r"^[^\s/\x00-\x1f\x7f]+$"


def _band(value: str | None) -> str | None:
    names = [name for _, name in BANDS]
    if value is not None and value not in names:
        raise ValueError(f"expected one of {', '.join(reversed(names))}")
    return value


class ReactionExample(Out):
    ts: datetime
    kind: str
    event_id: str
    post_id: str | None = None


class InfluenceLink(Out):
    person_id: str
    #: Their accounts on the link, as network:account.
    accounts: list[str]
    #: Influence flowing along the link (1 = an average account's influence).
    flow: float
    #: How many people the link counts as in Reach (0-1 per pair of accounts).
    reach: float
    reactions: int
    kinds: dict[str, int]
    #: The latest few reactions on the link.
    examples: list[ReactionExample]


class Influence(Page):
    person_id: str
    as_of: date
    model_version: str
    #: "influencers" (whose content the person reacts to) or "influencees" (who react).
    direction: str
    items: list[InfluenceLink]


class FlaggedReactor(Out):
    network: str
    account: str
    reactions: int
    per_day: float
    authors: int
    latency_s: Measure = None
    output_ratio: Measure = None
    reasons: list[str]


class PodEvidence(Out):
    network: str
    account: str
    pod: str
    members: list[str]
    reactions: int


class Fences(Out):
    """Far-out fences a network's reactors were judged against (null: unavailable)."""

    per_day: Measure = None
    authors: Measure = None
    latency_s: Measure = None
    output_ratio: Measure = None


class AudienceQuality(Out):
    person_id: str
    as_of: date
    reactors: int
    automated_reactors: int
    automated_share: float
    reactions: int
    pod_reactions: int
    pod_share: float
    #: Share of reactions from neither automated nor pod accounts (1 = clean).
    quality: float
    automated: list[FlaggedReactor]
    pods: list[PodEvidence]
    fences: dict[str, Fences]


class Candidate(Out):
    rank: int
    person_id: str
    display_name: str | None
    #: What the list is ordered by: topic score, audience score, their geometric mean,
    #: or the overall score.
    match: float
    score: float
    band: str
    topic_score: float | None
    topic_confidence: float | None
    audience_score: float | None
    quality: float
    automated_share: float
    pod_share: float
    reactors: int


class Discovery(Page):
    as_of: date
    model_version: str
    topic: str | None
    audience: str | None
    items: list[Candidate]


class AccountRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    network: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    account: str = Field(min_length=1, max_length=300, pattern=_TEXT)


Member = Annotated[str, Field(min_length=1, max_length=300, pattern=_TEXT)] | AccountRef


class AudienceBody(BaseModel):
    """Exactly one of topic, network or accounts."""

    model_config = ConfigDict(extra="forbid")
    topic: str | None = Field(None, min_length=1, max_length=200, pattern=_SLUG)
    network: str | None = Field(None, pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    accounts: list[Member] | None = Field(None, min_length=1, max_length=10_000, description=(
        "Person ids, network:account, or {network, account} objects."))

    @model_validator(mode="after")
    def one_kind(self) -> Self:
        given = [k for k in ("topic", "network", "accounts") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of topic, network or accounts")
        return self


class DiscoveryRequest(BaseModel):
    """`GET /v1/discover`'s parameters, with an audience that may list accounts."""

    model_config = ConfigDict(extra="forbid")
    topic: str | None = Field(None, min_length=1, max_length=200, pattern=_SLUG)
    audience: AudienceBody | None = None
    band: Annotated[str | None, AfterValidator(_band)] = None
    min_score: float = Field(1.0, ge=1, le=100)
    max_score: float = Field(100.0, ge=1, le=100)
    min_quality: float = Field(0.0, ge=0, le=1)
    as_of: date | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class AudienceScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audience: AudienceBody
    #: People to report (person ids or network:account); none: the ranking, paged.
    people: list[Annotated[str, Field(min_length=1, max_length=300, pattern=_TEXT)]] | None = \
        Field(None, min_length=1, max_length=100)
    as_of: date | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000_000)


class AudienceScore(Out):
    person_id: str
    #: Score within the audience, 1-100 (read like the overall score).
    score: float
    rank: int
    percentile: float
    reach: float
    amplification: float
    network_value: float
    audience_reactors: int
    audience_reactions: int


class AudienceScores(Page):
    audience: str
    as_of: date
    model_version: str
    #: Accounts of the audience known to the store, and of them those active in the window.
    members: int
    active_members: int
    #: People scored (everyone with an active account).
    people: int
    items: list[AudienceScore]
    #: Requested people with no active account in the window (so no score).
    unscored: list[str] = Field(default_factory=list)
    #: Audience entries that matched no account in the store (left out).
    unmatched: list[str] = Field(default_factory=list)
