"""The Python API: :func:`open` a workspace, then work with projects, scenes and assets
(:class:`~vidkit.workspace.Workspace`)."""

from __future__ import annotations

import os

from vidkit.config import load_config
from vidkit.workspace import Workspace

__all__ = ["Workspace", "open"]


def open(config_path: str | os.PathLike[str] | None = None) -> Workspace:
    """Open the workspace described by a config file.

    Without an argument the config is ``$VIDKIT_CONFIG`` or the nearest ``config.toml`` in the
    working directory or its parents.
    """
    return Workspace(load_config(config_path))
