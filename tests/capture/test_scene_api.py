"""The Python API of capture scenes (vidkit.editing.capture) and the graph's screen rules:
which screen a scene shows, previews that never capture, speaking only when a step is tied,
where a capture may run, and how a captured screen is fitted."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import write_config
from vidkit import editing
from vidkit.api import Workspace
from vidkit.config import RenderConfig, load_config
from vidkit.errors import InvalidInput
from vidkit.pipeline.sources import capture_fit, screen_asset
from vidkit.timeline import RecordingSource

SLUG = "term"
TERMINAL = """[terminal]
hold_ms = 200
steps = [{ type = "echo hello" }]
"""
TIED = TERMINAL.replace('{ type = "echo hello" }', '{ type = "echo hello", at = "say hello" }')


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(load_config(write_config(tmp_path / "ws")))
    workspace.create_project(SLUG, "Terminal", width=640, height=360, fps=10)
    return workspace


def _capture_jobs(ws: Workspace) -> int:
    return sum(1 for j in ws.jobs(SLUG) if j.stage == "capture")


def test_the_script_comes_before_the_scenes_other_screens(
    ws: Workspace, make_media: object, tmp_path: Path
) -> None:
    scene = ws.add_scene(SLUG, "One", narration="Hello.")
    code = tmp_path / "a.py"
    code.write_text("print(1)\n")
    ws.import_asset(SLUG, code, kind="code_file", scene_id=scene.id)
    assert (shown := screen_asset(ws, SLUG, scene.id)) is not None and shown.kind == "code_file"
    script = editing.set_capture_script(ws, SLUG, scene.id, TERMINAL)
    assert screen_asset(ws, SLUG, scene.id) == script
    assert script.kind == "capture_script" and script.metadata["script"] == "terminal"
    assert editing.capture_script(ws, SLUG, scene.id) == TERMINAL

    again = editing.set_capture_script(ws, SLUG, scene.id, TIED)  # replaces, one at a time
    assert ws.assets(SLUG, scene_id=scene.id, kind="capture_script") == [again]
    editing.drop_capture_script(ws, SLUG, scene.id)
    assert editing.capture_script(ws, SLUG, scene.id) is None
    assert (back := screen_asset(ws, SLUG, scene.id)) is not None and back.kind == "code_file"


def test_capturing_speaks_only_when_a_step_is_tied_and_previews_never_capture(
    ws: Workspace,
) -> None:
    scene = ws.add_scene(SLUG, "One", narration="Now we say hello to the terminal.")
    editing.set_capture_script(ws, SLUG, scene.id, TERMINAL)
    before = editing.draft(ws, SLUG, scene.id)
    assert before.timeline.screen is None
    assert any("not captured yet" in note for note in before.notes)
    assert _capture_jobs(ws) == 0  # a preview looks, it does not capture

    video = editing.capture_scene(ws, SLUG, scene.id)
    assert video.kind == "captured_screen" and video.metadata["capture"]["kind"] == "terminal"
    assert (video.metadata["width"], video.metadata["height"]) == (640, 360)
    assert not ws.assets(SLUG, kind="tts_audio")  # no tied step: nothing to speak
    shown = editing.draft(ws, SLUG, scene.id).timeline.screen
    assert shown is not None and isinstance(shown.source, RecordingSource)
    assert shown.source.path == ws.asset_path(video)
    assert editing.capture_scene(ws, SLUG, scene.id) == video  # from the cache
    assert _capture_jobs(ws) == 1

    editing.set_capture_script(ws, SLUG, scene.id, TIED)
    assert editing.draft(ws, SLUG, scene.id).timeline.screen is None  # not this script's
    tied = editing.capture_scene(ws, SLUG, scene.id)
    assert ws.assets(SLUG, scene_id=scene.id, kind="tts_audio")  # spoken for the tie
    assert tied.metadata["capture"]["tied"] is True
    (step,) = tied.metadata["capture"]["steps"]
    assert step[1] > 0.3  # "say hello" is not the narration's first word
    shown = editing.draft(ws, SLUG, scene.id).timeline.screen
    assert shown is not None and isinstance(shown.source, RecordingSource)
    assert shown.source.path == ws.asset_path(tied)
    assert shown.fit.note.startswith("plays as captured")


def test_a_still_of_one_step_is_written_under_the_var_folder(ws: Workspace) -> None:
    scene = ws.add_scene(SLUG, "One", narration="Hello.")
    editing.set_capture_script(ws, SLUG, scene.id, TERMINAL)
    still = editing.preview_capture_step(ws, SLUG, scene.id, 1)
    var = ws.config.catalogue.path.parent
    assert still == var / "previews" / SLUG / f"capture-{scene.id}-1.png"
    with Image.open(still) as image:
        assert image.size == (640, 360)
    with pytest.raises(InvalidInput, match=r"the script has steps 1\.\.1, not 2"):
        editing.preview_capture_step(ws, SLUG, scene.id, 2)
    assert _capture_jobs(ws) == 0 and not ws.assets(SLUG, kind="captured_screen")


def test_a_scene_without_a_script_says_how_to_give_it_one(ws: Workspace) -> None:
    scene = ws.add_scene(SLUG, "One", narration="Hello.")
    with pytest.raises(InvalidInput, match=r"^scene 1 has no capture script$") as caught:
        editing.capture_scene(ws, SLUG, scene.id)
    hint = caught.value.hint
    assert hint is not None and hint.cli is not None and hint.studio is not None
    assert f"vidkit capture {SLUG} --scene 1 --script" in hint.cli
    assert "Screen from a script" in hint.studio and "vidkit" not in hint.studio
    with pytest.raises(InvalidInput, match="no capture script"):
        editing.preview_capture_step(ws, SLUG, scene.id, 1)


def test_over_http_terminal_scripts_and_local_pages_need_the_config(
    ws: Workspace, tmp_path: Path
) -> None:
    scene = ws.add_scene(SLUG, "One", narration="Hello.")
    local = '[browser]\nurl = "http://127.0.0.1:9/"\nsteps = [{ press = "Enter" }]\n'
    with pytest.raises(InvalidInput, match=r"set \[services.capture\] allow_terminal = true"):
        editing.set_capture_script(ws, SLUG, scene.id, TERMINAL, surface="http")
    with pytest.raises(InvalidInput, match=r"set \[services.capture\] allow_local = true"):
        editing.set_capture_script(ws, SLUG, scene.id, local, surface="http")
    assert editing.capture_script(ws, SLUG, scene.id) is None  # nothing was stored

    # Stored from Python (trusted), the terminal script still does not run over HTTP.
    editing.set_capture_script(ws, SLUG, scene.id, TERMINAL)
    with pytest.raises(InvalidInput, match="allow_terminal"):
        editing.capture_scene(ws, SLUG, scene.id, surface="http")
    with pytest.raises(InvalidInput, match="allow_terminal"):
        editing.preview_capture_step(ws, SLUG, scene.id, 1, surface="http")
    assert _capture_jobs(ws) == 0

    allowed = "[services.capture]\nallow_terminal = true\nallow_local = true\n"
    open_ws = Workspace(load_config(write_config(tmp_path / "open", allowed)))
    open_ws.create_project(SLUG, "Open", width=640, height=360, fps=10)
    other = open_ws.add_scene(SLUG, "One", narration="Hello.")
    editing.set_capture_script(open_ws, SLUG, other.id, local, surface="http")
    editing.set_capture_script(open_ws, SLUG, other.id, TERMINAL, surface="http")
    video = editing.capture_scene(open_ws, SLUG, other.id, surface="http")
    assert video.metadata["capture"]["via"] == "shell"


def test_a_captured_screen_is_fitted_by_the_rules_unless_tied_to_the_narration() -> None:
    render = RenderConfig(min_speed=0.5, max_speed=2.0, beyond="auto")
    assert capture_fit(3000, 2000, render, tied=False).speed == pytest.approx(1.5)
    long = capture_fit(9000, 2000, render, tied=False)
    assert (long.speed, long.mode) == (2.0, "cut")
    short = capture_fit(500, 2000, render, tied=False)
    assert (short.speed, short.mode) == (0.5, "freeze")
    freeze_only = capture_fit(
        9000, 2000, render.model_copy(update={"beyond": "freeze"}), tied=False
    )
    assert (freeze_only.speed, freeze_only.mode) == (4.5, "exact")

    # Tied steps act on the narration's clock: never sped up, held or cut at the end.
    held = capture_fit(1500, 2000, render, tied=True)
    assert (held.speed, held.mode) == (1.0, "freeze")
    assert held.note == "plays as captured (tied to the narration); held its last frame 0.5 s"
    cut = capture_fit(9000, 2000, render, tied=True)
    assert (cut.speed, cut.mode, cut.note.endswith("cut the last 7.0 s")) == (1.0, "cut", True)
