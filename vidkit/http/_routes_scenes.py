"""``/api/projects/{slug}/scenes``: ordered scenes, with atomic reordering and moves, and each
scene's captions (edited where they should not read as they are said)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from fastapi import Path as FastPath

from vidkit.http._deps import ERRORS, JSON_BODY_LIMIT, SceneId, WorkspaceDep
from vidkit.http._schemas import (
    CaptionIn,
    CaptionsOut,
    MoveScene,
    ReorderScenes,
    SceneCreate,
    SceneOut,
    SceneUpdate,
)

__all__ = ["router"]

router = APIRouter(
    prefix="/api/projects/{slug}/scenes",
    tags=["scenes"],
    responses=ERRORS,
    max_body_size=JSON_BODY_LIMIT,
)


@router.get("", response_model=list[SceneOut], summary="List a project's scenes in order")
def list_scenes(slug: str, ws: WorkspaceDep) -> list[dict[str, Any]]:
    return [scene.to_dict() for scene in ws.scenes(slug)]


@router.post("", status_code=201, response_model=SceneOut)
def create_scene(slug: str, body: SceneCreate, ws: WorkspaceDep) -> dict[str, Any]:
    """Add a scene at ``position`` (1-based), or at the end."""
    fields = body.changes()
    title = fields.pop("title")
    position = fields.pop("position", None)
    return ws.add_scene(slug, title, position=position, **fields).to_dict()


@router.post("/reorder", response_model=list[SceneOut])
def reorder_scenes(slug: str, body: ReorderScenes, ws: WorkspaceDep) -> list[dict[str, Any]]:
    """Set the whole order at once (atomic); returns the scenes in their new order."""
    return [scene.to_dict() for scene in ws.reorder_scenes(slug, body.scene_ids)]


@router.api_route("/reorder", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def reorder_other_methods() -> None:
    """``reorder`` is no scene id: the path takes POST only (405, not a 422 about the id)."""
    raise HTTPException(405)


@router.get("/{scene_id}", response_model=SceneOut)
def get_scene(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> dict[str, Any]:
    return ws.scene(slug, scene_id).to_dict()


@router.patch("/{scene_id}", response_model=SceneOut)
def update_scene(
    slug: str, scene_id: SceneId, body: SceneUpdate, ws: WorkspaceDep
) -> dict[str, Any]:
    """Change the fields sent. To change the position, use ``.../move``."""
    return ws.update_scene(slug, scene_id, **body.changes()).to_dict()


@router.post("/{scene_id}/move", response_model=list[SceneOut])
def move_scene(
    slug: str, scene_id: SceneId, body: MoveScene, ws: WorkspaceDep
) -> list[dict[str, Any]]:
    """Move one scene to a 1-based position; returns the scenes in their new order."""
    return [scene.to_dict() for scene in ws.move_scene(slug, scene_id, body.position)]


@router.delete("/{scene_id}", status_code=204)
def delete_scene(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> None:
    """Delete the scene with its assets and jobs; later scenes move up."""
    ws.delete_scene(slug, scene_id)


@router.get("/{scene_id}/captions", response_model=CaptionsOut)
def scene_captions(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> dict[str, Any]:
    """The scene's captions one by one: times (estimated until it is spoken), what each
    shows, what is said meanwhile and whether the two differ; edits that match nothing now."""
    from vidkit import editing

    return {"scene_id": scene_id, **editing.scene_captions(ws, slug, scene_id).to_dict()}


@router.api_route(
    "/{scene_id}/captions/stale", methods=["GET", "PUT", "PATCH", "POST"], include_in_schema=False
)
def stale_other_methods() -> None:
    """``stale`` is no caption number: the path takes DELETE only (405, not a 422 about it)."""
    raise HTTPException(405)


@router.put("/{scene_id}/captions/{number}", response_model=CaptionsOut)
def edit_caption(
    slug: str,
    scene_id: SceneId,
    number: Annotated[int, FastPath(ge=1, le=100_000)],
    body: CaptionIn,
    ws: WorkspaceDep,
) -> dict[str, Any]:
    """Show ``text`` in place of caption ``number``, at the same times ('' puts it back to
    the words); returns the captions as they are now."""
    from vidkit import editing

    editing.edit_caption(ws, slug, scene_id, number, body.text)
    return {"scene_id": scene_id, **editing.scene_captions(ws, slug, scene_id).to_dict()}


@router.delete("/{scene_id}/captions/stale", response_model=CaptionsOut)
def drop_stale_caption_edits(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> dict[str, Any]:
    """Forget the caption edits that no caption reads any more."""
    from vidkit import editing

    editing.drop_stale_caption_edits(ws, slug, scene_id)
    return {"scene_id": scene_id, **editing.scene_captions(ws, slug, scene_id).to_dict()}
