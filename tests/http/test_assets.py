"""Assets over HTTP: multipart upload of generated media, dedup, download, filters, errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.backends.portraits import astronaut, no_face
from tests.bad_media import png, truncated_faststart_mp4
from tests.http.support import RunningServer, field_errors


def _upload(api: httpx.Client, slug: str, path: Path, kind: str, **data: Any) -> httpx.Response:
    with path.open("rb") as handle:
        return api.post(
            f"/api/projects/{slug}/assets",
            files={"file": (path.name, handle, "application/octet-stream")},
            data={"kind": kind, **data},
        )


def test_upload_a_video_then_download_it(
    api: httpx.Client, project: str, make_media: Callable[..., Path]
) -> None:
    clip = make_media("video", seconds=1.0, name="lesson 1 — intro.mp4")
    response = _upload(api, project, clip, "screen_capture")
    assert response.status_code == 201, response.text
    asset = response.json()
    content = clip.read_bytes()
    assert asset["kind"] == "screen_capture"
    assert asset["sha256"] == hashlib.sha256(content).hexdigest()
    assert asset["size_bytes"] == len(content)
    assert 900 <= asset["duration_ms"] <= 1100
    assert asset["metadata"]["filename"] == clip.name
    assert asset["metadata"]["has_video"] is True

    assert api.get(f"/api/projects/{project}/assets/{asset['id']}").json() == asset
    download = api.get(f"/api/projects/{project}/assets/{asset['id']}/file")
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == "application/octet-stream"
    assert "attachment" in download.headers["content-disposition"]


def test_uploading_the_same_file_twice_stores_it_once(
    api: httpx.Client, project: str, make_media: Callable[..., Path]
) -> None:
    clip = make_media("audio", seconds=0.5)
    first = _upload(api, project, clip, "music")
    second = _upload(api, project, clip, "music")
    assert first.status_code == second.status_code == 201, second.text
    assert (second.json()["id"], second.json()["sha256"]) == (
        first.json()["id"],
        first.json()["sha256"],
    )
    assert len(api.get(f"/api/projects/{project}/assets").json()) == 1


def test_list_filters_by_scene_and_kind(
    api: httpx.Client, project: str, make_media: Callable[..., Path], tmp_path: Path
) -> None:
    scene = api.post(f"/api/projects/{project}/scenes", json={"title": "One"}).json()
    image = _upload(api, project, make_media("image"), "image", scene_id=str(scene["id"])).json()
    notes = tmp_path / "notes.md"
    notes.write_text("# notes\n", encoding="utf-8")
    document = _upload(api, project, notes, "document").json()
    assert image["scene_id"] == scene["id"]
    assert image["duration_ms"] is None

    base = f"/api/projects/{project}/assets"
    assert [a["id"] for a in api.get(base).json()] == [image["id"], document["id"]]
    assert [a["id"] for a in api.get(base, params={"scene_id": scene["id"]}).json()] == [
        image["id"]
    ]
    assert [a["id"] for a in api.get(base, params={"kind": "document"}).json()] == [document["id"]]
    assert api.get(base, params={"kind": "music"}).json() == []
    assert ("query", "kind") in field_errors(api.get(base, params={"kind": "bogus"}))
    assert ("query", "scene_id") in field_errors(api.get(base, params={"scene_id": "first"}))


def test_a_text_file_is_not_a_video(
    server: RunningServer, api: httpx.Client, project: str, tmp_path: Path
) -> None:
    fake = tmp_path / "clip.mp4"
    fake.write_text("this is not a video\n", encoding="utf-8")
    response = _upload(api, project, fake, "screen_capture")
    errors = field_errors(response)
    assert ("body", "file") in errors
    assert "clip.mp4" in errors[("body", "file")]
    assert response.json()["detail"][0]["type"] == "media_error"
    assert api.get(f"/api/projects/{project}/assets").json() == []
    staging = server.config_path.parent / "var" / "assets" / "tmp"
    assert not list(staging.glob("*.part"))  # nothing half-imported left behind


def test_upload_field_errors(
    api: httpx.Client, project: str, make_media: Callable[..., Path]
) -> None:
    clip = make_media("image")
    assert ("body", "kind") in field_errors(_upload(api, project, clip, "hologram"))
    missing_kind = api.post(
        f"/api/projects/{project}/assets", files={"file": ("a.png", clip.read_bytes())}
    )
    assert ("body", "kind") in field_errors(missing_kind)
    missing_file = api.post(f"/api/projects/{project}/assets", data={"kind": "image"})
    assert ("body", "file") in field_errors(missing_file)
    assert ("body", "scene_id") in field_errors(_upload(api, project, clip, "image", scene_id="x"))
    assert api.get(f"/api/projects/{project}/assets").json() == []


def test_unknown_owners_and_assets_are_404(
    api: httpx.Client, project: str, new_slug: Callable[[], str], make_media: Callable[..., Path]
) -> None:
    clip = make_media("image")
    assert _upload(api, "no-such-project", clip, "image").status_code == 404
    assert _upload(api, project, clip, "image", scene_id="987654321").status_code == 404

    other = new_slug()
    api.post("/api/projects", json={"slug": other, "title": "Other"})
    foreign = _upload(api, other, clip, "image").json()["id"]
    for asset_id in (foreign, 987_654_321):
        assert api.get(f"/api/projects/{project}/assets/{asset_id}").status_code == 404
        assert api.get(f"/api/projects/{project}/assets/{asset_id}/file").status_code == 404
        assert api.delete(f"/api/projects/{project}/assets/{asset_id}").status_code == 404
    assert api.get(f"/api/projects/{other}/assets/{foreign}/file").status_code == 200


def test_delete_an_asset(api: httpx.Client, project: str, make_media: Callable[..., Path]) -> None:
    asset = _upload(api, project, make_media("image"), "image").json()
    url = f"/api/projects/{project}/assets/{asset['id']}"
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.get(f"{url}/file").status_code == 404


def test_uploads_that_cannot_be_used_are_refused(
    server: RunningServer, api: httpx.Client, project: str, tmp_path: Path
) -> None:
    renamed = tmp_path / "song.wav"
    renamed.write_bytes(png(tmp_path, 100, 100).read_bytes())
    cases = [
        (truncated_faststart_mp4(tmp_path), "screen_capture", "media_error", "cannot be played"),
        (renamed, "music", "media_error", "has no audio stream"),
        (png(tmp_path, 1, 1, name="dot.png"), "avatar_image", "invalid_input", "1 x 1 pixels"),
        (png(tmp_path, 20000, 20000, name="bomb.png"), "avatar_image", "invalid_input", "pixels"),
    ]
    for path, kind, error, phrase in cases:
        response = _upload(api, project, path, kind)
        assert response.status_code == 422, response.text
        [item] = response.json()["detail"]
        assert (item["loc"], item["type"]) == (["body", "file"], error), item
        assert item["msg"].startswith(path.name) and phrase in item["msg"], item
        assert "\n" not in item["msg"]
    assert api.get(f"/api/projects/{project}/assets").json() == []
    store = server.config_path.parent / "var" / "assets"
    assert not list((store / "tmp").glob("*.part"))
    for path, *_ in cases:  # the server is shared: look for these files only
        assert not list(store.glob(f"objects/*/{hashlib.sha256(path.read_bytes()).hexdigest()}*"))


def test_an_avatar_photo_is_the_presenter_only_once_its_face_is_found(
    api: httpx.Client, project: str, tmp_path: Path
) -> None:
    base = f"/api/projects/{project}/assets"
    portrait = tmp_path / "me.png"
    Image.fromarray(astronaut()).save(portrait)
    response = _upload(api, project, portrait, "avatar_image")
    assert response.status_code == 201, response.text
    photo = response.json()
    assert (photo["kind"], photo["scene_id"]) == ("avatar_image", None)
    kinds = {a["kind"] for a in api.get(base).json()}
    assert "avatar_cutout" in kinds, "the photo was cut out before it became the presenter"

    coffee = tmp_path / "coffee.png"
    Image.fromarray(no_face()).save(coffee)
    refused = _upload(api, project, coffee, "avatar_image")
    assert refused.status_code == 422, refused.text
    assert "no face found" in refused.json()["detail"][0]["msg"]
    assert [a["id"] for a in api.get(base, params={"kind": "avatar_image"}).json()] == [photo["id"]]
    assert api.get(base, params={"kind": "image"}).json() == [], "nothing left of the attempt"

    scene = api.post(f"/api/projects/{project}/scenes", json={"title": "One"}).json()
    per_scene = _upload(api, project, portrait, "avatar_image", scene_id=str(scene["id"]))
    assert per_scene.status_code == 422
    assert "whole project" in per_scene.json()["detail"][0]["msg"]
