"""Building the MCP server over one workspace: its tools (:mod:`._tools`) and resources
(:mod:`._resources`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer

from vidkit import __version__
from vidkit.config import Config
from vidkit.mcp_server import _resources, _tools
from vidkit.mcp_server._state import State

if TYPE_CHECKING:
    from vidkit.authoring import LLM

__all__ = ["INSTRUCTIONS", "build_server"]

INSTRUCTIONS = """\
vidkit makes narrated educational videos presented by an animated avatar. A project holds
ordered scenes; each scene's narration is spoken by the presenter over its screen.

A typical session: create_project (a small size such as 640x360 renders fast), then either
add_scene for each scene or write_script + plan_scenes to have the configured LLM write and
cut the script; edit_scene to change one; render (progress comes as notifications; only
changed scenes render again) and read each scene's quality checks in its answer or with
qc_report. Scenes are addressed by id (show_project lists them); positions are 1-based.
Resources: vidkit://projects, vidkit://projects/{slug}/scenes, .../scenes/{id}/transcript,
vidkit://projects/{slug}/qc. An error names what to change and, after ';', the vidkit
command that helps."""


def build_server(config: Config, *, llm: LLM | None = None) -> MCPServer[Any]:
    """The MCP server over the workspace ``config`` describes; ``llm``: the model the authoring
    tools use (default: the one ``[llm]`` names, built on first use)."""
    server: MCPServer[Any] = MCPServer(
        "vidkit",
        title="vidkit",
        description="Narrated, avatar-presented educational videos: projects, scenes, renders.",
        instructions=INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )
    state = State(config, llm=llm)
    _tools.register(server, state)
    _resources.register(server, state)
    return server
