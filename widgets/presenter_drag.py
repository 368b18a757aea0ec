"""Dragging the presenter on the scene editor's preview: press on the picture and drag, and the
presenter follows the pointer, held where it was grabbed (a press outside the presenter brings
its centre to the pointer). Mouse events on the preview image come from ipyevents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from widgets.scene_editor import SceneEditor

__all__ = ["PresenterDrag"]


class PresenterDrag:
    """Moves ``editor``'s presenter with the mouse on ``editor.preview``."""

    def __init__(self, editor: SceneEditor) -> None:
        self.editor = editor
        self.grab: tuple[float, float] | None = None  # pointer minus the presenter's centre
        self.events = self._watch_mouse()

    def _watch_mouse(self) -> list[Any]:
        from ipyevents import Event

        clicks = Event(
            source=self.editor.preview,
            watched_events=["mousedown", "mouseup", "mouseleave"],
            prevent_default_action=True,
        )
        moves = Event(
            source=self.editor.preview, watched_events=["mousemove"], prevent_default_action=True,
            throttle_or_debounce="throttle", wait=30,
        )  # fmt: skip
        clicks.on_dom_event(self.on_mouse)
        moves.on_dom_event(self.on_mouse)
        return [clicks, moves]

    def on_mouse(self, event: Mapping[str, Any]) -> None:
        """ipyevents handler: press on the preview and drag to move the presenter."""
        kind = event.get("type")
        editor = self.editor
        if editor.draft is None or editor.scene is None:
            return
        point = self._point(event)
        if kind == "mousedown" and point is not None:
            box = editor.draft.avatar_box(editor.layout_edit, editor.size)
            if box is None:
                return
            x, y, bw, bh = box
            cx, cy = x + bw / 2, y + bh / 2
            inside = x <= point[0] <= x + bw and y <= point[1] <= y + bh
            self.grab = (point[0] - cx, point[1] - cy) if inside else (0.0, 0.0)
            self._move(point)
        elif kind == "mousemove" and self.grab is not None:
            if event.get("buttons") == 0:  # released outside the picture
                self.grab = None
            elif point is not None:
                self._move(point)
        elif kind in ("mouseup", "mouseleave"):
            if kind == "mouseup" and self.grab is not None and point is not None:
                self._move(point)
            self.grab = None

    def _point(self, event: Mapping[str, Any]) -> tuple[float, float] | None:
        """Where the event happened, in preview pixels."""
        size = self.editor.size
        if "dataX" in event and "dataY" in event:
            return float(event["dataX"]), float(event["dataY"])
        try:
            return (
                float(event["relativeX"]) * size[0] / float(event["boundingRectWidth"]),
                float(event["relativeY"]) * size[1] / float(event["boundingRectHeight"]),
            )
        except (KeyError, TypeError, ValueError, ZeroDivisionError):
            return None

    def _move(self, point: tuple[float, float]) -> None:
        gx, gy = self.grab or (0.0, 0.0)
        size = self.editor.size
        self.editor.place_presenter((point[0] - gx) / size[0], (point[1] - gy) / size[1])
