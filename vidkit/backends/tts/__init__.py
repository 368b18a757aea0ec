"""Text to speech with word and phoneme timings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from vidkit.timing import Timings

__all__ = ["TTS", "VoiceProfile"]


@dataclass(frozen=True, slots=True)
class VoiceProfile:
    """A voice to clone: a reference recording, its transcript, and the speaker's consent."""

    name: str
    reference_wav: Path
    transcript: str
    consent: str


@runtime_checkable
class TTS(Protocol):
    """Speaks already-normalised text into a WAV file and returns its timings.

    ``can_clone`` says whether ``voice`` profiles are honoured; a backend that cannot clone
    raises :class:`vidkit.errors.BackendError` when given one, saying which backends can.
    Timings cover the whole file (``duration_ms`` is the WAV's length).
    """

    can_clone: bool

    def fingerprint(self) -> str: ...

    def synthesize(
        self, text: str, out_wav: Path, *, voice: VoiceProfile | None = None
    ) -> Timings: ...
