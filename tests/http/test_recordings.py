"""Recorded scenes over HTTP: choose a recording, transcribe, tighten, edit by text, undo, hand
cut lists, split; against the real server, with a real spoken recording."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import write_config
from tests.http.support import field_errors
from tests.spoken_recording import spoken_recording
from vidkit.config import load_config
from vidkit.cuts import CutList
from vidkit.editing.recording import RecordingView, TightenReport, TranscriptWord
from vidkit.http import create_app
from vidkit.http._schemas import (
    CutChangeOut,
    CutListOut,
    RecordingViewOut,
    SceneEditOut,
    SpanOut,
    TightenOut,
    TranscriptWordOut,
)
from vidkit.model import SceneEdit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def session_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return spoken_recording(tmp_path_factory)


def _upload(api: httpx.Client, slug: str, path: Path, kind: str) -> int:
    with path.open("rb") as handle:
        response = api.post(
            f"/api/projects/{slug}/assets",
            files={"file": (path.name, handle, "application/octet-stream")},
            data={"kind": kind},
        )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _scene(api: httpx.Client, slug: str, title: str = "Session") -> int:
    response = api.post(f"/api/projects/{slug}/scenes", json={"title": title})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def recorded(api: httpx.Client, project: str, session_mp4: Path) -> tuple[str, int, int]:
    """(slug, scene id, recording id): a scene that uses the spoken recording."""
    recording = _upload(api, project, session_mp4, "screen_capture")
    scene = _scene(api, project)
    edit = _ok(api.put(_url(project, scene), json={"recording_id": recording}))
    assert (edit["version"], edit["in_ms"], edit["out_ms"], edit["voice"]) == (1, 0, None, "own")
    return project, scene, recording


def _url(slug: str, scene: int, tail: str = "") -> str:
    return f"/api/projects/{slug}/scenes/{scene}/recording{tail}"


def test_get_never_transcribes(
    api: httpx.Client, project: str, make_media: Callable[..., Path]
) -> None:
    # content no other test uses, so nothing of it is cached in the server's workspace
    clip = make_media("video", seconds=1.7, name="tone.mp4")
    recording = _upload(api, project, clip, "screen_capture")
    scene = _scene(api, project)
    _ok(api.put(_url(project, scene), json={"recording_id": recording, "in_ms": 200}))

    waiting = api.get(_url(project, scene))
    assert waiting.status_code == 409, waiting.text
    assert waiting.json() == {
        "detail": f"the recording of scene {scene} is not transcribed yet: "
        f"POST /api/projects/{project}/scenes/{scene}/recording/transcribe transcribes it"
    }
    assert api.get(_url(project, scene)).status_code == 409, "still nothing was started"

    view = _ok(api.post(_url(project, scene, "/transcribe")))
    assert view["scene_id"] == scene and view["edit"]["in_ms"] == 200
    assert view["cuts"]["source_ms"] == pytest.approx(1500, abs=40)
    assert _ok(api.get(_url(project, scene))) == view


def test_transcribe_tighten_delete_undo(api: httpx.Client, recorded: tuple[str, int, int]) -> None:
    slug, scene, recording = recorded
    view = _ok(api.post(_url(slug, scene, "/transcribe")))
    assert set(view) == {"scene_id", "edit", "cuts", "language", "words", "analysis"}
    assert view["analysis"]["waveform"] and view["analysis"]["waveform_hz"] == 20
    assert view["language"] == "en" and view["edit"]["recording_id"] == recording
    words = view["words"]
    assert [w["index"] for w in words] == list(range(len(words)))
    assert all(w["kept"] and w["reason"] == "" for w in words)
    said = " ".join(w["text"] for w in words).lower()
    assert "welcome" in said and "squares" in said
    assert _ok(api.get(_url(slug, scene))) == view

    dry = _ok(api.post(_url(slug, scene, "/tighten"), json={"dry_run": True}))
    assert dry["dry_run"] is True and dry["version"] is None
    assert dry["after_ms"] < dry["before_ms"]
    assert "silence" in {c["reason"] for c in dry["changes"]}
    assert all(c["what"] for c in dry["changes"])
    assert all(set(c) == set(CutChangeOut.model_fields) for c in dry["changes"])
    assert len(_ok(api.get(_url(slug, scene, "/edits")))) == 1, "a dry run stores nothing"

    tightened = _ok(api.post(_url(slug, scene, "/tighten")))  # no body: the defaults
    assert tightened["version"] == 2 and tightened["cuts"] == dry["cuts"]
    assert tightened["summary"] == dry["summary"]

    squares = next(w["index"] for w in words if "squares" in w["text"].lower())
    deleted = _ok(
        api.post(_url(slug, scene, "/tighten"), json={"delete": [[squares - 2, squares], 0]})
    )
    assert deleted["version"] == 3
    assert [c["reason"] for c in deleted["changes"]].count("deleted") == 2
    assert deleted["after_ms"] < tightened["after_ms"]
    now = _ok(api.get(_url(slug, scene)))
    assert now["words"][squares]["kept"] is False
    assert now["words"][squares]["reason"] == "deleted"
    assert now["edit"]["version"] == 3 and len(now["edit"]["deleted"]) == 2

    back = _ok(api.post(_url(slug, scene, "/undo")))
    assert back["version"] == 2 and back["cuts"] == tightened["cuts"]
    assert not any(w["reason"] == "deleted" for w in _ok(api.get(_url(slug, scene)))["words"])
    history = _ok(api.get(_url(slug, scene, "/edits")))
    assert [(e["version"], e["note"]) for e in history] == [
        (1, "recording chosen"),
        (2, "tightened"),
    ]


def test_a_cut_list_edited_by_hand(api: httpx.Client, recorded: tuple[str, int, int]) -> None:
    slug, scene, _ = recorded
    cuts = _ok(api.post(_url(slug, scene, "/transcribe")))["cuts"]
    [whole] = cuts["spans"]
    middle = (whole["start"] + whole["end"]) // 2
    cuts["spans"] = [
        {**whole, "end": middle},
        {"start": middle, "end": middle + 30, "action": "cut", "reason": "manual"},
        {"start": middle + 30, "end": whole["end"]},
    ]
    edit = _ok(api.put(_url(slug, scene, "/cuts"), json=cuts))
    assert edit["version"] == 2 and edit["note"] == "cut list edited"
    assert edit["cuts"]["output_ms"] == pytest.approx(cuts["source_ms"] - 1000, abs=40)
    assert [s["action"] for s in edit["cuts"]["spans"]] == ["keep", "cut", "keep"]

    gap = {**cuts, "spans": [cuts["spans"][0], cuts["spans"][2]]}
    errors = field_errors(api.put(_url(slug, scene, "/cuts"), json=gap))
    assert "without gaps" in errors["body", "cuts"]
    rate = field_errors(api.put(_url(slug, scene, "/cuts"), json={**cuts, "fps": "25"}))
    assert "frame rate" in rate["body", "cuts"]
    assert len(_ok(api.get(_url(slug, scene, "/edits")))) == 2, "nothing stored on errors"


def test_split_at_pauses(api: httpx.Client, project: str, session_mp4: Path) -> None:
    recording = _upload(api, project, session_mp4, "screen_capture")
    scenes = _ok(
        api.post(
            f"/api/projects/{project}/assets/{recording}/split",
            json={"min_pause_ms": 2000, "title": "Take"},
        ),
        201,
    )
    assert [s["title"] for s in scenes] == ["Take 1", "Take 2", "Take 3"]
    edits = [_ok(api.get(_url(project, s["id"], "/edits")))[-1] for s in scenes]
    assert edits[0]["in_ms"] == 0 and edits[-1]["out_ms"] is None
    assert [e["out_ms"] for e in edits[:-1]] == [e["in_ms"] for e in edits[1:]]


def test_one_recording_two_windows(api: httpx.Client, recorded: tuple[str, int, int]) -> None:
    slug, scene, recording = recorded
    other = _scene(api, slug, "Second half")
    body = {"recording_id": recording, "in_ms": 6000, "out_ms": 9000, "voice": "project"}
    edit = _ok(api.put(_url(slug, other), json=body))
    assert {k: edit[k] for k in body} == body
    words = _ok(api.post(_url(slug, other, "/transcribe")))["words"]
    assert words and all(w["end_ms"] > 6000 and w["start_ms"] < 9000 for w in words)
    assert len(words) < len(_ok(api.post(_url(slug, scene, "/transcribe")))["words"])


# mistakes -------------------------------------------------------------------------------------


def test_a_scene_without_a_recording(api: httpx.Client, project: str) -> None:
    scene = _scene(api, project)
    detail = (
        f"scene {scene} is not made from a recording: choose one with "
        f"PUT /api/projects/{project}/scenes/{scene}/recording"
    )
    for method, tail in [("GET", ""), ("GET", "/edits"), ("POST", "/transcribe"),
                         ("POST", "/tighten"), ("POST", "/undo")]:  # fmt: skip
        response = api.request(method, _url(project, scene, tail))
        assert response.status_code == 404, (tail, response.text)
        assert response.json() == {"detail": detail}
    missing = api.get(_url(project, 999_999))
    assert missing.status_code == 404 and "no scene with id 999999" in missing.json()["detail"]
    gone = api.get(f"/api/projects/no-such-project/scenes/{scene}/recording")
    assert gone.status_code == 404 and "no project with slug" in gone.json()["detail"]


def test_choosing_what_is_not_a_recording(
    api: httpx.Client, project: str, tmp_path: Path, session_mp4: Path
) -> None:
    scene = _scene(api, project)
    note = tmp_path / "notes.txt"
    note.write_text("a note\n", encoding="utf-8")
    document = _upload(api, project, note, "document")
    errors = field_errors(api.put(_url(project, scene), json={"recording_id": document}))
    assert errors == {
        ("body", "recording_id"): f"asset {document} is a document, not a recording: upload "
        "the recording with kind screen_capture"
    }
    unknown = api.put(_url(project, scene), json={"recording_id": 999_999})
    assert unknown.status_code == 404
    assert unknown.json()["detail"].startswith(f"project {project!r} has no asset with id 999999")

    recording = _upload(api, project, session_mp4, "screen_capture")
    late = field_errors(api.put(_url(project, scene), json={"recording_id": recording,
                                                            "out_ms": 99_000}))  # fmt: skip
    assert "past the end of the recording" in late["body", "out_ms"]
    voice = field_errors(api.put(_url(project, scene), json={"recording_id": recording,
                                                             "voice": "robot"}))  # fmt: skip
    assert "'robot'" in voice["body", "voice"]
    shape = field_errors(api.put(_url(project, scene), json={"recording_id": "7", "x": 1}))
    assert set(shape) == {("body", "recording_id"), ("body", "x")}
    split = field_errors(api.post(f"/api/projects/{project}/assets/{document}/split"))
    assert "not a recording" in split["body", "asset_id"]
    assert api.get(_url(project, scene)).status_code == 404, "nothing was chosen"
    titles = [s["title"] for s in _ok(api.get(f"/api/projects/{project}/scenes"))]
    assert titles == ["Session"], "nothing was added"


def test_bad_word_ranges_and_undo_with_nothing_to_undo(
    api: httpx.Client, recorded: tuple[str, int, int]
) -> None:
    slug, scene, _ = recorded
    far = field_errors(api.post(_url(slug, scene, "/tighten"), json={"delete": [[2, 9999]]}))
    assert far["body", "delete"].startswith("word 2..9999 is not in this scene's transcript")
    bad = field_errors(api.post(_url(slug, scene, "/tighten"), json={"restore": [[1, 2, 3]]}))
    assert all(loc[:3] == ("body", "restore", 0) for loc in bad)
    nothing = api.post(_url(slug, scene, "/undo"))
    assert nothing.status_code == 409
    assert nothing.json() == {"detail": "there is no edit of this scene to undo"}
    assert len(_ok(api.get(_url(slug, scene, "/edits")))) == 1


def test_response_models_describe_every_to_dict_key() -> None:
    cuts = CutList.whole(0, 60, Fraction(30)).with_action(10, 20, "cut", "filler")
    edit = SceneEdit(scene_id=1, version=2, recording_id=3, cuts=cuts, deleted=((1, 2),))
    word = TranscriptWord(0, "Hello", 0, 300, 0.9, True)
    view = RecordingView(1, edit, cuts, (word,))
    report = TightenReport(1, 2000, 1667, cuts, edit)
    assert set(SceneEditOut.model_fields) == set(edit.to_dict())
    assert set(CutListOut.model_fields) == set(cuts.to_dict())
    assert set(SpanOut.model_fields) == set(cuts.to_dict()["spans"][0])
    assert set(RecordingViewOut.model_fields) == set(view.to_dict())
    assert set(TranscriptWordOut.model_fields) == set(view.to_dict()["words"][0])
    assert set(TightenOut.model_fields) == set(report.to_dict())


def test_the_schema_describes_the_routes(api: httpx.Client) -> None:
    schema = _ok(api.get("/openapi.json"))
    base = "/api/projects/{slug}/scenes/{scene_id}/recording"
    paths = schema["paths"]
    assert set(paths[base]) == {"get", "put"}
    for tail in ("/transcribe", "/tighten", "/undo"):
        assert "post" in paths[base + tail]
    assert "put" in paths[base + "/cuts"] and "get" in paths[base + "/edits"]
    assert "post" in paths["/api/projects/{slug}/assets/{asset_id}/split"]
    assert "409" in paths[base]["get"]["responses"]
    models = schema["components"]["schemas"]
    assert set(models["RecordingViewOut"]["properties"]) == {
        "scene_id", "edit", "cuts", "language", "words", "analysis"
    }  # fmt: skip
    assert set(models["TightenRequest"]["properties"]) == {
        "delete", "restore", "dry_run", "automatic"
    }  # fmt: skip
    assert {"version", "changes", "summary"} <= set(models["TightenOut"]["properties"])


def test_every_route_needs_the_token_when_the_server_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDKIT_API_TOKEN", "a-token-for-the-recordings-test")
    app = create_app(load_config(write_config(tmp_path / "ws")), require_token=True)
    base = "/api/projects/p/scenes/1/recording"
    routes = [("GET", base), ("PUT", base), ("GET", base + "/edits"),
              ("POST", base + "/transcribe"), ("POST", base + "/tighten"),
              ("PUT", base + "/cuts"), ("POST", base + "/undo"),
              ("POST", "/api/projects/p/assets/1/split")]  # fmt: skip
    with TestClient(app) as client:
        for method, path in routes:
            response = client.request(method, path, json={})
            assert response.status_code == 401, (method, path)
        allowed = client.get(
            base, headers={"Authorization": "Bearer a-token-for-the-recordings-test"}
        )
        assert allowed.status_code == 404, "past the token: no such project"
