"""The typing schedule: when each keystroke lands, as a pure function of the code and the time.

A keystroke is a character typed, or a newline that also brings the next line's indentation (an
editor's auto-indent). Every keystroke gets a duration of about one key unit with jitter, plus a
pause after punctuation, after line ends (longer after a blank line) and now and then after a
word; all of it is drawn from a generator seeded by the code's hash, so the same code always
types the same way.

Pacing, given the time between ``start`` and ``end``:

- time to spare: keys slow down to at most 1.6x the natural ~11 keys/s; the rest lengthens the
  pauses at line ends (then at punctuation, then the wait before the first key), like a
  presenter who types a line and then explains it;
- too little time: pauses shrink to a quarter, then keys speed up to at most 30 keys/s;
- still too little: whole lines appear at an even rate (several per frame if need be), and the
  note says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_KEYS_PER_S", "NATURAL_KEYS_PER_S", "Schedule", "schedule"]

NATURAL_KEYS_PER_S = 11.0
MAX_KEYS_PER_S = 30.0
_SLOWEST = 1.6  # keys slow down at most this much before the pauses grow
_MIN_PAUSE = 0.25  # pauses shrink at most to this share before keys speed up
_FAST = 1.2  # faster than this many times the natural rate is worth a note

Mode = Literal["empty", "instant", "typing", "fast", "lines"]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Reveal events: after ``times[i]`` seconds, ``chars[i]`` characters are typed."""

    times: npt.NDArray[np.float64]
    chars: npt.NDArray[np.int64]
    initial: int  # characters shown before the first event (line 1's indentation)
    mode: Mode
    keys_per_s: float
    note: str

    def index_at(self, t: float) -> int:
        """How many events have happened at time ``t``."""
        return int(np.searchsorted(self.times, t, side="right"))

    def typed_at(self, t: float) -> int:
        done = self.index_at(t)
        return int(self.chars[done - 1]) if done else self.initial

    def last_event(self, t: float) -> float | None:
        done = self.index_at(t)
        return float(self.times[done - 1]) if done else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _keystrokes(lines: list[str]) -> tuple[list[int], list[str]]:
    """Characters typed after each keystroke, and the key pressed ("\\n" for Enter)."""
    chars: list[int] = []
    keys: list[str] = []
    start = 0
    for number, line in enumerate(lines):
        for col in range(_indent(line), len(line)):
            chars.append(start + col + 1)
            keys.append(line[col])
        start += len(line) + 1
        if number + 1 < len(lines):
            chars.append(start + _indent(lines[number + 1]))
            keys.append("\n")
    return chars, keys


def _seed(code: str) -> int:
    digest = hashlib.sha256(code.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "little")


def _weights(keys: list[str], code: str) -> tuple[npt.NDArray[np.float64], ...]:
    """Key durations, minor pauses and line-end pauses (in key units) after each keystroke."""
    rng = np.random.default_rng(_seed(code))
    n = len(keys)
    key = rng.uniform(0.55, 1.45, n)
    roll, size = rng.random(n), rng.random(n)
    codes = np.fromiter(map(ord, keys), dtype=np.int64, count=n)
    minor = np.zeros(n)
    for chars, low, high in ((",;", 1.0, 2.2), (":", 0.8, 1.8), (")]}", 0.3, 1.1), (".", 0.2, 0.7)):
        hit = np.isin(codes, [ord(c) for c in chars])
        minor[hit] = low + (high - low) * size[hit]
    thinking = (codes == ord(" ")) & (roll < 0.08)
    minor[thinking] = 1.0 + 2.0 * size[thinking]
    enter = codes == ord("\n")
    line = np.where(enter, 3.0 + 3.0 * size, 0.0)
    blank = enter & np.concatenate([enter[1:], [False]])  # Enter twice: a paragraph break
    line[blank] *= 0.4
    line[np.concatenate([[False], blank[:-1]])] += 3.0
    return key, minor, line


def _lines_schedule(lines: list[str], start: float, span: float) -> Schedule:
    ends, offset = [], 0
    for number, line in enumerate(lines):
        offset += len(line) + 1  # the start of the next line
        last = number + 1 == len(lines)
        ends.append(offset - 1 if last else offset + _indent(lines[number + 1]))
    ends = sorted(set(ends))  # an empty last line reveals nothing new
    count = len(ends)
    times = start + span * np.arange(1, count + 1, dtype=np.float64) / count
    times[-1] = start + span
    per_s = count / span
    note = (
        f"Too much code to type in {span:.1f} s (over {MAX_KEYS_PER_S:.0f} keys/s): "
        f"the {len(lines) - (lines[-1] == '')} lines appear whole, about {per_s:.0f} per second."
    )
    return Schedule(times, np.asarray(ends, np.int64), _indent(lines[0]), "lines", 0.0, note)


def schedule(code: str, start: float, end: float) -> Schedule:
    """The schedule for normalised ``code`` typed from ``start`` to ``end`` seconds."""
    lines = code.split("\n")
    chars, keys = _keystrokes(lines)
    empty = np.zeros(0, np.float64)
    if not chars:
        return Schedule(empty, np.zeros(0, np.int64), len(code), "empty", 0.0, "")
    span = end - start
    if span <= 0:
        note = "No time to type: the code appears at once."
        times = np.full(1, start, np.float64)
        return Schedule(times, np.asarray([len(code)], np.int64), 0, "instant", 0.0, note)
    key, minor, line = _weights(keys, code)
    uk, um, ul = float(key.sum()), float(minor[:-1].sum()), float(line[:-1].sum())
    natural = 1.0 / NATURAL_KEYS_PER_S
    lead = 0.0  # extra wait before the first key
    mode: Mode = "typing"
    if span >= (uk + um + ul) * natural:
        unit = natural * min(_SLOWEST, span / ((uk + um + ul) * natural))
        minor_unit = line_unit = unit
        if ul > 0:
            line_unit = (span - (uk + um) * unit) / ul
        elif um > 0:
            minor_unit = (span - uk * unit) / um
        else:
            lead = span - uk * unit
    elif um + ul > 0 and span >= (uk + _MIN_PAUSE * (um + ul)) * natural:
        unit = natural
        minor_unit = line_unit = (span / natural - uk) / (um + ul) * natural
    else:
        unit = span / (uk + _MIN_PAUSE * (um + ul))
        minor_unit = line_unit = _MIN_PAUSE * unit
        mode = "fast" if unit < natural / _FAST else "typing"
        if unit < 1.0 / MAX_KEYS_PER_S:
            return _lines_schedule(lines, start, span)
    gaps = key * unit
    gaps[1:] += minor[:-1] * minor_unit + line[:-1] * line_unit
    gaps[0] += lead
    times = np.minimum(start + np.cumsum(gaps), end)
    times[-1] = end
    rate = 1.0 / unit
    note = ""
    if mode == "fast":
        note = f"Typed fast to fit the scene: about {rate:.0f} keys/s (natural ~11)."
    return Schedule(times, np.asarray(chars, np.int64), _indent(lines[0]), mode, rate, note)
