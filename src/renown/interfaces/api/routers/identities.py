"""``GET /v1/identities/{network}/{account}``: which person an account belongs to."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from renown.interfaces.api import schemas
from renown.interfaces.api.auth import ReadKey
from renown.interfaces.api.errors import not_found
from renown.interfaces.api.params import NETWORK_PATTERN, PERSON_PATTERN
from renown.interfaces.api.routers.common import v1_router
from renown.interfaces.api.state import LeaseDep
from renown.scoring.search import lookup_account

router = v1_router("people")


@router.get("/identities/{network}/{account}", response_model=schemas.Identity)
def identity(
    network: Annotated[str, Path(pattern=NETWORK_PATTERN)],
    account: Annotated[str, Path(pattern=PERSON_PATTERN, description="The network's handle "
                                 "or account id, exactly as stored.")],
    lease: LeaseDep, key: ReadKey,
) -> schemas.Identity:
    """The person id behind a network's account (declared link, or the account itself)."""
    found = lookup_account(lease.con, network, account)
    if found is None:
        raise not_found("account_not_found", f"no account {network}:{account} in the store")
    return schemas.Identity.model_validate(found)
