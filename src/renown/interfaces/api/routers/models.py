"""Scoring models: the versions stored, and previews of a candidate (nothing is written)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from renown.interfaces.api import schemas, views
from renown.interfaces.api.auth import ReadKey, WriteKey
from renown.interfaces.api.errors import ApiError
from renown.interfaces.api.params import AsOf
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep, StateDep
from renown.scoring.model import Model

router = v1_router("models")
Top = Annotated[int, Query(ge=1, le=100, description="Movers to list each way (1-100).")]


@router.get("/models", response_model=schemas.Models)
def models(lease: LeaseDep, key: ReadKey) -> schemas.Models:
    """Model versions in the store, oldest first; one is current."""
    return views.models(lease)


@router.get("/models/preview", response_model=schemas.Preview)
def preview_stored(
    candidate: Annotated[str, Query(min_length=1, max_length=200,
                                    description="A stored, non-current model version.")],
    lease: LeaseDep, state: StateDep, key: ReadKey, as_of: AsOf = None, top: Top = 10,
) -> schemas.Preview:
    """A stored candidate against the current model: distribution of changes, movers, why.

    Scores everyone twice (seconds on a large store): such requests queue and may
    answer 503 busy; a result is kept until the next publish."""
    model = views.stored_candidate(lease, candidate)
    return views.model_preview(state, lease, model, as_of, top)


@router.post("/models/preview", response_model=schemas.Preview)
def preview_definition(body: schemas.PreviewRequest, lease: LeaseDep, state: StateDep,
                       key: WriteKey) -> schemas.Preview:
    """A candidate given as TOML (as `renown model show` prints) against the current model.

    Needs a write-scoped key: it is a model author's tool, and costly."""
    try:
        model = Model.from_toml(body.definition)
    except ValueError as exc:
        raise ApiError(422, "invalid_model", str(exc),
                       [{"parameter": "definition", "problem": str(exc)}]) from exc
    return views.model_preview(state, lease, model, body.as_of, body.top)
