"""The studio as a person uses it: create a project, add a scene, write, drag, save, render,
come back later (a new kernel) and find everything; two tabs on one project."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_config
from tests.widgets.conftest import FAST, mouse
from vidkit.api import Workspace
from vidkit.config import load_config
from widgets.studio import Studio, studio


def _studio(ws: Workspace) -> Studio:
    return Studio(Workspace(load_config(ws.config.source)), background=False)  # type: ignore[arg-type]


def _create(app: Studio, slug: str, title: str, *, presenter: bool = False) -> None:
    app.browser.new_slug.value = slug
    app.browser.new_title.value = title
    app.browser.example_presenter.value = presenter
    app.browser.create.click()


def test_create_write_drag_save_and_come_back(fast_ws: Workspace) -> None:
    app = _studio(fast_ws)
    assert "vk-studio" in app._dom_classes
    assert app.project_view.layout.display == "none"
    _create(app, "my-video", "My video", presenter=True)
    assert app.slug == "my-video" and app.browser.layout.display == "none"
    assert app.project_view.layout.display == "" and "My video" in app.project_title.value
    assert app.editor.scene is None and app.timeline.strip.blocks == []
    app.timeline.add.click()
    editor = app.editor
    assert editor.scene is not None and editor.scene.title == "Scene 1"
    assert app.timeline.strip.selected == app.timeline.strip.blocks[0]["id"] == editor.scene.id
    assert editor.draft is not None and editor.draft.avatar == "placeholder"
    editor.title.value = "Hello"
    editor.narration.value = "Hello and welcome to this short video about Python."
    before = editor.preview.value
    box = editor.draft.avatar_box(editor.layout_edit, editor.size)
    assert box is not None
    editor.on_mouse(mouse("mousedown", box[0] + box[2] / 2, box[1] + box[3] / 2))
    editor.on_mouse(mouse("mousemove", 300, 200))
    editor.on_mouse(mouse("mouseup", 250, 200))
    assert editor.preview.value != before
    editor.save_button.click()
    assert "saved" in editor.message.message
    assert app.timeline.strip.blocks[0]["title"] == "Hello"
    (status,) = app.panel.scene_list.children
    assert "needs rendering" in status.value
    # A second scene; switching saves the first scene's unsaved edits.
    app.timeline.add.click()
    second = editor.scene
    assert second is not None and second.position == 2
    editor.narration.value = "The second scene."
    app.timeline.select(app.timeline.scenes[0].id)  # a click on the first block
    assert editor.scene is not None and editor.scene.title == "Hello"
    assert fast_ws.scene("my-video", second.id).narration == "The second scene."
    app.timeline.move_to(app.timeline.scenes[0].id, 2)  # dragged after the second
    assert editor.scene.position == 2 and "Scene 2: Hello" in editor.heading.value

    again = _studio(fast_ws)  # the page reloaded: a new kernel
    row = next(r for r in again.browser.rows.children if "my-video" in r.children[0].value)
    assert "2 scenes" in row.children[0].value
    row.children[1].click()
    assert again.slug == "my-video" and again.editor.scene is not None
    assert again.editor.scene.id == second.id  # first in the timeline now
    again.timeline.select(again.timeline.scenes[1].id)
    scene = again.editor.scene
    assert scene.title == "Hello" and scene.narration.startswith("Hello and welcome")
    assert scene.layout.corner is None
    assert (scene.layout.x, scene.layout.y) == (
        pytest.approx(0.26, abs=0.01),
        pytest.approx(0.37, abs=0.01),
    )
    assert again.editor.narration.value == scene.narration
    again.back.click()
    assert again.slug is None and again.browser.layout.display == ""


def test_two_tabs_keep_each_others_saved_changes(fast_ws: Workspace) -> None:
    fast_ws.create_project("shared", "Shared")
    scene_id = fast_ws.add_scene("shared", "One", narration="Original words.").id
    first, second = _studio(fast_ws), _studio(fast_ws)
    first.open_project("shared")
    second.open_project("shared")
    first.editor.narration.value = "Words from the first tab."
    second.editor.scale.value = 0.5
    second.editor.captions.value = False
    assert first.editor.save() and second.editor.save()
    scene = fast_ws.scene("shared", scene_id)
    assert scene.narration == "Words from the first tab."
    assert (scene.layout.scale, scene.layout.captions) == (0.5, False)
    assert second.editor.narration.value == "Words from the first tab."


def test_render_from_the_studio_and_find_it_after_a_reload(fast_ws: Workspace) -> None:
    app = Studio(fast_ws, background=True)
    _create(app, "clip", "Clip")
    app.timeline.add.click()
    app.editor.narration.value = "A very short scene."  # unsaved: the render saves it first
    app.panel.render_scene.click()
    assert app.panel.wait(300)
    app.wait_idle()
    assert fast_ws.scenes("clip")[0].narration == "A very short scene."
    assert app.panel.result.children and "vk-video" in app.panel.result.children[0]._dom_classes
    assert "vk-cached" in app.panel.scene_list.children[0]._dom_classes
    assert app.editor.draft is not None and app.editor.draft.spoken
    reloaded = Studio(fast_ws, background=False)
    reloaded.open_project("clip")
    assert reloaded.panel.result.children and reloaded.panel.progress.value == 100
    assert "Done in" in reloaded.panel.log_view.value


def test_studio_function_reads_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "ws", FAST)
    monkeypatch.setenv("VIDKIT_CONFIG", str(config))
    app = studio()
    assert isinstance(app, Studio) and "vk-studio" in app._dom_classes
    broken = studio(tmp_path / "missing.toml")
    assert not isinstance(broken, Studio) and "vk-studio" in broken._dom_classes
    assert "no config file" in broken.children[1].message
