"""``vidkit mcp``: the workspace as an MCP server for AI agents (see docs/mcp.md).

On stdio (the default) an MCP client spawns it and talks on stdin and stdout; logs go to
stderr. With ``--http`` it serves streamable HTTP at ``/mcp`` under the same rules as
``vidkit serve``: the Host/Origin guard always, the bearer token off loopback or with
``--require-token``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from vidkit.cli._common import session
from vidkit.cli._logging import for_server

__all__ = ["DEFAULT_PORT", "mcp"]

#: The HTTP port when none is given: beside the API's 8765.
DEFAULT_PORT = 8766


def mcp(
    ctx: typer.Context,
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdio."),
    ] = False,
    host: Annotated[
        str | None, typer.Option(help="With --http: address to listen on (default: [server] host).")
    ] = None,
    port: Annotated[
        int,
        typer.Option(help="With --http: port to listen on (0: any free port).", min=0, max=65535),
    ] = DEFAULT_PORT,
    require_token: Annotated[
        bool,
        typer.Option(
            "--require-token", help="With --http: require the bearer token on loopback too."
        ),
    ] = False,
) -> None:
    """Run an MCP server for AI agents: tools to create projects and scenes, write and plan
    with the LLM, render with progress and read the quality checks; resources for scenes and
    transcripts. Stdio by default (for a client to spawn); --http for streamable HTTP."""
    config = session(ctx).config()
    if not http:
        from vidkit.mcp_server import run_stdio

        run_stdio(config)
        return
    from vidkit.mcp_server import run_http

    for_server()
    run_http(config, host=host, port=port, require_token=require_token, configure_logging=False)
