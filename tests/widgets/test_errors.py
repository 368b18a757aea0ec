from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

import vidkit
from tests.test_errors import COMMAND
from vidkit import editing
from vidkit.api import Workspace
from vidkit.errors import Conflict, NotFound
from vidkit.hints import LIST_PROJECTS
from widgets import ErrorBox, describe_error


def test_vidkit_errors_show_their_message_escaped(workspace: Workspace) -> None:
    box = ErrorBox()
    workspace.create_project("dup", "Dup")
    assert box.call(workspace.create_project, "dup", "<b>again</b>") is None
    assert "already exists" in box.message
    assert "Traceback" not in box.value
    box.show("<script>x</script>")
    assert "<script>" not in box.value and box.message == "<script>x</script>"


def test_success_clears_the_message(workspace: Workspace) -> None:
    box = ErrorBox()
    box.show("old problem")
    project = box.call(workspace.create_project, "fine", "Fine")
    assert project is not None and project.slug == "fine"
    assert box.value == ""


def test_unexpected_errors_are_logged_not_dumped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="widgets"):
        text = describe_error(ZeroDivisionError("division by zero"))
    assert text.startswith("Something went wrong (ZeroDivisionError")
    assert "unexpected error" in caplog.text
    assert describe_error(Conflict("taken")) == "taken"


def _studio_reachable(ws: Workspace, tmp_path: Path) -> list[tuple[str, Callable[[], object]]]:
    """Bad states a studio user can reach, each as the library call the studio makes."""
    from vidkit.authoring import plan_scenes
    from vidkit.pipeline import render

    ws.create_project("empty-one", "Empty")
    return [
        ("a deleted project", lambda: ws.project("gone")),
        ("a deleted scene", lambda: ws.scene("empty-one", 999)),
        ("a render with no scenes", lambda: render(ws, "empty-one")),
        ("no presenter photo", lambda: editing.prepare_presenter(ws, "empty-one")),
        ("not a candidate", lambda: editing.adopt_avatar_candidate(ws, "empty-one", 12345)),
        ("a plan without a script", lambda: plan_scenes(ws, "empty-one", cast(Any, None))),
        ("no config file", lambda: vidkit.open(tmp_path / "missing.toml")),
    ]


def test_no_studio_message_names_a_command(workspace: Workspace, tmp_path: Path) -> None:
    for what, call in _studio_reachable(workspace, tmp_path):
        box = ErrorBox()
        assert box.call(call) is None, what
        assert box.is_error and box.message, what
        assert not COMMAND.search(box.message), f"{what}: {box.message}"
        assert "--" not in box.message, f"{what}: {box.message}"  # no option of a command


def test_the_studio_shows_the_hint_for_the_studio() -> None:
    exc = NotFound("no project with slug 'x'", hint=LIST_PROJECTS)
    assert describe_error(exc) == "no project with slug 'x'; open one from the project list"
