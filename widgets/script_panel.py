"""The script panel: write the narration from a topic or an outline with the configured LLM,
edit and save it, plan it into scenes, revise the selected scene's narration on request, and
propose pronunciations for the project lexicon.

The work is :mod:`vidkit.authoring`'s; this is its face in the studio. Which model writes is
:mod:`widgets.llm_choice`'s; each LLM call runs in the background through
:class:`~widgets.llm_jobs.LLMJobs` (buttons disabled meanwhile, one job at a time, tokens
streaming into a progress bar); revising and pronunciations are the sections of
:mod:`widgets.script_sections`. The steps cache, so asking again with the same inputs, model and
prompt answers at once.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import ipywidgets as w

from vidkit.editing import DEFAULT_WPM, narration_stats
from widgets.errors import ErrorBox, describe_error
from widgets.llm_choice import LLMChoice, model_note
from widgets.llm_jobs import LLMJobs, TokenProgress
from widgets.script_sections import QUICK_ASKS, Pronunciations, Revision, button

if TYPE_CHECKING:
    from vidkit import Scene, Workspace
    from vidkit.authoring import LLM, Plan, PlanMode, Script

__all__ = ["QUICK_ASKS", "ScriptPanel", "model_note"]


def _spoken(words: int) -> str:
    seconds = round(words / DEFAULT_WPM * 60)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


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
        self.choice = LLMChoice(ws, llm)
        self.scene = scene
        self.before_change = before_change
        self.on_planned = on_planned
        self.on_revised = on_revised
        self.on_lexicon = on_lexicon
        self.slug = ""
        self.stored = ""  # the script as the catalogue has it (dirty when the text differs)
        self.script_title = ""
        self.message = ErrorBox()
        self.progress = w.IntProgress(
            min=0, max=1, value=0, description="LLM", layout=w.Layout(width="60%")
        )
        self.progress.add_class("vk-script-progress")
        self.status = w.HTML()
        self.status.add_class("vk-script-status")
        self.jobs = LLMJobs(
            model=self.choice.get,
            loaded=lambda: self.choice.loaded,
            progress=self.progress,
            status=self.status,
            message=self.message,
            on_busy=self._set_busy,
            background=background,
            thread_name="vk-script-llm",
        )
        self._build()

    # ---- widgets -------------------------------------------------------------------------

    def _build(self) -> None:
        wide = w.Layout(width="95%")
        note, weak = self.choice.note()
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
        self.write_button = button(
            "Write script",
            "vk-write-script",
            "Write the narration with the LLM",
            "primary",
            "pencil",
        )
        self.write_button.on_click(lambda _b: self.write())

        self.script = w.Textarea(
            placeholder="The narration script: write it with the LLM, or paste your own",
            layout=w.Layout(width="95%", height="14em"),
        )
        self.script.add_class("vk-script")
        self.script.observe(lambda _c: self._script_changed(), names="value")
        self.script_stats = w.HTML()
        self.script_stats.add_class("vk-script-stats")
        self.save_button = button(
            "Save script", "vk-save-script", "Keep this text as the project's script", icon="save"
        )
        self.save_button.on_click(lambda _b: self.save())
        self.plan_button = button(
            "Plan scenes",
            "vk-plan-scenes",
            "Cut the script into scenes with the LLM",
            "info",
            "th-list",
        )
        self.plan_button.on_click(lambda _b: self.plan())
        self.confirm_box = w.HBox()
        self.confirm_box.add_class("vk-plan-confirm")

        self.revision = Revision(
            self.ws,
            self.jobs,
            slug=lambda: self.slug,
            attempts=lambda: self.attempts,
            scene=lambda: self.scene() if self.scene is not None else None,
            before_change=self._may_change,
            on_revised=self._revised,
        )
        self.revise_ask = self.revision.ask
        self.revise_button = self.revision.button
        self.quick = self.revision.quick
        self.lexicon = Pronunciations(
            self.ws,
            self.jobs,
            slug=lambda: self.slug,
            attempts=lambda: self.attempts,
            text=lambda: self.script.value,
            on_lexicon=self._lexicon_added,
        )
        self.suggest_button = self.lexicon.suggest_button
        self.lexicon_table = self.lexicon.table
        self.apply_button = self.lexicon.apply_button

        self.buttons = [
            self.write_button,
            self.save_button,
            self.plan_button,
            *self.revision.buttons,
            *self.lexicon.buttons,
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
                *self.revision.children,
                *self.lexicon.children,
            ]
        )
        self.add_class("vk-script-panel")

    # ---- the project ---------------------------------------------------------------------

    def show_project(self, slug: str) -> None:
        """Show ``slug``'s latest script, and the topic, audience, length and tone it was
        written for."""
        from vidkit.authoring import latest_script

        self.slug = slug
        self.message.clear()
        self.confirm_box.children = ()
        self.lexicon.show({})
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
        stats = narration_stats(self.script.value)
        unsaved = " · <span style='color:#a15c00'>● unsaved changes</span>"
        self.script_stats.value = f"<small>{html.escape(stats.summary())}</small>" + (
            unsaved if self.script_dirty else ""
        )

    def save(self) -> bool:
        """Keep the text in the script box as the project's newest script."""
        from vidkit.authoring import save_script

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
    def llm(self) -> LLM | None:
        """The model, once given or built."""
        return self.choice.llm

    def model(self) -> LLM:
        """The LLM, built from ``[llm]`` on first use (the embedded model loads here)."""
        return self.choice.get()

    @property
    def attempts(self) -> int:
        return self.choice.attempts

    @property
    def busy(self) -> str | None:
        """What the running job is doing, e.g. "writing the script"; None when idle."""
        return self.jobs.busy

    @property
    def running(self) -> bool:
        return self.jobs.running

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the running job ends (scripts and tests); True when none runs."""
        return self.jobs.wait(timeout)

    def _set_busy(self, doing: str | None) -> None:
        for each in self.buttons:
            each.disabled = doing is not None
        self.script.disabled = doing is not None  # what is written or planned stays put

    def _may_change(self) -> bool:
        return self.before_change is None or self.before_change()

    def _revised(self, slug: str, scene: Scene) -> None:
        if self.on_revised is not None:
            self.on_revised(slug, scene)

    def _lexicon_added(self, slug: str, added: dict[str, str]) -> None:
        if self.on_lexicon is not None:
            self.on_lexicon(slug, added)

    # ---- write ---------------------------------------------------------------------------

    def write(self) -> bool:
        """Write the script from the topic and outline (in the background)."""
        from vidkit.authoring import write_script

        slug = self.slug
        if not slug or self.jobs.refused():
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

        def job(llm: LLM, progress: TokenProgress) -> Script:
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

        def finished(script: Script, progress: TokenProgress) -> None:
            progress.finished(cached=script.cached, count=script.tokens, seconds=script.seconds)
            if slug != self.slug:
                return
            self._show_script(script.text, script.title)
            self.jobs.news(
                f"Script written: {script.word_count} words, about {_spoken(script.word_count)} "
                "spoken. Edit it and Save, or Plan scenes.",
                script.notes,
            )

        return self.jobs.start("writing the script", "write", job, finished)

    # ---- plan ----------------------------------------------------------------------------

    def plan(self, mode: PlanMode | None = None) -> bool:
        """Cut the script in the box into scenes. When the project has scenes already and no
        ``mode`` is given, ask first: append the planned scenes, or replace the scenes (they
        are saved to a backup document first)."""
        from vidkit.authoring import plan_scenes

        slug = self.slug
        if not slug or self.jobs.refused():
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
        if not self._may_change():
            self.message.show(
                "The scene being edited has changes that could not be saved (see "
                "the editor); plan again once they are saved or reloaded."
            )
            return False
        if self.script_dirty and not self.save():  # the plan follows the script as it is kept
            return False
        chosen: PlanMode = mode

        def job(llm: LLM, progress: TokenProgress) -> Plan:
            return plan_scenes(
                self.ws,
                slug,
                llm,
                script=text,
                mode=chosen,
                attempts=self.attempts,
                progress=progress,
            )

        def finished(plan: Plan, progress: TokenProgress) -> None:
            progress.finished(cached=plan.cached, count=plan.tokens, seconds=plan.seconds)
            verb = {"new": "Planned", "append": "Appended", "replace": "Replaced the scenes with"}[
                plan.mode
            ]
            news = f"{verb} {len(plan.scenes)} scene(s); the timeline shows them."
            if plan.backup is not None:
                news += f" The previous scenes are saved in {self.ws.asset_path(plan.backup)}."
            self.jobs.news(news, plan.notes)
            if self.on_planned is not None:
                self.on_planned(slug, plan.scenes)

        return self.jobs.start("planning the scenes", "plan", job, finished)

    def _ask_mode(self, count: int) -> None:
        append = button("Append", "vk-plan-append", "Add the planned scenes after the others")
        replace = button(
            "Replace", "vk-plan-replace", "Replace the scenes (they are saved first)", "warning"
        )
        cancel = button("Cancel", "vk-plan-cancel", "Plan nothing")
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

    # ---- revise and pronunciations (widgets.script_sections) --------------------------------

    def revise(self, ask: str | None = None) -> bool:
        """Rewrite the selected scene's narration as ``ask`` (default: the Revise box) says."""
        return self.revision.revise(ask)

    def suggest(self) -> bool:
        """Propose pronunciations for the identifiers and acronyms in the script (the box's
        text; when it is empty, the scenes' narration)."""
        return self.lexicon.suggest()

    def proposals(self) -> dict[str, str]:
        """The ticked proposals as the table shows them (corrections included)."""
        return self.lexicon.proposals()

    def apply_lexicon(self) -> dict[str, str]:
        """Add the ticked proposals to the project lexicon; entries it has are kept."""
        return self.lexicon.apply()
