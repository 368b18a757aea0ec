"""The script panel: write the narration from a topic or an outline with the configured LLM,
edit and save it, plan it into scenes, revise the selected scene's narration on request, and
propose pronunciations for the project lexicon.

The work is :mod:`vidkit.stages.author`'s; this is its face in the studio. LLM calls take from
seconds to minutes (the embedded model writes about 20 tokens a second), so each runs in a
background thread: the buttons are disabled meanwhile, a second run is refused, and the tokens
stream into a progress bar. The stages cache, so asking again with the same inputs, model and
prompt answers at once.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as w

from vidkit import editing
from vidkit.api import Workspace
from vidkit.model import Scene
from widgets.errors import ErrorBox, describe_error

if TYPE_CHECKING:
    from vidkit.llm.protocol import LLM
    from vidkit.stages.author import LexiconSuggestions, Plan, PlanMode, Revised, Script

__all__ = ["QUICK_ASKS", "ScriptPanel", "model_note"]

R = TypeVar("R")
#: The quick revision buttons: label → what is asked.
QUICK_ASKS = {
    "Shorter": "shorter",
    "Friendlier": "friendlier",
    "Fit 20 s": "fit 20 s",
    "Less jargon": "less jargon",
}
#: Progress reaches the page at most this often while tokens stream in.
PROGRESS_EVERY_S = 0.1
_WEAK = (
    "The embedded model (SmolLM2-135M, offline) is in use: its output is weak but always valid, "
    "good for demos and tests, not for a real video. For real scripts set <code>[llm] backend"
    "</code> in config.toml to <code>openai</code>, <code>ollama</code> or <code>llamacpp</code> "
    "(see docs/llm.md)."
)


def model_note(ws: Workspace, llm: LLM | None = None) -> tuple[str, bool]:
    """Which model writes, as HTML for the panel, and whether it is the weak embedded one."""
    config = ws.config.llm
    if llm is not None and llm.name != config.backend:
        weak = llm.name == "embedded"
        return (_WEAK if weak else f"Model: {html.escape(llm.name)}."), weak
    if config.backend == "embedded":
        if not config.embedded.gguf:
            return _WEAK, True
        return (
            f"Model: the GGUF file {html.escape(config.embedded.gguf)} in-process "
            "(<code>[llm.embedded] gguf</code>).",
            False,
        )
    if config.backend == "openai":
        where = f"{config.cloud.model} at {config.cloud.base_url}"
    elif config.backend == "ollama":
        where = f"{config.local.model} on Ollama at {config.local.ollama_url}"
    else:
        where = f"{config.local.model} on llama.cpp at {config.local.llamacpp_url}"
    note = f'Model: {html.escape(where)} (<code>[llm] backend = "{config.backend}"</code>).'
    return note, False


def _button(text: str, css: str, tooltip: str, style: str = "", icon: str = "") -> w.Button:
    button = w.Button(
        description=text,
        tooltip=tooltip,
        button_style=style,
        icon=icon,
        layout=w.Layout(width="auto"),
    )
    button.add_class(css)
    return button


def _spoken(words: int) -> str:
    seconds = round(words / editing.DEFAULT_WPM * 60)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class _Tokens:
    """The progress callback of one run: tokens so far against the budget, into the bar and
    the status line, at most every :data:`PROGRESS_EVERY_S` seconds."""

    def __init__(self, panel: ScriptPanel, label: str) -> None:
        self.panel = panel
        self.label = label
        self.started = time.monotonic()
        self.shown = 0.0
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        now = time.monotonic()
        if self.shown and now - self.shown < PROGRESS_EVERY_S and done < total:
            return
        self.shown = now
        rate = done / max(1e-6, now - self.started)
        bar = self.panel.progress
        bar.max = max(1, total)
        bar.value = min(done, total)
        self.panel.status.value = (
            f"{html.escape(self.label)}: {done} of at most {total} tokens ({rate:.0f} tokens/s)…"
        )


class ScriptPanel(w.VBox):  # type: ignore[misc]
    """Authoring for one project at a time (:meth:`show_project`).

    ``llm``: the model (default: built from ``[llm]`` in the workspace's config at the first
    run, in the background). ``scene()`` gives the scene being edited, which Revise rewrites.
    ``before_change()`` runs before planning or revising (saving the editor's edits) and may
    return False to cancel. ``on_planned(slug, scenes)``, ``on_revised(slug, scene)`` and
    ``on_lexicon(slug, added)`` follow a finished run; they are called from its thread.
    ``background=False`` runs the model inline (scripts); :meth:`wait` waits for a run.
    """

    def __init__(
        self,
        ws: Workspace,
        *,
        llm: LLM | None = None,
        scene: Callable[[], Scene | None] | None = None,
        before_change: Callable[[], bool] | None = None,
        on_planned: Callable[[str, Sequence[Scene]], None] | None = None,
        on_revised: Callable[[str, Scene], None] | None = None,
        on_lexicon: Callable[[str, dict[str, str]], None] | None = None,
        background: bool = True,
    ) -> None:
        self.ws = ws
        self.llm = llm
        self.scene = scene
        self.before_change = before_change
        self.on_planned = on_planned
        self.on_revised = on_revised
        self.on_lexicon = on_lexicon
        self.background = background
        self.slug = ""
        self.busy: str | None = None  # what the running job is doing, e.g. "writing the script"
        self.stored = ""  # the script as the catalogue has it (dirty when the text differs)
        self.script_title = ""
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._llm_lock = threading.Lock()
        self.message = ErrorBox()
        self._build()

    # ---- widgets -------------------------------------------------------------------------

    def _build(self) -> None:
        wide = w.Layout(width="95%")
        note, weak = model_note(self.ws, self.llm)
        self.model_info = w.HTML(f"<small>{note}</small>")
        self.model_info.add_class("vk-llm-note")
        if weak:
            self.model_info.add_class("vk-weak-model")
        self.topic = w.Text(
            description="Topic", placeholder="Python list comprehensions", layout=wide
        )
        self.topic.add_class("vk-topic")
        self.outline = w.Textarea(
            description="Outline",
            placeholder="Optional: an outline or notes to follow",
            layout=w.Layout(width="95%", height="5em"),
        )
        self.outline.add_class("vk-outline")
        self.audience = w.Text(description="Audience", placeholder="curious beginners")
        self.audience.add_class("vk-audience")
        self.minutes = w.BoundedFloatText(
            value=2.0,
            min=0.1,
            max=60.0,
            step=0.5,
            description="Minutes",
            layout=w.Layout(width="12em"),
        )
        self.minutes.add_class("vk-minutes")
        self.tone = w.Text(description="Tone", placeholder="friendly and clear")
        self.tone.add_class("vk-tone")
        self.write_button = _button(
            "Write script",
            "vk-write-script",
            "Write the narration with the LLM",
            "primary",
            "pencil",
        )
        self.write_button.on_click(lambda _b: self.write())

        self.progress = w.IntProgress(
            min=0, max=1, value=0, description="LLM", layout=w.Layout(width="60%")
        )
        self.progress.add_class("vk-script-progress")
        self.status = w.HTML()
        self.status.add_class("vk-script-status")

        self.script = w.Textarea(
            placeholder="The narration script: write it with the LLM, or paste your own",
            layout=w.Layout(width="95%", height="14em"),
        )
        self.script.add_class("vk-script")
        self.script.observe(lambda _c: self._script_changed(), names="value")
        self.script_stats = w.HTML()
        self.script_stats.add_class("vk-script-stats")
        self.save_button = _button(
            "Save script", "vk-save-script", "Keep this text as the project's script", icon="save"
        )
        self.save_button.on_click(lambda _b: self.save())
        self.plan_button = _button(
            "Plan scenes",
            "vk-plan-scenes",
            "Cut the script into scenes with the LLM",
            "info",
            "th-list",
        )
        self.plan_button.on_click(lambda _b: self.plan())
        self.confirm_box = w.HBox()
        self.confirm_box.add_class("vk-plan-confirm")

        self.revise_ask = w.Text(
            description="Revise",
            placeholder="shorter, friendlier, fit 20 s …",
            layout=w.Layout(width="24em"),
        )
        self.revise_ask.add_class("vk-revise-ask")
        self.revise_button = _button(
            "Revise scene", "vk-revise-scene", "Rewrite the selected scene's narration as asked"
        )
        self.revise_button.on_click(lambda _b: self.revise())
        self.quick = []
        for label, ask in QUICK_ASKS.items():
            button = _button(label, "vk-revise-quick", f"Revise the selected scene: {ask}")
            button.on_click(lambda _b, ask=ask: self.revise(ask))
            self.quick.append(button)

        self.suggest_button = _button(
            "Suggest pronunciations",
            "vk-suggest-lexicon",
            "Propose how to say the identifiers and acronyms in the script",
            icon="volume-up",
        )
        self.suggest_button.on_click(lambda _b: self.suggest())
        self.lexicon_table = w.VBox()
        self.lexicon_table.add_class("vk-lexicon-table")
        self.apply_button = _button(
            "Apply",
            "vk-apply-lexicon",
            "Add the ticked pronunciations to the project lexicon",
            "success",
        )
        self.apply_button.layout.display = "none"
        self.apply_button.on_click(lambda _b: self.apply_lexicon())

        self.buttons = [
            self.write_button,
            self.save_button,
            self.plan_button,
            self.revise_button,
            *self.quick,
            self.suggest_button,
            self.apply_button,
        ]
        super().__init__(
            [
                self.model_info,
                self.topic,
                self.outline,
                w.HBox(
                    [self.audience, self.minutes, self.tone], layout=w.Layout(flex_flow="row wrap")
                ),
                self.write_button,
                w.HBox([self.progress, self.status]),
                self.message,
                self.script,
                w.HBox([self.save_button, self.plan_button, self.script_stats]),
                self.confirm_box,
                w.HTML("<b>The selected scene</b>"),
                w.HBox(
                    [self.revise_ask, self.revise_button], layout=w.Layout(flex_flow="row wrap")
                ),
                w.HBox(self.quick, layout=w.Layout(flex_flow="row wrap")),
                w.HTML("<b>Pronunciations</b>"),
                self.suggest_button,
                self.lexicon_table,
                self.apply_button,
            ]
        )
        self.add_class("vk-script-panel")

    # ---- the project ---------------------------------------------------------------------

    def show_project(self, slug: str) -> None:
        """Show ``slug``'s latest script, and the topic, audience, length and tone it was
        written for."""
        from vidkit.stages.author import latest_script

        self.slug = slug
        self.message.clear()
        self.confirm_box.children = ()
        self._show_proposals({})
        if self.busy is None:
            self.progress.value, self.progress.bar_style, self.status.value = 0, "", ""
        found: Script | None = None
        with self.message.guard():
            found = latest_script(self.ws, slug)
        meta = found.asset.metadata if found is not None else {}
        self.topic.value = str(meta.get("topic", ""))
        self.outline.value = ""
        self.audience.value = str(meta.get("audience", ""))
        self.tone.value = str(meta.get("tone", ""))
        minutes = meta.get("minutes")
        self.minutes.value = float(minutes) if isinstance(minutes, int | float) else 2.0
        self._show_script(found.text if found else "", found.title if found else "")

    def _show_script(self, text: str, title: str) -> None:
        self.stored, self.script_title = text, title
        self.script.value = text
        self._script_changed()

    @property
    def script_dirty(self) -> bool:
        return bool(self.script.value.strip() != self.stored.strip())

    def _script_changed(self) -> None:
        stats = editing.narration_stats(self.script.value)
        unsaved = " · <span style='color:#a15c00'>● unsaved changes</span>"
        self.script_stats.value = f"<small>{html.escape(stats.summary())}</small>" + (
            unsaved if self.script_dirty else ""
        )

    def save(self) -> bool:
        """Keep the text in the script box as the project's newest script."""
        from vidkit.stages.author import save_script

        if not self.slug:
            return False
        text = self.script.value
        if not text.strip():
            self.message.show(
                "The script is empty: write one with “Write script”, or paste your own, then Save."
            )
            return False
        try:
            saved = save_script(self.ws, self.slug, text, title=self.script_title, source="studio")
        except Exception as exc:
            self.message.show(describe_error(exc))
            return False
        self.stored = saved.text
        self._script_changed()
        self.message.info(f"Script saved ({saved.word_count} words).")
        return True

    # ---- running the model ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.busy is not None

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job ends (scripts and tests); True when none runs."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def model(self) -> LLM:
        """The LLM, built from ``[llm]`` on first use (the embedded model loads here)."""
        with self._llm_lock:
            if self.llm is None:
                from vidkit.backends.registry import build_llm

                self.llm = build_llm(self.ws.config)
            return self.llm

    @property
    def attempts(self) -> int:
        return self.ws.config.llm.retries + 1

    def _refused(self) -> bool:
        """True (and a message) when a job is running: one at a time."""
        busy = self.busy
        if busy is None:
            return False
        self.message.show(
            f"Wait until the panel has finished {busy}: it runs one LLM job at a time."
        )
        return True

    def _set_busy(self, doing: str | None) -> None:
        self.busy = doing
        for button in self.buttons:
            button.disabled = doing is not None
        self.script.disabled = doing is not None  # what is written or planned stays put

    def _start(
        self,
        doing: str,
        label: str,
        job: Callable[[LLM, _Tokens], R],
        finished: Callable[[R, _Tokens], None],
    ) -> bool:
        """Run ``job(llm, progress)`` in the background, then ``finished(result, progress)``;
        a failure becomes the panel's message. False when another job is still running."""
        with self._lock:
            if self._refused():
                return False
            self._set_busy(doing)
        self.message.clear()
        self.progress.bar_style, self.progress.value = "", 0
        tokens = _Tokens(self, label)
        first = "" if self.llm is not None else " (loading the model)"
        self.status.value = f"{html.escape(doing.capitalize())}{first}…"

        def run() -> None:
            try:
                result = job(self.model(), tokens)
                finished(result, tokens)
            except Exception as exc:
                self.progress.bar_style = "danger"
                self.status.value = f"{html.escape(label)}: failed after {tokens.done} tokens."
                self.message.show(describe_error(exc))
            finally:
                self._set_busy(None)

        if not self.background:
            self._thread = None
            run()
            return True
        self._thread = threading.Thread(target=run, daemon=True, name="vk-script-llm")
        self._thread.start()
        return True

    def _done(
        self, label: str, tokens: _Tokens, *, cached: bool, count: int, seconds: float
    ) -> None:
        self.progress.value = self.progress.max
        self.progress.bar_style = "success"
        wall = time.monotonic() - tokens.started
        if cached:
            self.status.value = f"{label}: cached (same inputs, model and prompt)."
        elif count == 0:
            self.status.value = f"{label}: done in {wall:.1f} s without asking the model."
        else:
            rate = f", {count / seconds:.0f} tokens/s" if seconds > 0 else ""
            self.status.value = (
                f"{label}: {count} tokens in {seconds:.1f} s{rate}; {wall:.1f} s in all."
            )

    def _news(self, text: str, notes: Sequence[str] = ()) -> None:
        self.message.info(" ".join([text, *(f"Note: {n}." for n in notes)]))

    # ---- write ---------------------------------------------------------------------------

    def write(self) -> bool:
        """Write the script from the topic and outline (in the background)."""
        from vidkit.stages.author import write_script

        slug = self.slug
        if not slug:
            return False
        if self._refused():
            return False
        topic, outline = self.topic.value.strip(), self.outline.value.strip()
        if not topic and not outline:
            self.message.show(
                "Nothing to write about: type a topic (e.g. “Python list "
                "comprehensions”) or paste an outline, then Write script."
            )
            return False
        # An edited script is kept first: it stays among the project's files.
        if self.script_dirty and self.script.value.strip() and not self.save():
            return False
        audience, tone, minutes = self.audience.value, self.tone.value, float(self.minutes.value)

        def job(llm: LLM, progress: _Tokens) -> Script:
            return write_script(
                self.ws,
                slug,
                llm,
                topic=topic,
                outline=outline,
                audience=audience,
                minutes=minutes,
                tone=tone,
                attempts=self.attempts,
                progress=progress,
            )

        def finished(script: Script, progress: _Tokens) -> None:
            self._done(
                "write", progress, cached=script.cached, count=script.tokens, seconds=script.seconds
            )
            if slug != self.slug:
                return
            self._show_script(script.text, script.title)
            self._news(
                f"Script written: {script.word_count} words, about {_spoken(script.word_count)} "
                "spoken. Edit it and Save, or Plan scenes.",
                script.notes,
            )

        return self._start("writing the script", "write", job, finished)

    # ---- plan ----------------------------------------------------------------------------

    def plan(self, mode: PlanMode | None = None) -> bool:
        """Cut the script in the box into scenes. When the project has scenes already and no
        ``mode`` is given, ask first: append the planned scenes, or replace the scenes (they
        are saved to a backup document first)."""
        from vidkit.stages.author import plan_scenes

        slug = self.slug
        if not slug:
            return False
        if self._refused():
            return False
        self.confirm_box.children = ()
        text = self.script.value
        if not text.strip():
            self.message.show(
                "There is no script to plan yet: write one with “Write script”, "
                "or paste your own above."
            )
            return False
        if mode is None:
            try:
                count = len(self.ws.scenes(slug))
            except Exception as exc:
                self.message.show(describe_error(exc))
                return False
            if count:
                self._ask_mode(count)
                return False
            mode = "new"
        if self.before_change is not None and not self.before_change():
            self.message.show(
                "The scene being edited has changes that could not be saved (see "
                "the editor); plan again once they are saved or reloaded."
            )
            return False
        if self.script_dirty and not self.save():  # the plan follows the script as it is kept
            return False
        chosen: PlanMode = mode

        def job(llm: LLM, progress: _Tokens) -> Plan:
            return plan_scenes(
                self.ws,
                slug,
                llm,
                script=text,
                mode=chosen,
                attempts=self.attempts,
                progress=progress,
            )

        def finished(plan: Plan, progress: _Tokens) -> None:
            self._done(
                "plan", progress, cached=plan.cached, count=plan.tokens, seconds=plan.seconds
            )
            verb = {"new": "Planned", "append": "Appended", "replace": "Replaced the scenes with"}[
                plan.mode
            ]
            news = f"{verb} {len(plan.scenes)} scene(s); the timeline shows them."
            if plan.backup is not None:
                news += f" The previous scenes are saved in {self.ws.asset_path(plan.backup)}."
            self._news(news, plan.notes)
            if self.on_planned is not None:
                self.on_planned(slug, plan.scenes)

        return self._start("planning the scenes", "plan", job, finished)

    def _ask_mode(self, count: int) -> None:
        append = _button("Append", "vk-plan-append", "Add the planned scenes after the others")
        replace = _button(
            "Replace", "vk-plan-replace", "Replace the scenes (they are saved first)", "warning"
        )
        cancel = _button("Cancel", "vk-plan-cancel", "Plan nothing")
        append.on_click(lambda _b: self.plan("append"))
        replace.on_click(lambda _b: self.plan("replace"))
        cancel.on_click(lambda _b: setattr(self.confirm_box, "children", ()))
        self.confirm_box.children = (
            w.HTML(
                f"This project already has {count} scene(s). Append the planned scenes after "
                "them, or replace them (the current scenes are saved to a backup document "
                "first)? "
            ),
            append,
            replace,
            cancel,
        )

    # ---- revise --------------------------------------------------------------------------

    def revise(self, ask: str | None = None) -> bool:
        """Rewrite the selected scene's narration as ``ask`` (default: the Revise box) says."""
        from vidkit.stages.author import revise_scene

        slug = self.slug
        if not slug:
            return False
        if self._refused():
            return False
        if ask is not None:
            self.revise_ask.value = ask
        request = " ".join(self.revise_ask.value.split())
        if not request:
            self.message.show(
                "Say how to change the narration, e.g. “shorter”, “friendlier” "
                "or “fit 20 s”, then Revise scene."
            )
            return False
        scene = self.scene() if self.scene is not None else None
        if scene is None:
            self.message.show(
                "Select a scene in the timeline first: Revise rewrites the "
                "narration of the selected scene."
            )
            return False
        if self.before_change is not None and not self.before_change():
            self.message.show(
                "The scene has changes that could not be saved (see the "
                "editor); revise again once they are saved or reloaded."
            )
            return False
        scene_id = scene.id

        def job(llm: LLM, progress: _Tokens) -> Revised:
            return revise_scene(
                self.ws, slug, scene_id, llm, ask=request, attempts=self.attempts, progress=progress
            )

        def finished(revised: Revised, progress: _Tokens) -> None:
            self._done(
                "revise",
                progress,
                cached=revised.cached,
                count=revised.tokens,
                seconds=revised.seconds,
            )
            after = revised.scene
            self._news(
                f"Scene {after.position} “{after.title}” revised ({request}): "
                f"{len(revised.before.split())} → {after.word_count} words. The previous "
                f"narration is kept in {self.ws.asset_path(revised.asset)}."
            )
            if self.on_revised is not None:
                self.on_revised(slug, after)

        return self._start("revising the scene", "revise", job, finished)

    # ---- pronunciations ------------------------------------------------------------------

    def suggest(self) -> bool:
        """Propose pronunciations for the identifiers and acronyms in the script (the box's
        text; when it is empty, the scenes' narration)."""
        from vidkit.stages.author import suggest_lexicon

        slug = self.slug
        if not slug:
            return False
        if self._refused():
            return False
        text = self.script.value if self.script.value.strip() else None

        def job(llm: LLM, progress: _Tokens) -> LexiconSuggestions:
            return suggest_lexicon(
                self.ws, slug, llm, text=text, attempts=self.attempts, progress=progress
            )

        def finished(found: LexiconSuggestions, progress: _Tokens) -> None:
            meta = found.asset.metadata if found.asset is not None else {}
            self._done(
                "lexicon",
                progress,
                cached=found.cached,
                count=int(meta.get("tokens", 0)),
                seconds=float(meta.get("seconds", 0.0)),
            )
            if slug != self.slug:
                return
            self._show_proposals(found.entries)
            if not found.candidates:
                self._news("No identifiers or acronyms that the lexicon does not cover already.")
            elif not found.entries:
                self._news(f"No usable proposals for {', '.join(found.candidates)}.")
            else:
                self._news(
                    f"{len(found.entries)} proposal(s): untick or correct them, then "
                    "Apply adds them to the project lexicon."
                )

        return self._start("suggesting pronunciations", "lexicon", job, finished)

    def _show_proposals(self, entries: dict[str, str]) -> None:
        rows: list[Any] = []
        if entries:
            rows.append(w.HTML("<small><b>term</b> → <b>how it is said</b></small>"))
        for term, say in entries.items():
            use = w.Checkbox(
                value=True, description=term, indent=False, layout=w.Layout(width="16em")
            )
            use.add_class("vk-lexicon-use")
            said = w.Text(value=say, layout=w.Layout(width="20em"))
            said.add_class("vk-lexicon-say")
            row = w.HBox([use, said])
            row.add_class("vk-lexicon-row")
            rows.append(row)
        self.lexicon_table.children = tuple(rows)
        self.apply_button.layout.display = "" if entries else "none"

    def proposals(self) -> dict[str, str]:
        """The ticked proposals as the table shows them (corrections included)."""
        chosen = {}
        for row in self.lexicon_table.children:
            if isinstance(row, w.HBox):
                use, said = row.children
                if use.value and said.value.strip():
                    chosen[use.description] = " ".join(said.value.split())
        return chosen

    def apply_lexicon(self) -> dict[str, str]:
        """Add the ticked proposals to the project lexicon; entries it has are kept."""
        chosen = self.proposals()
        if not chosen:
            self.message.show("Tick at least one proposal (with how it is said) to add.")
            return {}
        try:
            current = self.ws.lexicon(self.slug)
            added = {term: say for term, say in chosen.items() if term not in current}
            if added:
                self.ws.set_lexicon(self.slug, {**current, **added})
        except Exception as exc:
            self.message.show(describe_error(exc))
            return {}
        kept = sorted(set(chosen) - set(added))
        news = f"Added {len(added)} pronunciation(s) to the project lexicon."
        if kept:
            news += f" Kept the entries it already had for {', '.join(kept)}."
        self.message.info(news)
        self._show_proposals({})
        if self.on_lexicon is not None and added:
            self.on_lexicon(self.slug, added)
        return added
