"""``GET /v1/health``: is the server up, and which snapshot does it serve (no key needed)."""

from __future__ import annotations

from renown.interfaces.api import schemas
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep
from renown.scoring.queries import current_snapshot

router = v1_router("service")


@router.get("/health", response_model=schemas.Health)
def health(lease: LeaseDep) -> schemas.Health:
    """The published generation being served and its newest score day, if any."""
    try:
        info = current_snapshot(lease.con)
    except LookupError:
        return schemas.Health(status="ok", generation=lease.generation.number)
    return schemas.Health(status="ok", generation=lease.generation.number, as_of=info.as_of,
                          model_version=info.model_version)
