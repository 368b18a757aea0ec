"""Projects over HTTP: CRUD, renaming, conflicts and field errors, against a real server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidkit
from tests.http.support import RunningServer, field_errors


def test_create_read_list_update_delete(api: httpx.Client, new_slug: Callable[[], str]) -> None:
    slug = new_slug()
    created = api.post(
        "/api/projects",
        json={"slug": slug, "title": "Intro", "width": 1280, "height": 720, "fps": "30000/1001"},
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/api/projects/{slug}"
    body = created.json()
    assert (body["slug"], body["title"], body["width"], body["fps"]) == (
        slug,
        "Intro",
        1280,
        "30000/1001",
    )
    assert body["scene_count"] == 0

    assert api.get(f"/api/projects/{slug}").json() == body
    listed = api.get("/api/projects")
    assert listed.status_code == 200
    assert slug in [p["slug"] for p in listed.json()]

    updated = api.patch(
        f"/api/projects/{slug}", json={"title": "Intro, again", "subtitle": "part 1", "fps": 25}
    )
    assert updated.status_code == 200, updated.text
    assert (updated.json()["title"], updated.json()["subtitle"], updated.json()["fps"]) == (
        "Intro, again",
        "part 1",
        "25",
    )
    assert updated.json()["width"] == 1280  # fields not sent stay as they were

    deleted = api.delete(f"/api/projects/{slug}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.get(f"/api/projects/{slug}").status_code == 404
    assert slug not in [p["slug"] for p in api.get("/api/projects").json()]


def test_json_is_the_to_dict_of_the_library(
    server: RunningServer, api: httpx.Client, project: str
) -> None:
    scene = api.post(
        f"/api/projects/{project}/scenes", json={"title": "One", "narration": "Hello there"}
    ).json()
    ws = vidkit.open(server.config_path)
    assert api.get(f"/api/projects/{project}").json() == ws.project(project).to_dict()
    assert (
        api.get(f"/api/projects/{project}/scenes/{scene['id']}").json()
        == ws.scene(project, scene["id"]).to_dict()
    )


def test_voice_is_one_of_the_projects_profiles(
    server: RunningServer, api: httpx.Client, project: str, make_media: Callable[..., Path]
) -> None:
    url = f"/api/projects/{project}"
    assert api.get(url).json()["voice"] == ""
    refused = api.patch(url, json={"voice": "Ada", "title": "Changed"})
    errors = field_errors(refused)
    assert "add a voice profile first" in errors[("body", "voice")], errors
    assert (api.get(url).json()["voice"], api.get(url).json()["title"]) == ("", "Test project")

    ws = vidkit.open(server.config_path)
    ws.add_voice(
        project, "Ada", make_media("audio", 1.0), transcript="x", consent="Ada agreed in writing"
    )
    chosen = api.patch(url, json={"voice": "Ada"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["voice"] == "Ada"
    assert api.get(url).json()["voice"] == ws.project(project).voice == "Ada"
    assert [p["voice"] for p in api.get("/api/projects").json() if p["slug"] == project] == ["Ada"]

    assert ("body", "voice") in field_errors(api.patch(url, json={"voice": None}))
    assert ("body", "voice") in field_errors(api.patch(url, json={"voice": 5}))
    assert api.get(url).json()["voice"] == "Ada"

    cleared = api.patch(url, json={"voice": ""})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["voice"] == ws.project(project).voice == ""


def test_renaming_the_slug_keeps_scenes_attached(
    api: httpx.Client, project: str, new_slug: Callable[[], str]
) -> None:
    for title in ("First", "Second"):
        assert api.post(f"/api/projects/{project}/scenes", json={"title": title}).status_code == 201
    renamed_to = new_slug()
    response = api.patch(f"/api/projects/{project}", json={"slug": renamed_to})
    assert response.status_code == 200, response.text
    assert response.json()["slug"] == renamed_to
    assert response.json()["scene_count"] == 2
    assert [s["title"] for s in api.get(f"/api/projects/{renamed_to}/scenes").json()] == [
        "First",
        "Second",
    ]
    assert api.get(f"/api/projects/{project}").status_code == 404
    assert api.get(f"/api/projects/{project}/scenes").status_code == 404


def test_duplicate_slug_is_409(
    api: httpx.Client, project: str, new_slug: Callable[[], str]
) -> None:
    again = api.post("/api/projects", json={"slug": project, "title": "Another"})
    assert again.status_code == 409
    assert project in again.json()["detail"]

    other = new_slug()
    assert api.post("/api/projects", json={"slug": other, "title": "Other"}).status_code == 201
    clash = api.patch(f"/api/projects/{other}", json={"slug": project})
    assert clash.status_code == 409
    assert api.get(f"/api/projects/{other}").json()["slug"] == other


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("GET", "/scenes"), ("GET", "/assets")],
)
def test_unknown_project_is_404(api: httpx.Client, method: str, suffix: str) -> None:
    response = api.request(
        method, f"/api/projects/no-such-project{suffix}", json={} if method == "PATCH" else None
    )
    assert response.status_code == 404
    assert "no-such-project" in response.json()["detail"]


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"slug": "../x", "title": "t"}, ("body", "slug")),
        ({"slug": "Has Spaces", "title": "t"}, ("body", "slug")),
        ({"title": "t"}, ("body", "slug")),
        ({"slug": "SLUG", "title": "   "}, ("body", "title")),
        ({"slug": "SLUG", "title": ""}, ("body", "title")),
        ({"slug": "SLUG", "title": None}, ("body", "title")),
        ({"slug": "SLUG", "title": 5}, ("body", "title")),
        ({"slug": 7, "title": "t"}, ("body", "slug")),
        ({"slug": "SLUG", "title": "t", "width": "1920"}, ("body", "width")),
        ({"slug": "SLUG", "title": "t", "width": 1921}, ("body", "width")),
        ({"slug": "SLUG", "title": "t", "height": True}, ("body", "height")),
        ({"slug": "SLUG", "title": "t", "fps": 0}, ("body", "fps")),
        ({"slug": "SLUG", "title": "t", "fps": "fast"}, ("body", "fps")),
        ({"slug": "SLUG", "title": "t", "fps": "1e999999999"}, ("body", "fps")),
        ({"slug": "SLUG", "title": "t", "colour": "red"}, ("body", "colour")),
        ({"slug": "SLUG", "title": "t", "description": ["a"]}, ("body", "description")),
    ],
)
def test_invalid_project_fields_are_422_naming_the_field(
    api: httpx.Client, new_slug: Callable[[], str], fields: dict[str, Any], loc: tuple[str, ...]
) -> None:
    slug = new_slug()
    body = {key: (slug if value == "SLUG" else value) for key, value in fields.items()}
    errors = field_errors(api.post("/api/projects", json=body))
    assert loc in errors, errors
    assert api.get(f"/api/projects/{slug}").status_code == 404  # nothing half-created


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"title": ""}, ("body", "title")),
        ({"title": None}, ("body", "title")),
        ({"slug": "bad slug"}, ("body", "slug")),
        ({"scene_count": 3}, ("body", "scene_count")),
        ({"width": 12.5}, ("body", "width")),
    ],
)
def test_invalid_updates_are_422_and_change_nothing(
    api: httpx.Client, project: str, fields: dict[str, Any], loc: tuple[str, ...]
) -> None:
    before = api.get(f"/api/projects/{project}").json()
    errors = field_errors(api.patch(f"/api/projects/{project}", json=fields))
    assert loc in errors, errors
    assert api.get(f"/api/projects/{project}").json() == before


@pytest.mark.parametrize(
    "content",
    [b'{"slug": ', b"[1, 2]", b'"text"', b'{"slug": "a", "title": "\\ud800"}'],
    ids=["truncated", "array", "string", "lone-surrogate"],
)
def test_malformed_bodies_are_422(api: httpx.Client, content: bytes) -> None:
    response = api.post(
        "/api/projects", content=content, headers={"content-type": "application/json"}
    )
    errors = field_errors(response)
    assert all(loc[0] == "body" for loc in errors), errors


def test_unicode_and_emoji_round_trip(api: httpx.Client, new_slug: Callable[[], str]) -> None:
    slug = new_slug()
    fields = {
        "title": "Grüße aus Köln 😀 — 日本語 ✨",
        "subtitle": "Ελληνικά 🎬",
        "description": "naïve café\nzwei 👩‍💻",
    }
    created = api.post("/api/projects", json={"slug": slug, **fields})
    assert created.status_code == 201, created.text
    fetched = api.get(f"/api/projects/{slug}").json()
    assert {key: fetched[key] for key in fields} == fields
    scene = api.post(
        f"/api/projects/{slug}/scenes", json={"title": "Szene 🎥 №1", "narration": "Hallo 👋"}
    )
    assert scene.json()["title"] == "Szene 🎥 №1"
    assert api.get(f"/api/projects/{slug}/scenes").json()[0]["narration"] == "Hallo 👋"


def test_a_100_kb_description_works(api: httpx.Client, project: str) -> None:
    description = ("A long description with ünïcode and emoji 🎞. " * 2300)[:100_000]
    response = api.patch(f"/api/projects/{project}", json={"description": description})
    assert response.status_code == 200, response.text
    assert api.get(f"/api/projects/{project}").json()["description"] == description


def test_a_body_over_the_limit_is_413(api: httpx.Client, project: str) -> None:
    body = b'{"description": "' + b"x" * (33 * 1024 * 1024) + b'"}'
    response = api.patch(
        f"/api/projects/{project}", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert api.get(f"/api/projects/{project}").json()["description"] == ""


def test_a_whole_number_written_with_a_point_is_an_integer(
    api: httpx.Client, new_slug: Callable[[], str]
) -> None:
    """JSON Schema's integer: 1280.0 is one (a client's JSON library may write it so), 1280.5
    and "1280" are not."""
    slug = new_slug()
    made = api.post("/api/projects", json={"slug": slug, "title": "T", "width": 1280.0})
    assert made.status_code == 201, made.text
    assert made.json()["width"] == 1280
    for width in (1280.5, "1280"):
        refused = api.post("/api/projects", json={"slug": new_slug(), "title": "T", "width": width})
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["body", "width"]
