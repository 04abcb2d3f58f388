"""``GET /v1/scores/distribution``: how the current snapshot's scores spread."""

from __future__ import annotations

from renown.interfaces.api import schemas, views
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep

router = v1_router("scores")


@router.get("/scores/distribution", response_model=schemas.Distribution)
def distribution(lease: LeaseDep, key: ReadKey) -> schemas.Distribution:
    """Quantiles over everyone and over people with an audience, and people per band."""
    return views.distribution(lease)
