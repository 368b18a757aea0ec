"""Scenes over HTTP: ordered create, update, atomic reorder, move and delete."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.http.support import field_errors


def _add(api: httpx.Client, slug: str, title: str, **fields: Any) -> dict[str, Any]:
    response = api.post(f"/api/projects/{slug}/scenes", json={"title": title, **fields})
    assert response.status_code == 201, response.text
    scene: dict[str, Any] = response.json()
    return scene


def _order(api: httpx.Client, slug: str) -> list[tuple[int, str]]:
    return [(s["position"], s["title"]) for s in api.get(f"/api/projects/{slug}/scenes").json()]


def test_create_at_the_end_or_at_a_position(api: httpx.Client, project: str) -> None:
    _add(api, project, "B")
    _add(api, project, "C")
    first = _add(api, project, "A", position=1, narration="one two three four")
    assert first["position"] == 1
    assert first["word_count"] == 4
    assert _order(api, project) == [(1, "A"), (2, "B"), (3, "C")]
    assert api.get(f"/api/projects/{project}").json()["scene_count"] == 3


def test_get_and_update_a_scene(api: httpx.Client, project: str) -> None:
    scene = _add(api, project, "Draft")
    url = f"/api/projects/{project}/scenes/{scene['id']}"
    assert api.get(url).json() == scene

    changes = {
        "title": "Final",
        "narration": "Now we talk.",
        "notes": "slow down",
        "target_duration_ms": 12_000,
    }
    updated = api.patch(url, json=changes)
    assert updated.status_code == 200, updated.text
    assert {key: updated.json()[key] for key in changes} == changes

    placed = api.patch(
        url, json={"avatar_x": 0.25, "avatar_y": 0.75, "avatar_scale": 0.5, "captions": False}
    )
    assert placed.status_code == 200, placed.text
    layout = {
        key: placed.json()[key]
        for key in ("avatar_corner", "avatar_x", "avatar_y", "avatar_scale", "captions")
    }
    assert layout == {
        "avatar_corner": None,
        "avatar_x": 0.25,
        "avatar_y": 0.75,
        "avatar_scale": 0.5,
        "captions": False,
    }

    cleared = api.patch(url, json={"target_duration_ms": None, "avatar_corner": "top-left"})
    assert cleared.status_code == 200, cleared.text
    assert (
        cleared.json()["target_duration_ms"],
        cleared.json()["avatar_corner"],
        cleared.json()["avatar_x"],
    ) == (None, "top-left", None)
    assert cleared.json()["title"] == "Final"


def test_reorder_is_atomic(api: httpx.Client, project: str) -> None:
    ids = [_add(api, project, title)["id"] for title in ("A", "B", "C")]
    reordered = api.post(f"/api/projects/{project}/scenes/reorder", json={"scene_ids": ids[::-1]})
    assert reordered.status_code == 200, reordered.text
    assert [(s["position"], s["title"]) for s in reordered.json()] == [(1, "C"), (2, "B"), (3, "A")]
    assert _order(api, project) == [(1, "C"), (2, "B"), (3, "A")]

    for bad in ([ids[0], ids[1]], [ids[0], ids[0], ids[1]], [*ids, 10**12]):
        errors = field_errors(
            api.post(f"/api/projects/{project}/scenes/reorder", json={"scene_ids": bad})
        )
        assert ("body", "scene_ids") in errors, errors
    assert _order(api, project) == [(1, "C"), (2, "B"), (3, "A")]


def test_move_one_scene(api: httpx.Client, project: str) -> None:
    ids = [_add(api, project, title)["id"] for title in ("A", "B", "C", "D")]
    moved = api.post(f"/api/projects/{project}/scenes/{ids[3]}/move", json={"position": 2})
    assert moved.status_code == 200, moved.text
    assert [s["title"] for s in moved.json()] == ["A", "D", "B", "C"]
    assert _order(api, project) == [(1, "A"), (2, "D"), (3, "B"), (4, "C")]

    errors = field_errors(
        api.post(f"/api/projects/{project}/scenes/{ids[0]}/move", json={"position": 9})
    )
    assert ("body", "position") in errors
    # PATCH does not move: position is not one of its fields.
    errors = field_errors(
        api.patch(f"/api/projects/{project}/scenes/{ids[0]}", json={"position": 3})
    )
    assert ("body", "position") in errors
    assert _order(api, project) == [(1, "A"), (2, "D"), (3, "B"), (4, "C")]


def test_delete_closes_the_gap(api: httpx.Client, project: str) -> None:
    ids = [_add(api, project, title)["id"] for title in ("A", "B", "C")]
    response = api.delete(f"/api/projects/{project}/scenes/{ids[1]}")
    assert response.status_code == 204
    assert _order(api, project) == [(1, "A"), (2, "C")]
    assert api.get(f"/api/projects/{project}/scenes/{ids[1]}").status_code == 404


def test_unknown_scenes_are_404(api: httpx.Client, project: str, new_slug: Any) -> None:
    other = new_slug()
    api.post("/api/projects", json={"slug": other, "title": "Other"})
    foreign = _add(api, other, "Not yours")["id"]
    base = f"/api/projects/{project}/scenes"
    for scene_id in (foreign, 987_654_321):
        assert api.get(f"{base}/{scene_id}").status_code == 404
        assert api.patch(f"{base}/{scene_id}", json={"title": "x"}).status_code == 404
        assert api.post(f"{base}/{scene_id}/move", json={"position": 1}).status_code == 404
        assert api.delete(f"{base}/{scene_id}").status_code == 404
    assert api.get(f"/api/projects/{other}/scenes/{foreign}").json()["title"] == "Not yours"


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"title": ""}, ("body", "title")),
        ({}, ("body", "title")),
        ({"title": "t", "avatar_corner": "middle"}, ("body", "avatar_corner")),
        ({"title": "t", "avatar_x": 0.5}, ("body", "avatar_x")),
        ({"title": "t", "avatar_scale": "big"}, ("body", "avatar_scale")),
        ({"title": "t", "avatar_scale": 7.0}, ("body", "avatar_scale")),
        ({"title": "t", "captions": "yes"}, ("body", "captions")),
        ({"title": "t", "target_duration_ms": -5}, ("body", "target_duration_ms")),
        ({"title": "t", "position": 0}, ("body", "position")),
        ({"title": "t", "position": "1"}, ("body", "position")),
        ({"title": "t", "speaker": "me"}, ("body", "speaker")),
    ],
)
def test_invalid_scene_fields_are_422(
    api: httpx.Client, project: str, fields: dict[str, Any], loc: tuple[str, ...]
) -> None:
    errors = field_errors(api.post(f"/api/projects/{project}/scenes", json=fields))
    assert loc in errors, errors
    assert api.get(f"/api/projects/{project}/scenes").json() == []


def test_bad_scene_ids_in_the_path_are_422(api: httpx.Client, project: str) -> None:
    for scene_id in ("abc", "0", str(2**64)):
        errors = field_errors(api.get(f"/api/projects/{project}/scenes/{scene_id}"))
        assert ("path", "scene_id") in errors, errors


def test_captions_are_listed_edited_and_put_back(api: httpx.Client, project: str) -> None:
    narration = "We keep the orders in a table. Then we read them back whenever a customer asks."
    scene = _add(api, project, "Orders", narration=narration)
    url = f"/api/projects/{project}/scenes/{scene['id']}/captions"
    listed = api.get(url)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["scene_id"] == scene["id"] and body["spoken"] is False
    first = body["captions"][0]
    assert first["number"] == 1 and first["shown"] == first["written"] and not first["differs"]

    edited = api.put(f"{url}/1", json={"text": "Orders live in a table."})
    assert edited.status_code == 200, edited.text
    row = edited.json()["captions"][0]
    assert row["shown"] == "Orders live in a table." and row["edited"]
    assert (row["start_ms"], row["end_ms"]) == (first["start_ms"], first["end_ms"])
    kept = api.get(f"/api/projects/{project}/scenes/{scene['id']}").json()["caption_edits"]
    assert kept == [{"was": " ".join(first["written"].split()), "text": "Orders live in a table."}]

    back = api.put(f"{url}/1", json={"text": ""})
    assert back.json()["captions"][0]["shown"] == first["written"]
    assert api.get(f"/api/projects/{project}/scenes/{scene['id']}").json()["caption_edits"] == []


def test_caption_edits_go_stale_and_are_dropped(api: httpx.Client, project: str) -> None:
    scene = _add(api, project, "Orders", narration="We keep the orders in a table.")
    scene_url = f"/api/projects/{project}/scenes/{scene['id']}"
    edits = [{"was": "We keep the orders in a table.", "text": "Orders, in a table."}]
    assert api.patch(scene_url, json={"caption_edits": edits}).status_code == 200
    api.patch(scene_url, json={"narration": "Other words."})
    stale = api.get(f"{scene_url}/captions").json()["stale_edits"]
    assert stale == edits
    dropped = api.delete(f"{scene_url}/captions/stale")
    assert dropped.status_code == 200, dropped.text
    assert dropped.json()["stale_edits"] == []
    assert api.get(scene_url).json()["caption_edits"] == []


def test_bad_caption_edits_are_refused_with_the_field(api: httpx.Client, project: str) -> None:
    scene = _add(api, project, "Orders", narration="We keep the orders in a table.")
    scene_url = f"/api/projects/{project}/scenes/{scene['id']}"
    twice = [{"was": "a", "text": "x"}, {"was": "a", "text": "y"}]
    refused = api.patch(scene_url, json={"caption_edits": twice})
    assert refused.status_code == 422, refused.text
    assert "edited twice" in refused.text
    missing = api.put(f"{scene_url}/captions/9", json={"text": "x"})
    assert missing.status_code == 404, missing.text
    assert "there is no caption 9" in missing.json()["detail"]
    long = api.put(f"{scene_url}/captions/1", json={"text": "x" * 501})
    assert long.status_code == 422
    assert api.get(scene_url).json()["caption_edits"] == []


def test_stale_is_no_caption_number(api: httpx.Client, project: str) -> None:
    scene = _add(api, project, "Orders", narration="We keep the orders in a table.")
    url = f"/api/projects/{project}/scenes/{scene['id']}/captions/stale"
    for method in ("GET", "PUT", "PATCH", "POST"):
        assert api.request(method, url, json={"text": "x"}).status_code == 405, method
    assert api.delete(url).status_code == 200
