"""What the studio shows around a render: a project with no scenes starts nothing; the render
buttons are off while a project loads; right after a render, nothing stale shows beside
"Finished." (Stop, "needs rendering", the grey placeholder presenter)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.test_errors import COMMAND
from vidkit import editing
from vidkit.api import Workspace
from widgets.render_panel import RenderPanel
from widgets.render_runs import latest_run, runs_folder
from widgets.studio import Studio


def test_rendering_a_project_with_no_scenes_says_so_and_starts_nothing(
    fast_ws: Workspace,
) -> None:
    fast_ws.create_project("empty-one", "Empty")
    panel = RenderPanel(fast_ws)
    panel.show_project("empty-one")
    panel.render_project.click()
    assert panel.message.is_error
    assert panel.message.message == (
        "this project has no scenes yet, so there is nothing to render; add one with "
        "“Add scene” above, then render"
    )
    assert not COMMAND.search(panel.message.message)
    assert not panel.running and panel.run is None and panel.status.value == ""
    assert latest_run(fast_ws, "empty-one") is None
    assert not list(runs_folder(fast_ws, "empty-one").glob("*.jsonl"))
    assert not panel.render_project.disabled and panel.stop.layout.display == "none"


def test_the_render_buttons_are_off_while_a_project_loads(
    small_demo: tuple[Workspace, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, _scene_id = small_demo
    app = Studio(ws, background=False)
    seen: list[tuple[bool, bool]] = []
    load = app.editor.load

    def slow_load(slug: str, scene_id: int | None) -> None:
        seen.append((app.panel.render_project.disabled, app.panel.render_scene.disabled))
        load(slug, scene_id)

    monkeypatch.setattr(app.editor, "load", slow_load)
    app.open_project("demo")
    assert seen == [(True, True)]
    assert not app.panel.render_project.disabled and not app.panel.render_scene.disabled


@pytest.mark.slow
def test_right_after_a_render_nothing_stale_shows_beside_finished(
    small_demo: tuple[Workspace, int],
) -> None:
    ws, _scene_id = small_demo
    editing.use_example_presenter(ws, "demo")
    app = Studio(ws)  # in the background, as in the browser
    app.open_project("demo")
    app.wait_idle()
    panel = app.panel
    assert [row.value for row in panel.scene_list.children] == ["1. First — needs rendering"]
    at_finish: list[dict[str, Any]] = []

    def finished(change: dict[str, Any]) -> None:
        if change["new"] == "Finished.":
            at_finish.append(
                {
                    "stop": panel.stop.layout.display,
                    "rows": [row.value for row in panel.scene_list.children],
                    "presenter": app.editor.draft.avatar if app.editor.draft else None,
                }
            )

    panel.status.observe(finished, names="value")
    lines: list[str] = []
    panel.status.observe(lambda c: lines.append(c["new"]), names="value")
    panel.render_scene.click()
    assert panel.wait(300), panel.lines
    assert at_finish == [
        {
            "stop": "none",
            "rows": ["1. First — cached: rendered for its current content"],
            "presenter": "animated",
        }
    ]
    working = [line for line in lines if line.endswith("…")]
    assert working and not [line for line in working if "(" in line or "/" in line], working
    assert "Scene 1: speaking the narration…" in working
    deadline = time.monotonic() + 30
    while panel.render_project.disabled:
        assert time.monotonic() < deadline
        time.sleep(0.05)
