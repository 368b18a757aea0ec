"""The timeline: a project's scenes as blocks as wide as they are long. Click one to edit it;
move it earlier or later; add a scene; delete one after a confirmation."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Sequence

import ipywidgets as w

from vidkit import Workspace, editing
from vidkit.editing import SceneStatus
from vidkit.model import Scene
from widgets.errors import ErrorBox

__all__ = ["SceneTimeline"]


def _button(text: str, css: str, tooltip: str, style: str = "") -> w.Button:
    button = w.Button(description=text, tooltip=tooltip, button_style=style)
    button.add_class(css)
    return button


class SceneTimeline(w.VBox):  # type: ignore[misc]
    """Scenes of one project. ``on_select(scene_id)`` asks to edit a scene (it returns False
    when the switch must wait, e.g. unsaved edits failed to save); ``on_changed()`` follows
    every change of the scene list."""

    def __init__(
        self,
        ws: Workspace,
        *,
        on_select: Callable[[int | None], bool] | None = None,
        on_changed: Callable[[], None] | None = None,
    ) -> None:
        self.ws = ws
        self.on_select = on_select
        self.on_changed = on_changed
        self.slug = ""
        self.scenes: list[Scene] = []
        self.selected: int | None = None
        self.statuses: dict[int, SceneStatus] = {}
        self._drawing = threading.RLock()  # statuses arrive from a background thread
        self.message = ErrorBox()
        self._blocks: list[w.Button] = []
        self._empty = w.HTML("<i>No scenes yet: click “Add scene”.</i>")
        self.blocks = w.HBox(layout=w.Layout(width="100%", overflow="auto"))
        self.blocks.add_class("vk-scene-blocks")
        self.total = w.HTML()
        self.add = _button("Add scene", "vk-add-scene", "Add a scene at the end", "success")
        self.earlier = _button("◀ Earlier", "vk-move-earlier", "Move the selected scene earlier")
        self.later = _button("Later ▶", "vk-move-later", "Move the selected scene later")
        self.delete = _button("Delete scene", "vk-delete-scene", "Delete the selected scene")
        self.confirm_box = w.HBox()
        self.add.on_click(lambda _b: self.add_scene())
        self.earlier.on_click(lambda _b: self.move(-1))
        self.later.on_click(lambda _b: self.move(+1))
        self.delete.on_click(lambda _b: self.ask_delete())
        super().__init__(
            [
                self.blocks,
                w.HBox([self.add, self.earlier, self.later, self.delete, self.total]),
                self.confirm_box,
                self.message,
            ]
        )
        self.add_class("vk-timeline")

    # ---- showing -------------------------------------------------------------------------

    def show(self, slug: str, selected: int | None = None) -> None:
        """Read the project's scenes again and draw them."""
        if slug != self.slug:
            self.statuses = {}
        self.slug = slug
        with self.message.guard():
            self.scenes = self.ws.scenes(slug)
        ids = [s.id for s in self.scenes]
        if selected is not None:
            self.selected = selected
        if self.selected not in ids:
            self.selected = ids[0] if ids else None
        self._draw()

    def set_statuses(self, statuses: Sequence[SceneStatus]) -> None:
        """Durations (spoken or estimated) and render status from :func:`scene_statuses`."""
        self.statuses = {s.scene.id: s for s in statuses}
        self._draw()

    def _duration(self, scene: Scene) -> tuple[int, bool]:
        status = self.statuses.get(scene.id)
        if status is not None and status.scene.narration == scene.narration:
            return status.duration_ms, status.spoken
        return editing.estimated_ms(scene), False

    def _draw(self) -> None:
        with self._drawing:
            self._draw_blocks()

    def _draw_blocks(self) -> None:
        """Show the scenes. Existing block buttons are updated in place (a redraw when only a
        duration or the selection changed must not replace the page's elements under the
        user's pointer); buttons are made or dropped only when the number of scenes changes."""
        total = 0
        for index, scene in enumerate(self.scenes):
            ms, spoken = self._duration(scene)
            total += ms
            status = self.statuses.get(scene.id)
            cached = status is not None and status.cached and status.scene == scene
            seconds = f"{ms / 1000:.0f} s" if spoken else f"≈{ms / 1000:.0f} s"
            block = self._block(index)
            block.description = f"{scene.position}. {scene.title} · {seconds}"
            block.tooltip = f"{scene.title}: {seconds}{' (rendered)' if cached else ''}"
            block.button_style = "info" if scene.id == self.selected else ""
            block.layout.flex = f"{max(ms, 1)} 1 0px"
            if scene.id == self.selected:
                block.add_class("vk-selected")
            else:
                block.remove_class("vk-selected")
        for gone in self._blocks[len(self.scenes) :]:
            gone.close()
        del self._blocks[len(self.scenes) :]
        if self._blocks:
            if tuple(self._blocks) != tuple(self.blocks.children):
                self.blocks.children = tuple(self._blocks)
        else:
            self.blocks.children = (self._empty,)
        estimate = any(not self._duration(s)[1] for s in self.scenes)
        self.total.value = (
            f"<span style='padding-left:1em'>{len(self.scenes)} scene(s), "
            f"{'about ' if estimate else ''}{total / 1000:.0f} s</span>"
        )
        at = self._index()
        self.earlier.disabled = at is None or at == 0
        self.later.disabled = at is None or at == len(self.scenes) - 1
        self.delete.disabled = at is None

    def _block(self, index: int) -> w.Button:
        """The block button at ``index``: clicking it selects the scene shown there."""
        while len(self._blocks) <= index:
            position = len(self._blocks)
            block = w.Button(layout=w.Layout(min_width="7em", height="44px"))
            block.add_class("vk-scene-block")
            block.on_click(lambda _b, i=position: self._clicked(i))
            self._blocks.append(block)
        return self._blocks[index]

    def _clicked(self, index: int) -> None:
        if index < len(self.scenes):
            self.select(self.scenes[index].id)

    def _index(self) -> int | None:
        for i, scene in enumerate(self.scenes):
            if scene.id == self.selected:
                return i
        return None

    # ---- actions -------------------------------------------------------------------------

    def select(self, scene_id: int | None) -> bool:
        if self.on_select is not None and not self.on_select(scene_id):
            return False
        self.selected = scene_id
        self._draw()
        return True

    def _changed(self) -> None:
        if self.on_changed is not None:
            self.on_changed()

    def add_scene(self, title: str | None = None) -> Scene | None:
        """Add a scene at the end and select it."""
        with self.message.guard():
            scene = self.ws.add_scene(self.slug, title or f"Scene {len(self.scenes) + 1}")
            self.show(self.slug)
            self._changed()
            self.select(scene.id)
            self.message.info(f"Added scene {scene.position}: edit its title and narration below.")
            return scene
        return None

    def move(self, step: int) -> None:
        index = self._index()
        if index is None or self.selected is None:
            return
        target = index + step
        if not 0 <= target < len(self.scenes):
            return
        with self.message.guard():
            self.ws.move_scene(self.slug, self.selected, target + 1)
            self.show(self.slug)
            self._changed()

    def ask_delete(self) -> None:
        index = self._index()
        if index is None:
            return
        scene = self.scenes[index]
        confirm = _button("Delete for good", "vk-confirm-delete", "Delete it", "danger")
        cancel = _button("Cancel", "vk-cancel-delete", "Keep it")
        confirm.on_click(lambda _b: self.delete_scene(scene.id))
        cancel.on_click(lambda _b: setattr(self.confirm_box, "children", ()))
        self.confirm_box.children = (
            w.HTML(
                f"Delete scene {scene.position} “{html.escape(scene.title)}” and its files? "
                "This cannot be undone. "
            ),
            confirm,
            cancel,
        )

    def delete_scene(self, scene_id: int) -> None:
        self.confirm_box.children = ()
        with self.message.guard():
            index = next((i for i, s in enumerate(self.scenes) if s.id == scene_id), 0)
            self.ws.delete_scene(self.slug, scene_id)
            self.scenes = self.ws.scenes(self.slug)
            neighbour = self.scenes[min(index, len(self.scenes) - 1)].id if self.scenes else None
            self.selected = None
            self.show(self.slug)
            self._changed()
            self.select(neighbour)
            self.message.info("Scene deleted.")
