"""Driving ``vidkit mcp`` as an MCP client does: the real command in a subprocess, over stdio
(the SDK's ``stdio_client`` and ``ClientSession``), against a workspace of the test's own."""

from __future__ import annotations

import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
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


def run_client(main: Callable[[], Awaitable[object]], timeout_s: float = 600) -> None:
    """``anyio.run(main)`` on a thread of its own: the browser tests' session-wide Playwright
    may hold this worker's main thread with a running event loop, where another cannot run.
    An exception in ``main`` is raised here."""
    failed: list[BaseException] = []

    def body() -> None:
        try:
            anyio.run(main)
        except BaseException as exc:  # handed to the test's thread
            failed.append(exc)

    thread = threading.Thread(target=body, name="mcp-client")
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"the MCP client did not finish in {timeout_s:.0f} s"
    if failed:
        raise failed[0]


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
