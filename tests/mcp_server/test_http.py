"""``vidkit mcp --http``: streamable HTTP under the rules of ``vidkit serve`` — a foreign Host
or Origin is refused (403), the bearer token is required off loopback or with
``--require-token`` (401 without it or with another), and the SDK's own client with the token
works."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from tests.cli.conftest import cli_env
from tests.http.support import free_port
from tests.mcp_server.conftest import mcp_config, run_client, vidkit_command
from tests.mcp_server.test_stdio import data

pytestmark = pytest.mark.slow

TOKEN = "mcp-test-token-0123456789abcdef"
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    },
}
ACCEPT = {"Accept": "application/json, text/event-stream"}


@contextmanager
def serving(config: Path, *args: str, env: dict[str, str]) -> Iterator[str]:
    """``vidkit -c CONFIG mcp --http --port P ARGS`` until the block ends; yields its URL."""
    port = free_port()
    command, pre = vidkit_command()
    log = config.parent / "http.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [command, *pre, "-c", str(config), "mcp", "--http", "--port", str(port), *args],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=config.parent,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while "vidkit MCP server on" not in log.read_text(errors="replace"):
                assert process.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}/mcp"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_http_needs_the_token_and_refuses_other_sites(tmp_path: Path) -> None:
    config = mcp_config(tmp_path / "ws")
    env = cli_env(VIDKIT_API_TOKEN=TOKEN)
    with serving(config, "--require-token", env=env) as url:
        log = (config.parent / "http.log").read_text()
        assert f"vidkit MCP server on {url} (bearer token from $VIDKIT_API_TOKEN required)" in log
        bearer = {"Authorization": f"Bearer {TOKEN}", **ACCEPT}

        rebound = httpx.post(url, json=INIT, headers={**bearer, "Host": "evil.example"})
        assert rebound.status_code == 403 and "DNS rebinding" in rebound.json()["detail"]
        foreign = httpx.post(url, json=INIT, headers={**bearer, "Origin": "http://evil.example"})
        assert foreign.status_code == 403
        assert "'http://evil.example', a page of another site" in foreign.json()["detail"]

        missing = httpx.post(url, json=INIT, headers=ACCEPT)
        assert missing.status_code == 401 and "needs an API token" in missing.json()["detail"]
        assert missing.headers["WWW-Authenticate"] == "Bearer"
        wrong = httpx.post(url, json=INIT, headers={**ACCEPT, "Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "token is wrong" in wrong.json()["detail"]
        assert TOKEN not in missing.text + wrong.text

        same_site = httpx.post(url, json=INIT, headers={**bearer, "Origin": url.rsplit("/", 1)[0]})
        assert same_site.status_code == 200, same_site.text

        async def session_run() -> None:
            async with (
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
                streamable_http_client(url, http_client=http) as (read, write),
                ClientSession(read, write) as mcp,
            ):
                await mcp.initialize()
                data(await mcp.call_tool("create_project", {"slug": "web", "title": "Web"}))
                listed = data(await mcp.call_tool("list_projects", {}))
                assert [p["slug"] for p in listed["projects"]] == ["web"]

        run_client(session_run)


def test_loopback_needs_no_token_and_elsewhere_says_how_to_set_one(tmp_path: Path) -> None:
    config = mcp_config(tmp_path / "ws")
    env = {k: v for k, v in cli_env().items() if k != "VIDKIT_API_TOKEN"}
    with serving(config, env=env) as url:
        answer = httpx.post(url, json=INIT, headers=ACCEPT)
        assert answer.status_code == 200, answer.text

    command, pre = vidkit_command()
    refused = subprocess.run(
        [command, *pre, "-c", str(config), "mcp", "--http", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 1, refused
    assert refused.stderr.startswith("error: the API on 0.0.0.0 needs a bearer token")
    assert "VIDKIT_API_TOKEN" in refused.stderr and "Traceback" not in refused.stderr
