"""``GET /r/{code}``: a campaign's tracked link (docs/campaigns.md): count the click, redirect.

No API key: a follower opens the link.  Requests are limited per client
address like the dashboard's pages.  An unknown or malformed code is 404; a
known one answers **302** to the campaign's landing URL with
``Cache-Control: no-store`` (so every visit reaches the server), also while
the campaign is closed (it then counts nothing).  ``HEAD`` redirects alike and
counts nothing (link previews).

Counting is built so that a burst of visitors costs the store little and
never keeps anyone from the landing page:

* The code is looked up in the request's read snapshot; the click is queued in
  memory (`renown.interfaces.api.campaign_views.ClickLog`) and stored by
  `ServerState.flush` with `renown.store.outcomes.record_clicks` (one visitor,
  a keyed hash of campaign, address and user agent, counts once per link).
  The visitor waits at most ``Settings.click_wait`` s for the store's lock.
* If the store is busy (another process, such as a long ``renown score``,
  holds the write lock) the click stays queued, bounded, and is stored by the
  next successful write: the next click, any API write, the periodic flush
  below, or the server's shutdown.  The visitor is redirected regardless.
* Clicks do not publish a snapshot each (publishing copies the store file):
  a background task stores queued clicks and publishes at most every
  ``Settings.publish_every`` s while there is something new; the report
  endpoint publishes first so it counts every click stored; shutdown stores
  and publishes what is left.

The visitor's address is the connection's peer (``request.client``).  Behind a
reverse proxy, ``renown serve`` (uvicorn) takes ``X-Forwarded-For`` only from
the proxies uvicorn trusts: loopback by default, others named in the
``FORWARDED_ALLOW_IPS`` environment variable; a header from anyone else is
ignored, so a visitor cannot pose as many visitors.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Final

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from renown.interfaces.api.auth import page_limit
from renown.interfaces.api.errors import not_found
from renown.interfaces.api.state import Lease, LeaseDep, ServerState, StateDep, client_address
from renown.store.campaigns import get_campaign, invite_by_code
from renown.store.database import utc_now

log = logging.getLogger("renown.api.clicks")

#: What a tracked-link code can look like (`secrets.token_urlsafe`); anything else is 404.
_CODE: Final = re.compile(r"[A-Za-z0-9_-]{4,64}")


async def _flush_periodically(state: ServerState) -> None:
    while True:
        await asyncio.sleep(state.settings.publish_every)
        if not (state.dirty or len(state.clicks)):
            continue
        try:
            await run_in_threadpool(state.flush, state.settings.click_wait,
                                    publish_after=state.settings.publish_every)
        except Exception:  # keep flushing: the next round may succeed
            log.exception("storing or publishing tracked-link clicks failed")


@asynccontextmanager
async def flushing(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs, store queued clicks and publish them lazily; at shutdown,
    store and publish what is left."""
    state: ServerState = app.state.renown
    task = asyncio.create_task(_flush_periodically(state))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        if state.dirty or len(state.clicks):
            done = await run_in_threadpool(state.flush, state.settings.write_timeout)
            if not done or len(state.clicks):
                log.warning("%d tracked-link clicks not stored: the store stayed busy",
                            len(state.clicks))


router = APIRouter(tags=["campaigns"], lifespan=flushing)


def _landing(lease: Lease, code: str) -> tuple[str, bool] | None:
    """(landing URL, whether the campaign still counts clicks) for a code, None if unknown."""
    key = ("tracked-link", code)
    found, value = lease.generation.peek(key)
    if found:
        return value  # type: ignore[no-any-return]
    invite = invite_by_code(lease.con, code)
    if invite is None:
        return None
    campaign = get_campaign(lease.con, invite.campaign_id)
    landing = (campaign.landing_url, campaign.is_open)
    lease.generation.keep(key, landing)
    return landing


@router.api_route("/r/{code}", methods=["GET", "HEAD"], include_in_schema=False,
                  dependencies=[Depends(page_limit)])
def follow(code: str, request: Request, state: StateDep, lease: LeaseDep) -> Response:
    """Count the click (once per visitor) and send the browser to the landing page."""
    landing = _landing(lease, code) if _CODE.fullmatch(code) else None
    if landing is None:
        raise not_found("unknown_link", "no such tracked link")
    url, counting = landing
    if counting and request.method == "GET":
        queued = state.clicks.add(code, client_address(request),
                                  request.headers.get("user-agent", ""), utc_now())
        if queued:
            try:
                state.flush(state.settings.click_wait, publish_after=float("inf"))
            except Exception:  # the visitor goes on; the click waits for the next flush
                log.exception("storing a tracked-link click failed")
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})
