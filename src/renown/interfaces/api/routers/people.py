"""A person: summary (score, band, deltas, components, networks), history, explanation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from renown.interfaces.api import schemas, views
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.params import AsOf, Day, Offset, PersonId, person
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep, StateDep

router = v1_router("people")


@router.get("/people/{person_id}", response_model=schemas.PersonSummary)
def person_summary(person_id: PersonId, lease: LeaseDep, key: ReadKey,
                   as_of: AsOf = None) -> Response:
    """Score, band, change over a day/week/month, component points and per-network scores.

    ``person_id`` may also be ``network:account``; the response names the person.
    """
    return Response(views.summary_json(lease, person_id, as_of),
                    media_type="application/json")


@router.get("/people/{person_id}/history", response_model=schemas.History)
def person_history(
    person_id: PersonId, lease: LeaseDep, key: ReadKey,
    start: Annotated[Day | None, Query(description="First day (YYYY-MM-DD).")] = None,
    end: Annotated[Day | None, Query(description="Last day (YYYY-MM-DD).")] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Days per page (1-1000).")] = 366,
    offset: Offset = 0,
) -> schemas.History:
    """Stored daily scores under the current model, oldest first."""
    return views.person_history(lease, person(lease, person_id), start, end, limit, offset)


@router.get("/people/{person_id}/explain", response_model=schemas.Explanation)
def person_explain(
    person_id: PersonId, lease: LeaseDep, state: StateDep, key: ReadKey,
    as_of: AsOf = None,
    since: Annotated[Day | None, Query(description="Compare with this earlier day: the "
                                       "response then names what drove the change.")] = None,
    top: Annotated[int, Query(ge=1, le=50, description="Evidence rows (1-50).")] = 10,
) -> schemas.Explanation:
    """The parts that add up to the score, the people and posts behind them, and with
    ``since`` why it changed.  A ``since`` day without a stored snapshot is scored on the
    fly (seconds on a large store; such requests queue and may answer 503 busy)."""
    return views.explanation(state, lease, person(lease, person_id), as_of, since, top)
