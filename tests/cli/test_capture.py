"""``vidkit capture``: store a script, capture the scene (a real shell in a pty), print where
the video is and when each step ran; ``--preview`` writes a still; mistakes are one line."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.cli.conftest import Cli, assert_user_error
from vidkit.api import Workspace

TERMINAL = """[terminal]
hold_ms = 200
steps = [{ type = "echo hello" }, { type = "printf 'two\\\\n'" }]
"""


def _project(workspace: Workspace) -> None:
    workspace.create_project("demo", "Demo", width=640, height=360, fps=10)
    workspace.add_scene("demo", "Intro", narration="Hello.")
    workspace.add_scene("demo", "Shell", narration="We run two commands.")


def test_a_script_is_stored_captured_and_its_steps_timed(
    cli: Cli, workspace: Workspace, tmp_path: Path
) -> None:
    _project(workspace)
    script = tmp_path / "shell.toml"
    script.write_text(TERMINAL, encoding="utf-8")
    copy = tmp_path / "out" / "shell.mp4"

    result = cli("capture", "demo", "--scene", "2", "--script", script, "--out", copy)
    assert result.ok, result
    lines = result.stdout.splitlines()
    assert lines[0] == "script:  stored for scene 2 (2 steps)"
    (video,) = workspace.assets("demo", kind="captured_screen")
    assert video.scene_id == workspace.scenes("demo")[1].id
    assert lines[1].startswith(f"video:   {workspace.asset_path(video)}  (")
    assert lines[1].endswith(", terminal)")
    assert (
        lines[2].startswith("copy:    ")
        and copy.read_bytes() == workspace.asset_path(video).read_bytes()
    )
    assert [line.split()[:2] for line in lines[3:]] == [["step", "1"], ["step", "2"]]
    assert lines[3].endswith("`echo hello`")
    assert "capturing the screen: done" in result.stderr  # progress, on stderr

    again = cli("capture", "demo", "--scene", "2", "--json").json()
    assert again["video"]["id"] == video.id  # from the cache
    assert [s["index"] for s in again["steps"]] == [1, 2]
    assert 0 <= again["steps"][0]["start_s"] < again["steps"][1]["start_s"]
    assert again["steps"][1]["description"] == "`printf 'two\\n'`"

    shown = cli("capture", "demo", "--scene", "2", "--show")
    assert shown.ok and shown.stdout == TERMINAL


def test_preview_writes_a_still_of_one_step(cli: Cli, workspace: Workspace, tmp_path: Path) -> None:
    _project(workspace)
    script = tmp_path / "shell.toml"
    script.write_text(TERMINAL, encoding="utf-8")
    stored = cli("capture", "demo", "--scene", "2", "--script", script, "--preview", "1")
    assert stored.ok, stored
    still_line = stored.stdout.splitlines()[-1]
    assert still_line.endswith("(the screen right after step 1)")
    still = Path(still_line.split()[1])
    assert still.parent == workspace.config.catalogue.path.parent / "previews" / "demo"
    with Image.open(still) as image:
        assert image.size == (640, 360)
    assert not workspace.assets("demo", kind="captured_screen")  # a still stores no capture

    as_json = cli("capture", "demo", "--scene", "2", "--preview", "2", "--json").json()
    assert as_json["step"] == 2 and Path(as_json["still"]).is_file()


def test_mistakes_are_one_line_and_change_nothing(
    cli: Cli, workspace: Workspace, tmp_path: Path
) -> None:
    _project(workspace)
    good = tmp_path / "good.toml"
    good.write_text(TERMINAL, encoding="utf-8")
    stored = cli("capture", "demo", "--scene", "2", "--script", good, "--show")
    assert stored.ok and stored.stdout.endswith(TERMINAL)  # stored, shown, not captured

    bad = tmp_path / "bad.toml"
    bad.write_text('[terminal]\nsteps = [{ type = "ls" }, { kee = "Enter" }]\n', encoding="utf-8")
    assert_user_error(
        cli("capture", "demo", "--scene", "2", "--script", bad),
        "terminal script step 2: give exactly one of type, wait, key",
    )
    assert cli("capture", "demo", "--scene", "2", "--show").stdout == TERMINAL
    assert_user_error(
        cli("capture", "demo", "--scene", "2", "--script", "-", stdin="[terminal\n"),
        "capture script: not valid TOML",
    )
    assert_user_error(cli("capture", "demo", "--scene", "1"), "scene 1 has no capture script")
    assert_user_error(
        cli("capture", "demo", "--scene", "3"),
        "project 'demo' has scenes 1..2; there is no scene 3",
    )
    assert_user_error(
        cli("capture", "demo", "--scene", "2", "--preview", "9"), "the script has steps 1..2"
    )
    removed = cli("capture", "demo", "--scene", "2", "--remove")
    assert removed.ok and "no capture script now" in removed.stdout
    assert not workspace.assets("demo", kind="capture_script")
