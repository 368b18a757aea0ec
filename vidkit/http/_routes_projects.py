"""``/api/projects``: list, create, read, update (and rename) and delete projects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from vidkit.http._deps import ERRORS, JSON_BODY_LIMIT, WorkspaceDep
from vidkit.http._schemas import ErrorOut, ProjectCreate, ProjectOut, ProjectUpdate

__all__ = ["router"]

router = APIRouter(
    prefix="/api/projects", tags=["projects"], responses=ERRORS, max_body_size=JSON_BODY_LIMIT
)
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorOut, "description": "Another project has this slug"}
}


@router.get("", response_model=list[ProjectOut], summary="List projects, latest change first")
def list_projects(ws: WorkspaceDep) -> list[dict[str, Any]]:
    return [project.to_dict() for project in ws.projects()]


@router.post("", status_code=201, response_model=ProjectOut, responses=_CONFLICT)
def create_project(body: ProjectCreate, ws: WorkspaceDep, response: Response) -> dict[str, Any]:
    fields = body.changes()
    project = ws.create_project(fields.pop("slug"), fields.pop("title"), **fields)
    response.headers["Location"] = f"/api/projects/{project.slug}"
    return project.to_dict()


@router.get("/{slug}", response_model=ProjectOut)
def get_project(slug: str, ws: WorkspaceDep) -> dict[str, Any]:
    return ws.project(slug).to_dict()


@router.patch("/{slug}", response_model=ProjectOut, responses=_CONFLICT)
def update_project(slug: str, body: ProjectUpdate, ws: WorkspaceDep) -> dict[str, Any]:
    """Change the fields sent; a new ``slug`` renames the project."""
    return ws.update_project(slug, **body.changes()).to_dict()


@router.delete("/{slug}", status_code=204)
def delete_project(slug: str, ws: WorkspaceDep) -> None:
    """Delete the project with its scenes, assets and jobs (a running one is cancelled first),
    and the files nothing else uses."""
    from vidkit.jobs import stop_project_jobs

    ws.project(slug)  # 404 before anything is stopped
    stop_project_jobs(ws, slug)
    ws.delete_project(slug)
