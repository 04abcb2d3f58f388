"""API key checks: which key, whether its scope allows the endpoint, whether it is over its rate.

The key comes as ``X-API-Key: rnk_...`` or ``Authorization: Bearer rnk_...``.
The slow salted hash is checked once per key per published generation and the
result memoised with that generation, so a revoked key stops working as soon
as the revocation is published, and a steady client pays the hash once.  Key
checks that miss the memo are limited per client address, so guessing keys
(or making the server hash garbage) is slow.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from renown.interfaces.api.errors import ApiError
from renown.interfaces.api.state import Lease, LeaseDep, ServerState, StateDep, client_address
from renown.store.api_keys import ApiKey, scope_allows, split_token, verify_key

_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                       description="An API key from `renown keys create`.")
_bearer = HTTPBearer(auto_error=False, description="The same key as a bearer token.")


def _rate_limited(message: str, wait: float) -> ApiError:
    seconds = max(1, math.ceil(wait))
    return ApiError(429, "rate_limited", f"{message}; retry in {seconds}s",
                    {"retry_after_seconds": seconds}, headers={"Retry-After": str(seconds)})


async def _verified(state: ServerState, lease: Lease, token: str, client: str) -> ApiKey:
    parts = split_token(token)
    if parts is None:
        raise ApiError(401, "unauthorized", "malformed API key (expected rnk_<id>_<secret>)",
                       headers={"WWW-Authenticate": "Bearer"})
    memo_key = ("api-key", hashlib.sha256(token.encode()).hexdigest())
    found, key = lease.generation.peek(memo_key)
    if not found:
        wait = state.check_limiter.take(client, state.settings.key_checks_per_minute)
        if wait:
            raise _rate_limited("too many API key checks from this address", wait)
        # The slow hash runs in a worker thread, never on the event loop.
        key = await run_in_threadpool(verify_key, lease.con, token)
        lease.generation.keep(memo_key, key)
    if key is None:
        raise ApiError(401, "unauthorized", f"API key {parts[0]} is unknown, revoked or wrong",
                       headers={"WWW-Authenticate": "Bearer"})
    assert isinstance(key, ApiKey)
    return key


def require(scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency admitting keys whose scope includes ``scope``, within their rate."""

    async def dependency(request: Request, state: StateDep, lease: LeaseDep,
                   header: Annotated[str | None, Security(_header)] = None,
                   bearer: Annotated[HTTPAuthorizationCredentials | None,
                                     Security(_bearer)] = None) -> ApiKey:
        token = header or (bearer.credentials if bearer is not None else None)
        if not token:
            raise ApiError(401, "unauthorized", "this endpoint needs an API key: send it as "
                           "X-API-Key or Authorization: Bearer (create one with `renown keys "
                           "create`)", headers={"WWW-Authenticate": "Bearer"})
        key = await _verified(state, lease, token.strip(), client_address(request))
        if not scope_allows(key.scope, scope):
            raise ApiError(403, "forbidden", f"this endpoint needs scope {scope!r}; key "
                           f"{key.key_id} has scope {key.scope!r}",
                           {"required_scope": scope, "key_scope": key.scope})
        wait = state.key_limiter.take(key.key_id, key.rate_per_minute)
        if wait:
            raise _rate_limited(f"key {key.key_id} is over its {key.rate_per_minute}/min", wait)
        return key

    return dependency


ReadKey = Annotated[ApiKey, Depends(require("read"))]
WriteKey = Annotated[ApiKey, Depends(require("write"))]
AdminKey = Annotated[ApiKey, Depends(require("admin"))]


async def page_limit(request: Request, state: StateDep) -> None:
    """Anonymous dashboard pages: a rate limit per client address."""
    wait = state.page_limiter.take(client_address(request), state.settings.page_rate_per_minute)
    if wait:
        raise _rate_limited("too many page requests from this address", wait)
