"""The render panel: render the selected scene or the whole video with a progress bar and
readable log lines, play the result inline and offer it for download; scenes whose video is
already rendered for their current content are marked "cached".

Renders run in their own process (:mod:`widgets.render_runs`): close the tab mid-render and the
render goes on; open the project again and the panel follows it again, or shows its result.
"""

from __future__ import annotations

import base64
import html
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import ipywidgets as w

from vidkit import Workspace
from vidkit.editing import SceneStatus
from vidkit.errors import Conflict
from vidkit.jobs import JobProgress
from widgets import progress_words
from widgets.errors import ErrorBox, describe_error
from widgets.render_runs import RenderRun, latest_run, start_render

__all__ = ["RenderPanel", "describe_record", "status_line"]

#: Videos up to this size play inline and download from the page; bigger ones are named.
INLINE_BYTES = 48 << 20
POLL_S = 0.25
#: How long an ended render's process may take to exit before "Render" is offered again.
RELEASE_S = 30.0
_DONE = {
    "speak": "narration spoken",
    "animate": "presenter animated",
    "compose": "video composed",
}


def describe_record(record: dict[str, Any]) -> str | None:
    """One log line for a record worth a line (the end of a stage, start and finish)."""
    event = record.get("event")
    if event == "plan":
        scenes = record.get("scenes", [])
        if record.get("whole"):
            return f"Rendering the whole video: {len(scenes)} scene(s)."
        names = ", ".join(f"{s['position']} “{s['title']}”" for s in scenes)
        return f"Rendering scene {names}."
    if event == "progress":
        stage, pos = record.get("stage", ""), record.get("position")
        if record.get("done", 0) < record.get("total", 1):
            return None
        cached = " (reused from the cache)" if record.get("cached") else ""
        if stage == "cutout":
            return f"Presenter photo cut out{cached}."
        if stage == "rig":
            return f"Presenter's face found{cached}."
        if stage == "assemble":
            return f"Scenes joined into the final video with captions and chapters{cached}."
        return f"Scene {pos}: {_DONE.get(stage, stage + ' done')}{cached}."
    if event == "finished":
        scenes = record.get("scenes", [])
        reused = sum(1 for s in scenes if s.get("cached"))
        return (
            f"Done in {record.get('seconds', 0):.0f} s; {reused} of {len(scenes)} scene(s) "
            "were already rendered (cached)."
        )
    if event == "failed":
        return f"Failed: {record.get('message', 'unknown error')}"
    if event in ("stopped", "cancelled"):
        return f"Stopped: {record.get('message', '')}"
    if event == "interrupted":
        return f"Interrupted: {record.get('message', '')}"
    if event == "resumed":
        return "Started again where it stopped (the finished stages are reused)."
    return None


def status_line(record: dict[str, Any]) -> str:
    """What the render is doing, in words: "Scene 2: animating the presenter, 40%…"."""
    if record.get("event") != "progress":
        return "Starting the render…"
    stage, pos = str(record.get("stage")), record.get("position")
    what = progress_words.doing(stage, record.get("done", 0), record.get("total", 0))
    return f"Scene {pos}: {what}…" if pos is not None else f"{what[:1].upper()}{what[1:]}…"


