"""vidkit as an MCP server, for AI agents (``vidkit mcp``), built on the ``mcp`` SDK.

- :mod:`._server` — :func:`build_server`: the server over one workspace, with its
  instructions;
- :mod:`._tools` — the tools: ``list_projects``, ``show_project``, ``create_project``,
  ``add_scene``, ``edit_scene``, ``delete_scene``, ``write_script``, ``plan_scenes``,
  ``revise_scene`` (the configured LLM), ``render`` (progress notifications in words) and
  ``qc_report``;
- :mod:`._resources` — the resources: ``vidkit://projects``, ``vidkit://projects/{slug}``,
  ``.../scenes``, ``.../scenes/{scene_id}/transcript`` and ``.../qc``;
- :mod:`._errors` — a :class:`~vidkit.errors.VidkitError` as a tool error in words (never a
  traceback); :mod:`._progress` — long work on a worker thread, its progress as notifications;
- :mod:`._transport` — :func:`run_stdio` and :func:`run_http` (streamable HTTP behind
  ``vidkit serve``'s Host/Origin guard and bearer token).

Importing this package does no work: the SDK loads on first use of these names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vidkit._lazy import lazy_names

__all__ = ["PATH", "build_server", "http_app", "run_http", "run_stdio"]

if TYPE_CHECKING:
    from vidkit.mcp_server._server import build_server
    from vidkit.mcp_server._transport import PATH, http_app, run_http, run_stdio

_LAZY = {
    "build_server": "vidkit.mcp_server._server",
    "PATH": "vidkit.mcp_server._transport",
    "http_app": "vidkit.mcp_server._transport",
    "run_http": "vidkit.mcp_server._transport",
    "run_stdio": "vidkit.mcp_server._transport",
}

__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
