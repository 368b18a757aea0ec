"""Speech timings: words and phonemes on the audio's clock, in integer milliseconds.

Produced by a TTS backend (Piper gives phoneme alignments) or by forced alignment of known text
(pocketsphinx), consumed by lip sync and captions. Pure data, stdlib only; JSON round-trips.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PhonemeTiming", "Timings", "WordTiming"]


@dataclass(frozen=True, slots=True)
class WordTiming:
    """A word as spoken (after normalisation), from ``start_ms`` up to ``end_ms``."""

    word: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class PhonemeTiming:
    """One phoneme in ``Timings.alphabet``: "ipa" (Piper, espeak) or "arpabet" (pocketsphinx)."""

    phoneme: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Timings:
    """Word and phoneme timings of one audio file of ``duration_ms``."""

    duration_ms: int
    words: tuple[WordTiming, ...] = ()
    phonemes: tuple[PhonemeTiming, ...] = ()
    alphabet: str = "ipa"
    meta: dict[str, Any] = field(default_factory=dict)

    def shifted(self, offset_ms: int) -> Timings:
        """The same timings moved later by ``offset_ms`` (for chunks joined into one file)."""
        return Timings(
            duration_ms=self.duration_ms,
            words=tuple(
                WordTiming(w.word, w.start_ms + offset_ms, w.end_ms + offset_ms) for w in self.words
            ),
            phonemes=tuple(
                PhonemeTiming(p.phoneme, p.start_ms + offset_ms, p.end_ms + offset_ms)
                for p in self.phonemes
            ),
            alphabet=self.alphabet,
            meta=dict(self.meta),
        )

    @staticmethod
    def join(parts: list[tuple[int, Timings]], duration_ms: int) -> Timings:
        """Concatenate chunk timings, each given with the offset at which its audio starts."""
        words: list[WordTiming] = []
        phonemes: list[PhonemeTiming] = []
        alphabet = parts[0][1].alphabet if parts else "ipa"
        for offset, part in parts:
            moved = part.shifted(offset)
            words.extend(moved.words)
            phonemes.extend(moved.phonemes)
        return Timings(duration_ms, tuple(words), tuple(phonemes), alphabet)

    def to_json(self) -> str:
        return json.dumps(
            {
                "duration_ms": self.duration_ms,
                "alphabet": self.alphabet,
                "words": [[w.word, w.start_ms, w.end_ms] for w in self.words],
                "phonemes": [[p.phoneme, p.start_ms, p.end_ms] for p in self.phonemes],
                "meta": self.meta,
            },
            ensure_ascii=False,
        )

    @staticmethod
    def from_json(text: str) -> Timings:
        raw = json.loads(text)
        return Timings(
            duration_ms=int(raw["duration_ms"]),
            words=tuple(WordTiming(w, int(s), int(e)) for w, s, e in raw["words"]),
            phonemes=tuple(PhonemeTiming(p, int(s), int(e)) for p, s, e in raw["phonemes"]),
            alphabet=raw.get("alphabet", "ipa"),
            meta=raw.get("meta", {}),
        )
