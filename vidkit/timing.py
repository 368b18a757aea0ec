"""Speech timings: words and phonemes on the audio's clock, in integer milliseconds.

Produced by a TTS backend (Piper gives phoneme alignments) or by forced alignment of known text
(pocketsphinx), consumed by lip sync and captions. A :class:`Transcript` is what a transcription
backend heard in a recording: words with times and confidences, grouped into segments.
Pure data, stdlib only; JSON round-trips.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "PhonemeTiming",
    "Segment",
    "Timings",
    "TranscribedWord",
    "Transcript",
    "WordTiming",
]


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


@dataclass(frozen=True, slots=True)
class TranscribedWord:
    """A word heard from ``start_ms`` up to ``end_ms``; ``confidence`` is in [0, 1]."""

    text: str
    start_ms: int
    end_ms: int
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech (a phrase or sentence) as the backend grouped it."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True, slots=True)
class Transcript:
    """What was said in an audio file of ``duration_ms``: words in order, on the file's clock.

    ``language`` is the code the backend used or detected ("en"), or "" when it did not say.
    """

    duration_ms: int
    language: str = ""
    words: tuple[TranscribedWord, ...] = ()
    segments: tuple[Segment, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The words joined by single spaces."""
        return " ".join(w.text for w in self.words)

    def timings(self) -> Timings:
        """The words as :class:`Timings` (no phonemes), for captions and alignment users."""
        return Timings(
            self.duration_ms,
            tuple(WordTiming(w.text, w.start_ms, w.end_ms) for w in self.words),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "duration_ms": self.duration_ms,
                "language": self.language,
                "words": [[w.text, w.start_ms, w.end_ms, w.confidence] for w in self.words],
                "segments": [[s.text, s.start_ms, s.end_ms] for s in self.segments],
                "meta": self.meta,
            },
            ensure_ascii=False,
        )

    @staticmethod
    def from_json(text: str) -> Transcript:
        raw = json.loads(text)
        return Transcript(
            duration_ms=int(raw["duration_ms"]),
            language=raw.get("language", ""),
            words=tuple(
                TranscribedWord(w, int(s), int(e), float(c)) for w, s, e, c in raw["words"]
            ),
            segments=tuple(Segment(t, int(s), int(e)) for t, s, e in raw.get("segments", [])),
            meta=raw.get("meta", {}),
        )
