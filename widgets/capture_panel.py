"""The capture panel: a scene's screen made by a script, a browser or a terminal session.

Shown under the scene editor. The script is TOML (a ``[browser]`` or ``[terminal]`` table,
see docs/capture.md); **Start from an example** fills in one to edit. **Save script** checks it
and stores it as the scene's screen (a mistake is one line naming the step, and the scene keeps
its old script); the steps are then listed in words. **Show step** makes a still of the screen
right after the chosen step, so each step can be checked by eye without capturing the whole
scene. **Capture now** speaks the narration (for steps tied to its words) and captures the
scene, as the render would; **Remove script** gives the scene back its other screen.

Capturing and previewing take seconds, so they run in a background thread (``background=False``
runs them inline, for scripts and tests) while the buttons are disabled and the status line
says what is being done, in words.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Final, TypeVar

import ipywidgets as w

from vidkit import Workspace, editing
from vidkit.capture import BrowserScript, BrowserStep, Step, load_script
from vidkit.pipeline import Event
from widgets.errors import ErrorBox, describe_error
from widgets.progress_words import doing as stage_words

__all__ = ["EXAMPLES", "CapturePanel"]

R = TypeVar("R")

#: Scripts to start from, by kind.
EXAMPLES: Final = {
    "browser": """[browser]
url = "https://example.com/"
steps = [
  { wait = 800 },
  { highlight = "h1", at = "this heading" },
  { click = { text = "More information" }, zoom = 1.5 },
  { wait = 1500 },
]
""",
    "terminal": """[terminal]
