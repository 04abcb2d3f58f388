"""``GET /v1/leaderboard`` (filters, search, pages) and ``GET /v1/networks``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from renown.interfaces.api import schemas, views
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.params import (
    AsOf,
    Band,
    Limit,
    Network,
    Offset,
    Score,
    SearchText,
    known_network,
    score_range,
)
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep
from renown.scoring.search import scored_networks

router = v1_router("scores")


@router.get("/leaderboard", response_model=schemas.Leaderboard)
def leaderboard(
    lease: LeaseDep, key: ReadKey,
    network: Network = None,
    q: Annotated[SearchText, Query(description="Search: substring of a person id, account "
                                   "or display name (case-insensitive).")] = None,
    band: Band = None,
    min_score: Score = None,
    max_score: Score = None,
    as_of: AsOf = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> schemas.Leaderboard:
    """People by score; with ``network``, that network's accounts by their score there.

    Ranks are positions in the unfiltered ranking; ``total`` counts all matches.
    """
    score_range(min_score, max_score)
    known_network(lease, views.snapshot(lease, as_of), network)
    return views.leaderboard(lease, network=network, query=q, band_name=band,
                             min_score=min_score, max_score=max_score, day=as_of,
                             limit=limit, offset=offset)


@router.get("/networks", response_model=schemas.Networks)
def networks(lease: LeaseDep, key: ReadKey, as_of: AsOf = None) -> schemas.Networks:
    """Networks with scored accounts in the snapshot (the values ``network`` accepts)."""
    info = views.snapshot(lease, as_of)
    return schemas.Networks(as_of=info.as_of, model_version=info.model_version,
                            networks=scored_networks(lease.con, info.run_id))
