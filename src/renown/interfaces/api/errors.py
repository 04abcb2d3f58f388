"""One error shape for every 4xx and 5xx: ``{"error": {"code", "message", "details"}}``.

Clients branch on ``code`` (stable, snake_case), show ``message`` (a sentence
for people) and may read ``details`` (for bad parameters: which parameter and
what is wrong with it).  FastAPI's own validation errors, unknown routes and
unexpected exceptions are all turned into this shape; a dashboard page gets
the same information as an HTML page instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("renown.api")

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 406: "not_acceptable", 413: "too_large",
          415: "unsupported_media_type", 422: "invalid_parameter", 429: "rate_limited",
          503: "unavailable"}


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorInfo


class ApiError(Exception):
    """An error to answer with (status, stable code, message for people, details)."""

    def __init__(self, status: int, code: str, message: str, details: Any = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, dict(headers or {})


def invalid(parameter: str, problem: str) -> ApiError:
    """A bad parameter (422), named in the message and the details."""
    return ApiError(422, "invalid_parameter", f"{parameter}: {problem}",
                    [{"parameter": parameter, "problem": problem}])


def not_found(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)


def busy(message: str, retry_after: int = 5) -> ApiError:
    return ApiError(503, "busy", message, headers={"Retry-After": str(retry_after)})


#: Renders an error for a dashboard page; installed by the web package.
HtmlRenderer = Callable[[Request, ApiError], Response]


def install(app: FastAPI, html: HtmlRenderer | None = None) -> None:
    """Make every error, expected or not, answer in the one shape."""

    def respond(request: Request, error: ApiError) -> Response:
        if html is not None and _wants_html(request):
            return html(request, error)
        body = ErrorBody(error=ErrorInfo(code=error.code, message=error.message,
                                         details=error.details))
        return JSONResponse(body.model_dump(), status_code=error.status, headers=error.headers)

    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return respond(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = [{"parameter": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
                    "problem": e["msg"]} for e in exc.errors()]
        message = "; ".join(f"{d['parameter']}: {d['problem']}" for d in details)
        return respond(request, ApiError(422, "invalid_parameter", message, details))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = _CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint or page: {request.url.path}"
        return respond(request, ApiError(exc.status_code, code, message,
                                         headers=dict(exc.headers or {})))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path, exc_info=exc)
        return respond(request, ApiError(500, "internal_error",
                                         "internal error: the server logged it"))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


def _wants_html(request: Request) -> bool:
    """Dashboard pages answer errors in HTML; the API (and static files) in JSON."""
    path = request.url.path
    return not (path.startswith(("/v1", "/static", "/openapi", "/docs", "/redoc")))
