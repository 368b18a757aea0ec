"""The documented error contract (docs/http.md) where FastAPI and Starlette answer by themselves:
bodies that are not UTF-8, downloads and the schema, 405s, and errors nothing else handled."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

import vidkit.http
from tests.conftest import write_config
from tests.http.support import field_errors
from vidkit.config import load_config
from vidkit.workspace import Workspace


@pytest.mark.parametrize("body", [b"\xff\xfe{}", b'{"title": "caf\xe9"}'])
def test_a_body_that_is_not_utf8_is_422_json_invalid(
    api: httpx.Client, project: str, body: bytes
) -> None:
    response = api.post(
        f"/api/projects/{project}/scenes",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert [item["type"] for item in response.json()["detail"]] == ["json_invalid"]
    assert [loc[0] for loc in field_errors(response)] == ["body"]


def test_a_download_has_the_content_type_the_schema_declares(
    api: httpx.Client, project: str, tmp_path: Path
) -> None:
    source = tmp_path / "loop.py"
    source.write_text("squares = [n * n for n in range(10)]\n", encoding="utf-8")
    with source.open("rb") as handle:
        upload = api.post(
            f"/api/projects/{project}/assets",
            files={"file": (source.name, handle, "text/x-python")},
            data={"kind": "code_file"},
        )
    assert upload.status_code == 201, upload.text
    download = api.get(f"/api/projects/{project}/assets/{upload.json()['id']}/file")
    assert download.status_code == 200
    assert download.content == source.read_bytes()

    operation = api.get("/openapi.json").json()["paths"][
        "/api/projects/{slug}/assets/{asset_id}/file"
    ]["get"]
    declared = operation["responses"]["200"]["content"]
    assert download.headers["content-type"] in declared
    assert download.headers["content-disposition"] == 'attachment; filename="loop.py"'


def test_405_allows_every_method_the_path_has(api: httpx.Client, project: str) -> None:
    response = api.put("/api/projects")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert isinstance(response.json()["detail"], str)
    # "reorder" is no scene id: the path has POST only
    response = api.patch(f"/api/projects/{project}/scenes/reorder", json={})
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"


def test_an_unexpected_error_is_a_json_500_and_one_log_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Workspace) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr(Workspace, "projects", broken)
    app = vidkit.http.create_app(load_config(write_config(tmp_path / "ws")))
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.INFO, logger="vidkit.http"),
    ):
        response = client.get("/api/projects")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert "RuntimeError" in response.json()["detail"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage() == (
        "GET /api/projects failed: RuntimeError: disk on fire second line"
    )


def test_an_error_with_a_hint_sends_it_as_json(api: httpx.Client) -> None:
    response = api.get("/api/projects/no-such-project")
    assert response.status_code == 404
    body = response.json()
    assert body["detail"] == "no project with slug 'no-such-project'"
    assert body["hint"]["action"] == "list_projects"
    assert body["hint"]["cli"] == "`vidkit projects list` shows them"
    assert "`" not in body["hint"]["studio"]
    schemas = api.get("/openapi.json").json()["components"]["schemas"]
    assert "hint" in schemas["ErrorOut"]["properties"]
    assert set(schemas["HintOut"]["properties"]) == {"action", "cli", "studio"}


def test_a_422_from_the_library_sends_its_hint_beside_the_items(tmp_path: Path) -> None:
    from fastapi import FastAPI

    from vidkit.errors import Hint, InvalidInput
    from vidkit.http._errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.post("/plan")
    def plan() -> None:
        raise InvalidInput(
            "no script yet", field="script", hint=Hint("write_script", cli="`vidkit write`")
        )

    with TestClient(app) as client:
        response = client.post("/plan")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body", "script"], "msg": "no script yet", "type": "invalid_input"}],
        "hint": {"action": "write_script", "cli": "`vidkit write`"},
    }
