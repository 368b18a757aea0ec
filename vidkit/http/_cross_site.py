"""Refusing cross-site requests: the checks Jupyter server makes, for the same reasons.

Two attacks reach a server on 127.0.0.1 through the user's own browser:

- **DNS rebinding**: a page on ``evil.example`` makes its name resolve to 127.0.0.1; the browser
  then sends it ``Host: evil.example`` and lets the page read every answer. So every request
  must name a host this server answers to: the loopback names (``127.0.0.1``, ``localhost``,
  ``[::1]``), the address the request arrived at, or one in ``[server] allowed_hosts``; with the
  port it listens on, unless the configured entry names none.
- **Cross-site writes**: any page can POST to the server (a form, or ``fetch`` in ``no-cors``
  mode, multipart uploads included) without a CORS preflight; it cannot read the answer, but the
  write happens. So POST, PUT, PATCH and DELETE whose ``Origin`` (or, without one, ``Referer``)
  is another site's are refused, unless that origin is in ``[server] allowed_origins``.
  Requests with neither header (curl, the CLI, Python clients) are not from a web page and pass.

Both run before the token check and before the body is read. A refusal is ``403`` with the
usual JSON error body, whose ``detail`` says what to change.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from vidkit.config import ServerConfig

__all__ = ["UNSAFE_METHODS", "CrossSiteGuard", "document_refusals"]

log = logging.getLogger("vidkit.http")

#: Methods that change something: these need a same-site Origin (or none).
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def document_refusals(schema: dict[str, Any]) -> None:
    """Declare in an OpenAPI ``schema`` the 403 every operation can answer: a Host this server
    does not serve, and, on state-changing methods, another site's Origin."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            why = "Host not served by this server ([server] allowed_hosts)"
            if method.upper() in UNSAFE_METHODS:
                why += ", or sent by another site's page ([server] allowed_origins)"
            operation.setdefault("responses", {})["403"] = {"description": why, "content": error}


def _split_host(value: str) -> tuple[str, int | None] | None:
    """``host[:port]`` as (lowercase host without brackets, port or None); None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        name, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else None
    else:
        name, sep, port_text = value.rpartition(":")
        if not sep:
            name, port_text = value, None
        elif ":" in name:
            return None  # an unbracketed IPv6 address is no Host header a browser sends
    if not name:
        return None
    if port_text is None:
        return name, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        return None
    return name, int(port_text)


def _is_loopback_name(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


class CrossSiteGuard:
    """ASGI middleware: refuse a foreign ``Host`` on any request, and a foreign ``Origin``
    (or ``Referer``) on POST, PUT, PATCH and DELETE."""

    def __init__(self, app: ASGIApp, *, server: ServerConfig) -> None:
        self.app = app
        self._any_host = "*" in server.allowed_hosts
        self._hosts = {
            parsed for entry in server.allowed_hosts if (parsed := _split_host(entry)) is not None
        }
        self._origins = frozenset(server.allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            refusal = self._refusal(scope)
            if refusal is not None:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> JSONResponse | None:
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        server = scope.get("server")
        bound_port = int(server[1]) if server and server[1] is not None else None
        host_header = _header(scope, b"host")
        if host_header is not None and not self._host_ok(host_header, scheme, scope):
            return self._refuse_host(scope, host_header, bound_port)
        method = "GET" if scope["type"] == "websocket" else scope["method"]
        if method not in UNSAFE_METHODS and scope["type"] != "websocket":
            return None
        origin = _header(scope, b"origin")
        via = "Origin"
        if origin is None:
            origin, via = _header(scope, b"referer") or None, "Referer"
            if origin is None:
                return None  # not sent by a web page: curl, the CLI, scripts
        if self._origin_ok(origin, host_header, scheme):
            return None
        return self._refuse_origin(scope, method, via, origin)

    def _host_ok(self, value: str, scheme: str, scope: Scope) -> bool:
        if self._any_host:
            return True
        parsed = _split_host(value)
        if parsed is None:
            return False
        name, port = parsed
        port = port or _DEFAULT_PORTS[scheme]
        if (name, port) in self._hosts or (name, None) in self._hosts:
            return True
        server = scope.get("server")
        if server and server[1] is not None:
            if port != int(server[1]):
                return False
            here = str(server[0]).lower() if server[0] is not None else None
        else:
            here = None
        # Loopback names, and the address the connection came to (an address, never a name,
        # so no rebinding), are this server's own.
        return _is_loopback_name(name) or (here is not None and name == here)

    def _origin_ok(self, origin: str, host_header: str | None, scheme: str) -> bool:
        parts = urlsplit(origin.strip().lower())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False  # "null" (sandboxed frames, file: pages) and anything odd
        allowed = f"{parts.scheme}://{parts.netloc}"
        if allowed in self._origins:
            return True
        if host_header is None:
            return False
        seen = _split_host(parts.netloc)
        own = _split_host(host_header)
        if seen is None or own is None:
            return False
        return (seen[0], seen[1] or _DEFAULT_PORTS[parts.scheme]) == (
            own[0],
            own[1] or _DEFAULT_PORTS[scheme],
        )

    def _refuse_host(self, scope: Scope, host: str, port: int | None) -> JSONResponse:
        parsed = _split_host(host)
        name = host if parsed is None else (f"[{parsed[0]}]" if ":" in parsed[0] else parsed[0])
        at = f":{port}" if port is not None else ""
        detail = (
            f"refused: this server does not answer to the host {host!r} (a check against DNS "
            f"rebinding); open it as http://127.0.0.1{at}/ or http://localhost{at}/, or, if "
            f"{name!r} is a name of this machine that you use, add it to [server] allowed_hosts "
            "in the config"
        )
        method = scope.get("method", "GET")
        log.warning("refused %s %s: Host %r is not served", method, scope["path"], host)
        return JSONResponse({"detail": detail}, status_code=403)

    def _refuse_origin(self, scope: Scope, method: str, via: str, origin: str) -> JSONResponse:
        parts = urlsplit(origin.strip())
        source = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else origin
        detail = (
            f"refused a cross-site {method}: its {via} is {source!r}, a page of another site, and "
            "changes are accepted only from this server's own pages or from clients that send "
            "no Origin (curl, the CLI, scripts); if that page is yours, add its origin to "
            "[server] allowed_origins in the config"
        )
        log.warning("refused %s %s from %s %r", method, scope["path"], via, source)
        return JSONResponse({"detail": detail}, status_code=403)
