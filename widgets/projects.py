"""The project browser: every project with its title, scene count and last render; a form to
create one (checked as it is typed; the slug suggested from the title until it is typed
itself); open; delete after a confirmation."""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as w

from vidkit import Workspace, editing, jobs
from vidkit.errors import VidkitError
from vidkit.model import suggest_slug, validate_slug, validate_title
from widgets.errors import ErrorBox, describe_error

__all__ = ["ProjectBrowser"]

Open = Callable[[str], None]
SLUG_HELP = (
    "The project's short name in file and web addresses: lowercase letters, digits and hyphens"
)


def _button(text: str, css: str, style: str = "", tooltip: str = "") -> w.Button:
    button = w.Button(description=text, button_style=style, tooltip=tooltip or text)
    button.add_class(css)
    return button


class ProjectBrowser(w.VBox):  # type: ignore[misc]
    """Projects of a workspace. ``on_open(slug)`` is called to open one (also right after it
    is created)."""

    def __init__(self, ws: Workspace, *, on_open: Open | None = None) -> None:
        self.ws = ws
        self.on_open = on_open
        self.message = ErrorBox()
        self.rows = w.VBox()
        self.rows.add_class("vk-projects")
        self.new_slug = w.Text(
            placeholder="intro-to-python", description="Slug", continuous_update=True
        )
        self.new_slug.add_class("vk-new-slug")
        self.new_title = w.Text(placeholder="Intro to Python", description="Title")
        self.new_title.add_class("vk-new-title")
        self.slug_hint = w.HTML()
        self.slug_hint.add_class("vk-slug-hint")
        self.example_presenter = w.Checkbox(
            value=True, description="Start with the example presenter photo", indent=False
        )
        self.example_presenter.add_class("vk-new-example-presenter")
        self.create = _button("Create project", "vk-create-project", "primary")
        self.create.on_click(lambda _b: self.create_project())
        self.slug_help = w.HTML(f"<small>{html.escape(SLUG_HELP)}</small>")
        self.slug_help.add_class("vk-slug-help")
        self.new_slug.observe(lambda _c: self._slug_typed(), names="value")
        self.new_title.observe(lambda _c: self._suggest_slug(), names="value")
        self._slugs: set[str] = set()
        #: True once the user typed the slug themselves: the title no longer suggests one.
        self.slug_edited = False
        self._suggesting = False
        form = w.VBox(
            [
                w.HTML("<b>New project</b>"),
                self.new_title,
                w.HBox([self.new_slug, self.slug_hint]),
                self.slug_help,
                self.example_presenter,
                self.create,
            ]
        )
        form.add_class("vk-new-project")
        super().__init__(
            [w.HTML("<h3 style='margin:4px 0'>Projects</h3>"), self.message, self.rows, form]
        )
        self.add_class("vk-project-browser")
        self.refresh()

    # ---- listing -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the projects again (other tabs may have changed them)."""
        try:
            summaries = editing.project_summaries(self.ws)
        except VidkitError as exc:
            self.message.show(describe_error(exc))
            return
        self._slugs = {s.project.slug for s in summaries}
        if not summaries:
            empty = w.HTML("<i>No projects yet: create one below.</i>")
            empty.add_class("vk-no-projects")
            self.rows.children = (empty,)
            return
        self.rows.children = tuple(self._row(s) for s in summaries)

    def _row(self, summary: editing.ProjectSummary) -> w.HBox:
        p = summary.project
        last = summary.last_render.summary() if summary.last_render else "never rendered"
        scenes = f"{p.scene_count} scene{'s' if p.scene_count != 1 else ''}"
        text = w.HTML(
            f"<b>{html.escape(p.slug)}</b> — {html.escape(p.title)}"
            f"<br><small>{scenes} · last render: {html.escape(last)}</small>",
            layout=w.Layout(flex="1 1 auto"),
        )
        open_button = _button("Open", "vk-open-project", "primary", f"Open {p.slug}")
        delete_button = _button("Delete", "vk-delete-project", "", f"Delete {p.slug}")
        row = w.HBox(
            [text, open_button, delete_button],
            layout=w.Layout(border_bottom="1px solid #ddd", padding="4px 0", width="100%"),
        )
        row.add_class("vk-project-row")
        open_button.on_click(lambda _b: self.open_project(p.slug))
        delete_button.on_click(lambda _b: self._ask_delete(row, p.slug, p.scene_count))
        return row

    def open_project(self, slug: str) -> None:
        if self.on_open is not None:
            with self.message.guard():
                self.on_open(slug)

    # ---- delete --------------------------------------------------------------------------

    def _ask_delete(self, row: w.HBox, slug: str, scene_count: int) -> None:
        question = w.HTML(
            f"Delete <b>{html.escape(slug)}</b> with its {scene_count} scene(s), assets and "
            "renders? This cannot be undone.",
            layout=w.Layout(flex="1 1 auto"),
        )
        confirm = _button("Delete for good", "vk-confirm-delete", "danger")
        cancel = _button("Cancel", "vk-cancel-delete")
        previous = row.children
        confirm.on_click(lambda _b: self.delete(slug))
        cancel.on_click(lambda _b: setattr(row, "children", previous))
        row.children = (question, confirm, cancel)

    def delete(self, slug: str) -> None:
        with self.message.guard():
            jobs.stop_project_jobs(self.ws, slug)  # a render of it must not go on
            self.ws.delete_project(slug)
            self.refresh()
            self.message.info(f"Deleted project {slug}.")

    # ---- create --------------------------------------------------------------------------

    def _slug_problem(self, slug: str) -> str | None:
        try:
            validate_slug(slug)
        except VidkitError as exc:
            return str(exc)
        if slug in self._slugs:
            return f"a project with the slug {slug!r} already exists; choose another slug"
        return None

    def _suggest_slug(self) -> None:
        """The slug follows the title as it is typed, until the user types a slug."""
        if self.slug_edited:
            return
        base = suggest_slug(self.new_title.value)
        slug, n = base, 2
        while slug in self._slugs:  # "intro" taken: "intro-2"
            slug, n = f"{base[:60]}-{n}", n + 1
        self._suggesting = True
        try:
            self.new_slug.value = slug
        finally:
            self._suggesting = False

    def _slug_typed(self) -> None:
        if not self._suggesting:  # emptied, it follows the title again
            self.slug_edited = bool(self.new_slug.value.strip())
        self._check_slug()

    def _check_slug(self) -> None:
        slug = self.new_slug.value.strip()
        problem = self._slug_problem(slug) if slug else None
        self.slug_hint.value = (
            f"<span class='vk-error' style='color:#b00020'>{html.escape(problem)}</span>"
            if problem
            else ""
        )

    def create_project(self) -> str | None:
        """Create the project the form describes and open it; returns its slug, or None after
        showing why it could not be created."""
        slug, title = self.new_slug.value.strip(), self.new_title.value
        self.message.clear()
        try:
            self._slugs = {p.slug for p in self.ws.projects()}
            problem = self._slug_problem(slug)
            if problem is None:
                self.ws.create_project(slug, validate_title(title))
        except Exception as exc:
            problem = describe_error(exc)
        if problem is not None:
            self.message.show(problem)
            return None
        note = ""
        if self.example_presenter.value:
            try:
                editing.use_example_presenter(self.ws, slug)
            except Exception as exc:
                note = f" The example presenter photo could not be added: {describe_error(exc)}"
        self.new_slug.value = ""
        self.new_title.value = ""
        self.slug_edited = False
        self.refresh()
        self.message.info(f"Created project {slug}.{note}")
        self.open_project(slug)
        return str(slug)
