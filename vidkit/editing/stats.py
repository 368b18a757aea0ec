"""Narration statistics: how many words, and how long they take to say.

>>> narration_stats("Here is a loop you have probably written.").words
8
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from typing import Final

from vidkit.errors import InvalidInput, NarrationError
from vidkit.model import Scene, check_narration
from vidkit.workspace import Workspace

__all__ = ["DEFAULT_WPM", "NarrationStats", "estimated_ms", "narration_stats", "speaking_rate"]

#: Words per minute assumed before any narration of the project has been spoken.
DEFAULT_WPM: Final = 150.0
_EMPTY_SCENE_MS: Final = 3000
_MIN_SCENE_MS: Final = 1000
_COUNT_EXACT_CHARS: Final = 200_000


@dataclass(frozen=True, slots=True)
class NarrationStats:
    """Size of a narration and how long it takes to say at ``wpm`` words per minute.
    ``problem`` says what stops it being saved (the narration rule's message), or is None."""

    characters: int
    words: int
    seconds: float
    wpm: float
    exact: bool = True
    problem: str | None = None

    def summary(self) -> str:
        about = "" if self.exact else "about "
        return (
            f"{about}{self.words:,} word{'s' if self.words != 1 else ''} · "
            f"about {_say_seconds(self.seconds)} spoken at {self.wpm:.0f} words a minute"
        )


def narration_stats(text: str, *, wpm: float = DEFAULT_WPM) -> NarrationStats:
    """Word count and estimated spoken length, cheap enough to run on every keystroke: exact
    up to 200,000 characters, estimated from the spaces beyond (a 5 MB paste takes ~5 ms)."""
    if wpm <= 0:
        raise InvalidInput("wpm must be positive", field="wpm")
    characters = len(text)
    if characters <= _COUNT_EXACT_CHARS:
        words, exact = len(text.split()), True
    else:
        words = text.count(" ") + text.count("\n") + text.count("\t") + 1
        exact = False
    problem = None
    try:
        check_narration(text)
    except NarrationError as exc:
        problem = str(exc)
    return NarrationStats(characters, words, words / wpm * 60.0, wpm, exact, problem)


def speaking_rate(ws: Workspace, slug: str) -> float:
    """Words per minute of the project's voice, measured on narration it has already spoken
    (its cached speech timings), else :data:`DEFAULT_WPM`."""
    rates = []
    for asset in ws.assets(slug, kind="timings")[-8:]:
        try:
            raw = json.loads(ws.asset_path(asset).read_text(encoding="utf-8"))
            words, duration_ms = len(raw["words"]), int(raw["duration_ms"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if words >= 5 and duration_ms > 0:
            rates.append(words / duration_ms * 60_000)
    if not rates:
        return DEFAULT_WPM
    return float(min(250.0, max(80.0, statistics.median(rates))))


def estimated_ms(scene: Scene, wpm: float = DEFAULT_WPM) -> int:
    """How long the scene will last before it is spoken: its words at ``wpm``."""
    if not scene.narration.strip():
        return _EMPTY_SCENE_MS
    words = len(scene.narration.split())
    return max(_MIN_SCENE_MS, round(words / wpm * 60_000))


def _say_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 90:
        return f"{minutes} min {rest:02d} s"
    return f"{minutes / 60:.1f} h"
