"""API keys over HTTP: one's own key (any scope), and managing keys (admin scope).

Creating and revoking write to the main store (waiting briefly for another
writer, else 503 busy) and publish a new snapshot, so the change applies to
every request from then on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from renown.interfaces.api import schemas
from renown.interfaces.api.auth import AdminKey, ReadKey
from renown.interfaces.api.errors import invalid, not_found
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep, StateDep
from renown.store.api_keys import ApiKeyError, create_key, list_keys, revoke_key

router = v1_router("keys")
KeyId = Annotated[str, Path(pattern=r"^[a-z0-9]{12}$", description="The key's public id.")]


@router.get("/keys/me", response_model=schemas.KeyInfo)
def my_key(key: ReadKey) -> schemas.KeyInfo:
    """The calling key: its id, name, scope and rate."""
    return schemas.KeyInfo.model_validate(key)


@router.get("/keys", response_model=schemas.Keys)
def keys(lease: LeaseDep, key: AdminKey) -> schemas.Keys:
    """Every key, revoked ones included (secrets are never stored, so never shown)."""
    return schemas.Keys(items=[schemas.KeyInfo.model_validate(k) for k in list_keys(lease.con)])


@router.post("/keys", response_model=schemas.NewKey, status_code=201)
def new_key(body: schemas.KeyRequest, state: StateDep, key: AdminKey) -> schemas.NewKey:
    """Create a key; the response holds its secret, which is shown this once only."""
    try:
        with state.writer() as con:
            made = create_key(con, body.scope, body.name, body.rate_per_minute)
    except ApiKeyError as exc:  # e.g. a name with control characters (found by fuzzing)
        raise invalid("name", str(exc)) from exc
    return schemas.NewKey(key=schemas.KeyInfo.model_validate(made.key), token=made.token)


@router.delete("/keys/{key_id}", response_model=schemas.KeyInfo)
def revoke(key_id: KeyId, state: StateDep, key: AdminKey) -> schemas.KeyInfo:
    """Revoke a key (idempotent); it stops working with the snapshot published now."""
    with state.writer() as con:
        if not revoke_key(con, key_id):
            raise not_found("key_not_found", f"no API key {key_id}")
        found = next(k for k in list_keys(con) if k.key_id == key_id)
    return schemas.KeyInfo.model_validate(found)
