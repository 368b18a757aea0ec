"""Forced alignment: word and phoneme times of a known text in an audio file."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from vidkit.timing import Timings

__all__ = ["Aligner"]


@runtime_checkable
class Aligner(Protocol):
    """Aligns ``text`` (what is said) to ``wav`` (how it was said)."""

    def fingerprint(self) -> str: ...

    def align(self, wav: Path, text: str) -> Timings: ...
