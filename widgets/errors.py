"""Turning exceptions into readable messages inside a widget, never a traceback in the page."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import ipywidgets as w

from vidkit.errors import VidkitError

__all__ = ["ErrorBox", "describe_error"]

log = logging.getLogger("widgets")
T = TypeVar("T")


def describe_error(exc: BaseException) -> str:
    """One readable line for the user. vidkit's own errors say what went wrong, and their hint
    what to do in the studio (never a command); anything else is an unexpected failure, logged
    with its traceback for the developer."""
    if isinstance(exc, VidkitError):
        return exc.for_studio()
    log.exception("unexpected error in a vidkit widget", exc_info=exc)
    return f"Something went wrong ({type(exc).__name__}: {exc}). Details are in the log."


class ErrorBox(w.HTML):  # type: ignore[misc]
    """An inline message area (CSS class ``vk-message``): empty when all is well, a red line
    (inner class ``vk-error``) when something failed, a green one (``vk-info``) for news."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(value="", **kwargs)
        self.add_class("vidkit-error")
        self.add_class("vk-message")
        #: The field an error shown is about (``"narration"``), so the part of the editor
        #: that owns the field can clear it when the field is fixed; None when not known.
        self.about: str | None = None

    @property
    def message(self) -> str:
        return html.unescape(self.value.split(">", 1)[-1].rsplit("<", 1)[0]) if self.value else ""

    @property
    def is_error(self) -> bool:
        return "class='vk-error'" in self.value

    def show(self, text: str, *, about: str | None = None) -> None:
        """Show an error (``about``: the field it concerns)."""
        self.about = about
        self.value = (
            "<div class='vk-error' style='color:#b00020;padding:4px 0' role='alert'>"
            f"{html.escape(text)}</div>"
        )

    def show_error(self, exc: BaseException) -> None:
        """Show an exception as one readable line, remembering the field it is about."""
        self.show(describe_error(exc), about=getattr(exc, "field", None))

    def info(self, text: str) -> None:
        """Show good news or a hint."""
        self.about = None
        self.value = (
            "<div class='vk-info' style='color:#1b5e20;padding:4px 0' role='status'>"
            f"{html.escape(text)}</div>"
        )

    def clear(self) -> None:
        self.about = None
        self.value = ""

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run a block; a failure becomes the box's message instead of a traceback."""
        self.clear()
        try:
            yield
        except Exception as exc:
            self.show_error(exc)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call ``fn``; on failure show the message and return None."""
        with self.guard():
            return fn(*args, **kwargs)
        return None
