"""The script panel's sections about what is already planned: revising the selected scene's
narration, and proposing pronunciations for the project lexicon. Each runs its LLM step through
the panel's :class:`~widgets.llm_jobs.LLMJobs` and lays out its widgets in the panel's column
(:attr:`children`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from widgets.errors import describe_error
from widgets.llm_jobs import LLMJobs, TokenProgress

if TYPE_CHECKING:
    from vidkit import Scene, Workspace
    from vidkit.authoring import LLM, LexiconSuggestions, Revised

__all__ = ["QUICK_ASKS", "Pronunciations", "Revision", "button"]

#: The quick revision buttons: label → what is asked.
QUICK_ASKS = {
    "Shorter": "shorter",
    "Friendlier": "friendlier",
    "Fit 20 s": "fit 20 s",
    "Less jargon": "less jargon",
}


def button(text: str, css: str, tooltip: str, style: str = "", icon: str = "") -> w.Button:
    """A button that is as wide as its text, with the CSS class ``css``."""
    made = w.Button(
        description=text,
        tooltip=tooltip,
        button_style=style,
        icon=icon,
        layout=w.Layout(width="auto"),
    )
    made.add_class(css)
    return made


class _Section:
    """What a section shares with its panel: the workspace, the project shown (``slug()``),
    the jobs runner and how many answers a step may ask for (``attempts()``)."""

    def __init__(
        self,
        ws: Workspace,
        jobs: LLMJobs,
        *,
        slug: Callable[[], str],
        attempts: Callable[[], int],
    ) -> None:
        self.ws = ws
        self.jobs = jobs
        self.slug = slug
        self.attempts = attempts
        self.message = jobs.message


class Revision(_Section):
    """Rewrites the scene ``scene()`` gives as the Revise box or a quick button asks.

    ``before_change()`` runs first (saving the editor's edits) and may return False to cancel;
    ``on_revised(slug, scene)`` follows a finished run, from its thread.
    """

    def __init__(
        self,
        ws: Workspace,
        jobs: LLMJobs,
        *,
        slug: Callable[[], str],
        attempts: Callable[[], int],
        scene: Callable[[], Scene | None],
        before_change: Callable[[], bool],
        on_revised: Callable[[str, Scene], None],
    ) -> None:
        super().__init__(ws, jobs, slug=slug, attempts=attempts)
        self.scene = scene
        self.before_change = before_change
        self.on_revised = on_revised
        self.ask = w.Text(
            description="Revise",
            placeholder="shorter, friendlier, fit 20 s …",
            layout=w.Layout(width="24em"),
        )
        self.ask.add_class("vk-revise-ask")
        self.button = button(
            "Revise scene", "vk-revise-scene", "Rewrite the selected scene's narration as asked"
        )
        self.button.on_click(lambda _b: self.revise())
        self.quick = []
        for label, ask in QUICK_ASKS.items():
            quick = button(label, "vk-revise-quick", f"Revise the selected scene: {ask}")
            quick.on_click(lambda _b, ask=ask: self.revise(ask))
            self.quick.append(quick)
        self.buttons = [self.button, *self.quick]
        self.children = [
            w.HTML("<b>The selected scene</b>"),
            w.HBox([self.ask, self.button], layout=w.Layout(flex_flow="row wrap")),
            w.HBox(self.quick, layout=w.Layout(flex_flow="row wrap")),
        ]

    def revise(self, ask: str | None = None) -> bool:
        """Rewrite the selected scene's narration as ``ask`` (default: the Revise box) says."""
        slug = self.slug()
        if not slug or self.jobs.refused():
            return False
        if ask is not None:
            self.ask.value = ask
        request = " ".join(self.ask.value.split())
        if not request:
            self.message.show(
                "Say how to change the narration, e.g. “shorter”, “friendlier” "
                "or “fit 20 s”, then Revise scene."
            )
            return False
        scene = self.scene()
        if scene is None:
            self.message.show(
                "Select a scene in the timeline first: Revise rewrites the "
                "narration of the selected scene."
            )
            return False
        if not self.before_change():
            self.message.show(
                "The scene has changes that could not be saved (see the "
                "editor); revise again once they are saved or reloaded."
            )
            return False
        scene_id, attempts = scene.id, self.attempts()

        def job(llm: LLM, progress: TokenProgress) -> Revised:
            from vidkit.authoring import revise_scene

            return revise_scene(
                self.ws, slug, scene_id, llm, ask=request, attempts=attempts, progress=progress
            )

        def finished(revised: Revised, progress: TokenProgress) -> None:
            progress.finished(cached=revised.cached, count=revised.tokens, seconds=revised.seconds)
            after = revised.scene
            self.jobs.news(
                f"Scene {after.position} “{after.title}” revised ({request}): "
                f"{len(revised.before.split())} → {after.word_count} words. The previous "
                f"narration is kept in {self.ws.asset_path(revised.asset)}."
            )
            self.on_revised(slug, after)

        return self.jobs.start("revising the scene", "revise", job, finished)


class Pronunciations(_Section):
    """Proposes how to say the identifiers and acronyms in the script (``text()``; when it is
    empty, the scenes' narration) in a table of ticks and corrections; Apply adds the ticked
    ones to the project lexicon and calls ``on_lexicon(slug, added)`` when it added any."""

    def __init__(
        self,
        ws: Workspace,
        jobs: LLMJobs,
        *,
        slug: Callable[[], str],
        attempts: Callable[[], int],
        text: Callable[[], str],
        on_lexicon: Callable[[str, dict[str, str]], None],
    ) -> None:
        super().__init__(ws, jobs, slug=slug, attempts=attempts)
        self.text = text
        self.on_lexicon = on_lexicon
        self.suggest_button = button(
            "Suggest pronunciations",
            "vk-suggest-lexicon",
            "Propose how to say the identifiers and acronyms in the script",
            icon="volume-up",
        )
        self.suggest_button.on_click(lambda _b: self.suggest())
        self.table = w.VBox()
        self.table.add_class("vk-lexicon-table")
        self.apply_button = button(
            "Apply",
            "vk-apply-lexicon",
            "Add the ticked pronunciations to the project lexicon",
            "success",
        )
        self.apply_button.layout.display = "none"
        self.apply_button.on_click(lambda _b: self.apply())
        self.buttons = [self.suggest_button, self.apply_button]
        self.children = [
            w.HTML("<b>Pronunciations</b>"),
            self.suggest_button,
            self.table,
            self.apply_button,
        ]

    def suggest(self) -> bool:
        """Propose pronunciations for the terms in the script (in the background)."""
        slug = self.slug()
        if not slug or self.jobs.refused():
            return False
        script = self.text()
        text = script if script.strip() else None
        attempts = self.attempts()

        def job(llm: LLM, progress: TokenProgress) -> LexiconSuggestions:
            from vidkit.authoring import suggest_lexicon

            return suggest_lexicon(
                self.ws, slug, llm, text=text, attempts=attempts, progress=progress
            )

        def finished(found: LexiconSuggestions, progress: TokenProgress) -> None:
            meta = found.asset.metadata if found.asset is not None else {}
            progress.finished(
                cached=found.cached,
                count=int(meta.get("tokens", 0)),
                seconds=float(meta.get("seconds", 0.0)),
            )
            if slug != self.slug():
                return
            self.show(found.entries)
            if not found.candidates:
                self.jobs.news(
                    "No identifiers or acronyms that the lexicon does not cover already."
                )
            elif not found.entries:
                self.jobs.news(f"No usable proposals for {', '.join(found.candidates)}.")
            else:
                self.jobs.news(
                    f"{len(found.entries)} proposal(s): untick or correct them, then "
                    "Apply adds them to the project lexicon."
                )

        return self.jobs.start("suggesting pronunciations", "lexicon", job, finished)

    def show(self, entries: dict[str, str]) -> None:
        """Show ``entries`` (term → how it is said), each ticked; none hides Apply."""
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
        self.table.children = tuple(rows)
        self.apply_button.layout.display = "" if entries else "none"

    def proposals(self) -> dict[str, str]:
        """The ticked proposals as the table shows them (corrections included)."""
        chosen = {}
        for row in self.table.children:
            if isinstance(row, w.HBox):
                use, said = row.children
                if use.value and said.value.strip():
                    chosen[use.description] = " ".join(said.value.split())
        return chosen

    def apply(self) -> dict[str, str]:
        """Add the ticked proposals to the project lexicon; entries it has are kept."""
        slug = self.slug()
        chosen = self.proposals()
        if not chosen:
            self.message.show("Tick at least one proposal (with how it is said) to add.")
            return {}
        try:
            current = self.ws.lexicon(slug)
            added = {term: say for term, say in chosen.items() if term not in current}
            if added:
                self.ws.set_lexicon(slug, {**current, **added})
        except Exception as exc:
            self.message.show(describe_error(exc))
            return {}
        kept = sorted(set(chosen) - set(added))
        news = f"Added {len(added)} pronunciation(s) to the project lexicon."
        if kept:
            news += f" Kept the entries it already had for {', '.join(kept)}."
        self.message.info(news)
        self.show({})
        if added:
            self.on_lexicon(slug, added)
        return added
