from __future__ import annotations

import logging

import pytest

from vidkit.api import Workspace
from vidkit.errors import Conflict
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
