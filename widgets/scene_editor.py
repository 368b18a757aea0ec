"""The scene editor: title, narration (with word count and spoken length), screen source,
presenter placement (drag it on the preview, or use the sliders), captions, and a scrubber over
the composited preview, which follows every edit, with the narration's words (and waveform,
once spoken) under it: click a word to see that moment (:mod:`widgets.narration_strip`); its
captions one by one, editable where they should not read as they are said
(:mod:`widgets.captions_panel`); for a
scene made from a recording, the recording editor below it (:mod:`widgets.recording`).

Edits stay in the editor until "Save"; a save writes only the fields that were changed, after
checking that nobody else (another tab, the CLI) changed the same field meanwhile, so two people
editing one project never lose each other's saved work (:mod:`widgets.scene_changes`). Dragging
the presenter on the preview is :mod:`widgets.presenter_drag`.
"""

from __future__ import annotations

import html
import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import ipywidgets as w
import traitlets

from vidkit import Workspace, editing
from vidkit.editing import PREVIEW_SIZE, SceneDraft
from vidkit.model import CORNERS, Layout, Project, Scene
from widgets.captions_panel import CaptionsPanel
from widgets.capture_panel import CapturePanel
from widgets.errors import ErrorBox
from widgets.narration_strip import NarrationStrip
from widgets.presenter_drag import PresenterDrag
from widgets.recording import RecordingEditor
from widgets.scene_changes import (
    changed_fields,
    conflict_message,
    conflicting_fields,
    saved_message,
)
from widgets.sources import SourcePicker

__all__ = ["SceneEditor", "preview_size"]

FREE = "free"
CORNER_OPTIONS = [(c.replace("-", " ").capitalize(), c) for c in CORNERS] + [
    ("Where I dragged it", FREE)
]
#: Unsaved narration up to this long shows in the preview's captions as it is typed.
LIVE_NARRATION_CHARS = 20_000
PREPARE_TEXT = "Show the real presenter"
PREPARING_TEXT = "Cutting out the presenter…"


class NarrationArea(w.Textarea):  # type: ignore[misc]
    """A Textarea whose value is not echoed back to the page after each keystroke: narration
    can be megabytes long (a paste), and the page already has what it sent."""

    value = traitlets.Unicode("", help="String value").tag(sync=True, echo_update=False)


