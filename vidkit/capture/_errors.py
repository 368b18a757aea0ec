"""The capture package's error."""

from __future__ import annotations

from vidkit.errors import VidkitError

__all__ = ["CaptureError"]


class CaptureError(VidkitError):
    """The session could not be captured: no shell, a command past its timeout, ffmpeg failed."""
