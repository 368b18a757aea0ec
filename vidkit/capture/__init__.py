"""Screens captured from real programs: a scripted terminal session (:func:`capture_terminal`)."""

from __future__ import annotations

from vidkit.capture.terminal import (
    KEYS,
    CaptureError,
    Step,
    StepTiming,
    TerminalCapture,
    TerminalScript,
    capture_terminal,
)

__all__ = [
    "KEYS",
    "CaptureError",
    "Step",
    "StepTiming",
    "TerminalCapture",
    "TerminalScript",
    "capture_terminal",
]