def preview_size(project: Project) -> tuple[int, int]:
    """The project's frame scaled to fit 960×540, even sizes."""
    scale = min(PREVIEW_SIZE[0] / project.width, PREVIEW_SIZE[1] / project.height, 1.0)
    return (max(16, round(project.width * scale) // 2 * 2),
            max(16, round(project.height * scale) // 2 * 2))  # fmt: skip


class SceneEditor(w.VBox):  # type: ignore[misc]
    """Edits one scene at a time: :meth:`load` it, change it, :meth:`save`.
    ``on_saved(scene)`` is called after every save and source change, and after every edit of
    a recorded scene's cuts. The recording editor's transcribing and tightening run in a
    background thread (``background=False``: inline, for scripts and tests)."""

    def __init__(
        self,
        ws: Workspace,
        *,
        on_saved: Callable[[Scene], None] | None = None,
        background: bool = True,
    ) -> None:
        self.ws = ws
        self.on_saved = on_saved
        self.background = background
        self.slug = ""
        self.scene: Scene | None = None
        self.draft: SceneDraft | None = None
        self.layout_edit = Layout()
        self.size = PREVIEW_SIZE
        self.last_preview_ms = 0.0
        self._wpm = editing.DEFAULT_WPM
        self._muted = 0
        self._overwrite: set[str] = set()
        self.message = ErrorBox()
        self.message.add_class("vk-scene-message")  # not the recording editor's, inside it
        self._build()

    # ---- widgets -------------------------------------------------------------------------

    def _build(self) -> None:
        self.heading = w.HTML()
        self.title = w.Text(description="Title", layout=w.Layout(width="95%"))
        self.title.add_class("vk-scene-title")
        self.narration = NarrationArea(
            placeholder="What the presenter says in this scene",
            layout=w.Layout(width="95%", height="10em"),
        )
        self.narration.add_class("vk-narration")
        self.stats = w.HTML()
        self.stats.add_class("vk-narration-stats")
        self.preview = w.Image(
            format="jpeg", layout=w.Layout(width="100%", max_width=f"{PREVIEW_SIZE[0]}px")
        )
        self.preview.add_class("vk-preview")
        # Shown instead of the preview while a scene's first picture is made (an empty Image
        # is a broken-image icon; the last scene's picture would be another scene's).
        self.preview_loading = w.HTML(layout=w.Layout(display="none", width="100%"))
        self.preview_loading.add_class("vk-preview-loading")
        self.scrubber = w.FloatSlider(
            description="t (s)", min=0.0, max=1.0, step=0.1, readout_format=".1f",
            continuous_update=True, layout=w.Layout(width="100%"),
        )  # fmt: skip
        self.scrubber.add_class("vk-scrubber")
        self.word_strip = NarrationStrip(on_seek=self.seek)
        self.preview_info = w.HTML()
        self.preview_info.add_class("vk-preview-info")
        self.prepare = w.Button(
            description=PREPARE_TEXT,
            tooltip="Cut out the presenter photo now (a few seconds; the render reuses it)",
            layout=w.Layout(display="none", width="auto"),
        )
        self.prepare.add_class("vk-prepare-presenter")
        self.prepare.on_click(lambda _b: self.prepare_presenter())
        self.corner = w.Dropdown(description="Presenter", options=CORNER_OPTIONS)
        self.corner.add_class("vk-corner")
        self.scale = w.FloatSlider(
            description="Size", min=0.05, max=1.0, step=0.01, readout_format=".2f"
        )
        self.scale.add_class("vk-scale")
        self.margin = w.IntSlider(description="Margin (px)", min=0, max=400, step=2)
        self.margin.add_class("vk-margin")
        self.captions = w.Checkbox(description="Captions burned in", indent=False)
        self.captions.add_class("vk-captions")
        self.save_button = w.Button(description="Save", button_style="primary", icon="save")
        self.save_button.add_class("vk-save-scene")
        self.save_button.on_click(lambda _b: self.save())
        self.reload_button = w.Button(description="Reload", tooltip="Discard unsaved edits")
        self.reload_button.add_class("vk-reload-scene")
        self.reload_button.on_click(lambda _b: self.reload())
        self.dirty = w.HTML()
        self.dirty.add_class("vk-dirty")
        self.sources = SourcePicker(self.ws, self.message, self._source_changed)
        self.recording = RecordingEditor(
            self.ws, background=self.background, on_changed=self._recording_changed
        )
        self.capture = CapturePanel(
            self.ws, background=self.background, on_changed=self._source_changed
        )
        self.captions_panel = CaptionsPanel(
            self.ws, seek=self.seek, on_changed=self._captions_changed
        )
        self.drag = PresenterDrag(self)

        self.title.observe(lambda _c: self._edited(preview=True), names="value")
        self.narration.observe(lambda _c: self._narration_changed(), names="value")
        self.scrubber.observe(lambda _c: self._scrubbed(), names="value")
        self.scrubber.observe(lambda _c: self._mark_time(), names="value")
        for widget in (self.corner, self.scale, self.margin, self.captions):
            widget.observe(self._layout_changed, names="value")

        preview_column = w.VBox(
            [
                self.preview,
                self.preview_loading,
                self.scrubber,
                self.word_strip,
                self.preview_info,
                self.prepare,
            ],
            layout=w.Layout(flex="3 1 0%", min_width="320px"),
        )
        fields = w.VBox(
            [
                self.title,
                self.narration,
                self.stats,
                self.corner,
                self.scale,
                self.margin,
                self.captions,
                w.HBox([self.save_button, self.reload_button, self.dirty]),
                self.sources,
            ],
            layout=w.Layout(flex="2 1 0%", min_width="300px", padding="0 0 0 12px"),
        )
        self.body = w.HBox([preview_column, fields], layout=w.Layout(flex_flow="row wrap"))
        self.empty = w.HTML("<i>No scene selected: add one with “Add scene” above.</i>")
        super().__init__([self.heading, self.message, self.empty])
        self.add_class("vk-scene-editor")

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    # ---- loading -------------------------------------------------------------------------

    def load(self, slug: str, scene_id: int | None) -> None:
        """Show a scene, read fresh from the catalogue (None: no scene)."""
        self.message.clear()
        self._overwrite.clear()
        if slug != self.slug:
            self.draft = None
            self.slug = slug
            with self.message.guard():
                self._wpm = editing.speaking_rate(self.ws, slug)
                self.size = preview_size(self.ws.project(slug))
        if scene_id is None:
            self.scene = self.draft = None
            self.heading.value = ""
            self.word_strip.clear()
            self.recording.layout.display = "none"
            self.children = (self.heading, self.message, self.empty, self.recording)
            return
        try:
            scene = self.ws.scene(slug, scene_id)
        except Exception as exc:
            self.message.show_error(exc)
            return
        first = self.scene is None or self.scene.id != scene.id
        if first:
            self._show_loading("Loading…")
        self._show(scene)
        shown: tuple[w.Widget, ...] = (self.heading, self.message, self.body, self.recording)
        self.children = (*shown, self.captions_panel, self.capture)
        with self.message.guard():
            self.sources.show(slug, scene.id)
        self.recording.load(slug, scene.id)
        self.capture.load(slug, scene.id)
        self._rebuild(middle=first)

    def reload(self) -> None:
        """Discard unsaved edits and show the scene as the catalogue has it now."""
        if self.scene is not None:
            self.load(self.slug, self.scene.id)

    def moved(self, position: int) -> None:
        """The scene was moved to ``position``: show it there, keeping unsaved edits."""
        if self.scene is None:
            return
        self.scene = replace(self.scene, position=position)
        self._show_heading()
        self._rebuild()

    def _show(self, scene: Scene) -> None:
        self.scene = scene
        self.layout_edit = scene.layout
        with self._quiet():
            self.title.value = scene.title
            self.narration.value = scene.narration
            self._show_layout()
        self._show_heading()
        self._narration_changed()
        self._show_dirty()

    def _show_heading(self) -> None:
        if self.scene is not None:
            self.heading.value = (
                f"<h3 style='margin:4px 0'>Scene {self.scene.position}: "
                f"{html.escape(self.scene.title)}</h3>"
            )

    def _show_layout(self) -> None:
        lay = self.layout_edit
        with self._quiet():
            self.corner.value = lay.corner if lay.x is None else FREE
            self.scale.value = lay.scale
            self.margin.value = min(self.margin.max, lay.margin)
            self.captions.value = lay.captions

    def refresh_draft(self) -> None:
        """Look at the stage cache again (after a render): spoken timings, real presenter."""
        if self.slug:
            with self.message.guard():
                self._wpm = editing.speaking_rate(self.ws, self.slug)
            self._narration_changed()
        self._rebuild()

    def _rebuild(self, *, middle: bool = False) -> None:
        """Build the scene's draft again (narration, title or source changed)."""
        if self.scene is None:
            return
        try:
            self.draft = editing.draft(self.ws, self.slug, self.scene.id, reuse=self.draft)
        except Exception as exc:
            self.draft = None
            self.preview_info.value = ""
            self.word_strip.clear()
            self.captions_panel.show(self.slug, self.scene.id, None)
            self.message.show_error(exc)
            self._show_loading("No preview: see the message above.")
            return
        d = self.draft
        with self._quiet():
            self.scrubber.max = max(0.1, round(d.duration_s, 1))
            if middle:
                self.scrubber.value = round(d.duration_s / 2, 1)
        kind = "spoken" if d.spoken else "estimated"
        notes = "".join(f"<br>{html.escape(n)}" for n in d.notes)
        self.preview_info.value = f"<small>{d.duration_s:.1f} s ({kind}){notes}</small>"
        placeholder = d.avatar == "placeholder" and d.has_photo
        self.prepare.layout.display = "" if placeholder else "none"
        self.word_strip.show(d.words)
        self.captions_panel.show(self.slug, self.scene.id, d.captions)
        self._mark_time()
        self._mark_unsaved_words()
        self.refresh_preview()

    def prepare_presenter(self) -> threading.Thread | None:
        """Cut out the photo now, so the preview shows the real presenter: the button says it
        is working and is off (with the photo upload) until it ends in a plain result. Runs
        in a thread unless ``background`` is off; returns that thread."""
        if self.prepare.disabled:
            return None  # already cutting out
        slug = self.slug
        self._preparing(True)
        self.message.info(
            "Cutting out the presenter… (a few seconds; longer while the computer is busy)"
        )

        def work() -> None:
            try:
                editing.prepare_presenter(self.ws, slug)
            except Exception as exc:
                self.message.show_error(exc)
            else:
                if slug == self.slug:
                    self._rebuild()
                    if not self.message.is_error:
                        self.message.info("Done: the preview shows the real presenter now.")
            finally:
                self._preparing(False)

        if not self.background:
            work()
            return None
        thread = threading.Thread(target=work, daemon=True, name="vk-prepare-presenter")
        thread.start()
        return thread

    def _preparing(self, busy: bool) -> None:
        self.prepare.disabled = self.sources.photo_upload.disabled = busy
        self.prepare.description = PREPARING_TEXT if busy else PREPARE_TEXT
        self.prepare.icon = "hourglass-half" if busy else ""

    # ---- preview -------------------------------------------------------------------------

    def refresh_preview(self) -> None:
        """Draw the preview at the scrubber's time with the unsaved edits."""
        if self.draft is None:
            return
        started = time.perf_counter()
        try:
            narration = self.narration.value
            self.preview.value = self.draft.image(
                self.scrubber.value, layout=self.layout_edit, title=self.title.value,
                narration=narration if len(narration) <= LIVE_NARRATION_CHARS else None,
                size=self.size,
            )  # fmt: skip
        except Exception as exc:
            self.message.show_error(exc)
            return
        self.last_preview_ms = (time.perf_counter() - started) * 1000
        if self.preview.layout.display == "none":
            self.preview.layout.display = ""
            self.preview_loading.layout.display = "none"

    def _show_loading(self, text: str) -> None:
        """A grey box of the frame's shape saying ``text``, where the preview will be."""
        width, height = self.size
        self.preview_loading.value = (
            f"<div role='status' style='max-width:{PREVIEW_SIZE[0]}px;aspect-ratio:{width}/"
            f"{height};background:#e0e0e0;color:#444;display:flex;align-items:center;"
            f"justify-content:center'>{html.escape(text)}</div>"
        )
        self.preview.layout.display = "none"
        self.preview_loading.layout.display = ""

    def _scrubbed(self) -> None:
        if not self._muted:
            self.refresh_preview()

    def seek(self, ms: int) -> None:
        """Show the moment ``ms`` into the scene (a click or Enter on a word of the narration
        strip): the scrubber goes to its first step at or after it (the page's slider holds
        whole steps only, and would move a value between two back to the one before), the
        preview follows."""
        at, step = ms / 1000, self.scrubber.step
        if step:
            at = math.ceil(at / step - 1e-9) * step
        self.scrubber.value = round(min(self.scrubber.max, max(0.0, at)), 6)

    def _mark_time(self) -> None:
        self.word_strip.position_ms = round(self.scrubber.value * 1000)

    def _mark_unsaved_words(self) -> None:
        edited = self.scene is not None and self.narration.value != self.scene.narration
        self.word_strip.mark_unsaved(edited)

    # ---- edits ---------------------------------------------------------------------------

    def _edited(self, *, preview: bool) -> None:
        if self._muted:
            return
        self._show_dirty()
        if preview:
            self.refresh_preview()

    def _narration_changed(self) -> None:
        stats = editing.narration_stats(self.narration.value, wpm=self._wpm)
        # A huge paste would travel to the kernel again with every keystroke (seconds for
        # megabytes): past LIVE_NARRATION_CHARS the page sends it when the field loses focus.
        self.narration.continuous_update = stats.characters <= LIVE_NARRATION_CHARS
        problem = (
            f"<div class='vk-error' style='color:#b00020'>{html.escape(stats.problem)}</div>"
            if stats.problem
            else ""
        )
        live = self.narration.continuous_update
        later = "" if live else " (counted again when you leave the field)"
        self.stats.value = f"<small>{html.escape(stats.summary())}{later}</small>{problem}"
        if stats.problem:
            self.message.show(stats.problem, about="narration")
        elif self.message.is_error and self.message.about == "narration":
            self.message.clear()
        self._mark_unsaved_words()
        self._edited(preview=stats.characters <= LIVE_NARRATION_CHARS)

    def _layout_changed(self, change: Mapping[str, Any]) -> None:
        if self._muted:
            return
        lay, owner, value = self.layout_edit, change["owner"], change["new"]
        if owner is self.corner:
            if value != FREE:
                lay = replace(lay, corner=value, x=None, y=None)
            elif lay.x is None and self.draft is not None:
                box = self.draft.avatar_box(lay, self.size)
                if box is not None:
                    x, y, bw, bh = box
                    lay = editing.placed_at(
                        lay, (x + bw / 2) / self.size[0], (y + bh / 2) / self.size[1]
                    )
        elif owner is self.scale:
            lay = replace(lay, scale=float(value))
        elif owner is self.margin:
            # The margin is the distance to a corner: a dragged presenter snaps to the nearest.
            corner = editing.nearest_corner(lay)
            lay = replace(lay, corner=corner, x=None, y=None, margin=int(value))
            with self._quiet():
                self.corner.value = corner
        elif owner is self.captions:
            lay = replace(lay, captions=bool(value))
        self.layout_edit = lay
        self._edited(preview=True)

    def on_mouse(self, event: Mapping[str, Any]) -> None:
        """ipyevents handler: press on the preview and drag to move the presenter."""
        self.drag.on_mouse(event)

    def place_presenter(self, x: float, y: float) -> None:
        """Put the presenter's centre at (``x``, ``y``), fractions of the frame, as a drag does."""
        self.layout_edit = editing.placed_at(self.layout_edit, x, y)
        with self._quiet():
            self.corner.value = FREE
        self._edited(preview=True)

    # ---- saving --------------------------------------------------------------------------

    def changes(self) -> dict[str, Any]:
        """The fields the user changed, as ``update_scene`` takes them."""
        if self.scene is None:
            return {}
        return changed_fields(
            self.scene, title=self.title.value, narration=self.narration.value,
            layout=self.layout_edit,
        )  # fmt: skip

    @property
    def is_dirty(self) -> bool:
        return bool(self.changes())

    def _show_dirty(self) -> None:
        self.dirty.value = (
            "<span style='color:#a15c00'>● unsaved changes</span>" if self.is_dirty else ""
        )

    def save(self) -> bool:
        """Write the changed fields; True when saved (or nothing to save)."""
        if self.scene is None:
            return True
        changes = self.changes()
        if not changes:
            self.message.info("Nothing to change: the scene is saved.")
            return True
        try:
            fresh = self.ws.scene(self.slug, self.scene.id)
            conflicts = conflicting_fields(self.scene, fresh, changes, self._overwrite)
            if conflicts:
                self._overwrite.update(conflicts)
                self.message.show(conflict_message(conflicts))
                return False
            saved = self.ws.update_scene(self.slug, self.scene.id, **changes)
        except Exception as exc:
            self.message.show_error(exc)
            return False
        self._overwrite.clear()
        self._show(saved)
        if {"narration", "title"} & set(changes):
            self._rebuild()
        else:
            self.refresh_preview()
        self.message.info(saved_message(changes))
        if self.on_saved is not None:
            self.on_saved(saved)
        return True

    def save_if_dirty(self) -> bool:
        return True if not self.is_dirty else self.save()

    def _source_changed(self) -> None:
        """The screen or the photo changed: show it (keeping the message that says so)."""
        if self.scene is not None:
            self.recording.load(self.slug, self.scene.id)
            self.capture.load(self.slug, self.scene.id)
            try:
                self.sources.show(self.slug, self.scene.id)
            except Exception as exc:
                self.message.show_error(exc)
        self._rebuild()
        if self.on_saved is not None and self.scene is not None:
            self.on_saved(self.scene)

    def _captions_changed(self) -> None:
        """A caption was edited: the preview and the list show it."""
        self._rebuild()
        if self.on_saved is not None and self.scene is not None:
            self.on_saved(self.scene)

    def _recording_changed(self) -> None:
        """The recorded scene's cuts changed: its length and preview with them."""
        self._rebuild()
        if self.on_saved is not None and self.scene is not None:
            self.on_saved(self.scene)
