"""The studio: the project browser, then a project's script panel, timeline, scene editor and
render panel.

In a notebook or a Voila app (``notebooks/apps/studio.ipynb``)::

    from widgets.studio import studio
    studio()
"""

from __future__ import annotations

import html
import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ipywidgets as w

from vidkit import Workspace, editing
from vidkit.errors import NotFound
from vidkit.model import Scene
from widgets.avatar_generation import AvatarGenerator
from widgets.errors import ErrorBox, describe_error
from widgets.page import StudioPage, page_title
from widgets.projects import ProjectBrowser
from widgets.render_panel import RenderPanel
from widgets.scene_editor import SceneEditor
from widgets.script_panel import ScriptPanel
from widgets.timeline import SceneTimeline
from widgets.voices_panel import VoicePanel

if TYPE_CHECKING:
    from vidkit.authoring import LLM

__all__ = ["Studio", "studio"]

log = logging.getLogger("widgets")

# Alt text of the studio's images, by CSS class (see widgets.page.StudioPage).
ALT_TEXTS = {
    "vk-preview": "Preview of the scene: a frame as it will render, with the presenter",
    "vk-capture-still": "The screen at the chosen step of the capture script",
}


class Studio(w.VBox):  # type: ignore[misc]
    """The whole app for one workspace. Which scenes are already rendered, and the script
    panel's LLM calls, run in background threads (``background=False`` runs them inline, for
    scripts and tests). ``llm``: the script panel's model (default: from ``[llm]``)."""

    def __init__(self, ws: Workspace, *, background: bool = True, llm: LLM | None = None) -> None:
        self.ws = ws
        self.background = background
        self.slug: str | None = None
        self._status_generation = 0
        self._status_thread: threading.Thread | None = None
        self.message = ErrorBox()
        self.browser = ProjectBrowser(ws, on_open=self.open_project)
        self.editor = SceneEditor(ws, on_saved=self._saved, background=background)
        self.timeline = SceneTimeline(
            ws, on_select=self.select, on_changed=self._scenes_changed, background=background
        )
        self.panel = RenderPanel(
            ws,
            scene=lambda: self.editor.scene,
            before_render=self.editor.save_if_dirty,
            on_finished=self._rendered,
        )
        self.script = ScriptPanel(
            ws,
            llm=llm,
            scene=lambda: self.editor.scene,
            before_change=self.editor.save_if_dirty,
            on_planned=self._planned,
            on_revised=self._revised,
            on_lexicon=lambda _slug, _added: self.refresh_status(),
            background=background,
        )
        self.script_section = w.Accordion(
            [self.script], titles=("Script: write the narration and plan the scenes with an LLM",)
        )
        self.script_section.add_class("vk-script-section")
        self.voices = VoicePanel(ws)
        self.voice_section = w.Accordion(
            [self.voices], titles=("Voice: the project's voice profiles and consent",)
        )
        self.voice_section.add_class("vk-voice-section")
        self.voice_section.selected_index = None
        self.avatar_maker = AvatarGenerator(ws, self.message, lambda: self.refresh_status())
        self.avatar_section = w.Accordion(
            [self.avatar_maker],
            titles=("Presenter: generate a portrait from a prompt (offline: an illustration)",),
        )
        self.avatar_section.add_class("vk-avatar-section")
        self.avatar_section.selected_index = None
        self.back = w.Button(description="All projects", icon="arrow-left")
        self.back.add_class("vk-back")
        self.back.on_click(lambda _b: self.show_projects())
        self.project_title = w.HTML()
        self.project_title.add_class("vk-project-title")
        self.project_view = w.VBox(
            [
                w.HBox([self.back, self.project_title]),
                self.script_section,
                self.voice_section,
                self.avatar_section,
                self.timeline,
                self.editor,
                self.panel,
            ]
        )
        self.project_view.layout.display = "none"
        # The page's title and the images' alt text; a pre-heated kernel built this app before
        # its tab opened, so the project list is read again when the page shows it.
        self.page = StudioPage(on_shown=self.browser.refresh, alt_texts=ALT_TEXTS)
        self.editor.narration.description = "Narration"  # a label a screen reader says
        banner = w.HTML("<h2 style='margin:4px 0'>vidkit studio</h2>")
        super().__init__([self.page, banner, self.message, self.browser, self.project_view])
        self.add_class("vk-studio")

    # ---- navigation ----------------------------------------------------------------------

    def open_project(self, slug: str) -> None:
        """Open a project: its scenes, the first scene in the editor, its latest render. The
        render buttons are off until it is all loaded."""
        self.message.clear()
        if self.slug is not None and self.slug != slug and not self.editor.save_if_dirty():
            return
        project = self.ws.project(slug)  # fresh, and a NotFound if it was deleted meanwhile
        with self.panel.loading():
            self._open(slug, project.title)

    def _open(self, slug: str, title: str) -> None:
        self.slug = slug
        self.page.title = page_title(title)
        self.project_title.value = (
            f"<h2 style='margin:4px 0 4px 12px'>{html.escape(title)} "
            f"<small style='color:#666'>{html.escape(slug)}</small></h2>"
        )
        self.browser.layout.display = "none"
        self.project_view.layout.display = ""
        self.timeline.show(slug)
        self.editor.load(slug, self.timeline.selected)
        self.panel.show_project(slug)
        self.script.show_project(slug)
        self.voices.show_project(slug)
        self.avatar_maker.show(slug)
        self.script_section.selected_index = None if self.timeline.scenes else 0
        self.refresh_status()

    def show_projects(self) -> None:
        """Back to the project list (unsaved edits are saved first)."""
        if not self.editor.save_if_dirty():
            return
        self.panel.stop_following()
        self.slug = None
        self.page.title = page_title()
        self._status_generation += 1
        self.project_view.layout.display = "none"
        self.browser.layout.display = ""
        self.browser.refresh()

    def select(self, scene_id: int | None) -> bool:
        """Edit another scene; the current one's edits are saved first."""
        if self.slug is None:
            return False
        current = self.editor.scene
        alive = {s.id for s in self.timeline.scenes}
        switching = current is not None and current.id != scene_id and current.id in alive
        if switching and not self.editor.save_if_dirty():
            return False
        self.editor.load(self.slug, scene_id)
        return True

    # ---- keeping the parts in step -------------------------------------------------------

    def _saved(self, _scene: Scene) -> None:
        if self.slug is not None:
            self.timeline.show(self.slug)
            self.refresh_status()

    def _scenes_changed(self) -> None:
        """Scenes were added, moved or deleted: the edited scene may have a new position."""
        scene = self.editor.scene
        if self.slug is None:
            return
        if scene is not None:
            try:
                fresh = self.ws.scene(self.slug, scene.id)
            except NotFound:
                fresh = None
            except Exception as exc:
                self.message.show(describe_error(exc))
                fresh = None
            if fresh is not None and fresh.position != scene.position:
                self.editor.moved(fresh.position)
        self.refresh_status()

    def _planned(self, slug: str, scenes: Sequence[Scene]) -> None:
        """The script panel planned scenes: show them, and edit the first planned one (unless
        the editor holds edits typed meanwhile: its save then asks before replacing)."""
        if slug != self.slug:
            return
        self.timeline.show(slug)
        alive = {s.id for s in self.timeline.scenes}
        current = self.editor.scene
        keep = current is not None and current.id in alive and self.editor.is_dirty
        if scenes and not keep:
            self.timeline.select(scenes[0].id)
        elif current is not None and current.id not in alive:
            self.timeline.select(self.timeline.selected)
        self._scenes_changed()

    def _revised(self, slug: str, scene: Scene) -> None:
        """The script panel rewrote ``scene``'s narration: show it in the timeline and, when it
        is the scene being edited, in the editor."""
        if slug != self.slug:
            return
        self.timeline.show(slug)
        current = self.editor.scene
        if current is not None and current.id == scene.id:
            if self.editor.is_dirty:
                self.editor.message.info(
                    "The Script panel revised this scene's narration while you had unsaved "
                    "edits here: Save asks before replacing it; Reload shows the revision."
                )
            else:
                self.editor.load(slug, scene.id)
        self.refresh_status()

    def _rendered(self) -> None:
        """A render finished: the preview can show the real presenter now, and the scenes are
        rendered. Called by the render panel before it says "Finished." (from the thread that
        follows the render), so both are shown fresh by then."""
        self.editor.refresh_draft()
        self.refresh_status(inline=True)

    def refresh_status(self, *, inline: bool = False) -> None:
        """Work out again which scenes are rendered, and how long they are (in a background
        thread unless ``inline`` or ``background`` is off)."""
        slug = self.slug
        if slug is None:
            return
        self._status_generation += 1
        generation = self._status_generation

        def work() -> None:
            try:
                statuses = editing.scene_statuses(self.ws, slug)
            except Exception as exc:
                log.warning("scene status of %s: %s", slug, exc)
                return
            if generation != self._status_generation or slug != self.slug:
                return
            self.timeline.set_statuses(statuses)
            self.panel.show_statuses(statuses)

        if inline or not self.background:
            work()
            return
        thread = threading.Thread(target=work, daemon=True, name="vk-scene-status")
        self._status_thread = thread
        thread.start()

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait for the background status check (scripts and tests)."""
        if self._status_thread is not None:
            self._status_thread.join(timeout)
        self.timeline.wait_idle(timeout)


def studio(config: str | os.PathLike[str] | None = None) -> w.VBox:
    """The studio for the workspace of ``config`` (default: ``$VIDKIT_CONFIG`` or the nearest
    ``config.toml``); a readable message instead when that config cannot be opened."""
    import vidkit

    try:
        return Studio(vidkit.open(config))
    except Exception as exc:
        box = ErrorBox()
        box.show(describe_error(exc))
        app = w.VBox([w.HTML("<h2>vidkit studio</h2>"), box])
        app.add_class("vk-studio")
        return app
