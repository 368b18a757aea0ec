"""The resources, all JSON:

- ``vidkit://projects`` — every project;
- ``vidkit://projects/{slug}`` — one project's settings;
- ``vidkit://projects/{slug}/scenes`` — its scenes in order;
- ``vidkit://projects/{slug}/scenes/{scene_id}/transcript`` — what a scene says, word by word
  (a recorded scene's transcript, else its narration);
- ``vidkit://projects/{slug}/qc`` — the QC report of its rendered scenes and film.

A project or scene that does not exist is MCP's invalid-params error, with the CLI's hint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer

from vidkit.errors import InvalidInput, VidkitError
from vidkit.mcp_server._errors import resource_error
from vidkit.mcp_server._state import State
from vidkit.mcp_server._views import qc_view, transcript_view

__all__ = ["register"]

_JSON = "application/json"


def _read(fn: Callable[[], Any]) -> str:
    """``fn()`` as indented JSON, or the resource error that reports why not."""
    try:
        return json.dumps(fn(), indent=2, ensure_ascii=False)
    except VidkitError as exc:
        raise resource_error(exc) from None


def _scene_id(text: str) -> int:
    if not text.isdigit():
        raise resource_error(InvalidInput(f"scene id {text!r} is not a number", field="scene_id"))
    return int(text)


def register(server: MCPServer[Any], state: State) -> None:
    """Add every resource to ``server``, reading ``state``'s workspace."""
    ws = state.workspace

    @server.resource("vidkit://projects", name="projects", mime_type=_JSON)
    def projects() -> str:
        """Every project of the workspace, most recently changed first."""
        return _read(lambda: [p.to_dict() for p in ws.projects()])

    @server.resource("vidkit://projects/{slug}", name="project", mime_type=_JSON)
    def project(slug: str) -> str:
        """A project's settings (format, voice, number of scenes)."""
        return _read(lambda: ws.project(slug).to_dict())

    @server.resource("vidkit://projects/{slug}/scenes", name="scenes", mime_type=_JSON)
    def scenes(slug: str) -> str:
        """A project's scenes in order: ids, titles, narration, layout, spoken length."""
        return _read(lambda: [s.to_dict() for s in ws.scenes(slug)])

    @server.resource(
        "vidkit://projects/{slug}/scenes/{scene_id}/transcript", name="transcript", mime_type=_JSON
    )
    def transcript(slug: str, scene_id: str) -> str:
        """What a scene says, word by word with times: a recorded scene's transcript (each word
        kept or cut), else its narration (as spoken once it is, else estimated)."""
        number = _scene_id(scene_id)
        return _read(lambda: transcript_view(ws, slug, number))

    @server.resource("vidkit://projects/{slug}/qc", name="qc", mime_type=_JSON)
    def qc(slug: str) -> str:
        """The quality checks of a project's rendered scenes and of its film."""
        return _read(lambda: qc_view(ws, slug))
