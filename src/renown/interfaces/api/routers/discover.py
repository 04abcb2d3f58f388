"""``/v1/discover``: people to work with by topic, audience, score band and audience quality
(the parameters of `renown discover`).

GET names the audience as ``topic:SLUG`` or ``network:NAME``; POST takes the
same fields as a body whose audience may list accounts and people.  A query's
list is computed once per published snapshot (seconds on a large store: such
requests queue and may answer 503 busy) and paged from then on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator

from renown.interfaces.api import audience_schemas, audience_views, discover_views
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.params import AsOf, Band, Limit, Offset
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.routers.topics import SLUG_PATTERN
from renown.interfaces.api.state import LeaseDep, StateDep
from renown.scoring.audience.spec import AudienceSpec

router = v1_router("discover")


def _audience(value: str | None) -> str | None:
    if value is not None:
        audience_views.parse_audience_text(value)
    return value


Topic = Annotated[str | None, Query(pattern=SLUG_PATTERN, description="Only people attributed "
                                    "this topic (or a narrower one), by topic score.")]
Audience = Annotated[str | None, AfterValidator(_audience), Query(
    max_length=240, description="Rank by influence within topic:SLUG or network:NAME (with a "
    "topic: the geometric mean of both).")]
DiscoverScore = Annotated[float | None, Query(ge=1, le=100, description="Overall score bound "
                                              "(1-100, inclusive).")]
Quality = Annotated[float, Query(ge=0, le=1, description="Lowest audience quality (share of "
                                 "clean reactions, 0-1).")]


@router.get("/discover", response_model=audience_schemas.Discovery)
def discover(lease: LeaseDep, state: StateDep, key: ReadKey, topic: Topic = None,
             audience: Audience = None, band: Band = None, min_score: DiscoverScore = None,
             max_score: DiscoverScore = None, min_quality: Quality = 0.0, as_of: AsOf = None,
             limit: Limit = 20, offset: Offset = 0) -> audience_schemas.Discovery:
    """People for the filters, best match first, each with the quality of their audience.

    People nobody reacted to in the window are never listed."""
    spec = None if audience is None else audience_views.parse_audience_text(audience)
    filters = discover_views.Filters(topic, spec, band, min_score, max_score, min_quality)
    return discover_views.discovery(state, lease, filters, as_of, limit, offset)


@router.post("/discover", response_model=audience_schemas.Discovery)
def discover_posted(body: audience_schemas.DiscoveryRequest, lease: LeaseDep, state: StateDep,
                    key: ReadKey) -> audience_schemas.Discovery:
    """The same search with an audience given as a body (it may list accounts and people)."""
    spec: AudienceSpec | None = None
    if body.audience is not None:
        spec = audience_views.audience_of(lease, body.audience)[0]
    filters = discover_views.Filters(body.topic, spec, body.band, body.min_score,
                                     body.max_score, body.min_quality)
    return discover_views.discovery(state, lease, filters, body.as_of, body.limit, body.offset)
