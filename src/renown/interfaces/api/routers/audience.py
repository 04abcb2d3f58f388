"""``POST /v1/audience-scores``: influence within an audience (a topic's community, a
network, or listed accounts and people).

Scores everyone within the audience (seconds on a large store): such requests
queue and may answer 503 busy; an audience's scores are kept until the next
publish, so asking again for other people or pages is immediate.
"""

from __future__ import annotations

from renown.interfaces.api import audience_schemas, audience_views
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep, StateDep

router = v1_router("audience")


@router.post("/audience-scores", response_model=audience_schemas.AudienceScores)
def audience_scores(body: audience_schemas.AudienceScoreRequest, lease: LeaseDep,
                    state: StateDep, key: ReadKey) -> audience_schemas.AudienceScores:
    """Scores within the audience (1-100, read like the overall score): the people listed
    in ``people``, or everyone ranked, paged with ``limit`` and ``offset``.  Nothing is
    written, so a read key will do."""
    return audience_views.audience_scores(state, lease, body)
