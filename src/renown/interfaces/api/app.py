"""The HTTP application: the JSON API under ``/v1`` and the dashboard, over published snapshots.

`create_app` makes sure the store has a published read snapshot matching it
(publishing one if needed; see `renown.store.serving`), then serves every
request from the newest generation.  CORS is closed unless origins are given;
every response carries security headers, and pages a strict Content Security
Policy (no inline script or style, nothing from another origin).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from renown import __version__
from renown.interfaces.api import errors
from renown.interfaces.api.routers import ROUTERS
from renown.interfaces.api.state import ServerState, Settings
from renown.store.serving import ensure_published
from renown.store.serving_reader import ServingReader

_CSP: Final = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; base-uri 'none'; "
               "frame-ancestors 'none'")
_ALWAYS: Final = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                  (b"x-frame-options", b"DENY")]
#: Swagger UI and ReDoc load their script from a CDN and run inline code.
_NO_CSP: Final = ("/docs", "/redoc")


class SecurityHeaders:
    """Adds the security headers to every HTTP response (plain ASGI: no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(_ALWAYS)
        if not str(scope["path"]).startswith(_NO_CSP):
            extra.append((b"content-security-policy", _CSP.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(db_path: Path | str, settings: Settings | None = None, *,
               publish_timeout: float = 30.0) -> FastAPI:
    """The API and dashboard for the store at ``db_path``."""
    db = Path(db_path)
    settings = settings or Settings()
    ensure_published(db, publish_timeout)
    state = ServerState(db, settings, ServingReader(db))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.reader.close()

    app = FastAPI(title="Renown API", version=__version__, lifespan=lifespan,
                  description="Open, explainable influence scores. Send an API key as "
                              "`X-API-Key` or `Authorization: Bearer` (create one with "
                              "`renown keys create`). Errors share one shape: "
                              '`{"error": {"code", "message", "details"}}`.')
    app.state.renown = state
    for router in ROUTERS:
        app.include_router(router)
    html = None
    if settings.dashboard:
        from renown.interfaces import web

        web.install(app)
        html = web.error_page
    errors.install(app, html)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["X-API-Key", "Authorization", "Content-Type"])
    app.add_middleware(SecurityHeaders)
    return app
