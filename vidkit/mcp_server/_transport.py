"""Running the server: over stdio (what an MCP client spawns) or streamable HTTP behind the
rules of ``vidkit serve`` (:func:`vidkit.http.serve_guarded`: the Host/Origin guard, and the
bearer token off loopback)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio

from vidkit.config import Config
from vidkit.mcp_server._server import build_server

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from vidkit.authoring import LLM

__all__ = ["PATH", "http_app", "run_http", "run_stdio"]

#: Where the streamable HTTP endpoint is.
PATH = "/mcp"


def run_stdio(config: Config, *, llm: LLM | None = None) -> None:
    """Serve one client on stdin and stdout until it closes them."""
    anyio.run(build_server(config, llm=llm).run_stdio_async)


def http_app(config: Config, *, llm: LLM | None = None) -> ASGIApp:
    """The server's streamable HTTP app at :data:`PATH`, without the guard (its own DNS
    rebinding check is off: :func:`vidkit.http.guarded` makes vidkit's, which honours
    ``[server] allowed_hosts`` and ``allowed_origins``)."""
    from mcp.server.transport_security import TransportSecuritySettings

    server = build_server(config, llm=llm)
    return server.streamable_http_app(
        streamable_http_path=PATH,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )


def run_http(
    config: Config,
    *,
    host: str | None = None,
    port: int | None = None,
    require_token: bool = False,
    configure_logging: bool = True,
    llm: LLM | None = None,
) -> None:
    """Serve streamable HTTP until interrupted, as ``vidkit serve`` serves the API: ``host``
    and ``port`` default to ``[server]``'s (give another port than the API's), the bearer token
    is required off loopback or with ``require_token``."""
    from vidkit.http import serve_guarded

    serve_guarded(
        http_app(config, llm=llm), config, host=host, port=port, require_token=require_token,
        configure_logging=configure_logging, name="vidkit MCP server", path=PATH,
    )  # fmt: skip
