"""The API's routers, one module per resource, all under ``/v1``.

A new resource (topics, influence, discover, endorse, audience: see
docs/api.md, "planned") is one module here with a ``router`` and one line in
`ROUTERS`.
"""

from __future__ import annotations

from fastapi import APIRouter

from renown.interfaces.api.routers import (
    health,
    identities,
    keys,
    leaderboard,
    models,
    people,
    scores,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    identities.router,
    people.router,
    leaderboard.router,
    scores.router,
    models.router,
    keys.router,
)
