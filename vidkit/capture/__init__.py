"""Screens captured from real programs, as scene sources: a scripted browser session (local
Chromium through Playwright, or a Playwright MCP server) and a scripted terminal session.

:func:`load_script` reads a scene's capture script (TOML, ``[browser]`` or ``[terminal]``),
:func:`capture` runs it to an MP4 with its steps timed to the narration, and
:func:`preview_step` makes a still of one step. See docs/capture.md.
"""

from __future__ import annotations

from vidkit.capture._errors import CaptureError
from vidkit.capture.browser_script import BrowserScript, BrowserStep, Target
from vidkit.capture.run import (
    Captured,
    CaptureOptions,
    CaptureScript,
    capture,
    load_script,
    preview_step,
    tie_times,
)
from vidkit.capture.script import KEYS, Step, TerminalScript
from vidkit.capture.terminal import StepTiming, TerminalCapture, capture_terminal

__all__ = [
    "KEYS",
    "BrowserScript",
    "BrowserStep",
    "CaptureError",
    "CaptureOptions",
    "CaptureScript",
    "Captured",
    "Step",
    "StepTiming",
    "Target",
    "TerminalCapture",
    "TerminalScript",
    "capture",
    "capture_terminal",
    "load_script",
    "preview_step",
    "tie_times",
]
