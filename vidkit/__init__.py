"""vidkit: narrated, avatar-presented educational videos from a topic, a script or a recording.

Start with :func:`open`, which reads ``config.toml`` and returns a :class:`Workspace` through
which projects, scenes and assets are listed, created, updated and deleted::

    import vidkit
    ws = vidkit.open()
    ws.create_project("intro-py", "Intro to Python")

Importing this package does no work: everything is loaded on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Asset",
    "Config",
    "Job",
    "Layout",
    "Project",
    "Scene",
    "VidkitError",
    "Workspace",
    "__version__",
    "open",
]

if TYPE_CHECKING:
    from vidkit.workspace import Workspace, open
    from vidkit.config import Config
    from vidkit.errors import VidkitError
    from vidkit.model import Asset, Job, Layout, Project, Scene

_LAZY = {
    "Workspace": "vidkit.api",
    "open": "vidkit.api",
    "Config": "vidkit.config",
    "VidkitError": "vidkit.errors",
    "Asset": "vidkit.model",
    "Job": "vidkit.model",
    "Layout": "vidkit.model",
    "Project": "vidkit.model",
    "Scene": "vidkit.model",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'vidkit' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
