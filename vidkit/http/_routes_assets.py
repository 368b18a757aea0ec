"""``/api/projects/{slug}/assets``: list, upload, describe, download and delete asset files."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import FileResponse

from vidkit.editing import import_asset
from vidkit.errors import NotFound
from vidkit.http._deps import ERRORS, AssetId, WorkspaceDep
from vidkit.http._schemas import ID_MAX, AssetOut
from vidkit.model import ASSET_KINDS, Asset
from vidkit.workspace import Workspace

__all__ = ["router"]

#: The kinds, documented (the library checks them and names them in its message).
_KIND_ENUM: dict[str, Any] = {"enum": sorted(ASSET_KINDS)}

router = APIRouter(prefix="/api/projects/{slug}/assets", tags=["assets"], responses=ERRORS)


def _find(ws: Workspace, slug: str, asset_id: int) -> Asset:
    for asset in ws.assets(slug):
        if asset.id == asset_id:
            return asset
    raise NotFound(
        f"project {slug!r} has no asset with id {asset_id}; "
        f"GET /api/projects/{slug}/assets lists them"
    )


@router.get("", response_model=list[AssetOut], summary="List a project's assets")
def list_assets(
    slug: str,
    ws: WorkspaceDep,
    scene_id: Annotated[int | None, Query(ge=1, le=ID_MAX, description="only this scene's")] = None,
    kind: Annotated[
        str | None, Query(description="only assets of this kind", json_schema_extra=_KIND_ENUM)
    ] = None,
) -> list[dict[str, Any]]:
    return [asset.to_dict() for asset in ws.assets(slug, scene_id=scene_id, kind=kind)]


@router.post("", status_code=201, response_model=AssetOut)
def upload_asset(
    slug: str,
    ws: WorkspaceDep,
    file: UploadFile,
    kind: Annotated[str, Form(examples=["screen_capture"], json_schema_extra=_KIND_ENUM)],
    # A form field cannot be null: leave it out for no scene (the schema says integer only).
    scene_id: Annotated[
        int | None, Form(ge=1, le=ID_MAX, json_schema_extra={"type": "integer"})
    ] = None,
) -> dict[str, Any]:
    """Upload a file (multipart). Media kinds must decode as audio, video or images of usable
    size; the same content of the same kind for the same scene is stored once, and uploading it
    again returns the existing asset. An `avatar_image` (project-wide: no `scene_id`) becomes
    the presenter only once it has been cut out and its face found (a few seconds); a portrait
    with no face is a 422 and the previous photo stays."""
    filename = PurePath(file.filename or "").name or "upload"
    asset = import_asset(ws, slug, file.file, filename=filename, kind=kind, scene_id=scene_id)
    return asset.to_dict()


@router.get("/{asset_id}", response_model=AssetOut)
def get_asset(slug: str, asset_id: AssetId, ws: WorkspaceDep) -> dict[str, Any]:
    return _find(ws, slug, asset_id).to_dict()


@router.get(
    "/{asset_id}/file",
    response_class=FileResponse,
    responses={
        200: {
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
            "description": "The file's bytes, as an attachment named after the uploaded file",
            "headers": {
                "Content-Disposition": {
                    "description": "attachment; filename=... (the uploaded file's name)",
                    "schema": {"type": "string"},
                }
            },
        }
    },
)
def download_asset(slug: str, asset_id: AssetId, ws: WorkspaceDep) -> FileResponse:
    """The asset's file, named after the uploaded file; supports HTTP range requests.

    Always ``application/octet-stream`` with ``Content-Disposition: attachment``: the bytes are
    whatever was uploaded, so a browser saves them rather than running an uploaded HTML or SVG
    page as this server's own (the kind and the name say what the file is)."""
    asset = _find(ws, slug, asset_id)
    path = ws.asset_path(asset)
    if not path.is_file():
        raise NotFound(
            f"the file of asset {asset_id} ({asset.path}) is missing from the assets root; "
            "import it again"
        )
    filename = str(asset.metadata.get("filename") or path.name)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=filename,
        content_disposition_type="attachment",
    )


@router.delete("/{asset_id}", status_code=204)
def delete_asset(slug: str, asset_id: AssetId, ws: WorkspaceDep) -> None:
    """Forget the asset; its file goes too unless another asset shares it."""
    ws.delete_asset(slug, asset_id)
