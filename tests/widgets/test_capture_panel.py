"""The capture panel, driven as a user would: start from an example, save a script (a mistake
keeps the old one), see the steps in words, preview a step, capture the scene, remove it."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

from tests.capture.webapp import serve
from vidkit import editing
from vidkit.api import Workspace
from vidkit.capture.local import find_chromium
from widgets.capture_panel import EXAMPLES, CapturePanel
from widgets.scene_editor import SceneEditor

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium: run `make chromium`")


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with serve() as url:
        yield url


def _script(url: str) -> str:
    return (
        f'[browser]\nurl = "{url}"\nsteps = [{{ click = "#add" }}, '
        '{ click = "#save", at = "loop you have" }]\n'
    )


def test_examples_are_valid_scripts() -> None:
    from vidkit.capture import load_script

    for text in EXAMPLES.values():
        assert load_script(text).steps


def test_save_preview_capture_and_remove(small_demo: tuple[Workspace, int], app: str) -> None:
    ws, scene_id = small_demo
    panel = CapturePanel(ws, background=False)
    panel.load("demo", scene_id)
    assert panel.script.value == "" and panel.preview_button.disabled
    assert "no script" in panel.steps.value

    panel.kind.value = "terminal"
    panel.use_example()
    assert panel.script.value == EXAMPLES["terminal"]
    panel.use_example()  # never replaces what is written
    assert "Empty the box first" in panel.message.message

    panel.script.value = _script(app)
    assert panel.save()
    assert editing.capture_script(ws, "demo", scene_id) == _script(app)
    assert "click &#x27;#add&#x27;" in panel.steps.value and "loop you have" in panel.steps.value
    assert [v for _label, v in panel.step.options] == [1, 2]
    assert not panel.preview_button.disabled and not panel.capture_button.disabled

    panel.script.value = '[browser]\nurl = "http://x/"\nsteps = [{ clik = "#a" }]'
    assert not panel.save()
    assert panel.message.is_error and "step 1" in panel.message.message
    assert editing.capture_script(ws, "demo", scene_id) == _script(app)  # unchanged

    panel.step.value = 1
    assert panel.preview()
    image = np.asarray(Image.open(io.BytesIO(panel.still.value)).convert("RGB")).astype(int)
    assert image.shape[1] == 640  # the project's size
    assert "right after step 1" in panel.message.message

    assert panel.capture()
    assert "Captured:" in panel.message.message, panel.message.message
    assert panel.busy is None and not panel.capture_button.disabled

    panel.remove()
    assert editing.capture_script(ws, "demo", scene_id) is None
    assert panel.script.value == "" and panel.preview_button.disabled


def test_the_scene_editor_shows_the_panel_and_the_source(
    small_demo: tuple[Workspace, int], app: str
) -> None:
    ws, scene_id = small_demo
    editor = SceneEditor(ws, background=False)
    editor.load("demo", scene_id)
    assert editor.capture in editor.children
    editor.capture.script.value = _script(app)
    assert editor.capture.save()
    assert "browser script" in editor.sources.summary.value
    assert "Saved" in editor.capture.message.message
