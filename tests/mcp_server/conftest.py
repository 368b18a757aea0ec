"""Driving ``vidkit mcp`` as an MCP client does: the real command in a subprocess, over stdio
(the SDK's ``stdio_client`` and ``ClientSession``), against a workspace of the test's own."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from mcp import ClientSession, StdioServerParameters, stdio_client

from tests.conftest import write_config

#: Fast renders: tiny scenes, the quickest encoder preset, one worker at a time.
RENDER = '[render]\npreset = "ultrafast"\nworkers = 1\n'


def vidkit_command() -> tuple[str, list[str]]:
    """The installed ``vidkit`` script beside this Python (what a client's config names),
    else ``python -m vidkit.cli``."""
    script = Path(sys.executable).with_name("vidkit")
    if script.is_file():
        return str(script), []
    return sys.executable, ["-m", "vidkit.cli"]


def mcp_config(folder: Path, extra: str = "") -> Path:
    return write_config(folder, RENDER + extra)


@asynccontextmanager
async def connected(
    config: Path, *, env: dict[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    """An initialised client session with ``vidkit -c CONFIG mcp`` over stdio; the server's
    stderr goes to ``server.log`` beside the config. The server gets the environment a client
    gives it (the SDK's few safe variables), plus ``env``."""
    command, args = vidkit_command()
    params = StdioServerParameters(
        command=command, args=[*args, "-c", str(config), "mcp"], env=env, cwd=config.parent
    )
    with (config.parent / "server.log").open("a", encoding="utf-8") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


def server_log(config: Path) -> str:
    path = config.parent / "server.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""
