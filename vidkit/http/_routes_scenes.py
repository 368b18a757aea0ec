"""``/api/projects/{slug}/scenes``: ordered scenes, with atomic reordering and moves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from vidkit.http._deps import ERRORS, JSON_BODY_LIMIT, SceneId, WorkspaceDep
from vidkit.http._schemas import MoveScene, ReorderScenes, SceneCreate, SceneOut, SceneUpdate

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
