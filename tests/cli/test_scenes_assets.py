"""``vidkit scenes`` and ``vidkit assets``: ordered scenes by stable id, and media imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from tests.backends.portraits import astronaut, no_face
from tests.bad_media import truncated_faststart_mp4
from tests.cli.conftest import Cli, assert_user_error
from vidkit.api import Workspace


def pick(obj: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: obj[key] for key in keys}


def test_add_move_update_delete_scenes(cli: Cli, workspace: Workspace) -> None:
    workspace.create_project("demo", "Demo")
    add = "scenes add demo --json --title"
    narration = "Hello 👋 and welcome to the course.\n"
    first = cli(*add.split(), "Intro", "--narration-file", "-", stdin=narration).json()
    assert pick(first, "position", "narration") == {
        "position": 1,
        "narration": "Hello 👋 and welcome to the course.",
    }
    options = "--position 1 --target-duration-ms 90000 --avatar-corner top-left"
    second = cli(*add.split(), "Loops", *options.split()).json()
    assert pick(second, "position", "avatar_corner") == {"position": 1, "avatar_corner": "top-left"}

    order = cli("scenes", "move", "demo", str(second["id"]), "--to", "2", "--json").json()
    assert [(s["id"], s["position"]) for s in order] == [(first["id"], 1), (second["id"], 2)]

    options = "--avatar-x 0.25 --avatar-y 0.75 --no-captions --json --title"
    updated = cli("scenes", "update", "demo", str(second["id"]), *options.split(), "Loops 🔁")
    assert pick(updated.json(), "title", "avatar_corner", "avatar_x", "captions") == {
        "title": "Loops 🔁",
        "avatar_corner": None,
        "avatar_x": 0.25,
        "captions": False,
    }

    listed = cli("scenes", "list", "demo", "--json").json()
    assert listed == [s.to_dict() for s in workspace.scenes("demo")]
    assert [(s["title"], s["target_duration_ms"]) for s in listed] == [
        ("Intro", None),
        ("Loops 🔁", 90000),
    ]
    table = cli("scenes", "list", "demo").stdout.splitlines()
    assert table[0].split() == ["#", "ID", "TITLE", "WORDS", "SPOKEN", "TARGET"]
    assert table[2].split() == ["2", str(second["id"]), "Loops", "🔁", "0", "≈0.0", "s", "1:30"]

    assert cli("scenes", "delete", "demo", str(first["id"]), "--yes").ok
    remaining = cli("scenes", "list", "demo", "--json").json()
    assert [(s["id"], s["position"]) for s in remaining] == [(second["id"], 1)]


def test_import_and_list_a_generated_video(
    cli: Cli, workspace: Workspace, make_media: Callable[..., Path], tmp_path: Path
) -> None:
    workspace.create_project("demo", "Demo")
    scene = workspace.add_scene("demo", "Screen")
    clip = make_media("video", seconds=1.5)
    options = f"--json --kind screen_capture --scene {scene.id}"
    imported = cli("assets", "import", "demo", clip, *options.split())
    asset = imported.json()
    assert 1400 <= asset["duration_ms"] <= 1600
    assert pick(asset, "kind", "scene_id") == {"kind": "screen_capture", "scene_id": scene.id}
    assert pick(asset["metadata"], "filename", "width") == {"filename": "clip.mp4", "width": 160}
    assert workspace.asset_path(workspace.assets("demo")[0]).stat().st_size == asset["size_bytes"]

    portrait = tmp_path / "me.png"
    Image.fromarray(astronaut()).save(portrait)
    image = cli("assets", "import", "demo", portrait, "--kind", "avatar_image")
    assert image.ok, image
    assert "avatar_image" in image.stdout

    listed = cli("assets", "list", "demo", "--kind", "screen_capture", "--json").json()
    assert listed == [a.to_dict() for a in workspace.assets("demo", kind="screen_capture")]
    table = cli("assets", "list", "demo").stdout.splitlines()
    assert table[0].split() == ["ID", "KIND", "SCENE", "FILE", "DURATION", "SIZE"]
    imported_rows = [r for r in table[1:] if r.split()[1] in ("screen_capture", "avatar_image")]
    assert [row.split()[1:4] for row in imported_rows] == [
        ["screen_capture", str(scene.id), "clip.mp4"],
        ["avatar_image", "-", "me.png"],
    ]
    assert "1.5 s" in table[1]


def test_an_avatar_photo_without_a_face_is_not_imported(
    cli: Cli, workspace: Workspace, tmp_path: Path
) -> None:
    workspace.create_project("demo", "Demo")
    coffee = tmp_path / "coffee.png"
    Image.fromarray(no_face()).save(coffee)
    result = cli("assets", "import", "demo", coffee, "--kind", "avatar_image")
    assert_user_error(result, "no face found")
    assert workspace.assets("demo", kind="avatar_image") == []


def test_import_refuses_a_video_cut_short(cli: Cli, workspace: Workspace, tmp_path: Path) -> None:
    workspace.create_project("demo", "Demo")
    cut = truncated_faststart_mp4(tmp_path)
    result = cli("assets", "import", "demo", cut, "--kind", "screen_capture")
    assert_user_error(result, "cut.mp4 cannot be played to its", "again")
    assert workspace.assets("demo") == []
