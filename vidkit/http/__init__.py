"""The HTTP API of vidkit: a FastAPI app over the :class:`~vidkit.workspace.Workspace`.

:func:`create_app` builds the app for a config; :func:`serve` runs it with uvicorn (what
``vidkit serve`` calls). :func:`token_required` says whether a host needs the bearer token.
:func:`guarded` and :func:`serve_guarded` put the same rules (cross-site guard, bearer token)
around another ASGI app and serve it (``vidkit mcp --http``).
Importing this package is cheap: FastAPI loads on first use of these names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vidkit._lazy import lazy_names

__all__ = ["create_app", "guarded", "serve", "serve_guarded", "token_required"]

if TYPE_CHECKING:
    from vidkit.http._app import create_app, serve
    from vidkit.http._guard import guarded, serve_guarded
    from vidkit.http._token import token_required

_LAZY = {
    "create_app": "vidkit.http._app",
    "serve": "vidkit.http._app",
    "guarded": "vidkit.http._guard",
    "serve_guarded": "vidkit.http._guard",
    "token_required": "vidkit.http._token",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
