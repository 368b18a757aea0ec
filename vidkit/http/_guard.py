"""The rules of ``vidkit serve`` around another ASGI app, and serving it: what ``vidkit mcp
--http`` runs its MCP endpoint behind.

:func:`guarded` puts the same two layers around ``app`` as :func:`~vidkit.http.create_app`
puts around the API, in the same order: the cross-site guard first (a foreign ``Host`` on any
request, a foreign ``Origin`` on POST, PUT, PATCH and DELETE: 403), then, with a token, the
bearer check (401) on every path. :func:`serve_guarded` is :func:`~vidkit.http.serve` for such
an app: the token is required off loopback (or when asked), read before anything listens, and
the port is bound before uvicorn starts, so a missing token or a busy port is one
:class:`~vidkit.errors.ConfigError`.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp

from vidkit.config import Config, ServerConfig
from vidkit.errors import InvalidInput
from vidkit.http._auth import BearerAuth
from vidkit.http._cross_site import CrossSiteGuard
from vidkit.http._token import read_token, token_required

__all__ = ["guarded", "serve_guarded"]

log = logging.getLogger("vidkit.http")


def guarded(app: ASGIApp, server: ServerConfig, *, token: str | None) -> ASGIApp:
    """``app`` behind the cross-site guard of ``server`` and, when ``token`` is given, the
    bearer token on every path."""
    if token is not None:
        app = BearerAuth(app, token=token, token_env=server.token_env, prefix="")
    return CrossSiteGuard(app, server=server)


def serve_guarded(
    app: ASGIApp,
    config: Config,
    *,
    host: str | None = None,
    port: int | None = None,
    require_token: bool = False,
    configure_logging: bool = True,
    name: str = "vidkit",
    path: str = "/",
) -> None:
    """Serve ``app`` behind :func:`guarded` until interrupted, as :func:`~vidkit.http.serve`
    serves the API: ``host`` defaults to ``[server] host``, ``port`` to ``[server] port``
    (0: any free port); off loopback, or with ``require_token``, the bearer token from
    ``[server] token_env`` is required. The log line names ``name`` and the URL of ``path``."""
    from vidkit.http._app import run_on

    bind_host = config.server.host if host is None else host
    bind_port = config.server.port if port is None else port
    if not 0 <= bind_port <= 65535:
        raise InvalidInput(
            f"port {bind_port} is invalid: use 1..65535 (0: any free port)", field="port"
        )
    needs_token = require_token or token_required(bind_host)
    token = read_token(config.server, host=bind_host) if needs_token else None
    wrapped = guarded(app, config.server, token=token)

    token_said = f"from ${config.server.token_env} required" if needs_token else "not required"
    run_on(
        wrapped, bind_host, bind_port, configure_logging=configure_logging,
        say=lambda where: f"{name} on {where}{path} (bearer token {token_said})",
    )  # fmt: skip
