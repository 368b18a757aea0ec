"""The captions panel: a scene's captions one by one, each editable where it should not read as
it is said.

Shown under the scene editor. Each caption has its times (click them to see that moment in the
preview), a box with what it shows, and — where the caption and the speech part ways, "SQL"
said as "sequel", a name a transcript misheard — what is said meanwhile. **Save captions**
stores the boxes that were changed; the captions keep their times, and the preview shows them
at once. **Back to the words** undoes one caption's edit. When the narration changes so that a
caption an edit was made for no longer exists, the panel says so and **Forget them** clears
those edits. The captions are the draft's (:attr:`vidkit.editing.SceneDraft.captions`): on the
spoken narration's times once it is spoken, else estimated.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Final

import ipywidgets as w

from vidkit import Workspace, editing
from vidkit.editing import CaptionRow, SceneCaptions
from widgets.errors import ErrorBox

__all__ = ["MAX_ROWS", "CaptionsPanel"]

#: At most this many captions are listed (a long scene lists the first ones, and says so).
MAX_ROWS: Final = 150


def _seconds(ms: int) -> str:
    return f"{ms / 1000:.1f}"


class _Row(w.HBox):  # type: ignore[misc]
    """One caption: its times (a button that seeks), its text box, what is said, undo."""

    def __init__(self, row: CaptionRow, seek: Callable[[int], None], undo: Callable[[], None]):
        self.row = row
        self.when = w.Button(
            description=f"{_seconds(row.start_ms)}–{_seconds(row.end_ms)} s",
            tooltip=f"Caption {row.number}: see it in the preview",
            layout=w.Layout(width="9em", flex="0 0 auto"),
        )
        self.when.add_class("vk-caption-time")
        self.when.on_click(lambda _b: seek(row.start_ms))
        self.text = w.Text(
            value=" ".join(row.shown.split("\n")),
            placeholder=" ".join(row.written.split()),
            description=f"Caption {row.number}",
            style={"description_width": "0px"},
            layout=w.Layout(flex="1 1 auto", min_width="12em"),
        )
        self.text.add_class("vk-caption-text")
        said = ""
        if row.differs:
            said = f"said: “{html.escape(row.said)}”"
        if row.edited:
            written = html.escape(" ".join(row.written.split()))
            said = f"{said}{'; ' if said else ''}edited (made from the words: “{written}”)"
        self.note = w.HTML(f"<small>{said}</small>", layout=w.Layout(flex="0 1 auto"))
        self.note.add_class("vk-caption-note")
        self.undo = w.Button(
            description="Back to the words",
            tooltip="Show this caption as it is made from the words again",
            layout=w.Layout(width="auto", display="" if row.edited else "none"),
        )
        self.undo.add_class("vk-caption-undo")
        self.undo.on_click(lambda _b: undo())
        super().__init__(
            [self.when, self.text, self.undo, self.note],
            layout=w.Layout(align_items="center", flex_flow="row wrap"),
        )
        self.add_class("vk-caption-row")
        if row.differs:
            self.add_class("vk-caption-differs")

    @property
    def changed(self) -> bool:
        return " ".join(self.text.value.split()) != " ".join(self.row.shown.split())


class CaptionsPanel(w.VBox):  # type: ignore[misc]
    """A scene's captions: :meth:`show` them (from its draft), edit, save. ``seek(ms)``
    shows a moment in the preview; ``on_changed()`` follows every saved edit."""

    def __init__(
        self,
        ws: Workspace,
        *,
        seek: Callable[[int], None],
        on_changed: Callable[[], None] | None = None,
    ) -> None:
        self.ws = ws
        self.seek = seek
        self.on_changed = on_changed
        self.slug = ""
        self.scene_id: int | None = None
        self.captions: SceneCaptions | None = None
        self.rows: list[_Row] = []
        self.message = ErrorBox()
        self.message.add_class("vk-captions-message")
        self.heading = w.HTML(
            "<b>Captions</b> <small>— edit one where it should not read as it is said (a name, "
            "“SQL” said as “sequel”); it keeps its times. Click the times to see it.</small>"
        )
        self.only_differing = w.Checkbox(
            description="Only captions that differ from the speech, or are edited",
            indent=False, layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.only_differing.add_class("vk-captions-filter")
        self.only_differing.observe(lambda _c: self._list(), names="value")
        self.summary = w.HTML()
        self.summary.add_class("vk-captions-summary")
        self.list = w.VBox()
        self.list.add_class("vk-captions-list")
        self.save_button = w.Button(
            description="Save captions", button_style="primary",
            tooltip="Store the captions you changed (their times stay)",
            layout=w.Layout(width="auto"),
        )  # fmt: skip
        self.save_button.add_class("vk-captions-save")
        self.save_button.on_click(lambda _b: self.save())
        self.stale = w.HTML()
        self.stale.add_class("vk-captions-stale")
        self.forget_button = w.Button(
            description="Forget them", tooltip="Clear the edits no caption reads any more",
            layout=w.Layout(width="auto", display="none"),
        )  # fmt: skip
        self.forget_button.add_class("vk-captions-forget")
        self.forget_button.on_click(lambda _b: self.forget_stale())
        super().__init__(
            [
                self.heading,
                self.only_differing,
                self.summary,
                self.list,
                w.HBox([self.save_button, self.stale, self.forget_button]),
                self.message,
            ],
            layout=w.Layout(padding="6px 0"),
        )
        self.add_class("vk-captions-panel")

    # ---- showing -------------------------------------------------------------------------

    def show(self, slug: str, scene_id: int, captions: SceneCaptions | None) -> None:
        """Show the captions of scene ``scene_id`` (None: there is no draft to read them from);
        unsaved edits of the same scene's boxes are kept."""
        unsaved = self.unsaved() if (slug, scene_id) == (self.slug, self.scene_id) else {}
        self.slug, self.scene_id, self.captions = slug, scene_id, captions
        self._list(unsaved)

    def unsaved(self) -> dict[str, str]:
        """The boxes changed and not saved: the caption made from the words → the new text."""
        return {" ".join(r.row.written.split()): r.text.value for r in self.rows if r.changed}

    def _list(self, unsaved: dict[str, str] | None = None) -> None:
        unsaved = self.unsaved() if unsaved is None else unsaved
        captions = self.captions
        if captions is None or not captions.rows:
            self.rows = []
            self.list.children = ()
            self.summary.value = "<small>No captions: the narration has no words yet.</small>"
            self._show_stale()
            return
        wanted = [
            r for r in captions.rows
            if not self.only_differing.value or r.differs or r.edited
        ]  # fmt: skip
        self.rows = [_Row(r, self.seek, self._undo_for(r)) for r in wanted[:MAX_ROWS]]
        for row in self.rows:
            text = unsaved.get(" ".join(row.row.written.split()))
            if text is not None:
                row.text.value = text
        self.list.children = tuple(self.rows)
        differing = sum(r.differs for r in captions.rows)
        edited = sum(r.edited for r in captions.rows)
        parts = [f"{len(captions.rows)} caption(s)"]
        if differing:
            parts.append(f"{differing} read otherwise than said")
        if edited:
            parts.append(f"{edited} edited")
        if not captions.spoken:
            parts.append("times estimated until the narration is spoken")
        if len(wanted) > MAX_ROWS:
            parts.append(f"the first {MAX_ROWS} listed")
        self.summary.value = f"<small>{html.escape('; '.join(parts))}</small>"
        self._show_stale()

    def _undo_for(self, row: CaptionRow) -> Callable[[], None]:
        return lambda: self.back_to_words(row)

    def _show_stale(self) -> None:
        stale = self.captions.stale if self.captions is not None else ()
        if stale:
            said = ", ".join(f"“{html.escape(e.was)}”" for e in stale[:3])
            more = f" and {len(stale) - 3} more" if len(stale) > 3 else ""
            self.stale.value = (
                f"<small>{len(stale)} edit(s) no longer match a caption (the words changed): "
                f"{said}{more}</small>"
            )
            self.forget_button.layout.display = ""
        else:
            self.stale.value = ""
            self.forget_button.layout.display = "none"

    # ---- editing -------------------------------------------------------------------------

    def save(self) -> bool:
        """Store every changed box; True when all were stored (or nothing was changed)."""
        changed = [r for r in self.rows if r.changed]
        if self.scene_id is None or not changed:
            self.message.info("Nothing to change: the captions are saved.")
            return True
        self.save_button.disabled = True
        self.save_button.description = "Saving…"
        try:
            for row in changed:
                editing.edit_caption(
                    self.ws, self.slug, self.scene_id, row.row.written, row.text.value
                )
        except Exception as exc:
            self.message.show_error(exc)
            return False
        finally:
            self.save_button.disabled = False
            self.save_button.description = "Save captions"
        for row in changed:  # stored: not unsaved any more when the list is shown again
            row.row = _saved(row.row, row.text.value)
        self.message.info(
            f"Saved {len(changed)} caption(s): the preview shows them; render to burn them in."
        )
        if self.on_changed is not None:
            self.on_changed()
        return True

    def back_to_words(self, row: CaptionRow) -> None:
        """Undo one caption's edit."""
        if self.scene_id is None:
            return
        with self.message.guard():
            editing.edit_caption(self.ws, self.slug, self.scene_id, row.written, "")
            self.message.info(f"Caption {row.number} reads as it is made from the words again.")
            if self.on_changed is not None:
                self.on_changed()

    def forget_stale(self) -> None:
        if self.scene_id is None:
            return
        with self.message.guard():
            editing.drop_stale_caption_edits(self.ws, self.slug, self.scene_id)
            self.message.info("Forgot the edits that no caption reads any more.")
            if self.on_changed is not None:
                self.on_changed()


def _saved(row: CaptionRow, text: str) -> CaptionRow:
    from dataclasses import replace

    shown = text if text.strip() else row.written
    return replace(row, shown=shown, edited=bool(text.strip()))
