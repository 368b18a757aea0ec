"""The recording editor: a scene made from a raw recording, edited by its words.

Shown under the scene editor for scenes that use a recording (chosen under "Screen" in the
editor, :mod:`widgets.sources`). It shows the recording's words, cut ones struck through with
the reason in their tooltip; a strip with the waveform, the kept, cut and sped-up stretches and
the screen activity (:mod:`widgets.recording_pictures`); the length before and after. The words
are :mod:`widgets.recording_words`. Click
words to select them (and see the recording there), then **Cut selected words** or **Restore
selected words**; **Tighten** cuts the pauses, fillers and restarted phrases; **Undo** steps
back one edit at a time. Everything goes through :mod:`vidkit.editing`; every edit is stored at
once and re-renders only this scene.

Transcribing and tightening take seconds, so they run in a background thread
(``background=False`` runs them inline, for scripts and tests) while the buttons are disabled
and the status line says what is being done.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Sequence
from typing import Final, TypeVar

import ipywidgets as w

from vidkit import Asset, Workspace, editing
from vidkit.editing import RecordingView
from vidkit.errors import NotFound
from vidkit.model import SceneEdit
from vidkit.pipeline import Event
from widgets import progress_words
from widgets.errors import ErrorBox, describe_error
from widgets.recording_pictures import frame_jpeg, strip_png
from widgets.recording_words import WordPicker, length_text, word_ranges

__all__ = ["RecordingEditor"]

R = TypeVar("R")
STRIP_SIZE: Final = (900, 96)
FRAME_WIDTH: Final = 320
_PROGRESS_EVERY_S: Final = 0.1


def _recording_name(asset: Asset) -> str:
    return str(asset.metadata.get("filename", "the recording"))


class RecordingEditor(w.VBox):  # type: ignore[misc]
    """Edits one recorded scene by its words: :meth:`load` it (it hides itself for a scene
    that does not use a recording). ``on_changed()`` follows every change of the cut list."""

    def __init__(
        self,
        ws: Workspace,
        slug: str = "",
        scene_id: int | None = None,
        *,
        background: bool = True,
        on_changed: Callable[[], None] | None = None,
    ) -> None:
        self.ws = ws
        self.background = background
        self.on_changed = on_changed
        self.slug = slug
        self.scene_id: int | None = None
        self.edit: SceneEdit | None = None
        self.recording: Asset | None = None
        self.view: RecordingView | None = None
        self.preview_ms: int | None = None
        self.busy: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._shown_progress = 0.0
        self._build()
        if slug and scene_id is not None:
            self.load(slug, scene_id)

    # ---- widgets -------------------------------------------------------------------------

    def _button(self, text: str, css: str, tooltip: str, act: Callable[[], object]) -> w.Button:
        button = w.Button(description=text, tooltip=tooltip, layout=w.Layout(width="auto"))
        button.add_class(css)
        button.on_click(lambda _b: act())
        return button

    def _build(self) -> None:
        self.heading = w.HTML()
        self.heading.add_class("vk-recording-heading")
        self.lengths = w.HTML()
        self.lengths.add_class("vk-recording-lengths")
        self.strip = w.Image(format="png", layout=w.Layout(width="100%", max_width="900px"))
        self.strip.add_class("vk-recording-strip")
        self.legend = w.HTML(
            "<small><span style='color:#43a047'>■</span> kept · "
            "<span style='color:#e57373'>■</span> cut · "
            "<span style='color:#ffb74d'>■</span> sped up · "
            "<span style='color:#4a6fa5'>▮</span> sound · "
            "<span style='color:#2e7d32'>—</span> screen activity</small>"
        )
        self.transcribe_button = self._button(
            "Transcribe", "vk-transcribe", "Write down every word said (a few seconds)",
            self.transcribe,
        )  # fmt: skip
        self.tighten_button = self._button(
            "Tighten", "vk-tighten",
            "Cut the long pauses, the filler words and the restarted phrases", self.tighten,
        )  # fmt: skip
        self.tighten_button.button_style = "primary"
        self.delete_button = self._button(
            "Cut selected words", "vk-delete-words", "Cut the words you clicked",
            self.delete_selected,
        )  # fmt: skip
        self.restore_button = self._button(
            "Restore selected words", "vk-restore-words",
            "Bring back the struck-through words you clicked", self.restore_selected,
        )  # fmt: skip
        self.undo_button = self._button(
            "Undo", "vk-undo-recording", "Undo the last change to this recording", self.undo
        )
        self.voice = w.ToggleButtons(
            options=[("Their own voice", "own"), ("The project's voice", "project")],
            value="own",
            tooltips=[
                "Keep the speaker's voice, cut as the words are cut",
                "Speak the kept words again in the project's voice; the video is fitted to it",
            ],
            description="Voice:",
            style={"button_width": "auto"},
        )
        self.voice.add_class("vk-recording-voice")
        self.voice.observe(self._voice_chosen, names="value")
        self._showing_voice = False
        self.actions = (
            self.transcribe_button, self.tighten_button, self.delete_button,
            self.restore_button, self.undo_button, self.voice,
        )  # fmt: skip
        self.status = w.HTML()
        self.status.add_class("vk-recording-status")
        self.progress = w.IntProgress(value=0, max=1, layout=w.Layout(display="none"))
        self.progress.add_class("vk-recording-progress")
        self.words = WordPicker(self.click)
        self.frame = w.Image(format="jpeg", layout=w.Layout(width=f"{FRAME_WIDTH}px"))
        self.frame.add_class("vk-recording-frame")
        self.frame_info = w.HTML("<small>Click a word to see the recording there.</small>")
        self.frame_info.add_class("vk-recording-frame-info")
        self.message = ErrorBox()
        self.body = w.VBox(
            [
                self.lengths,
                self.strip,
                self.legend,
                w.HBox(list(self.actions[:-1]), layout=w.Layout(flex_flow="row wrap")),
                self.voice,
                w.HBox([self.status, self.progress]),
                self.message,
                w.HBox(
                    [
                        self.words,
                        w.VBox([self.frame, self.frame_info], layout=w.Layout(flex="1 1 0%")),
                    ],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
            ]
        )
        super().__init__([self.heading, self.body], layout=w.Layout(display="none"))
        self.add_class("vk-recording-editor")

    # ---- loading -------------------------------------------------------------------------

    @property
    def shown(self) -> bool:
        return bool(self.layout.display != "none")

    def load(self, slug: str, scene_id: int) -> None:
        """Show a scene: its recording and words when it uses one; hidden when it does not."""
        if (slug, scene_id) != (self.slug, self.scene_id):
            self.words.reset()
            self.preview_ms = None
            self.frame.value = b""
            self.frame_info.value = "<small>Click a word to see the recording there.</small>"
        self.slug, self.scene_id = slug, scene_id
        self.message.clear()
        self.refresh()

    def refresh(self) -> None:
        """Read the scene's recording edit and what the cache holds of it again."""
        if self.scene_id is None:
            return
        try:
            self.edit = editing.recording_edit(self.ws, self.slug, self.scene_id)
            self.recording = self._recording() if self.edit is not None else None
            view = (
                editing.recording_view(self.ws, self.slug, self.scene_id)
                if self.edit is not None
                else None
            )
        except Exception as exc:
            self.message.show_error(exc)
            return
        self.layout.display = "" if self.edit is not None else "none"
        self._show(view)

    def _recording(self) -> Asset:
        assert self.edit is not None
        for asset in self.ws.assets(self.slug, kind="screen_capture"):
            if asset.id == self.edit.recording_id:
                return asset
        raise NotFound(
            "this scene's recording is no longer in the project: choose another one under Screen"
        )

    def _show(self, view: RecordingView | None) -> None:
        self.view = view
        self.words.show(view)
        self._show_heading()
        self._show_lengths()
        self._draw_strip()
        self._enable()

    def _show_heading(self) -> None:
        if self.edit is None or self.recording is None:
            self.heading.value = ""
            return
        name = html.escape(_recording_name(self.recording))
        total = int(self.recording.duration_ms or 0)
        window = ""
        if self.edit.in_ms or self.edit.out_ms is not None:
            end = self.edit.out_ms if self.edit.out_ms is not None else total
            window = f", from {length_text(self.edit.in_ms)} to {length_text(end)}"
        voice = (
            "the speaker's own voice (the narration text above is not spoken)"
            if self.edit.voice == "own"
            else "re-voiced in the project's voice"
        )
        self.heading.value = (
            f"<h4 style='margin:8px 0 2px'>Recording: {name} ({length_text(total)}{window})</h4>"
            f"<small>Plays in {voice}.</small>"
        )
        self._showing_voice = True
        try:
            self.voice.value = self.edit.voice
        finally:
            self._showing_voice = False

    def _show_lengths(self) -> None:
        view = self.view
        if view is None:
            has_sound = self.recording is not None and self.recording.metadata.get("has_audio")
            self.lengths.value = (
                "<i>Not transcribed yet: <b>Transcribe</b> shows its words and where its pauses "
                "are; <b>Tighten</b> cuts them.</i>"
                if has_sound
                else "<i>This recording has no sound: <b>Tighten</b> cuts where the screen "
                "stays still.</i>"
            )
            return
        cuts = view.cuts
        before, after = cuts.source_ms, cuts.output_ms
        changes = cuts.changes()
        cut = sum(1 for s in changes if s.action == "cut")
        fast = len(changes) - cut
        saved = f" ({round(100 * (before - after) / before)}% shorter)" if after < before else ""
        what = (
            f"{cut} cut{'s' if cut != 1 else ''}" + (f", {fast} sped up" if fast else "")
            if changes
            else "nothing cut yet"
        )
        dropped = len(self.words.cut)
        words = f" · {len(view.words)} words, {dropped} cut" if view.words else ""
        self.lengths.value = (
            f"<b>Before:</b> {length_text(before)} · <b>after:</b> {length_text(after)}{saved}"
            f" · {what}{words}"
        )

    def _draw_strip(self) -> None:
        view = self.view
        if view is None or view.analysis is None:
            self.strip.value = b""
            self.strip.layout.display = self.legend.layout.display = "none"
            return
        self.strip.layout.display = self.legend.layout.display = ""
        width, height = STRIP_SIZE
        self.strip.value = strip_png(view, width=width, height=height, at_ms=self.preview_ms)

    # ---- words ---------------------------------------------------------------------------

    @property
    def selected(self) -> set[int]:
        """The indices of the selected words."""
        return self.words.selected

    @property
    def cut(self) -> dict[int, str]:
        """The cut words by index, with why they are cut."""
        return self.words.cut

    def click(self, index: int) -> None:
        """A click on word ``index``: select it (or unselect it) and show the recording there."""
        if self.view is None or not 0 <= index < len(self.view.words):
            return
        self.words.toggle(index)
        self.preview(index)

    def select(self, indices: Sequence[int]) -> None:
        """Select exactly these words (by index), as clicks would."""
        self.words.select(indices)

    def preview(self, index: int) -> None:
        """Show the recording's picture where word ``index`` is said."""
        if self.view is None or self.recording is None:
            return
        word = self.view.words[index]
        self.preview_ms = word.start_ms
        self._draw_strip()
        reason = self.words.cut.get(index)
        state = "kept" if reason is None else f"cut: {editing.REASONS.get(reason, 'cut')}"
        self.frame_info.value = (
            f"<small>“{html.escape(word.text)}” at {word.start_ms / 1000:.1f} s "
            f"({html.escape(state)})</small>"
        )
        if not self.recording.metadata.get("has_video"):
            self.frame.value = b""
            return
        with self.message.guard():
            self.frame.value = frame_jpeg(
                self.ws.asset_path(self.recording), word.start_ms, width=FRAME_WIDTH,
                name=_recording_name(self.recording),
            )  # fmt: skip

    # ---- work ----------------------------------------------------------------------------

    def _enable(self) -> None:
        busy = self.busy is not None
        has_words = self.view is not None and bool(self.view.words)
        for button in self.actions:
            button.disabled = busy or self.edit is None
        if not busy:
            self.delete_button.disabled = self.restore_button.disabled = not has_words
            self.undo_button.disabled = self.edit is None or self.edit.version <= 1
            self.transcribe_button.disabled = self.edit is None or self.view is not None

    def _set_busy(self, doing: str | None) -> None:
        self.busy = doing
        if doing is None:
            self.progress.layout.display = "none"
            self.status.value = ""
        else:
            self.progress.value, self.progress.max = 0, 1
            self.progress.layout.display = ""
            self._say_working(doing)
        self._enable()

    def _say_working(self, doing: str) -> None:
        self.status.value = (
            f"<span style='color:#a15c00'>⏳ Working: {html.escape(doing)}… "
            "(the buttons come back when it is done)</span>"
        )

    def _progress(self, event: Event) -> None:
        now = time.monotonic()
        final = event.total > 0 and event.done >= event.total
        if not final and now - self._shown_progress < _PROGRESS_EVERY_S:
            return
        self._shown_progress = now
        self.progress.max = max(1, event.total)
        self.progress.value = min(event.done, event.total)
        self._say_working(progress_words.doing(event.stage, event.done, event.total))

    def _start(
        self,
        doing: str,
        job: Callable[[], R],
        finished: Callable[[R], None],
        *,
        changes: bool = True,
    ) -> bool:
        """Run ``job()`` (in a thread unless ``background`` is off), then ``finished(result)``
        with the editor shown again, then ``on_changed()`` when the job ``changes`` the cut
        list; a failure becomes the message. One job at a time."""
        with self._lock:
            if self.busy is not None:
                self.message.show(f"Wait until the recording editor has finished {self.busy}.")
                return False
            if self.scene_id is None or self.edit is None:
                return False
            self._set_busy(doing)
        self.message.clear()

        where = (self.slug, self.scene_id)

        def run() -> None:
            try:
                result = job()
                if (self.slug, self.scene_id) == where:  # not another scene meanwhile
                    self.refresh()
                    finished(result)
            except Exception as exc:
                self.message.show(describe_error(exc))
            finally:
                self._set_busy(None)
            if changes and self.on_changed is not None:
                try:
                    self.on_changed()
                except Exception as exc:
                    self.message.show(describe_error(exc))

        if not self.background:
            self._thread = None
            run()
            return True
        self._thread = threading.Thread(target=run, daemon=True, name="vk-recording-job")
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job ends (scripts and tests); True when none runs."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _where(self) -> tuple[str, int]:
        assert self.scene_id is not None
        return self.slug, self.scene_id

    def transcribe(self) -> bool:
        """Transcribe the recording and find its pauses (nothing is cut yet)."""
        slug, scene_id = self._where() if self.scene_id is not None else ("", 0)

        def job() -> editing.TightenReport:
            editing.transcript(self.ws, slug, scene_id, progress=self._progress)
            return editing.tighten(self.ws, slug, scene_id, dry_run=True, progress=self._progress)

        def finished(report: editing.TightenReport) -> None:
            count = len(self.view.words) if self.view is not None else 0
            if self.view is not None and self.view.analysis and not self.view.analysis.has_audio:
                self.message.info(
                    "This recording has no sound, so it has no words: Tighten cuts where the "
                    "screen stays still."
                )
                return
            would = (
                f"Tighten would make it {length_text(report.before_ms)} → "
                f"{length_text(report.after_ms)}."
                if report.after_ms < report.before_ms
                else "Tighten finds nothing to cut."
            )
            self.message.info(f"{count} words. {would}")

        return self._start("transcribing the recording", job, finished, changes=False)

    def tighten(self) -> bool:
        """Cut the pauses, fillers and restarted phrases (and keep the words deleted or
        restored by hand as they are)."""
        slug, scene_id = self._where() if self.scene_id is not None else ("", 0)

        def job() -> editing.TightenReport:
            return editing.tighten(self.ws, slug, scene_id, progress=self._progress)

        def finished(report: editing.TightenReport) -> None:
            self.message.info(
                f"Tightened: {length_text(report.before_ms)} → {length_text(report.after_ms)}. "
                "Cut words are struck through; click one and Restore to bring it back."
            )

        return self._start("tightening the recording", job, finished)

    def _automatic(self) -> bool:
        """Whether the scene was tightened by the rules: a text edit then keeps their cuts;
        on an untightened scene it cuts only the chosen words."""
        cuts = self.edit.cuts if self.edit is not None else None
        return cuts is not None and any(
            s.reason not in ("deleted", "manual") for s in cuts.changes()
        )

    def delete_selected(self) -> bool:
        """Cut the selected words from the video and its sound."""
        if not self.selected:
            self.message.show("Click the words to cut first (they turn blue), then Cut.")
            return False
        ranges = word_ranges(sorted(self.selected))
        slug, scene_id = self._where()
        count = len(self.selected)
        automatic = self._automatic()

        def job() -> editing.TightenReport:
            return editing.tighten(
                self.ws, slug, scene_id, delete=list(ranges), automatic=automatic,
                progress=self._progress,
            )  # fmt: skip

        def finished(report: editing.TightenReport) -> None:
            self.words.show(self.view, keep_selection=False)
            self.message.info(
                f"Cut {count} word{'s' if count != 1 else ''}: now "
                f"{length_text(report.after_ms)}. Undo brings them back."
            )

        return self._start("cutting the words", job, finished)

    def restore_selected(self) -> bool:
        """Bring the selected cut words back."""
        chosen = sorted(i for i in self.selected if i in self.words.cut)
        if not chosen:
            self.message.show(
                "Click struck-through words first (they turn blue), then Restore brings them back."
            )
            return False
        slug, scene_id = self._where()
        automatic = self._automatic()

        def job() -> editing.TightenReport:
            return editing.tighten(
                self.ws, slug, scene_id, restore=list(word_ranges(chosen)),
                automatic=automatic, progress=self._progress,
            )  # fmt: skip

        def finished(report: editing.TightenReport) -> None:
            self.words.show(self.view, keep_selection=False)
            self.message.info(
                f"Restored {len(chosen)} word{'s' if len(chosen) != 1 else ''}: now "
                f"{length_text(report.after_ms)}."
            )

        return self._start("restoring the words", job, finished)

    def _voice_chosen(self, change: dict[str, object]) -> None:
        if not self._showing_voice:
            self.choose_voice(str(change["new"]))

    def choose_voice(self, voice: str) -> bool:
        """Play the scene in the speaker's own voice (``"own"``) or re-voice its kept words in
        the project's voice (``"project"``); the cuts stay as they are."""
        edit = self.edit
        if edit is None or edit.voice == voice:
            return False
        slug, scene_id = self._where()

        def job() -> SceneEdit:
            try:
                return editing.use_recording(
                    self.ws, slug, scene_id, edit.recording_id, in_ms=edit.in_ms,
                    out_ms=edit.out_ms, voice=voice,
                )  # fmt: skip
            except Exception:
                self._show_heading()  # the toggle shows the voice the scene still has
                raise

        def finished(_edit: SceneEdit) -> None:
            self.message.info(
                "The speaker's own voice plays."
                if voice == "own"
                else "The kept words will be spoken in the project's voice when it renders."
            )

        return self._start("changing the voice", job, finished)

    def undo(self) -> bool:
        """Undo the last change to the scene's recording (a tightening, a cut, a restore)."""
        slug, scene_id = self._where() if self.scene_id is not None else ("", 0)

        def finished(_edit: SceneEdit) -> None:
            after = length_text(self.view.cuts.output_ms) if self.view is not None else ""
            self.message.info(f"Undone: {after} again." if after else "Undone.")

        return self._start("undoing", lambda: editing.undo(self.ws, slug, scene_id), finished)
