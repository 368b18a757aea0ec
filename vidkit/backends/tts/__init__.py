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
    #: Extra reference recordings of the same speaker (the first one is ``reference_wav``).
    more_references: tuple[Path, ...] = ()
    #: BCP-47-ish language code of the reference and of the text to speak (e.g. "en", "fr").
    language: str = "en"
    #: Stable id of the reference audio (sha256 of ``reference_wav``'s bytes); services cache
    #: uploaded references under it and fingerprints include it so a new reference re-renders.
    key: str = ""

    @property
    def references(self) -> tuple[Path, ...]:
        """All reference recordings, ``reference_wav`` first."""
        return (self.reference_wav, *self.more_references)

    def content_key(self) -> str:
        """``key``, or the sha256 of ``reference_wav``'s bytes when no key was given."""
        if self.key:
            return self.key
        import hashlib

        digest = hashlib.sha256()
        for ref in self.references:
            digest.update(ref.read_bytes())
        return digest.hexdigest()


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
