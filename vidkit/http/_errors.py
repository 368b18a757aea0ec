"""Turning errors into HTTP responses, in one place.

Every error body has a ``detail``. For 422 it is a list of ``{"loc", "msg", "type"}`` items, the
shape FastAPI uses for its own validation errors (and that the OpenAPI schema declares), whether
Pydantic rejected the request or the library raised :class:`InvalidInput` or :class:`MediaError`.
For every other status it is the error's message, a string::

    422  {"detail": [{"loc": ["body", "title"], "msg": "title is required ...",
                      "type": "invalid_input"}]}
    404  {"detail": "no project with slug 'x'",
          "hint": {"action": "list_projects", "cli": "`vidkit projects list` shows them",
                   "studio": "choose one from the project list"}}

A library error that carries a :class:`~vidkit.errors.Hint` (what to do next) adds it as
``hint``, whatever the status; ``detail`` is then the plain message without a command.

A service behind the API (the LLM) that fails raises :class:`UpstreamError`, which carries the
status that describes how: 502 (it failed or answered nonsense), 503 (unreachable, not set up
or rate-limiting; ``Retry-After`` when the service said how long to wait), 504 (it timed out).

FastAPI's and Starlette's own errors keep the contract too: a JSON body that is not UTF-8 is a
422 ``json_invalid`` (not FastAPI's 400), a 405's ``Allow`` lists what the OpenAPI schema gives
the path, and an exception nothing handled is a JSON 500; every 5xx logs one line.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vidkit.errors import (
    AssetError,
    BackendError,
    CatalogueError,
    CatalogueLocked,
    ConfigError,
    Conflict,
    Hint,
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

    def __init__(
        self,
        message: str,
        *,
        status: int,
        retry_after_s: int | None = None,
        hint: Hint | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
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
        return JSONResponse(_with_hint({"detail": [item]}, exc), status_code=422)
    headers = None
    if isinstance(exc, UpstreamError):
        if exc.retry_after_s is not None:
            headers = {"Retry-After": str(exc.retry_after_s)}
    elif status == 503:
        headers = {"Retry-After": str(RETRY_AFTER_S)}
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return JSONResponse(_with_hint({"detail": str(exc)}, exc), status_code=status, headers=headers)


def _with_hint(body: dict[str, Any], exc: VidkitError) -> dict[str, Any]:
    """The body, with the error's hint as ``hint`` when it has one."""
    return body if exc.hint is None else {**body, "hint": exc.hint.as_dict()}


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


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's and FastAPI's own errors, in the documented shape: a body that is not UTF-8
    is a 422 ``json_invalid`` like any other undecodable JSON (FastAPI answers a 400 of its
    own), and a 405 names in ``Allow`` every method the path has, not one route's."""
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError):
        item = {
            "loc": ["body", cause.start],
            "msg": f"JSON decode error: the body is not UTF-8 ({cause.reason})",
            "type": "json_invalid",
        }
        return JSONResponse({"detail": [item]}, status_code=422)
    if exc.status_code == 405:
        allowed = _allowed_methods(request)
        if allowed:
            exc = StarletteHTTPException(405, exc.detail, headers={"Allow": ", ".join(allowed)})
    if exc.status_code >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc.detail)
    return await http_exception_handler(request, exc)


def _allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI schema gives the request's path: those of the matching path
    template with the fewest parameters (``/scenes/reorder`` before ``/scenes/{scene_id}``)."""
    paths: dict[str, dict[str, Any]] = request.app.openapi().get("paths", {})
    matches = [
        (template.count("{"), template)
        for template in paths
        if re.fullmatch(re.sub(r"\\{[^}]*\\}", "[^/]+", re.escape(template)), request.url.path)
    ]
    if not matches:
        return []
    return sorted(method.upper() for method in paths[min(matches)[1]])


class _CatchAll:
    """Any exception nothing else turned into a response: a JSON 500 and one log line (not
    Starlette's plain-text page and uvicorn's traceback)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            log.error(
                "%s %s failed: %s: %s",
                scope.get("method", ""),
                scope.get("path", ""),
                type(exc).__name__,
                " ".join(str(exc).split()) or "no message",
            )
            log.debug("the traceback", exc_info=True)
            if started:
                raise
            body = {"detail": f"internal error ({type(exc).__name__}); the server log has more"}
            await JSONResponse(body, status_code=500)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(VidkitError, _vidkit_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_middleware(_CatchAll)
