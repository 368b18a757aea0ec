"""Turning errors into HTTP responses, in one place.

Every error body has a ``detail``. For 422 it is a list of ``{"loc", "msg", "type"}`` items, the
shape FastAPI uses for its own validation errors (and that the OpenAPI schema declares), whether
Pydantic rejected the request or the library raised :class:`InvalidInput` or :class:`MediaError`.
For every other status it is the error's message, a string::

    422  {"detail": [{"loc": ["body", "title"], "msg": "title is required ...",
                      "type": "invalid_input"}]}
    404  {"detail": "no project with slug 'x'; `vidkit projects list` shows them"}

A service behind the API (the LLM) that fails raises :class:`UpstreamError`, which carries the
status that describes how: 502 (it failed or answered nonsense), 503 (unreachable, not set up
or rate-limiting; ``Retry-After`` when the service said how long to wait), 504 (it timed out).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from vidkit.errors import (
    AssetError,
    BackendError,
    CatalogueError,
    CatalogueLocked,
    ConfigError,
    Conflict,
    InvalidInput,
    MediaError,
    NotFound,
    VidkitError,
)

__all__ = ["RETRY_AFTER_S", "UpstreamError", "install_error_handlers", "status_for"]

log = logging.getLogger("vidkit.http")

#: Seconds a client is told to wait after a 503 for a locked catalogue.
RETRY_AFTER_S: Final = 5


class UpstreamError(BackendError):
    """A service the API depends on failed; ``status`` is 502, 503 or 504, and
    ``retry_after_s`` what the service asked a client to wait, when it said."""

    def __init__(self, message: str, *, status: int, retry_after_s: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after_s = retry_after_s


_STATUSES: Final[dict[type[VidkitError], int]] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    MediaError: 422,
    CatalogueLocked: 503,
    BackendError: 502,
    AssetError: 500,
    CatalogueError: 503,  # a damaged catalogue: the body says how to restore it
    ConfigError: 500,
    VidkitError: 500,
}


def status_for(exc: VidkitError) -> int:
    """The HTTP status of a library error: that of its nearest class in the table."""
    if isinstance(exc, UpstreamError):
        return exc.status
    return next(_STATUSES[cls] for cls in type(exc).__mro__ if cls in _STATUSES)


def _location(request: Request, exc: VidkitError) -> list[str | int]:
    if isinstance(exc, MediaError):
        return ["body", "file"]
    field = exc.field if isinstance(exc, InvalidInput) else None
    if field is None:
        return ["body"]
    return ["query" if field in request.query_params else "body", field]


async def _vidkit_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VidkitError)
    status = status_for(exc)
    if status == 422:
        kind = "media_error" if isinstance(exc, MediaError) else "invalid_input"
        item = {"loc": _location(request, exc), "msg": str(exc), "type": kind}
        return JSONResponse({"detail": [item]}, status_code=422)
    headers = None
    if isinstance(exc, UpstreamError):
        if exc.retry_after_s is not None:
            headers = {"Retry-After": str(exc.retry_after_s)}
    elif status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_S)}
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items: list[dict[str, Any]] = [
        {
            "loc": list(err.get("loc", ())),
            "msg": str(err.get("msg", "")),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    return JSONResponse({"detail": items}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(VidkitError, _vidkit_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
