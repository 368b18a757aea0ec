"""vidkit: narrated, avatar-presented educational videos from a topic, a script or a recording.

Start with :func:`open`, which reads ``config.toml`` and returns a :class:`Workspace` through
which projects, scenes and assets are listed, created, updated and deleted::

    import vidkit
    ws = vidkit.open()
    ws.create_project("intro-py", "Intro to Python")
    ws.add_scene("intro-py", "Hello", narration="Welcome to Python.")
    vidkit.render(ws, "intro-py")  # a RenderResult: the finished video, captions, chapters

A scene made from a raw recording is tightened with ``vidkit.tighten(ws, slug, scene_id)``
and edited by text through ``vidkit.transcript(...)`` (see :mod:`vidkit.editing.recording`).

The documented submodules are public too: :mod:`vidkit.model` and :mod:`vidkit.errors`
(the domain values and errors), :mod:`vidkit.config`, :mod:`vidkit.pipeline` (rendering and
its progress events), :mod:`vidkit.editing` (drafts, previews and statuses for editors),
:mod:`vidkit.authoring` (writing and planning with an LLM) and :mod:`vidkit.example`.

Importing this package does no work: everything is loaded on first use.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from vidkit._lazy import lazy_names

__version__ = "0.1.0"

__all__ = [
    "Asset",
    "Config",
    "Job",
    "Layout",
    "Project",
    "RenderResult",
    "Scene",
    "VidkitError",
    "Workspace",
    "__version__",
    "open",
    "render",
    "tighten",
    "transcript",
]

if TYPE_CHECKING:
    from vidkit.api import open
    from vidkit.config import Config
    from vidkit.editing.recording import tighten, transcript
    from vidkit.errors import VidkitError
    from vidkit.model import Asset, Job, Layout, Project, Scene
    from vidkit.pipeline import RenderResult, render
    from vidkit.workspace import Workspace

_LAZY = {
    "Workspace": "vidkit.workspace",
    "open": "vidkit.api",
    "render": "vidkit.pipeline",
    "tighten": "vidkit.editing.recording",
    "transcript": "vidkit.editing.recording",
    "RenderResult": "vidkit.pipeline",
    "Config": "vidkit.config",
    "VidkitError": "vidkit.errors",
    "Asset": "vidkit.model",
    "Job": "vidkit.model",
    "Layout": "vidkit.model",
    "Project": "vidkit.model",
    "Scene": "vidkit.model",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)


class _Package(types.ModuleType):
    """``vidkit.render`` is the render function; importing the ``vidkit.render`` subpackage
    (the renderer, imported by every render) would otherwise replace it with that module, so
    that a second ``vidkit.render(ws, slug)`` in a notebook failed."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "render" and isinstance(value, types.ModuleType):
            return  # the subpackage stays reachable as sys.modules["vidkit.render"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
