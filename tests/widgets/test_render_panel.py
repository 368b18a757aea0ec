"""The render panel and its render processes: real renders in their own process, followed,
re-attached after the starting process is gone, stopped, killed, resumed, and failing clearly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

from tests.widgets.conftest import NARRATION
from vidkit.api import Workspace
from vidkit.editing import scene_statuses
from widgets.render_panel import RenderPanel, describe_record
from widgets.render_runs import latest_run, runs_folder, start_render

pytestmark = pytest.mark.slow
WAIT_S = 300


def _panel(ws: Workspace, scene_id: int | None = None, **kwargs: object) -> RenderPanel:
    panel = RenderPanel(
        ws,
        scene=(lambda: ws.scene("demo", scene_id)) if scene_id else None,
        **kwargs,  # type: ignore[arg-type]
    )
    panel.show_project("demo")
    return panel


def _wait_for(panel: RenderPanel, predicate: object, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert panel.running, f"the render ended early: {panel.lines}"
        assert time.monotonic() < deadline, f"timed out; log so far: {panel.lines}"
        time.sleep(0.2)


def test_a_scene_renders_and_plays_and_other_tabs_follow_it(
    small_demo: tuple[Workspace, int],
) -> None:
    ws, scene_id = small_demo
    finished: list[str] = []
    panel = _panel(ws, scene_id, on_finished=lambda: finished.append("done"))
    assert panel.result.children == () and panel.log_view.value == ""
    panel.render_scene.click()
    assert panel.running and panel.render_scene.disabled
    assert panel.stop.layout.display == ""
    other = _panel(ws, scene_id)  # a second tab opens the project meanwhile
    assert other.running
    other.render_project.disabled = False
    assert other.start(scene_only=False) is None
    assert "already running" in other.message.message
    assert panel.wait(WAIT_S) and other.wait(WAIT_S)
    for view in (panel, other):
        assert view.progress.value == 100 and view.status.value == "Finished."
        video, link = view.result.children
        assert "vk-video" in video._dom_classes and video.value[4:8] == b"ftyp"
        assert "vk-download" in link._dom_classes
        assert "data:video/mp4;base64," in link.value and "demo-scene-1.mp4" in link.value
    text = "\n".join(panel.lines)
    assert "Rendering scene 1 “First”." in text and "Scene 1: narration spoken." in text
    assert "Scene 1: video composed." in text and "Done in" in text
    assert text.count("narration spoken") == 1
    assert finished == ["done"] and not panel.render_scene.disabled
    later = _panel(ws, scene_id, on_finished=lambda: finished.append("again"))
    assert later.result.children and finished == ["done"]  # shown, not a new finish
    later.show_statuses(scene_statuses(ws, "demo"))
    (row,) = later.scene_list.children
    assert "vk-cached" in row._dom_classes and "cached" in row.value


def test_a_render_outlives_the_process_that_started_it(
    small_demo: tuple[Workspace, int],
) -> None:
    ws, _scene_id = small_demo
    starter = (
        "import os, sys, vidkit\n"
        "from widgets.render_runs import start_render\n"
        "start_render(vidkit.open(sys.argv[1]), 'demo', [1])\n"
        "os._exit(0)\n"  # the kernel dies at once, without waiting for anything
    )
    subprocess.run([sys.executable, "-c", starter, str(ws.config.source)], check=True, timeout=120)
    panel = _panel(ws)
    assert panel.run is not None
    if panel.run.outcome is None:
        assert panel.running
        assert panel.wait(WAIT_S)
    assert panel.run.outcome is not None and panel.run.outcome["event"] == "finished"
    assert panel.result.children and not panel.message.is_error


def test_stop_then_render_again_resumes(small_demo: tuple[Workspace, int]) -> None:
    ws, scene_id = small_demo
    # A long second scene: the stop must land while it is still being made, even on a busy
    # machine (a short one could finish between its first record and the click).
    ws.add_scene("demo", "Second", narration=" ".join([NARRATION] * 6))
    panel = _panel(ws, scene_id)
    panel.render_project.click()
    assert panel.run is not None
    records = panel.run.records  # scenes render one after the other (workers = 1)
    _wait_for(panel, lambda: any(r.get("position") == 2 for r in records))
    panel.stop.click()
    assert panel.wait(60)
    assert panel.message.is_error and "Stopped" in panel.message.message
    assert "resume" in panel.status.value and panel.result.children == ()
    run = latest_run(ws, "demo")
    assert run is not None and run.outcome is not None and run.outcome["event"] == "stopped"
    panel.render_project.click()
    assert panel.wait(WAIT_S)
    text = "\n".join(panel.lines)
    assert "Scene 1: video composed (reused from the cache)." in text
    assert "Scene 2: video composed." in text and "joined into the final video" in text
    video, link = panel.result.children
    assert "demo.mp4" in link.value and video.value[4:8] == b"ftyp"


def test_a_killed_render_is_reported_and_can_be_rendered_again(
    small_demo: tuple[Workspace, int],
) -> None:
    ws, scene_id = small_demo
    panel = _panel(ws, scene_id)
    run = panel.start(scene_only=True)
    assert run is not None
    _wait_for(panel, lambda: run.first("started") is not None)
    os.killpg(int(run.first("started")["pid"]), signal.SIGKILL)  # type: ignore[index]
    assert panel.wait(60)
    assert "stopped before it finished" in panel.message.message
    reopened = _panel(ws, scene_id)
    assert "stopped before it finished" in reopened.message.message
    reopened.render_scene.click()
    assert reopened.wait(WAIT_S) and reopened.result.children


def test_a_failing_render_says_why(small_demo: tuple[Workspace, int]) -> None:
    ws, _scene_id = small_demo
    silent = ws.add_scene("demo", "Silent").id
    panel = _panel(ws, silent)
    panel.render_scene.click()
    assert panel.wait(WAIT_S)
    assert panel.message.is_error and "has no narration" in panel.message.message
    assert "Traceback" not in panel.message.value + panel.log_view.value
    assert panel.progress.bar_style == "danger" and panel.result.children == ()
    assert any("Failed:" in line for line in panel.lines)


def test_nothing_to_render_and_no_project(small_demo: tuple[Workspace, int]) -> None:
    ws, _scene_id = small_demo
    panel = RenderPanel(ws)
    assert panel.start(scene_only=True) is None  # no project shown yet
    panel.show_project("demo")
    assert panel.start(scene_only=True) is None
    assert "Select a scene" in panel.message.message
    refusing = RenderPanel(ws, before_render=lambda: False)
    refusing.show_project("demo")
    assert refusing.start(scene_only=False) is None
    assert "could not be saved" in refusing.message.message
    assert not runs_folder(ws, "demo").exists() or not list(runs_folder(ws, "demo").glob("*.jsonl"))


def test_log_lines_read_well() -> None:
    assert describe_record({"event": "plan", "whole": True, "scenes": [{}, {}]}) == (
        "Rendering the whole video: 2 scene(s)."
    )
    progress = {"event": "progress", "stage": "speak", "position": 2, "done": 1, "total": 3}
    assert describe_record(progress) is None
    assert describe_record(progress | {"done": 3, "cached": True}) == (
        "Scene 2: narration spoken (reused from the cache)."
    )
    assert describe_record({"event": "progress", "stage": "cutout", "done": 1, "total": 1}) == (
        "Presenter photo cut out."
    )
    assert describe_record({"event": "failed", "message": "no"}) == "Failed: no"


def test_a_second_start_while_running_is_refused(small_demo: tuple[Workspace, int]) -> None:
    ws, _scene_id = small_demo
    run = start_render(ws, "demo", [1])
    try:
        from vidkit.errors import Conflict

        with pytest.raises(Conflict, match="already running"):
            start_render(ws, "demo", [1])
    finally:
        deadline = time.monotonic() + WAIT_S
        while run.is_running() and time.monotonic() < deadline:
            run.read()
            time.sleep(0.2)
    run.read()
    assert run.outcome is not None and run.outcome["event"] == "finished"
    assert Path(run.outcome["scenes"][0]["video"]).is_file()


def test_render_is_offered_again_only_once_the_ended_process_lets_go(tmp_path: Path) -> None:
    """A render writes its outcome a moment before its process exits and releases the project;
    the panel waits for that, so a click on Render right after Stop starts a new render."""
    import fcntl
    import threading

    from widgets.render_runs import RenderRun

    run = RenderRun(tmp_path / "20261206-000000-abcdef.jsonl")
    holder = os.open(run.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(holder, fcntl.LOCK_EX)  # the ended render's process, still exiting
    try:
        assert not run.wait_released(0.3)
        threading.Timer(0.5, os.close, args=(holder,)).start()
        started = time.monotonic()
        assert run.wait_released(10)
        assert 0.4 < time.monotonic() - started < 5
    finally:
        time.sleep(0.6)
        with suppress(OSError):
            os.close(holder)  # the timer closes it unless an assertion came first
