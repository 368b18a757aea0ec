"""What the routes share: the workspace dependency and the error responses they document."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import Depends, Path, Request

from vidkit.http._schemas import ID_MAX, ErrorOut
from vidkit.workspace import Workspace

__all__ = ["ERRORS", "JSON_BODY_LIMIT", "AssetId", "SceneId", "WorkspaceDep"]

#: Largest JSON request body, in bytes: room for a narration and notes at the library's
#: 1,000,000-character limit each, even with every character escaped (up to 12 bytes each).
JSON_BODY_LIMIT: Final = 32 * 1024 * 1024

#: Error responses every project route can give (422 FastAPI documents by itself).
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    404: {"model": ErrorOut, "description": "No such project, scene or asset"},
    503: {
        "model": ErrorOut,
        "description": "The catalogue stayed locked; retry after Retry-After s",
    },
}


def get_workspace(request: Request) -> Workspace:
    workspace = request.app.state.workspace
    assert isinstance(workspace, Workspace)
    return workspace


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
SceneId = Annotated[int, Path(ge=1, le=ID_MAX)]
AssetId = Annotated[int, Path(ge=1, le=ID_MAX)]
