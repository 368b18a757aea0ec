"""`vidkit avatar`, `speak`, `animate` and `render` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

import vidkit
from tests.backends.portraits import astronaut, no_face
from tests.bad_media import png, truncated_faststart_mp4
from tests.cli.conftest import assert_user_error, run_cli
from tests.conftest import write_config
from tests.pipeline.conftest import PROJECT, RENDER

pytestmark = pytest.mark.slow


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "a.py").write_text("print('a')\n")
    (folder / "b.py").write_text("print('b')\n")
    (folder / "project.toml").write_text(PROJECT)
    config = write_config(tmp_path / "ws", RENDER)
    assert run_cli("-c", config, "projects", "import", folder / "project.toml").ok
    return config


def test_speak_then_render_one_scene_with_reports(tiny: Path) -> None:
    spoken = run_cli("-c", tiny, "speak", "tiny", "--scene", "1", "--json")
    data = spoken.json()
    assert [w[0] for w in data["words"]][:3] == ["Maps", "make", "a"]
    assert data["audio"]["kind"] == "tts_audio" and data["cached"] is False

    rendered = run_cli("-c", tiny, "render", "tiny", "--scene", "1", "--json")
    report = json.loads(rendered.stdout)
    [scene] = report["scenes"]
    assert scene["cached"]["speak"] is True, "the speech made above is reused"
    assert scene["report"]["screen"] == "code_file" and report["final"] is None

    again = run_cli("-c", tiny, "render", "tiny", "--scene", "1")
    assert again.ok and "scene 1  cached" in again.stdout and "1 from cache" in again.stdout


def test_render_errors_are_one_line(tiny: Path) -> None:
    assert_user_error(run_cli("-c", tiny, "render", "tiny", "--scene", "7"), "no scene 7")
    assert_user_error(run_cli("-c", tiny, "render", "nope"), "no project with slug 'nope'")
    run_cli("-c", tiny, "scenes", "add", "tiny", "--title", "Silent")
    assert_user_error(run_cli("-c", tiny, "render", "tiny"), "has no narration")


def test_avatar_without_a_photo_says_how_to_add_one(tmp_path: Path) -> None:
    config = write_config(tmp_path / "ws", RENDER)
    assert run_cli("-c", config, "projects", "create", "--slug", "p", "--title", "P").ok
    assert_user_error(run_cli("-c", config, "avatar", "p"), "--kind avatar_image")


def test_a_photo_that_cannot_be_the_avatar_leaves_the_previous_one(tmp_path: Path) -> None:
    config = write_config(tmp_path / "ws", RENDER)
    assert run_cli("-c", config, "projects", "create", "--slug", "p", "--title", "P").ok
    good = tmp_path / "me.png"
    Image.fromarray(astronaut()).save(good)
    done = run_cli("-c", config, "avatar", "p", "--photo", good)
    assert done.ok, done
    ws = vidkit.open(config)
    [photo] = ws.assets("p", kind="avatar_image")
    coffee = tmp_path / "coffee.png"
    Image.fromarray(no_face()).save(coffee)
    for bad, phrase in [
        (png(tmp_path, 1, 1, name="dot.png"), "dot.png is only 1 x 1 pixels"),
        (png(tmp_path, 20000, 20000, name="bomb.png"), "bomb.png has too many pixels"),
        (truncated_faststart_mp4(tmp_path), "cut.mp4 is not a readable image"),
        (coffee, "no face found"),  # a usable picture, but no face to animate
    ]:
        assert_user_error(run_cli("-c", config, "avatar", "p", "--photo", bad), phrase)
        assert ws.assets("p", kind="avatar_image") == [photo], bad.name
        assert ws.assets("p", kind="image") == [], "nothing left from the attempt"
    again = run_cli("-c", config, "avatar", "p")
    assert again.ok and "cutout   cached" in again.stdout, again
