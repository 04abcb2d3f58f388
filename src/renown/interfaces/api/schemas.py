"""Response bodies of the HTTP API (Pydantic), so every response is typed and documented.

Models read attributes (``from_attributes``), so the core's dataclasses turn
into responses without copying field by field; anything the core does not
hold (bands, component points, pages) is filled by `renown.interfaces.api.views`.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Health(Out):
    status: str
    generation: int
    as_of: date | None = None
    model_version: str | None = None


class Identity(Out):
    network: str
    account: str
    person_id: str
    display_name: str | None = None


class NetworkScore(Out):
    network: str
    account: str
    score: float
    #: Points this account adds to the overall score.
    points: float
    #: Components in effective people (reach, amplification, network value).
    reach: float
    amplification: float
    network_value: float
    reactors: int
    reactions: int
    posts: int


class Deltas(Out):
    day: float | None = Field(None, description="Change since 1 day before (null: no snapshot).")
    week: float | None = None
    month: float | None = None


class ComponentPoints(Out):
    """Points of the score from each component across networks (plus the floor of 1)."""

    reach: float
    amplification: float
    network: float
    offline: float
    floor: float


class PersonSummary(Out):
    person_id: str
    display_name: str | None
    as_of: date
    model_version: str
    score: float
    band: str
    percentile: float = Field(description="Percentile rank among everyone scored that day "
                              "under the model, 0–100 (ties count half).")
    deltas: Deltas
    components: ComponentPoints
    offline_points: float
    networks: list[NetworkScore]


class HistoryPoint(Out):
    as_of: date
    score: float
    model_version: str
    #: That day's percentile rank among everyone scored (0–100).
    percentile: float


class Page(Out):
    total: int
    limit: int
    offset: int


class History(Page):
    person_id: str
    items: list[HistoryPoint]


class Contribution(Out):
    label: str
    points: float
    #: Points rounded to one decimal so that the shown parts add up to the shown score.
    shown_points: float
    network: str | None = None
    account: str | None = None
    component: str | None = None


class Reactor(Out):
    network: str
    author: str
    reactor: str
    reactions: int
    reach: float
    reactor_influence: float


class Post(Out):
    network: str
    post_id: str
    reactions: int
    reactors: int
    text: str | None = None


class Change(Out):
    since: date
    previous_score: float
    change: float
    drivers: list[str]


class Explanation(Out):
    person_id: str
    as_of: date
    model_version: str
    score: float
    #: Percentile rank among everyone scored that day under the model (0–100).
    percentile: float
    contributions: list[Contribution]
    top_reactors: list[Reactor]
    top_posts: list[Post]
    change: Change | None = None


class LeaderboardEntry(Out):
    rank: int
    person_id: str
    display_name: str | None
    score: float
    #: Percentile rank among everyone scored that day (on the network, when filtered by one).
    percentile: float
    band: str
    networks: list[str]
    reactors: int


class Leaderboard(Page):
    as_of: date
    model_version: str
    network: str | None
    items: list[LeaderboardEntry]


class Networks(Out):
    as_of: date
    model_version: str
    networks: list[str]


class Distribution(Out):
    as_of: date
    model_version: str
    people: int
    with_audience: int
    quantiles_all: dict[str, float]
    quantiles_audience: dict[str, float]
    bands: dict[str, int]


class ModelInfo(Out):
    version: str
    fingerprint: str
    current: bool
    created_at: datetime
    promoted_at: datetime | None


class Models(Out):
    items: list[ModelInfo]


class Mover(Out):
    person_id: str
    before: float
    after: float
    change: float
    why: str


class HistogramBucket(Out):
    label: str
    people: int


class Preview(Out):
    current_version: str
    candidate_version: str
    as_of: date
    people: int
    mean_change: float
    mean_abs_change: float
    quantiles: dict[str, float]
    histogram: list[HistogramBucket]
    #: Rank correlation of before and after (null when undefined: constant scores).
    spearman: float | None
    movers_up: list[Mover]
    movers_down: list[Mover]


class PreviewRequest(BaseModel):
    """A candidate model to preview: its TOML definition (as `renown model show` prints)."""

    model_config = ConfigDict(extra="forbid")
    definition: str = Field(min_length=1, max_length=100_000)
    as_of: date | None = None
    top: int = Field(10, ge=1, le=100)


class KeyInfo(Out):
    key_id: str
    name: str | None
    scope: str
    rate_per_minute: int
    created_at: datetime
    revoked_at: datetime | None = None


class Keys(Out):
    items: list[KeyInfo]


class NewKey(Out):
    key: KeyInfo
    #: The key itself: shown once, never stored (only its salted hash is).
    token: str


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scope: str = Field(pattern="^(read|write|admin)$")
    name: str | None = Field(None, max_length=100)
    rate_per_minute: int = Field(600, ge=1, le=1_000_000)
