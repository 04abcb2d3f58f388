"""``POST /v1/endorsements``: +K, one person vouching for another on a topic (write scope).

Written to the main store (waiting briefly for another writer, else 503 busy)
and published; it counts from the next score run.
"""

from __future__ import annotations

from renown.interfaces.api import topic_schemas, topic_views
from renown.interfaces.api.auth import WriteKey
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep, StateDep

router = v1_router("topics")


@router.post("/endorsements", response_model=topic_schemas.Endorsement, status_code=201,
             responses={409: {"description": "Refused: already given, or the endorser's cap "
                                             "is reached"}})
def endorse(body: topic_schemas.EndorsementRequest, lease: LeaseDep, state: StateDep,
            key: WriteKey) -> topic_schemas.Endorsement:
    """``endorser`` endorses ``person`` on ``topic`` (person ids or network:account).

    Scarce: at most 5 per endorser in 30 days, once per person and topic, never
    oneself; weighed by the endorser's own standing in the topic when scored.
    A write key acts for any endorser: give it to an application that has
    authenticated its users.
    """
    return topic_views.endorse(state, lease, body)
