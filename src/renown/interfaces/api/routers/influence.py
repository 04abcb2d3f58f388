"""Who influences a person and whom they influence, and the quality of their audience.

Computed from the snapshot's events on request (seconds on a large store):
such requests queue and may answer 503 busy; results are kept until the next
publish.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from renown.interfaces.api import audience_schemas, audience_views
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.params import AsOf, Limit, Offset, PersonId, person
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep, StateDep

router = v1_router("influence")


@router.get("/people/{person_id}/influencers", response_model=audience_schemas.Influence)
def influencers(person_id: PersonId, lease: LeaseDep, state: StateDep, key: ReadKey,
                as_of: AsOf = None, limit: Limit = 20,
                offset: Offset = 0) -> audience_schemas.Influence:
    """People whose content this person reacts to, by the influence flowing along the link
    (the strongest 1000)."""
    return audience_views.influence_page(state, lease, person(lease, person_id), as_of,
                                         "influencers", limit, offset)


@router.get("/people/{person_id}/influencees", response_model=audience_schemas.Influence)
def influencees(person_id: PersonId, lease: LeaseDep, state: StateDep, key: ReadKey,
                as_of: AsOf = None, limit: Limit = 20,
                offset: Offset = 0) -> audience_schemas.Influence:
    """People who react to this person, by the influence they send (their flows add up to
    the person's Network component; the strongest 1000)."""
    return audience_views.influence_page(state, lease, person(lease, person_id), as_of,
                                         "influencees", limit, offset)


@router.get("/people/{person_id}/audience-quality",
            response_model=audience_schemas.AudienceQuality)
def audience_quality(
    person_id: PersonId, lease: LeaseDep, state: StateDep, key: ReadKey, as_of: AsOf = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Flagged reactors listed "
                                "(1-100).")] = 20,
) -> audience_schemas.AudienceQuality:
    """Share of the person's reactors that look automated or indiscriminate and of reactions
    from their own engagement pod, with the accounts behind them (404 no_audience when
    nobody reacted in the window)."""
    return audience_views.audience_quality(state, lease, person(lease, person_id), as_of,
                                           limit)