steps = [
  { type = "ls -la" },
  { type = "echo hello from the terminal", at = "say hello" },
  { wait = 800 },
]
""",
}
_PROGRESS_EVERY_S: Final = 0.2


def _step_words(step: BrowserStep | Step) -> str:
    words = html.escape(step.describe())
    if step.at:
        words += f" <small>(when the narration says “{html.escape(step.at)}”)</small>"
    return words


class CapturePanel(w.VBox):  # type: ignore[misc]
    """A scene's capture script: :meth:`load` a scene, edit, save, preview a step, capture.
    ``on_changed()`` follows every change of the script."""

    def __init__(
        self,
        ws: Workspace,
        *,
        background: bool = True,
        on_changed: Callable[[], None] | None = None,
    ) -> None:
        self.ws = ws
        self.background = background
        self.on_changed = on_changed
        self.slug = ""
        self.scene_id: int | None = None
        self.busy: str | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._shown_progress = 0.0
        self._build()

    # ---- widgets -------------------------------------------------------------------------

    def _button(self, text: str, css: str, tooltip: str, act: Callable[[], object]) -> w.Button:
        button = w.Button(description=text, tooltip=tooltip, layout=w.Layout(width="auto"))
        button.add_class(css)
        button.on_click(lambda _b: act())
        return button

    def _build(self) -> None:
        self.heading = w.HTML(
            "<b>Screen from a script</b> <small>— a browser or a terminal, driven step by step "
            'and filmed; a step with <code>at = "…"</code> happens when the narration says '
            "those words.</small>"
        )
        self.script = w.Textarea(
            placeholder="No script: start from an example, or write [browser] or [terminal] "
            "steps here.",
            layout=w.Layout(width="95%", height="12em"),
        )
        self.script.add_class("vk-capture-script")
        self.kind = w.Dropdown(
            options=[("A browser", "browser"), ("A terminal", "terminal")],
            description="Example:",
            layout=w.Layout(width="auto"),
        )
        self.example_button = self._button(
            "Start from an example", "vk-capture-example",
            "Put an example script in the box to edit", self.use_example,
        )  # fmt: skip
        self.save_button = self._button(
            "Save script", "vk-capture-save", "Check the script and make it this scene's screen",
            self.save,
        )  # fmt: skip
        self.save_button.button_style = "primary"
        self.remove_button = self._button(
            "Remove script", "vk-capture-remove", "This scene no longer shows the script",
            self.remove,
        )  # fmt: skip
        self.steps = w.HTML()
        self.steps.add_class("vk-capture-steps")
        self.step = w.Dropdown(description="Step", options=[], layout=w.Layout(width="auto"))
        self.step.add_class("vk-capture-step")
        self.preview_button = self._button(
            "Show step", "vk-capture-preview", "A still of the screen right after this step",
            self.preview,
        )  # fmt: skip
        self.capture_button = self._button(
            "Capture now", "vk-capture-run",
            "Film the whole script now, timed to the narration (the render reuses it)",
            self.capture,
        )  # fmt: skip
        self.still = w.Image(format="png", layout=w.Layout(width="100%", max_width="640px"))
        self.still.add_class("vk-capture-still")
        self.status = w.HTML()
        self.status.add_class("vk-capture-status")
        self.progress = w.IntProgress(value=0, max=100, layout=w.Layout(display="none"))
        self.progress.add_class("vk-capture-progress")
        self.message = ErrorBox()
        self.actions = (
            self.example_button, self.save_button, self.remove_button, self.preview_button,
            self.capture_button, self.step, self.kind,
        )  # fmt: skip
        super().__init__(
            [
                self.heading,
                w.HBox([self.kind, self.example_button], layout=w.Layout(flex_flow="row wrap")),
                self.script,
                w.HBox([self.save_button, self.remove_button]),
                self.steps,
                w.HBox(
                    [self.step, self.preview_button, self.capture_button],
                    layout=w.Layout(flex_flow="row wrap"),
                ),
                w.HBox([self.status, self.progress]),
                self.message,
                self.still,
            ]
        )
        self.add_class("vk-capture-panel")

    # ---- loading -------------------------------------------------------------------------

    def load(self, slug: str, scene_id: int) -> None:
        """Show a scene's script (an empty box when it has none)."""
        if (slug, scene_id) != (self.slug, self.scene_id):
            self.still.value = b""
        self.slug, self.scene_id = slug, scene_id
        self.message.clear()
        try:
            text = editing.capture_script(self.ws, slug, scene_id)
        except Exception as exc:
            self.message.show_error(exc)
            return
        self.script.value = text or ""
        self._show_steps(text)

    def _show_steps(self, text: str | None) -> None:
        if not text:
            self.steps.value = "<small>This scene has no script.</small>"
            self.step.options = []
        else:
            parsed = load_script(text)
            kind = "browser" if isinstance(parsed, BrowserScript) else "terminal"
            steps: tuple[BrowserStep | Step, ...] = parsed.steps
            items = "".join(f"<li>{_step_words(s)}</li>" for s in steps)
            self.steps.value = f"<small>The {kind} script's steps:</small><ol>{items}</ol>"
            self.step.options = [(f"{i}. {s.describe()}"[:60], i) for i, s in enumerate(steps, 1)]
        self._enable()

    def _enable(self) -> None:
        idle = self.busy is None
        saved = bool(self.step.options)
        for widget in self.actions:
            widget.disabled = not idle
        self.preview_button.disabled = self.capture_button.disabled = not (idle and saved)
        self.remove_button.disabled = not (idle and saved)
        self.step.disabled = not (idle and saved)

    # ---- actions -------------------------------------------------------------------------

    def use_example(self) -> None:
        """Fill the box with an example script of the chosen kind (if it is empty)."""
        if self.script.value.strip():
            self.message.show("Empty the box first: the example would replace your script.")
            return
        self.message.clear()
        self.script.value = EXAMPLES[str(self.kind.value)]

    def save(self) -> bool:
        """Check the script and store it as the scene's screen."""
        if self.scene_id is None:
            return False
        self.message.clear()
        try:
            editing.set_capture_script(self.ws, self.slug, self.scene_id, self.script.value)
        except Exception as exc:
            self.message.show_error(exc)
            return False
        self._changed()
        self._show_steps(self.script.value)
        self.message.info("Saved: the scene's screen is now this script.")
        return True

    def remove(self) -> None:
        if self.scene_id is None:
            return
        with self.message.guard():
            editing.drop_capture_script(self.ws, self.slug, self.scene_id)
            self._changed()
            self.script.value = ""
            self.still.value = b""
            self._show_steps(None)
            self.message.info("The script is removed; the scene shows its other screen.")

    def preview(self) -> bool:
        """A still of the screen right after the chosen step."""
        step = self.step.value
        if step is None or self.scene_id is None:
            return False
        slug, scene_id = self.slug, self.scene_id

        def job() -> bytes:
            path = editing.preview_capture_step(self.ws, slug, scene_id, int(step))
            return path.read_bytes()

        def finished(png: bytes) -> None:
            self.still.value = png
            self.message.info(f"This is the screen right after step {step}.")

        return self._start(f"running the script up to step {step}", job, finished)

    def capture(self) -> bool:
        """Speak the narration if needed and film the whole script."""
        if self.scene_id is None:
            return False
        slug, scene_id = self.slug, self.scene_id

        def job() -> float:
            asset = editing.capture_scene(self.ws, slug, scene_id, progress=self._progress)
            return (asset.duration_ms or 0) / 1000

        def finished(seconds: float) -> None:
            self.message.info(
                f"Captured: {seconds:.1f} s of screen, fitted to the narration when the scene "
                "is rendered."
            )

        return self._start("capturing the screen", job, finished)

    def _changed(self) -> None:
        if self.on_changed is not None:
            try:
                self.on_changed()
            except Exception as exc:
                self.message.show_error(exc)

    # ---- background work -----------------------------------------------------------------

    def _set_busy(self, doing: str | None) -> None:
        self.busy = doing
        if doing is None:
            self.progress.layout.display = "none"
            self.status.value = ""
        else:
            self.progress.value = 0
            self.progress.layout.display = ""
            self._say(doing)
        self._enable()

    def _say(self, doing: str) -> None:
        self.status.value = (
            f"<span style='color:#a15c00' role='status'>⏳ {html.escape(doing[:1].upper())}"
            f"{html.escape(doing[1:])}… (the buttons come back when it is done)</span>"
        )

    def _progress(self, event: Event) -> None:
        now = time.monotonic()
        final = event.total > 0 and event.done >= event.total
        if not final and now - self._shown_progress < _PROGRESS_EVERY_S:
            return
        self._shown_progress = now
        share = event.done / event.total if event.total else 0.0
        self.progress.value = round(100 * min(1.0, share))
        self._say(stage_words(event.stage, event.done, event.total))

    def _start(self, doing: str, job: Callable[[], R], finished: Callable[[R], None]) -> bool:
        with self._lock:
            if self.busy is not None:
                self.message.show(f"Wait until the panel has finished {self.busy}.")
                return False
            self._set_busy(doing)
        self.message.clear()
        where = (self.slug, self.scene_id)

        def run() -> None:
            try:
                result = job()
                if (self.slug, self.scene_id) == where:
                    finished(result)
            except Exception as exc:
                self.message.show(describe_error(exc))
            finally:
                self._set_busy(None)

        if not self.background:
            self._thread = None
            run()
            return True
        self._thread = threading.Thread(target=run, daemon=True, name="vk-capture-job")
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job ends (scripts and tests); True when none runs."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True
