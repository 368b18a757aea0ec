"""Captions: cues from word timings (the files made from cues are
:mod:`vidkit.render.caption_files`).

:func:`captions_from_timings` groups the words of a narration into cues that read well: at
most ``max_lines`` lines of at most ``max_chars`` characters, broken at sentence ends, then at
clauses and pauses, never after an article or a preposition, with lines of balanced length.
A cue appears when its first word is spoken, never before, and stays ``linger_ms`` after its
last word, or longer if reading its text takes longer (``chars_per_second``, at least
``min_ms``), but never into the next cue (``gap_ms`` apart) and never past the scene's end.

Times are integer milliseconds. :func:`to_frames` turns cues into the timeline's frame-based
:class:`~vidkit.timeline.Caption`; :func:`~vidkit.render.caption_files.to_ass` writes the
subtitle file that the renderer burns in with ffmpeg's ``ass=``/``subtitles=`` filter.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache, lru_cache

from vidkit.timeline import Caption, ms_to_frames
from vidkit.timing import Timings

__all__ = [
    "CaptionCue",
    "captions_from_timings",
    "layout_lines",
    "offset_cues",
    "to_frames",
]

_CLOSERS = "'\")]}”’»"
_SENTENCE_END = re.compile(rf"[.!?…][{re.escape(_CLOSERS)}]*$")
_CLAUSE_END = re.compile(rf"[,;:—–][{re.escape(_CLOSERS)}]*$")
_EDGE = "\"'()[]{}“”‘’«».,;:!?…—–-"
_WEAK = frozenset(
    ("a", "an", "the", "to", "of", "in", "on", "at", "by", "for", "from", "with", "into",
     "onto", "over", "under", "about", "as", "than", "and", "or", "but", "nor", "so", "if",
     "that", "my", "your", "our", "their", "his", "her", "its")
)  # fmt: skip
# How much it costs to end a cue (or a line) after a word, by the strength of the break there.
_SENTENCE, _CLAUSE, _NONE, _WEAK_WORD = 3, 2, 0, -1
_CUE_END_COST = {_SENTENCE: 0.0, _CLAUSE: 0.6, _NONE: 2.0, _WEAK_WORD: 3.5}
_LINE_END_COST = {_SENTENCE: 0.0, _CLAUSE: 0.1, _NONE: 0.5, _WEAK_WORD: 3.0}
_MID_LINE_SENTENCE = 1.5


@dataclass(frozen=True, slots=True)
class CaptionCue:
    """``text`` (lines separated by ``\\n``) on screen from ``start_ms`` up to ``end_ms``."""

    start_ms: int
    end_ms: int
    text: str

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(self.text.split("\n"))


@dataclass(frozen=True, slots=True)
class _Rules:
    max_chars: int
    max_lines: int
    min_ms: int
    max_ms: int
    linger_ms: int
    gap_ms: int
    chars_per_second: float


@dataclass(frozen=True, slots=True)
class _Unit:
    """A written token (or a spoken word) with the time it is spoken."""

    text: str
    start_ms: int
    end_ms: int


def captions_from_timings(
    timings: Timings,
    *,
    text: str | None = None,
    offset_ms: int = 0,
    end_ms: int | None = None,
    max_chars: int = 42,
    max_lines: int = 2,
    min_ms: int = 1000,
    max_ms: int = 6000,
    linger_ms: int = 600,
    gap_ms: int = 80,
    chars_per_second: float = 17.0,
) -> list[CaptionCue]:
    """Caption cues for speech with ``timings``, moved ``offset_ms`` later.

    ``text`` is the narration as written: with ``timings.meta["word_sources"]`` (or one spoken
    word per written token) the cues show what was written ("SQL"), not what was said
    ("sequel"), punctuation included. ``end_ms`` is where the scene ends, on the same clock
    as the cues (default: the end of the audio, moved by ``offset_ms``).
    """
    if max_chars < 1 or max_lines < 1 or max_ms < 1 or chars_per_second <= 0:
        raise ValueError("max_chars, max_lines, max_ms and chars_per_second must be positive")
    rules = _Rules(max_chars, max_lines, min_ms, max_ms, linger_ms, gap_ms, chars_per_second)
    units = _units(timings, text)
    if not units:
        return []
    scene_end = offset_ms + timings.duration_ms if end_ms is None else end_ms
    strengths = [_strength(u, nxt) for u, nxt in zip(units, [*units[1:], None], strict=True)]
    return _timed(_segment(units, strengths, rules), units, rules, offset_ms, scene_end)


def layout_lines(words: Sequence[str], max_chars: int = 42, max_lines: int = 2) -> list[str] | None:
    """``words`` set on as few balanced lines as the captions use, broken where the text
    breaks; None when they do not fit on ``max_lines`` lines of ``max_chars``."""
    if not words:
        return []
    units = [_Unit(w, 0, 0) for w in words]
    strengths = [_strength(u, None) for u in units[:-1]]
    found = _layout(tuple(words), tuple(strengths), max_chars, max_lines)
    return None if found is None else found[0]


def offset_cues(
    cues: Iterable[CaptionCue], offset_ms: int, *, until_ms: int | None = None
) -> list[CaptionCue]:
    """``cues`` moved ``offset_ms`` later and cut at ``until_ms`` (on the moved clock)."""
    out: list[CaptionCue] = []
    for cue in cues:
        start, end = cue.start_ms + offset_ms, cue.end_ms + offset_ms
        if until_ms is not None:
            end = min(end, until_ms)
        if end > start:
            out.append(replace(cue, start_ms=start, end_ms=end))
    return out


def to_frames(cues: Sequence[CaptionCue], fps: Fraction) -> tuple[Caption, ...]:
    """Cues as timeline captions (frames; ``end`` exclusive). A cue starts on the first frame
    at or after its start time, so it is never on screen before its first word."""
    starts = [ms_to_frames(c.start_ms, fps) for c in cues]
    out: list[Caption] = []
    for i, cue in enumerate(cues):
        end = ms_to_frames(cue.end_ms, fps)
        if i + 1 < len(cues):
            end = min(end, starts[i + 1])
        if end > starts[i]:
            out.append(Caption(starts[i], end, cue.text))
    return tuple(out)


# Units and breaks ---------------------------------------------------------------------------


def _units(timings: Timings, text: str | None) -> list[_Unit]:
    tokens = text.split() if text else []
    sources = _sources(timings, len(tokens))
    if sources is None:
        units = [_Unit(w.word, w.start_ms, w.end_ms) for w in timings.words]
    else:
        units = _written_units(timings, tokens, sources)
    out: list[_Unit] = []
    for u in units:  # timings in order, whatever rounding did
        if not u.text.strip():
            continue
        start = max(u.start_ms, out[-1].start_ms) if out else u.start_ms
        out.append(_Unit(" ".join(u.text.split()), start, max(start, u.end_ms)))
    return out


def _written_units(timings: Timings, tokens: list[str], sources: list[int]) -> list[_Unit]:
    """One unit per written token, timed by the spoken words it became; written tokens that
    were not spoken ("—", an emoji) stay with the word before them (or after, at the start)."""
    spans: dict[int, tuple[int, int]] = {}
    for w, src in zip(timings.words, sources, strict=True):
        lo, hi = spans.get(src, (w.start_ms, w.end_ms))
        spans[src] = (min(lo, w.start_ms), max(hi, w.end_ms))
    units: list[_Unit] = []
    lead: list[str] = []
    for index, token in enumerate(tokens):
        if index in spans:
            start, end = spans[index]
            units.append(_Unit(" ".join([*lead, token]), start, end))
            lead = []
        elif units:
            last = units[-1]
            units[-1] = _Unit(f"{last.text} {token}", last.start_ms, last.end_ms)
        else:
            lead.append(token)
    return units


def _sources(timings: Timings, tokens: int) -> list[int] | None:
    """Which written token each spoken word came from, when that is known and consistent."""
    if not tokens:
        return None
    raw = timings.meta.get("word_sources")
    if raw is None and tokens == len(timings.words):
        return list(range(tokens))
    if not isinstance(raw, list) or len(raw) != len(timings.words) or not raw:
        return None
    if not all(isinstance(s, int) and 0 <= s < tokens for s in raw):
        return None
    if any(b < a for a, b in itertools.pairwise(raw)):
        return None
    return raw


def _strength(unit: _Unit, following: _Unit | None) -> int:
    """How good a place the end of ``unit`` is to end a cue or a line."""
    strength = _NONE
    if _SENTENCE_END.search(unit.text):
        strength = _SENTENCE
    elif _CLAUSE_END.search(unit.text):
        strength = _CLAUSE
    if following is not None:
        pause = following.start_ms - unit.end_ms
        if pause >= 700:
            strength = _SENTENCE
        elif pause >= 300:
            strength = max(strength, _CLAUSE)
    if strength == _NONE and unit.text.split()[-1].strip(_EDGE).lower() in _WEAK:
        strength = _WEAK_WORD
    return strength


def _segment(
    units: list[_Unit], strengths: list[int], rules: _Rules
) -> list[tuple[int, int, list[str]]]:
    """Split ``units`` into cues, as (first unit, end unit, lines), at the least total cost."""
    n = len(units)
    best: list[float] = [0.0] + [math.inf] * n
    back: list[tuple[int, list[str]]] = [(0, [])] * (n + 1)
    for j in range(1, n + 1):
        chars = -1
        for i in range(j - 1, -1, -1):
            chars += len(units[i].text) + 1
            single = i == j - 1
            too_long = chars > rules.max_chars * rules.max_lines
            if not single and (too_long or units[j - 1].end_ms - units[i].start_ms > rules.max_ms):
                break
            words = tuple(u.text for u in units[i:j])
            layout = _layout(words, tuple(strengths[i : j - 1]), rules.max_chars, rules.max_lines)
            if layout is None:
                if not single:
                    continue
                layout = ([words[0]], 0.0)  # one token longer than a cue: shown whole
            lines, line_cost = layout
            cost = best[i] + line_cost + _cue_cost(strengths, i, j, chars, n)
            if cost < best[j]:
                best[j], back[j] = cost, (i, lines)
    groups: list[tuple[int, int, list[str]]] = []
    j = n
    while j > 0:
        i, lines = back[j]
        groups.append((i, j, lines))
        j = i
    return groups[::-1]


def _cue_cost(strengths: list[int], i: int, j: int, chars: int, n: int) -> float:
    end = _SENTENCE if j == n else strengths[j - 1]
    cost = 1.0 + _CUE_END_COST[end]
    if chars < 16 and end != _SENTENCE:
        cost += 1.0  # a fragment flashing by
    cost += 0.5 * sum(1 for s in strengths[i : j - 1] if s == _SENTENCE)
    return cost


@lru_cache(maxsize=4096)
def _layout(
    words: tuple[str, ...], strengths: tuple[int, ...], max_chars: int, max_lines: int
) -> tuple[list[str], float] | None:
    """The best way to set ``words`` on as few lines as possible (at most ``max_lines`` of at
    most ``max_chars``): balanced lengths, broken where the text breaks."""
    joined = " ".join(words)
    # a sentence that ends inside a line, with the next one going on after it, reads badly
    inside = sum(_MID_LINE_SENTENCE for s in strengths if s == _SENTENCE)
    if len(joined) <= max_chars:
        return [joined], inside
    if max(len(w) for w in words) > max_chars:
        return None
    count, width = 1, -1
    for w in words:  # greedy filling gives the fewest lines
        if width + 1 + len(w) > max_chars:
            count, width = count + 1, len(w)
        else:
            width += 1 + len(w)
    if count > max_lines:
        return None
    target = len(joined) / count

    @cache
    def best(start: int, lines: int) -> tuple[float, tuple[int, ...]] | None:
        if lines == 1:
            length = len(" ".join(words[start:]))
            if length > max_chars:
                return None
            return ((length - target) / max_chars) ** 2 * 4, ()
        found: tuple[float, tuple[int, ...]] | None = None
        for cut in range(start + 1, len(words)):
            length = len(" ".join(words[start:cut]))
            if length > max_chars:
                break
            rest = best(cut, lines - 1)
            if rest is None:
                continue
            cost = ((length - target) / max_chars) ** 2 * 4 + _LINE_END_COST[strengths[cut - 1]]
            if strengths[cut - 1] == _SENTENCE:
                cost -= _MID_LINE_SENTENCE  # ends its line after all
            if found is None or cost + rest[0] < found[0]:
                found = (cost + rest[0], (cut, *rest[1]))
        return found

    result = best(0, count)
    if result is None:
        return None
    cuts = [0, *result[1], len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(cuts)], result[0] + inside


def _timed(
    groups: list[tuple[int, int, list[str]]],
    units: list[_Unit],
    rules: _Rules,
    offset: int,
    scene_end: int,
) -> list[CaptionCue]:
    """Times for each cue: from its first word, lingering after its last, read in time."""
    bounds = [(units[i].start_ms + offset, units[j - 1].end_ms + offset) for i, j, _ in groups]
    cues: list[CaptionCue] = []
    previous_end = bounds[0][0]
    for k, ((_, _, lines), (first, last)) in enumerate(zip(groups, bounds, strict=True)):
        start = max(first, previous_end)
        if start >= scene_end:
            break
        chars = len(" ".join(lines))
        reading = max(rules.min_ms, math.ceil(1000 * chars / rules.chars_per_second))
        end = max(last + rules.linger_ms, start + reading)
        end = min(end, max(start + rules.max_ms, last), scene_end)
        if k + 1 < len(bounds):  # a gap before the next cue, but not before the last word ends
            following = bounds[k + 1][0]
            end = min(end, max(following - rules.gap_ms, min(last, following)))
        end = max(end, start + 1)
        cues.append(CaptionCue(start, end, "\n".join(lines)))
        previous_end = end
    return cues
