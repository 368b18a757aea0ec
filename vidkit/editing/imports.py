"""Importing a file as an asset, the way every surface does it: an avatar photo becomes the
project's presenter only once it has been cut out and rigged (otherwise the old one stays)."""

from __future__ import annotations

import os
from typing import BinaryIO

from vidkit.errors import InvalidInput
from vidkit.model import Asset
from vidkit.pipeline import SceneGraph
from vidkit.workspace import Workspace

__all__ = ["import_asset"]


def import_asset(
    ws: Workspace,
    slug: str,
    source: str | os.PathLike[str] | BinaryIO,
    *,
    kind: str,
    filename: str | None = None,
    scene_id: int | None = None,
) -> Asset:
    """Copy a file (a path, or a stream named ``filename``) into the project's assets.

    Media are checked by kind before anything is recorded. An ``avatar_image`` is a project's
    presenter photo: it is cut out and its face rigged first, and recorded only if both work
    (a portrait with no face is refused and the previous photo stays).
    """
    if kind == "avatar_image":
        if scene_id is not None:
            raise InvalidInput(
                "an avatar photo belongs to the whole project, not to one scene: "
                "import it without a scene",
                field="scene_id",
            )
        photo, _ = SceneGraph(ws, slug).adopt_photo(source, filename=filename)
        return photo
    if isinstance(source, (str, os.PathLike)):
        return ws.import_asset(slug, source, kind=kind, scene_id=scene_id)
    return ws.import_stream(
        slug, source, filename=filename or "upload", kind=kind, scene_id=scene_id
    )
