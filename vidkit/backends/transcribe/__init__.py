"""Speech to text: a recording's words with times and confidences."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from vidkit.timing import Transcript

__all__ = ["Transcriber"]


@runtime_checkable
class Transcriber(Protocol):
    """Transcribes a WAV file into a :class:`~vidkit.timing.Transcript`.

    ``language`` is a code such as "en"; ``None`` lets the backend detect it. Word times are
    integer milliseconds on the file's clock, inside ``[0, duration_ms]``, in spoken order.
    Failures raise :class:`vidkit.errors.BackendError` (the backend or service failed) or
    :class:`vidkit.errors.MediaError` (the file is not readable audio).
    """

    def fingerprint(self) -> str: ...

    def transcribe(self, wav: Path, *, language: str | None = None) -> Transcript: ...
