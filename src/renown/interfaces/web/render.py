"""Rendering dashboard pages: the Jinja2 environment, its filters, and error pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from renown import __version__
from renown.interfaces.api.errors import ApiError
from renown.scoring.percentiles import format_percentile

HERE: Final = Path(__file__).parent
STATIC: Final = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


def signed(value: float | None, decimals: int = 1) -> str:
    """+1.2 / −0.3 (a true minus sign), never "-0.0"; "n/a" for a missing value."""
    if value is None:
        return "n/a"
    text = f"{value:+.{decimals}f}"
    if float(text) == 0:
        return f"±{0:.{decimals}f}"
    return text.replace("-", "−")


def trend(value: float | None) -> str:
    """A word for a change, so the trend is not carried by colour or an arrow alone."""
    if value is None:
        return "no earlier score"
    if round(value, 1) > 0:
        return "up"
    if round(value, 1) < 0:
        return "down"
    return "unchanged"


def static_url(name: str) -> str:
    """A static file's URL, versioned so a new release is never served from a stale cache."""
    return f"/static/{name}?v={__version__}"


templates.env.filters["signed"] = signed
templates.env.filters["trend"] = trend
templates.env.filters["percentile"] = format_percentile
templates.env.globals["static"] = static_url


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


def error_page(request: Request, error: ApiError) -> Response:
    """The HTML twin of the API's error body."""
    response = templates.TemplateResponse(
        request, "error.html", {"error": error, "nav": None}, status_code=error.status,
        headers=error.headers)
    assert isinstance(response, HTMLResponse)
    return response
