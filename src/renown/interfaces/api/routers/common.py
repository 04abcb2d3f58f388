"""What every router shares: the /v1 prefix and the documented error responses."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from renown.interfaces.api.errors import ErrorBody

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in (
        (401, "No API key, or an unknown, revoked or malformed one"),
        (403, "The key's scope does not allow this endpoint"),
        (404, "No such person, account, model or scores"),
        (422, "A parameter is invalid (details name it)"),
        (429, "Over the key's rate limit (see Retry-After)"),
        (503, "No published snapshot yet, or the server is busy (see Retry-After)"),
    )}


def v1_router(tag: str) -> APIRouter:
    return APIRouter(prefix="/v1", tags=[tag], responses=_ERRORS)
