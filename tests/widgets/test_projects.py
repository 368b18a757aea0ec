"""The project browser: listing, the create form's inline checks, open, delete with confirmation."""

from __future__ import annotations

from pathlib import Path

from tests.widgets.conftest import catalogue_held, fast_workspace
from vidkit.api import Workspace
from widgets.projects import ProjectBrowser


def _texts(browser: ProjectBrowser) -> list[str]:
    return [row.children[0].value for row in browser.rows.children]


def test_projects_are_listed_with_scene_count_and_last_render(workspace: Workspace) -> None:
    browser = ProjectBrowser(workspace)
    assert "No projects yet" in browser.rows.children[0].value
    workspace.create_project("intro", "Intro <to> Python")
    workspace.add_scene("intro", "One")
    browser.refresh()
    (row,) = browser.rows.children
    assert "vk-project-row" in row._dom_classes
    text = row.children[0].value
    assert "intro" in text and "Intro &lt;to&gt; Python" in text
    assert "1 scene ·" in text and "never rendered" in text
    classes = [c._dom_classes for c in row.children[1:]]
    assert classes == [("vk-open-project",), ("vk-delete-project",)]


def test_creating_a_project_checks_slug_and_title_inline(workspace: Workspace) -> None:
    opened: list[str] = []
    browser = ProjectBrowser(workspace, on_open=opened.append)
    workspace.create_project("taken", "Taken")
    browser.new_slug.value = "Not A Slug"
    assert "vk-error" in browser.slug_hint.value and "lowercase" in browser.slug_hint.value
    browser.new_title.value = "Fine title"
    browser.create.click()
    assert browser.message.is_error and "slug 'Not A Slug' is invalid" in browser.message.message
    browser.new_slug.value = "taken"
    assert "already exists" in browser.slug_hint.value
    browser.create.click()
    assert "already exists" in browser.message.message
    browser.new_slug.value = "fresh"
    assert browser.slug_hint.value == ""
    browser.new_title.value = "   "
    browser.create.click()
    assert "title is required" in browser.message.message
    browser.new_slug.value = ""
    browser.create.click()
    assert "slug is required" in browser.message.message
    assert [p.slug for p in workspace.projects()] == ["taken"] and opened == []


def test_a_created_project_opens_with_the_example_presenter(workspace: Workspace) -> None:
    opened: list[str] = []
    browser = ProjectBrowser(workspace, on_open=opened.append)
    browser.new_slug.value = "my-video"
    browser.new_title.value = "  My video "
    browser.create.click()
    assert opened == ["my-video"] and not browser.message.is_error
    assert workspace.project("my-video").title == "My video"
    (photo,) = workspace.assets("my-video", kind="avatar_image")
    assert photo.metadata["filename"] == "astronaut.png"
    assert browser.new_slug.value == "" and "my-video" in "".join(_texts(browser))
    browser.example_presenter.value = False
    browser.new_slug.value, browser.new_title.value = "bare", "Bare"
    browser.create.click()
    assert workspace.assets("bare", kind="avatar_image") == []


def test_delete_asks_first_and_can_be_cancelled(workspace: Workspace) -> None:
    workspace.create_project("doomed", "Doomed")
    workspace.create_project("kept", "Kept")
    browser = ProjectBrowser(workspace)
    row = next(r for r in browser.rows.children if "doomed" in r.children[0].value)
    row.children[2].click()  # Delete
    confirm, cancel = row.children[1], row.children[2]
    assert "cannot be undone" in row.children[0].value
    assert "vk-confirm-delete" in confirm._dom_classes
    cancel.click()
    assert "vk-delete-project" in row.children[2]._dom_classes
    assert {p.slug for p in workspace.projects()} == {"doomed", "kept"}
    row.children[2].click()
    row.children[1].click()  # Delete for good
    assert {p.slug for p in workspace.projects()} == {"kept"}
    assert "Deleted project doomed" in browser.message.message
    assert len(browser.rows.children) == 1


def test_opening_a_project_deleted_elsewhere_is_a_message(workspace: Workspace) -> None:
    def open_it(slug: str) -> None:
        workspace.project(slug)

    workspace.create_project("gone", "Gone")
    browser = ProjectBrowser(workspace, on_open=open_it)
    workspace.delete_project("gone")
    browser.rows.children[0].children[1].click()
    assert browser.message.is_error and "gone" in browser.message.message


def test_a_locked_catalogue_is_a_message(tmp_path: Path) -> None:
    ws = fast_workspace(tmp_path / "ws", lock_timeout_s=0.3)
    browser = ProjectBrowser(ws)
    browser.new_slug.value, browser.new_title.value = "busy", "Busy"
    with catalogue_held(ws):
        browser.create.click()
        assert browser.message.is_error and "locked" in browser.message.message
        browser.refresh()
        assert "locked" in browser.message.message
    browser.create.click()
    assert ws.project("busy").title == "Busy"


def test_the_slug_follows_the_title_until_typed_and_is_explained(workspace: Workspace) -> None:
    browser = ProjectBrowser(workspace)
    assert browser.slug_help.value == (
        "<small>The project&#x27;s short name in file and web addresses: lowercase letters, "
        "digits and hyphens</small>"
    )
    for typed, slug in [("I", "i"), ("Intro to", "intro-to"), ("Intro to Python: Café!", None)]:
        browser.new_title.value = typed
        assert browser.new_slug.value == (slug or "intro-to-python-cafe")
        assert browser.slug_hint.value == ""
    workspace.create_project("intro-to-python-cafe", "Taken")
    browser.refresh()
    browser.new_title.value = "Intro to Python: Café"
    assert browser.new_slug.value == "intro-to-python-cafe-2"  # a free one
    browser.new_slug.value = "my-own"  # typed: the title no longer changes it
    browser.new_title.value = "Another title"
    assert browser.new_slug.value == "my-own"
    browser.new_slug.value = ""  # emptied: it follows the title again
    browser.new_title.value = "Another title!"
    assert browser.new_slug.value == "another-title"
    browser.create.click()
    assert workspace.project("another-title").title == "Another title!"
    assert browser.new_slug.value == browser.new_title.value == ""
    browser.new_title.value = "Next one"
    assert browser.new_slug.value == "next-one"
