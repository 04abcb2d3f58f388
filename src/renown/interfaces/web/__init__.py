"""The dashboard: server-rendered pages and their static files, served by the API's app."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from renown.interfaces.web.campaign_pages import router as campaign_router
from renown.interfaces.web.pages import router
from renown.interfaces.web.render import STATIC, error_page

__all__ = ["error_page", "install"]


def install(app: FastAPI) -> None:
    """Add the dashboard's pages and ``/static`` to ``app``."""
    app.include_router(router)
    app.include_router(campaign_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
