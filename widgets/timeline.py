"""The timeline: a project's scenes as a strip of blocks as wide as they are long, each with a
thumbnail and its status (rendered, needs rendering, failed) in words and colour, and a
rendered scene's quality checks as a badge (its problems in the tooltip). Click a block
to edit its scene; drag it, or press Ctrl+← / Ctrl+→ on it, to move it; add a scene; delete one
after a confirmation. The strip itself is :class:`widgets.scene_strip.SceneStrip`."""

from __future__ import annotations

import base64
import html
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import ipywidgets as w

from vidkit import Workspace, editing
from vidkit.editing import SceneStatus
from vidkit.model import Scene
from widgets.errors import ErrorBox
from widgets.scene_strip import Block, QcKind, SceneStrip, StatusKind

__all__ = ["SceneTimeline"]

log = logging.getLogger("widgets")

_STATUS_TEXT: dict[StatusKind, str] = {
    "rendered": "Rendered",
    "needs-rendering": "Needs rendering",
    "failed": "Failed",
}
_QC_TEXT: dict[str, str] = {
    "green": "Checks OK",
    "amber": "Check warnings",
    "red": "Checks failed",
}
_MEMO_LIMIT = 512  # thumbnails remembered in the kernel (data URLs of a few kB each)


def _button(text: str, css: str, tooltip: str, style: str = "") -> w.Button:
    button = w.Button(description=text, tooltip=tooltip, button_style=style)
    button.add_class(css)
    return button


def _seconds(ms: int) -> str:
    """A length read out: "24 seconds", "1 minute 5 seconds"."""
    total = round(ms / 1000)
    minutes, seconds = divmod(total, 60)
    parts = [f"{minutes} minute{'s' * (minutes != 1)}"] if minutes else []
    if seconds or not minutes:
        parts.append(f"{seconds} second{'s' * (seconds != 1)}")
    return " ".join(parts)


def _utc(when: datetime | None) -> datetime | None:
    if when is None or when.tzinfo is not None:
        return when
    return when.replace(tzinfo=UTC)


def _plain_error(error: str) -> str:
    """A job's error ("RenderError: the video ...") without the exception's name."""
    head, sep, rest = error.partition(": ")
    text = rest if sep and head.isidentifier() and head[:1].isupper() else error
    text = " ".join(text.split())
    return text if len(text) <= 160 else text[:159] + "…"


