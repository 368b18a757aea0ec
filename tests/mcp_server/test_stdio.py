"""``vidkit mcp`` over stdio, driven by the SDK's own client: create a project, add scenes,
render with progress notifications, read the QC report and the resources; and the ways an
agent gets it wrong, answered in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, TextResourceContents

from tests.mcp_server.conftest import connected, mcp_config, run_client, server_log

TOOLS = {
    "list_projects", "show_project", "create_project", "add_scene", "edit_scene",
    "delete_scene", "write_script", "plan_scenes", "revise_scene", "render", "qc_report",
}  # fmt: skip


def text_of(result: CallToolResult) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


def data(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text_of(result)
    assert isinstance(result.structured_content, dict)
    return dict(result.structured_content)


async def read_json(session: ClientSession, uri: str) -> Any:
    [contents] = (await session.read_resource(uri)).contents
    assert isinstance(contents, TextResourceContents) and contents.mime_type == "application/json"
    return json.loads(contents.text)


def refused(result: CallToolResult, *phrases: str) -> dict[str, Any]:
    """A tool error in words: every phrase in its text, and no traceback; its structured
    content (vidkit's refusals have the message, type and hint apart)."""
    assert result.is_error, result
    text = text_of(result)
    for phrase in phrases:
        assert phrase in text, text
    assert "Traceback" not in text and 'File "' not in text, text
    return result.structured_content or {}


@pytest.mark.slow
def test_create_add_render_and_check_through_the_sdk_client(tmp_path: Path) -> None:
    config = mcp_config(tmp_path / "ws")

    async def session_run() -> None:
        async with connected(config) as mcp:
            tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
            assert set(tools) == TOOLS
            assert tools["render"].output_schema is not None
            assert "slug" in tools["add_scene"].input_schema["required"]

            project = data(await mcp.call_tool(
                "create_project",
                {"slug": "tiny", "title": "Tiny", "width": 320, "height": 180, "fps": 15},
            ))  # fmt: skip
            assert (project["slug"], project["width"], project["fps"]) == ("tiny", 320, "15")
            first = data(await mcp.call_tool(
                "add_scene", {"slug": "tiny", "title": "Hello", "narration": "Hello there."}
            ))  # fmt: skip
            second = data(await mcp.call_tool(
                "add_scene", {"slug": "tiny", "title": "Bye", "narration": "See you soon."}
            ))  # fmt: skip
            assert (first["position"], second["position"]) == (1, 2)
            moved = data(await mcp.call_tool(
                "edit_scene", {"slug": "tiny", "scene_id": second["id"], "position": 1,
                               "captions": False},
            ))  # fmt: skip
            assert (moved["position"], moved["captions"]) == (1, False)

            notified: list[tuple[float, float | None, str | None]] = []
            answered_meanwhile: list[int] = []

            async def on_progress(progress: float, total: float | None, message: Any) -> None:
                notified.append((progress, total, message))

            async def meanwhile() -> None:
                """The server answers other calls while it renders."""
                while not notified:
                    await anyio.sleep(0.05)
                listed = data(await mcp.call_tool("list_projects", {}))
                answered_meanwhile.append(len(listed["projects"]))

            rendered: dict[str, Any] = {}
            async with anyio.create_task_group() as group:
                group.start_soon(meanwhile)
                result = await mcp.call_tool(
                    "render", {"slug": "tiny"}, progress_callback=on_progress
                )
                rendered = data(result)
                done_at_answer = len(notified)
            assert answered_meanwhile == [1], "list_projects answered during the render"

            assert len(notified) >= 3, notified
            values = [p[0] for p in notified]
            assert values == sorted(set(values)), f"progress only rises: {values}"
            assert values[-1] == 100 and all(p[1] == 100 for p in notified)
            words = [p[2] or "" for p in notified]
            assert any("speaking the narration" in w for w in words), words
            assert any(w.startswith("scene 1: ") for w in words), words
            assert done_at_answer == len(notified), "no notification after the answer"

            video = Path(rendered["video"])
            assert video.is_file() and video.stat().st_size > 0
            assert set(rendered["sidecars"]) >= {"srt", "vtt", "chapters"}
            assert [s["title"] for s in rendered["scenes"]] == ["Bye", "Hello"]
            for scene in rendered["scenes"]:
                assert Path(scene["video"]).is_file()
                assert scene["qc"]["status"] in ("green", "amber"), scene["qc"]
                assert scene["cached"] is False
            assert rendered["film_qc"]["status"] in ("green", "amber")

            report = data(await mcp.call_tool("qc_report", {"slug": "tiny"}))
            assert [s["status"] for s in report["scenes"]] == [
                s["qc"]["status"] for s in rendered["scenes"]
            ]
            assert report["scenes"][0]["report"]["items"], "every check, not just a status"
            assert report["film"]["status"] == rendered["film_qc"]["status"]
            assert await read_json(mcp, "vidkit://projects/tiny/qc") == report

            scenes = await read_json(mcp, "vidkit://projects/tiny/scenes")
            assert [(s["id"], s["title"]) for s in scenes] == [
                (second["id"], "Bye"), (first["id"], "Hello"),
            ]  # fmt: skip
            said = await read_json(mcp, f"vidkit://projects/tiny/scenes/{first['id']}/transcript")
            assert said["source"] == "narration" and said["spoken"] is True
            assert [w["text"] for w in said["words"]] == ["Hello", "there"]
            assert 0 <= said["words"][0]["start_ms"] < said["words"][1]["start_ms"]

            again = data(await mcp.call_tool("render", {"slug": "tiny"}))
            assert all(s["cached"] for s in again["scenes"]), "nothing changed: all cached"

    run_client(session_run)
    assert "Traceback" not in server_log(config)


def test_mistakes_are_tool_errors_in_words(tmp_path: Path) -> None:
    """An empty project, unknown names, bad values, a missing LLM model: each an MCP tool
    error whose text is vidkit's sentence plus the CLI's hint, never a traceback."""
    config = mcp_config(
        tmp_path / "ws", '[llm]\nretries = 0\n[llm.embedded]\ngguf = "/nowhere/model.gguf"\n'
    )

    async def session_run() -> None:
        async with connected(config) as mcp:
            data(await mcp.call_tool("create_project", {"slug": "empty", "title": "Empty"}))
            error = refused(await mcp.call_tool("render", {"slug": "empty"}), "has no scenes yet")
            assert error["type"] == "InvalidInput"

            error = refused(
                await mcp.call_tool("show_project", {"slug": "nope"}),
                "no project with slug 'nope'", "; `vidkit projects list` shows them",
            )  # fmt: skip
            assert error["hint"]["action"] == "list_projects"
            refused(
                await mcp.call_tool("create_project", {"slug": "empty", "title": "Again"}),
                "already exists",
            )  # fmt: skip
            refused(
                await mcp.call_tool("create_project", {"slug": "Bad Slug", "title": "B"}),
                "slug",
            )  # fmt: skip
            refused(
                await mcp.call_tool("edit_scene", {"slug": "empty", "scene_id": 99, "title": "x"}),
                "99",
            )  # fmt: skip
            # the input schema refuses this one before vidkit sees it
            refused(
                await mcp.call_tool(
                    "add_scene", {"slug": "empty", "title": "x", "avatar_corner": "middle"}
                ),
                "avatar_corner", "top-left",
            )  # fmt: skip

            refused(
                await mcp.call_tool("write_script", {"slug": "nope", "topic": "loops"}),
                "no project with slug 'nope'",
            )  # fmt: skip, said before the model is looked for
            error = refused(
                await mcp.call_tool("write_script", {"slug": "empty", "topic": "loops"}),
                "the embedded model file /nowhere/model.gguf is missing",
                "; run `vidkit models fetch`",
            )  # fmt: skip
            assert error["type"] == "BackendError" and error["hint"]["action"] == "fetch_models"

            with pytest.raises(MCPError, match="no project with slug 'nope'"):
                await mcp.read_resource("vidkit://projects/nope/scenes")
            with pytest.raises(MCPError, match="is not a number"):
                await mcp.read_resource("vidkit://projects/empty/scenes/first/transcript")
            assert await read_json(mcp, "vidkit://projects/empty/scenes") == []

    run_client(session_run)
    assert "Traceback" not in server_log(config)
