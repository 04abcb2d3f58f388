"""The API's routers, one module per resource, all under ``/v1``.

A new resource is one module here with a ``router`` and one line in `ROUTERS`.
"""

from __future__ import annotations

from fastapi import APIRouter

from renown.interfaces.api.routers import (
    audience,
    campaigns,
    discover,
    endorsements,
    erasure,
    health,
    identities,
    influence,
    keys,
    leaderboard,
    models,
    people,
    redirect,
    scores,
    topics,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    identities.router,
    people.router,
    erasure.router,
    topics.router,
    influence.router,
    leaderboard.router,
    discover.router,
    audience.router,
    endorsements.router,
    scores.router,
    models.router,
    keys.router,
    campaigns.router,
    redirect.router,
)
