"""Checking the bearer token (see :mod:`._token` for where it comes from).

:class:`BearerAuth` checks it before the request body is read, so a client without the token
cannot make the server parse (or spool) an upload. The token is never logged or echoed.
"""

from __future__ import annotations

import hmac
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["OPEN_PATHS", "BearerAuth", "document_bearer"]

#: (method, path) pairs under /api that need no token.
OPEN_PATHS = frozenset({("GET", "/api/health")})


def _is_protected(scope: Scope, prefix: str) -> bool:
    path: str = scope["path"]
    if path != prefix and not path.startswith(prefix + "/"):
        return False
    return (scope["method"], path) not in OPEN_PATHS


def _credentials(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.partition(b" ")
            return credentials.strip() if scheme.lower() == b"bearer" else None
    return None


class BearerAuth:
    """ASGI middleware: ``/api/*`` requests (but :data:`OPEN_PATHS`) need the bearer token;
    another ``prefix`` guards the paths under it instead ("": every path)."""

    def __init__(self, app: ASGIApp, *, token: str, token_env: str, prefix: str = "/api") -> None:
        self.app = app
        self._token = token.encode("utf-8")
        self._token_env = token_env
        self._prefix = prefix

    def __repr__(self) -> str:  # keeps the token out of any debug output
        return f"BearerAuth(token_env={self._token_env!r})"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _is_protected(scope, self._prefix):
            given = _credentials(scope)
            if given is None or not hmac.compare_digest(given, self._token):
                await self._reject(given is None)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _reject(self, missing: bool) -> JSONResponse:
        if missing:
            detail = (
                "this server needs an API token: send the header `Authorization: Bearer <token>` "
                f"with the value of the server's {self._token_env}"
            )
        else:
            detail = f"the API token is wrong: use the value of the server's {self._token_env}"
        return JSONResponse(
            {"detail": detail}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )


def document_bearer(schema: dict[str, Any]) -> None:
    """Declare the bearer scheme in an OpenAPI ``schema``, so /docs offers an Authorize
    button, and the 401 on every route that needs the token."""
    components = schema.setdefault("components", {})
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if path.startswith("/api/") and (method.upper(), path) not in OPEN_PATHS:
                operation["security"] = [{"bearer": []}]
                operation.setdefault("responses", {})["401"] = {
                    "description": "Missing or wrong bearer token"
                }