class RenderPanel(w.VBox):  # type: ignore[misc]
    """Renders of one project. ``scene()`` gives the scene being edited (its position is
    rendered by "Render this scene"); ``before_render()`` runs first (saving edits) and may
    return False to cancel; ``on_finished()`` follows a finished render."""

    def __init__(
        self,
        ws: Workspace,
        *,
        scene: Callable[[], Any] | None = None,
        before_render: Callable[[], bool] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> None:
        self.ws = ws
        self.scene = scene
        self.before_render = before_render
        self.on_finished = on_finished
        self.slug = ""
        self.run: RenderRun | None = None
        self.lines: list[str] = []
        self._logged: set[tuple[Any, ...]] = set()
        self._progress = JobProgress()
        self._thread: threading.Thread | None = None
        self._stop_following = threading.Event()
        self._shown: Path | None = None
        self.message = ErrorBox()
        wide = w.Layout(width="auto")
        self.render_scene = w.Button(description="Render this scene", icon="film", layout=wide)
        self.render_scene.add_class("vk-render-scene")
        self.render_project = w.Button(
            description="Render the whole video", button_style="primary", icon="film",
            layout=wide,
        )  # fmt: skip
        self.render_project.add_class("vk-render-project")
        self.stop = w.Button(description="Stop", button_style="warning", icon="stop")
        self.stop.add_class("vk-stop-render")
        self.stop.layout.display = "none"
        self.render_scene.on_click(lambda _b: self.start(scene_only=True))
        self.render_project.on_click(lambda _b: self.start(scene_only=False))
        self.stop.on_click(lambda _b: self.stop_render())
        self.progress = w.IntProgress(
            min=0, max=100, value=0, description="Progress", layout=w.Layout(width="60%")
        )
        self.progress.add_class("vk-progress")
        self.status = w.HTML()
        self.status.add_class("vk-render-status")
        self.log_view = w.HTML()
        self.log_view.add_class("vk-log")
        self.scene_list = w.VBox()
        self.scene_list.add_class("vk-scene-statuses")
        self.result = w.VBox()
        self.result.add_class("vk-result")
        super().__init__(
            [
                w.HTML("<h3 style='margin:4px 0'>Render</h3>"),
                w.HBox([self.render_scene, self.render_project, self.stop]),
                self.progress,
                self.status,
                self.message,
                self.log_view,
                self.scene_list,
                self.result,
            ]
        )
        self.add_class("vk-render-panel")

    # ---- scene statuses ------------------------------------------------------------------

    def show_statuses(self, statuses: Sequence[SceneStatus]) -> None:
        rows = []
        for status in statuses:
            scene = status.scene
            if status.cached:
                state = "cached: rendered for its current content"
            elif status.problem:
                state = status.problem
            else:
                state = "needs rendering"
            row = w.HTML(f"{scene.position}. {html.escape(scene.title)} — {html.escape(state)}")
            row.add_class("vk-scene-status")
            if status.cached:
                row.add_class("vk-cached")
            rows.append(row)
        self.scene_list.children = tuple(rows)

    # ---- opening a project ---------------------------------------------------------------

    def show_project(self, slug: str) -> None:
        """Show the project's latest render: follow it if it still runs, else its result."""
        self.stop_following()
        self.slug = slug
        self.lines, self._progress, self._shown = [], JobProgress(), None
        self._logged = set()
        self.result.children = ()
        self.progress.value = 0
        self.progress.bar_style = ""
        self.status.value = ""
        self.log_view.value = ""
        self.message.clear()
        try:
            run = latest_run(self.ws, slug)
        except OSError as exc:
            self.message.show(f"cannot read the render logs: {exc}")
            return
        if run is None:
            return
        self.run = run
        self._apply(run.records, live=False)
        if run.outcome is None:
            if run.is_running():
                self._follow()
            else:
                self._apply(run.read())
                if run.outcome is None:
                    self._ended_without_outcome()

    def stop_following(self) -> None:
        """Stop following (the render itself goes on)."""
        self._stop_following.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._thread = None

    # ---- rendering -----------------------------------------------------------------------

    def start(self, *, scene_only: bool) -> RenderRun | None:
        """Start a render (the current scene, or the whole video) in its own process."""
        self.message.clear()
        if not self.slug:
            return None
        if self.running:
            self.message.show("A render is already running: wait for it, or stop it first.")
            return None
        if self.before_render is not None and not self.before_render():
            self.message.show("The scene has unsaved edits that could not be saved; see above.")
            return None
        positions = None
        if scene_only:
            scene = self.scene() if self.scene is not None else None
            if scene is None:
                self.message.show("Select a scene in the timeline first.")
                return None
            positions = [self.ws.scene(self.slug, scene.id).position]
        try:
            run = start_render(self.ws, self.slug, positions)
        except Conflict as exc:
            self.message.show(describe_error(exc))
            self.show_project(self.slug)
            return None
        except Exception as exc:
            self.message.show(describe_error(exc))
            return None
        self.stop_following()
        self.run = run
        self.lines, self._progress, self._shown = [], JobProgress(), None
        self._logged = set()
        self.result.children = ()
        self.progress.value = 0
        self.progress.bar_style = ""
        self.log_view.value = ""
        self._apply(run.records)
        self._follow()
        return run

    @contextmanager
    def loading(self) -> Iterator[None]:
        """The render buttons are off while the studio loads a project; they come back after,
        unless a render of it runs."""
        self.render_scene.disabled = self.render_project.disabled = True
        try:
            yield
        finally:
            if not self.running:
                self.render_scene.disabled = self.render_project.disabled = False

    def stop_render(self) -> None:
        if self.run is not None:
            self.run.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _follow(self) -> None:
        self._stop_following = threading.Event()
        self.stop.layout.display = ""
        self.render_scene.disabled = self.render_project.disabled = True
        self._thread = threading.Thread(
            target=self._tail, args=(self._stop_following,), daemon=True, name="vk-render-tail"
        )
        self._thread.start()

    def _tail(self, stop: threading.Event) -> None:
        run = self.run
        assert run is not None
        try:
            while not stop.is_set():
                if self.poll():
                    break
                if not run.is_running():
                    self.poll()
                    if run.outcome is None:
                        self._ended_without_outcome()
                    break
                stop.wait(POLL_S)
        except Exception as exc:  # a thread has no one to tell: show it
            self.message.show(describe_error(exc))
        finally:
            # "Render" comes back once the ended render's process is gone, so that a click
            # right after Stop starts a new render instead of finding the old one still there.
            if not stop.is_set():
                run.wait_released(RELEASE_S)
            self.stop.layout.display = "none"
            self.render_scene.disabled = self.render_project.disabled = False

    def poll(self) -> bool:
        """Read what the render wrote since the last poll; True once it has ended."""
        if self.run is None:
            return True
        self._apply(self.run.read())
        return self.run.outcome is not None

    def wait(self, timeout: float) -> bool:
        """Block until the followed render ends (for scripts and tests); True if it did."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # ---- showing progress ----------------------------------------------------------------

    def _apply(self, records: Sequence[dict[str, Any]], *, live: bool = True) -> None:
        if not records:
            return
        for record in records:
            event = record.get("event")
            self._progress.add(record)
            line = describe_record(record)
            key = (event, record.get("stage"), record.get("position"))
            if line is not None and key not in self._logged:
                self._logged.add(key)
                stamp = datetime.fromtimestamp(float(record.get("time", time.time())))
                self.lines.append(f"{stamp:%H:%M:%S}  {line}")
        self.lines = self.lines[-200:]
        self.log_view.value = (
            "<pre style='max-height:16em;overflow:auto;white-space:pre-wrap;margin:0;"
            "line-height:1.4'>" + html.escape("\n".join(self.lines)) + "</pre>"
        )
        outcome = self.run.outcome if self.run is not None else None
        if outcome is None:
            self.progress.value = self._progress.percent
            self.status.value = status_line(records[-1])
            return
        self.stop.layout.display = "none"  # it has ended: nothing left to stop
        if outcome["event"] == "finished":
            # What the render changed (scene statuses, the preview's presenter) is read again
            # before "Finished." shows, so that nothing stale shows beside it.
            if live and self.on_finished is not None:
                self.status.value = "Almost done: showing the result…"
                try:
                    self.on_finished()
                except Exception as exc:
                    self.message.show(describe_error(exc))
            self.progress.value = 100
            self.progress.bar_style = "success"
            self.status.value = "Finished."
            self._show_result(outcome)
        else:
            self.progress.bar_style = "danger" if outcome["event"] == "failed" else "warning"
            self.message.show(describe_record(outcome) or "the render ended")
            self.status.value = "Render again to resume: the stages that finished are reused."

    def _ended_without_outcome(self) -> None:
        self.progress.bar_style = "warning"
        self.message.show(
            "The last render stopped before it finished (its process ended). Render again to "
            "resume: the stages that finished are reused."
        )

    def _show_result(self, record: dict[str, Any]) -> None:
        final = record.get("final")
        scenes = record.get("scenes", [])
        path = Path(final) if final else (Path(scenes[-1]["video"]) if scenes else None)
        if path is None or path == self._shown:
            return
        self._shown = path
        name = f"{self.slug}.mp4" if final else f"{self.slug}-scene-{scenes[-1]['position']}.mp4"
        if not path.is_file():
            self.result.children = (w.HTML(f"The video {html.escape(str(path))} is gone."),)
            return
        size = path.stat().st_size
        if size > INLINE_BYTES:
            note = w.HTML(
                f"The video is {size / 2**20:.0f} MB, too big to play here: "
                f"<code>{html.escape(str(path))}</code>"
            )
            note.add_class("vk-download")
            self.result.children = (note,)
            return
        data = path.read_bytes()
        video = w.Video(
            value=data, format="mp4", autoplay=False, loop=False, controls=True,
            layout=w.Layout(width="100%", max_width="960px"),
        )  # fmt: skip
        video.add_class("vk-video")
        link = w.HTML(
            f"<a download='{html.escape(name)}' href='data:video/mp4;base64,"
            f"{base64.b64encode(data).decode()}'>Download {html.escape(name)} "
            f"({size / 2**20:.1f} MB)</a> <small>· {html.escape(str(path))}</small>"
        )
        link.add_class("vk-download")
        self.result.children = (video, link)
