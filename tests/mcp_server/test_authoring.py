"""Writing and planning through ``vidkit mcp`` with the configured LLM: a local
OpenAI-compatible server (the tests' fake, with a key), its tokens as progress; and the LLM
that cannot be reached, a tool error naming what to set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends.llm.servers import ChatServer
from tests.cli.test_author import ENV, KEY, answer
from tests.mcp_server.conftest import connected, mcp_config, run_client
from tests.mcp_server.test_stdio import data, refused

pytestmark = pytest.mark.slow


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer(answer, key=KEY) as running:
        yield running


def openai(url: str) -> str:
    return (
        f'[llm]\nbackend = "openai"\nretries = 0\n[llm.cloud]\nbase_url = "{url}"\n'
        f'model = "gpt-test"\napi_key_env = "{ENV}"\ntimeout_s = 10.0\n'
    )


def test_write_plan_and_revise(server: ChatServer, tmp_path: Path) -> None:
    config = mcp_config(tmp_path / "ws", openai(server.openai_url))

    async def session_run() -> None:
        async with connected(config, env={ENV: KEY}) as mcp:
            data(await mcp.call_tool("create_project", {"slug": "lc", "title": "LC"}))
            written = data(await mcp.call_tool(
                "write_script", {"slug": "lc", "topic": "list comprehensions", "minutes": 0.5}
            ))  # fmt: skip
            assert written["title"] == "Comprehensions" and "Loops build lists." in written["text"]
            assert written["cached"] is False

            planned = data(await mcp.call_tool("plan_scenes", {"slug": "lc"}))
            assert [s["title"] for s in planned["scenes"]] == ["Loops", "One line"]
            refused(
                await mcp.call_tool("plan_scenes", {"slug": "lc"}),
                "already has 2 scene(s)",
            )  # fmt: skip
            first = planned["scenes"][0]["id"]
            revised = data(await mcp.call_tool(
                "revise_scene", {"slug": "lc", "scene_id": first, "ask": "shorter"}
            ))  # fmt: skip
            assert revised["scene"]["narration"] == "Shorter."
            assert revised["before"] == "Loops build lists."

    run_client(session_run)
    assert [r.body["model"] for r in server.requests] == ["gpt-test"] * 3


def test_an_llm_without_its_key_is_a_tool_error(tmp_path: Path) -> None:
    config = mcp_config(tmp_path / "ws", openai("http://127.0.0.1:9/v1"))

    async def session_run() -> None:
        async with connected(config) as mcp:  # no key in the server's environment
            data(await mcp.call_tool("create_project", {"slug": "lc", "title": "LC"}))
            error = refused(
                await mcp.call_tool("write_script", {"slug": "lc", "topic": "loops"}),
                f"set the environment variable {ENV}",
            )  # fmt: skip
            assert error["type"] == "ConfigError"

    run_client(session_run)