class SceneTimeline(w.VBox):  # type: ignore[misc]
    """Scenes of one project. ``on_select(scene_id)`` asks to edit a scene (it returns False
    when the switch must wait, e.g. unsaved edits failed to save); ``on_changed()`` follows
    every change of the scene list. Thumbnails are made after :meth:`set_statuses` in a
    background thread (``background=False``: at once, for scripts and tests)."""

    def __init__(
        self,
        ws: Workspace,
        *,
        on_select: Callable[[int | None], bool] | None = None,
        on_changed: Callable[[], None] | None = None,
        background: bool = True,
    ) -> None:
        self.ws = ws
        self.on_select = on_select
        self.on_changed = on_changed
        self.background = background
        self.slug = ""
        self.scenes: list[Scene] = []
        self.selected: int | None = None
        self.statuses: dict[int, SceneStatus] = {}
        self.failures: dict[int, tuple[Scene, str]] = {}  # scene id: (scene as it failed, why)
        self._drawing = threading.RLock()  # statuses arrive from a background thread
        self._thumbs: dict[tuple[Any, ...], str] = {}
        self._thumb_generation = 0
        self._thumb_thread: threading.Thread | None = None
        self.message = ErrorBox()
        self.strip = SceneStrip(on_open=self._opened, on_move=self.move_to)
        self.total = w.HTML()
        self.add = _button("Add scene", "vk-add-scene", "Add a scene at the end", "success")
        self.delete = _button("Delete scene", "vk-delete-scene", "Delete the selected scene")
        self.confirm_box = w.HBox()
        self.add.on_click(lambda _b: self.add_scene())
        self.delete.on_click(lambda _b: self.ask_delete())
        super().__init__(
            [
                self.strip,
                w.HBox([self.add, self.delete, self.total]),
                self.confirm_box,
                self.message,
            ]
        )
        self.add_class("vk-timeline")

    # ---- showing -------------------------------------------------------------------------

    def show(self, slug: str, selected: int | None = None) -> None:
        """Read the project's scenes again and draw them."""
        if slug != self.slug:
            self.statuses, self.failures = {}, {}
            self._thumb_generation += 1
            self.strip.thumbnails = {}
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
        """Durations (spoken or estimated) and render status from :func:`scene_statuses`;
        then the thumbnails of those scenes."""
        slug = self.slug
        failures = self._failures(slug, statuses)
        with self._drawing:
            self.statuses = {s.scene.id: s for s in statuses}
            self.failures = failures
            self._draw()
        self._thumb_generation += 1
        generation = self._thumb_generation
        if not self.background:
            self._load_thumbnails(slug, list(statuses), generation)
            return
        thread = threading.Thread(
            target=self._load_thumbnails,
            args=(slug, list(statuses), generation),
            daemon=True,
            name="vk-thumbnails",
        )
        self._thumb_thread = thread
        thread.start()

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait for the thumbnails being made (scripts and tests)."""
        if self._thumb_thread is not None:
            self._thumb_thread.join(timeout)

    def _duration(self, scene: Scene) -> tuple[int, bool]:
        status = self.statuses.get(scene.id)
        if status is not None and status.scene.narration == scene.narration:
            return status.duration_ms, status.spoken
        return editing.estimated_ms(scene), False

    def _status(self, scene: Scene) -> tuple[StatusKind, str]:
        """Its status, and why when it is known (a problem, or the error of a failed render).
        Statuses read before the scene last changed no longer count."""
        status = self.statuses.get(scene.id)
        fresh = status is not None and status.scene == scene
        if fresh and status is not None and status.cached:
            return "rendered", ""
        failed = self.failures.get(scene.id)
        if failed is not None and failed[0] == scene:
            return "failed", failed[1]
        return "needs-rendering", (status.problem or "") if fresh and status is not None else ""

    def _checks(self, scene: Scene) -> tuple[QcKind, str, str]:
        """A rendered scene's quality checks: the badge's colour and words, and what to say
        after its status (the problems found); nothing for a scene not rendered as it is."""
        status = self.statuses.get(scene.id)
        if status is None or status.scene != scene or not status.cached or status.qc is None:
            return "", "", ""
        kind: QcKind = "red" if status.qc == "red" else "amber" if status.qc == "amber" else "green"
        words = _QC_TEXT[kind]
        notes = "; ".join(status.qc_notes)
        return kind, words, f", {words.lower()}" + (f": {notes}" if notes else "")

    def _draw(self) -> None:
        with self._drawing:
            self._draw_blocks()

    def _draw_blocks(self) -> None:
        total = 0
        blocks: list[Block] = []
        count = len(self.scenes)
        for scene in self.scenes:
            ms, spoken = self._duration(scene)
            total += ms
            kind, why = self._status(scene)
            words = _STATUS_TEXT[kind]
            said = f"{_seconds(ms)}" if spoken else f"about {_seconds(ms)}"
            detail = f": {why}" if why else ""
            opened = ", open in the editor" if scene.id == self.selected else ""
            qc, qc_text, checked = self._checks(scene)
            blocks.append(
                Block(
                    id=scene.id,
                    position=scene.position,
                    title=scene.title,
                    ms=max(ms, 1),
                    length=f"{ms / 1000:.0f} s" if spoken else f"≈{ms / 1000:.0f} s",
                    status=kind,
                    status_text=words,
                    label=(
                        f"Scene {scene.position} of {count}: {scene.title}, {said}, "
                        f"{words.lower()}{detail}{checked}{opened}"
                    ),
                    tooltip=f"{scene.title}: {said}. {words}{detail}{checked}.",
                    qc=qc,
                    qc_text=qc_text,
                )
            )
        if blocks != self.strip.blocks:
            self.strip.blocks = [dict(block) for block in blocks]
        self.strip.selected = self.selected or 0
        estimate = any(not self._duration(s)[1] for s in self.scenes)
        self.total.value = (
            f"<span style='padding-left:1em'>{count} scene(s), "
            f"{'about ' if estimate else ''}{total / 1000:.0f} s</span>"
        )
        self.delete.disabled = self._index() is None

    def _index(self) -> int | None:
        for i, scene in enumerate(self.scenes):
            if scene.id == self.selected:
                return i
        return None

    # ---- what the catalogue knows beyond the statuses ------------------------------------

    def _failures(self, slug: str, statuses: Sequence[SceneStatus]) -> dict[int, tuple[Scene, str]]:
        """Scenes whose latest render step failed since they last changed, with the error."""
        try:
            jobs = self.ws.jobs(slug)
        except Exception as exc:
            log.warning("render history of %s: %s", slug, exc)
            return {}
        latest = {job.scene_id: job for job in jobs if job.scene_id is not None}
        out: dict[int, tuple[Scene, str]] = {}
        for status in statuses:
            scene, job = status.scene, latest.get(status.scene.id)
            if job is None or job.status != "failed" or status.cached:
                continue
            if (job.error or "") == "interrupted":  # stopped by the user, not a failure
                continue
            finished, changed = _utc(job.finished_at), _utc(scene.updated_at)
            if finished is not None and changed is not None and finished < changed:
                continue  # edited since: the next render may well work
            out[scene.id] = (scene, _plain_error(job.error or "the render stopped"))
        return out

    def _load_thumbnails(self, slug: str, statuses: list[SceneStatus], generation: int) -> None:
        """Make (or find) each scene's thumbnail and show them as they come; a newer call, or
        another project shown, stops this one."""
        try:
            marker = self._marker(slug)
        except Exception as exc:
            log.warning("thumbnails of %s: %s", slug, exc)
            return
        pictures = dict(self.strip.thumbnails)
        for status in statuses:
            if generation != self._thumb_generation or slug != self.slug:
                return
            memo = (slug, status.scene, status.duration_ms, status.spoken, status.cached,
                    status.video, marker)  # fmt: skip
            url = self._thumbs.get(memo)
            if url is None:
                try:
                    jpeg = editing.scene_thumbnail(self.ws, slug, status)
                except Exception as exc:
                    log.warning("thumbnail of scene %s of %s: %s", status.scene.id, slug, exc)
                    continue
                url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
                if len(self._thumbs) >= _MEMO_LIMIT:
                    self._thumbs.clear()
                self._thumbs[memo] = url
            pictures[str(status.scene.id)] = url
            self._show_thumbnails(pictures, slug, generation)
        alive = {str(s.id) for s in self.scenes}
        self._show_thumbnails({k: v for k, v in pictures.items() if k in alive}, slug, generation)

    def _show_thumbnails(self, pictures: dict[str, str], slug: str, generation: int) -> None:
        with self._drawing:
            current = generation == self._thumb_generation and slug == self.slug
            if current and pictures != self.strip.thumbnails:
                self.strip.thumbnails = dict(pictures)

    def _marker(self, slug: str) -> tuple[Any, ...]:
        """What, beside the scene and its status, changes a draft: the project (its title,
        voice) and any file made or imported since (a cut-out presenter, a capture)."""
        with self.ws.catalogue.session():
            project = self.ws.project(slug)
            newest = max((a.id for a in self.ws.assets(slug)), default=0)
        return project, newest

    # ---- actions -------------------------------------------------------------------------

    def _opened(self, scene_id: int) -> None:
        """A click or Enter on a block: the scene already open stays as it is (reading it
        again would drop edits not saved yet)."""
        if scene_id != self.selected:
            self.select(scene_id)

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

    def move_to(self, scene_id: int, position: int) -> None:
        """Move a scene to a 1-based ``position`` (what a drag or Ctrl+arrow asks for); the
        strip then shows the catalogue's order."""
        if position < 1 or position > len(self.scenes):
            return
        try:
            self.ws.move_scene(self.slug, scene_id, position)
        except Exception as exc:  # e.g. another tab deleted it: say so, show the real order
            self.show(self.slug)
            self.message.show_error(exc)
            return
        self.show(self.slug)
        scene = next((s for s in self.scenes if s.id == scene_id), None)
        if scene is not None:
            self.strip.announcement = ""  # the same words again are still news
            self.strip.announcement = (
                f"Moved “{scene.title}” to place {scene.position} of {len(self.scenes)}."
            )
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
