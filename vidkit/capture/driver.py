"""The browser a capture drives: one protocol, two implementations.

:class:`BrowserDriver` is what the capture engine (:mod:`vidkit.capture.browser`) needs from a
browser. :class:`~vidkit.capture.local.PlaywrightDriver` runs headless Chromium in this process
through Playwright; :class:`~vidkit.capture.mcp.McpDriver` drives a browser behind a Playwright
MCP server (``[services.capture] url``). Both find elements with the same JavaScript
(:data:`~vidkit.capture.browser_script.FIND_JS`) and act at the same viewport coordinates, so
one script gives the same scene on either.

Every method raises :class:`DriverError` with a plain reason (no stack, no protocol dump); the
engine adds the step it was running.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from vidkit.capture._errors import CaptureError
from vidkit.capture.browser_script import Target

__all__ = ["Box", "BrowserDriver", "DriverError"]


class DriverError(CaptureError):
    """The browser could not do what a step asked (the reason, without the step)."""


@dataclass(frozen=True, slots=True)
class Box:
    """An element's box in viewport pixels."""

    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2


@runtime_checkable
class BrowserDriver(Protocol):
    """A browser with one page of the capture's size (``start`` opens it at ``width`` x
    ``height`` CSS pixels, device scale 1)."""

    #: What the driver is, for logs and results ("playwright", "mcp http://host:port/mcp").
    name: str

    def start(self, width: int, height: int) -> None: ...

    def open(self, url: str) -> None:
        """Load ``url`` and wait for it (raises for an unreachable or refused URL)."""

    def find(self, target: Target) -> Box | None:
        """The first visible element matching ``target``, scrolled into view; None if none."""

    def click(self, x: float, y: float) -> None:
        """A left click at viewport ``x``, ``y``."""

    def type(self, text: str) -> None:
        """Type ``text`` (usually one character) into whatever has focus."""

    def press(self, key: str) -> None:
        """Press a key or chord in Playwright's names (``Enter``, ``Control+A``)."""

    def scroll(self, dy: int) -> None:
        """Scroll the page by ``dy`` pixels (negative: up)."""

    def screenshot(self) -> bytes:
        """The viewport as PNG bytes, exactly ``width`` x ``height``."""

    def dialog(self) -> str | None:
        """The message of a dialog (alert, confirm, prompt) the page opened since the last call,
        dismissed; None if none."""

    def close(self) -> None: ...
