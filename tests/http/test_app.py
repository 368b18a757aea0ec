"""The app as a whole: health, OpenAPI and docs, the error mapping, and a cheap import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from pydantic import BaseModel

import vidkit
import vidkit.http
from tests.conftest import REPO, write_config
from tests.http.support import RunningServer, running_server
from vidkit.config import load_config
from vidkit.errors import (
    AssetError,
    BackendError,
    CatalogueError,
    CatalogueLocked,
    ConfigError,
    Conflict,
    InvalidInput,
    MediaError,
    NotFound,
    VidkitError,
)
from vidkit.http._errors import status_for
from vidkit.http._schemas import AssetOut, ProjectOut, SceneOut
from vidkit.model import Asset, Project, Scene

PATHS = {
    "/api/health": {"get"},
    "/api/projects": {"get", "post"},
    "/api/projects/{slug}": {"get", "patch", "delete"},
    "/api/projects/{slug}/scenes": {"get", "post"},
    "/api/projects/{slug}/scenes/reorder": {"post"},
    "/api/projects/{slug}/scenes/{scene_id}": {"get", "patch", "delete"},
    "/api/projects/{slug}/scenes/{scene_id}/move": {"post"},
    "/api/projects/{slug}/assets": {"get", "post"},
    "/api/projects/{slug}/assets/{asset_id}": {"get", "delete"},
    "/api/projects/{slug}/assets/{asset_id}/file": {"get"},
    "/api/projects/{slug}/assets/{asset_id}/split": {"post"},
    "/api/projects/{slug}/scenes/{scene_id}/recording": {"get", "put"},
    "/api/projects/{slug}/scenes/{scene_id}/recording/edits": {"get"},
    "/api/projects/{slug}/scenes/{scene_id}/recording/transcribe": {"post"},
    "/api/projects/{slug}/scenes/{scene_id}/recording/tighten": {"post"},
    "/api/projects/{slug}/scenes/{scene_id}/recording/cuts": {"put"},
    "/api/projects/{slug}/scenes/{scene_id}/recording/undo": {"post"},
    "/api/projects/{slug}/scenes/{scene_id}/capture": {"get", "put", "delete"},
    "/api/projects/{slug}/scenes/{scene_id}/capture/run": {"post"},
    "/api/projects/{slug}/scenes/{scene_id}/capture/steps/{step}.png": {"get"},
    "/api/projects/{slug}/scenes/{scene_id}/captions": {"get"},
    "/api/projects/{slug}/scenes/{scene_id}/captions/{number}": {"put"},
    "/api/projects/{slug}/scenes/{scene_id}/captions/stale": {"delete"},
    "/api/projects/{slug}/render": {"post"},
    "/api/projects/{slug}/jobs": {"get", "post"},
    "/api/projects/{slug}/jobs/{job_id}": {"get"},
    "/api/projects/{slug}/jobs/{job_id}/cancel": {"post"},
    "/api/projects/{slug}/jobs/{job_id}/events": {"get"},
    "/api/projects/{slug}/jobs/{job_id}/files/{name}": {"get"},
    "/api/projects/{slug}/script": {"get", "put", "post"},
    "/api/projects/{slug}/plan": {"post"},
    "/api/projects/{slug}/scenes/{scene_id}/revise": {"post"},
    "/api/projects/{slug}/lexicon": {"get"},
    "/api/projects/{slug}/lexicon/suggest": {"post"},
    "/api/projects/{slug}/voices": {"get", "post"},
    "/api/projects/{slug}/voices/{name}": {"delete"},
    "/api/projects/{slug}/voices/{name}/use": {"post"},
    "/api/projects/{slug}/avatar/candidates": {"post"},
    "/api/projects/{slug}/avatar/candidates/{asset_id}/pick": {"post"},
}


def test_health(api: httpx.Client) -> None:
    response = api.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": vidkit.__version__}


def test_openapi_lists_every_route(api: httpx.Client) -> None:
    schema = api.get("/openapi.json").json()
    assert {path: set(ops) for path, ops in schema["paths"].items()} == PATHS
    assert "security" not in schema["paths"]["/api/projects"]["get"]  # loopback: no token
    update = schema["components"]["schemas"]["ProjectUpdate"]["properties"]
    title = {"title": "Title", "type": "string", "pattern": r"\S", "maxLength": 200}
    assert update["title"] == title  # null is no title; a blank one is refused
    scene = schema["components"]["schemas"]["SceneUpdate"]["properties"]
    assert {"type": "null"} in scene["avatar_x"]["anyOf"]  # null clears a position
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text


def test_unknown_routes_and_methods(api: httpx.Client) -> None:
    assert api.get("/api/nothing-here").status_code == 404
    assert api.put("/api/projects").status_code == 405


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFound("x"), 404),
        (Conflict("x"), 409),
        (InvalidInput("x", field="title"), 422),
        (MediaError("x"), 422),
        (AssetError("x"), 500),
        (CatalogueLocked("x"), 503),
        (CatalogueError("x"), 503),
        (ConfigError("x"), 500),
        (BackendError("x"), 502),
        (VidkitError("x"), 500),
    ],
)
def test_each_error_class_has_its_status(error: VidkitError, status: int) -> None:
    assert status_for(error) == status


@pytest.mark.parametrize(
    ("model", "value"),
    [
        (ProjectOut, Project(id=1, slug="p", title="P")),
        (SceneOut, Scene(id=1, project_id=1, position=1, title="S")),
        (
            AssetOut,
            Asset(id=1, project_id=1, kind="image", path="objects/x", sha256="0", size_bytes=1),
        ),
    ],
)
def test_response_models_describe_every_to_dict_key(model: type[BaseModel], value: Any) -> None:
    assert set(model.model_fields) == set(value.to_dict())


def test_a_locked_catalogue_is_503_with_retry_after(tmp_path: Path) -> None:
    config_path = write_config(tmp_path)
    text = config_path.read_text(encoding="utf-8")
    assert "lock_timeout_s = 60.0" in text
    config_path.write_text(
        text.replace("lock_timeout_s = 60.0", "lock_timeout_s = 0.3"), encoding="utf-8"
    )
    with running_server(tmp_path, config_path=config_path) as server, server.client() as client:
        assert client.get("/api/projects").json() == []  # the catalogue now exists
        holder = duckdb.connect(str(load_config(config_path).catalogue.path))
        try:
            locked = client.get("/api/projects")
        finally:
            holder.close()
        assert locked.status_code == 503
        assert locked.headers["retry-after"] == "5"
        assert "locked" in locked.json()["detail"]
        assert client.get("/api/projects").status_code == 200


def test_the_package_is_cheap_to_import() -> None:
    code = "import sys, vidkit.http; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert not {"fastapi", "starlette", "uvicorn", "pydantic", "duckdb"} & set(out.stdout.split())
    assert vidkit.http.__all__ == sorted(vidkit.http.__all__)
    assert all(callable(getattr(vidkit.http, name)) for name in vidkit.http.__all__)


def test_server_log_names_the_address(server: RunningServer) -> None:
    assert f"vidkit API on {server.url} (docs at /docs; bearer token not required)" in server.log()
