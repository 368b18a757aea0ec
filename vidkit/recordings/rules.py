"""The tightening rules: a recording's analysis and transcript → a :class:`~vidkit.cuts.CutList`.

Pure functions over millisecond intervals, then one conversion to frames. The rules:

* a pause in the talk (no speech from the VAD, no word from the transcript) while the screen is
  idle, longer than ``min_silence_ms``, is cut down to ``keep_pause_ms`` (half kept at each end);
* typing without talking (a pause while the screen changes) longer than ``typing_min_ms`` is
  sped up to last ``typing_min_ms``, at most ``max_speed``×; it is never cut;
* filler words ("um", "uh", "you know", …), sounds with no words in them, and restarted phrases
  ("so the, so the function") are cut;
* words the user deleted are cut, words they restored are kept whatever a rule says;
* nothing is cut within ``word_margin_ms`` of a kept word's edges, and frame rounding only
  ever shrinks a cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vidkit.cuts import CutList, Span
from vidkit.errors import InvalidInput
from vidkit.timing import TranscribedWord

__all__ = [
    "DEFAULT_FILLERS",
    "TightenRules",
    "filler_spans",
    "plan_cuts",
    "restart_spans",
    "rules_from",
]

Interval = tuple[int, int]

#: How far from a sound a transcribed word may sit and still count as said in it.
_WORD_SLACK_MS = 150

DEFAULT_FILLERS = ("um", "umm", "uh", "uhm", "erm", "er", "ah", "hmm", "mm", "you know")


@dataclass(frozen=True, slots=True)
class TightenRules:
    """The knobs of :func:`plan_cuts` (``[tighten]`` in config.toml)."""

    min_silence_ms: int = 1000
    keep_pause_ms: int = 400
    word_margin_ms: int = 80
    cut_fillers: bool = True
    fillers: tuple[str, ...] = DEFAULT_FILLERS
    cut_unworded: bool = True
    unworded_max_ms: int = 1200
    cut_restarts: bool = True
    speed_typing: bool = True
    typing_min_ms: int = 1500
    max_speed: float = 4.0

    def __post_init__(self) -> None:
        if self.keep_pause_ms < 2 * self.word_margin_ms:
            raise InvalidInput(
                "keep_pause_ms must be at least twice word_margin_ms (a kept pause holds the "
                "margins on both sides)",
                field="keep_pause_ms",
            )
        if self.min_silence_ms < self.keep_pause_ms:
            raise InvalidInput(
                "min_silence_ms must be at least keep_pause_ms", field="min_silence_ms"
            )
        if not 1.0 < self.max_speed <= 16.0:
            raise InvalidInput("max_speed must be above 1 and at most 16", field="max_speed")


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(i for i in intervals if i[1] > i[0]):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _minus(base: Sequence[Interval], holes: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    holes = _union(holes)
    for lo, hi in base:
        at = lo
        for h0, h1 in holes:
            if h1 <= at or h0 >= hi:
                continue
            if h0 > at:
                out.append((at, h0))
            at = max(at, h1)
        if at < hi:
            out.append((at, hi))
    return out


def _clip(intervals: Iterable[Interval], lo: int, hi: int) -> list[Interval]:
    return [(max(a, lo), min(b, hi)) for a, b in intervals if min(b, hi) > max(a, lo)]


def filler_spans(
    words: Sequence[TranscribedWord], fillers: Sequence[str]
) -> list[tuple[int, int, str]]:
    """Index ranges ``(first, last + 1, text)`` of the filler words and phrases in ``words``."""
    phrases = sorted((_words(f) for f in fillers if _words(f)), key=len, reverse=True)
    tokens = [" ".join(_words(w.text)) for w in words]
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(words):
        for phrase in phrases:
            n = len(phrase)
            if tokens[i : i + n] == phrase:
                found.append((i, i + n, " ".join(w.text for w in words[i : i + n])))
                i += n
                break
        else:
            i += 1
    return found


def restart_spans(words: Sequence[TranscribedWord]) -> list[tuple[int, int, str]]:
    """Index ranges of restarted phrases: a run of 2–4 words said again straight away ("so the
    so the"; from three words on, the first word may differ, as whisper mishears it), or one
    word of three letters or more stammered twice; the first saying is the one to cut."""
    tokens = [" ".join(_words(w.text)) for w in words]
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        for n in (4, 3, 2, 1):
            first, again = tokens[i : i + n], tokens[i + n : i + 2 * n]
            if len(again) < n or not all(first):
                continue
            # Whisper often mishears the first word of a restart ("sell the function, so the
            # function"): from three words on, the rest matching is enough.
            if first != again and (n < 3 or first[1:] != again[1:]):
                continue
            if n == 1 and len(first[0]) < 3:
                continue
            found.append((i, i + n, " ".join(w.text for w in words[i : i + n])))
            i += n
            break
        else:
            i += 1
    return found


def plan_cuts(
    *,
    fps: Fraction,
    in_ms: int,
    out_ms: int,
    words: Sequence[TranscribedWord],
    speech: Sequence[Interval],
    idle: Sequence[Interval],
    rules: TightenRules,
    deleted: Sequence[Interval] = (),
    restored: Sequence[Interval] = (),
    has_audio: bool = True,
) -> CutList:
    """The cut list of source ``in_ms..out_ms`` (see the module docs). ``speech``: VAD speech
    intervals; ``idle``: intervals where the screen does not change; ``deleted``/``restored``:
    the user's edits, as source intervals. Without audio (``has_audio`` False) only idle screen
    is cut."""
    if out_ms <= in_ms:
        raise InvalidInput(f"the out point ({out_ms} ms) must come after the in point ({in_ms} ms)")
    margin = rules.word_margin_ms
    words = [w for w in words if w.end_ms > in_ms and w.start_ms < out_ms]
    cuts: list[tuple[int, int, str, str]] = []  # (start, end, reason, text)
    whole: list[Interval] = []  # removed words: their cuts cover them even after rounding
    removed: set[int] = set()

    kept_anyway = {
        i for i, w in enumerate(words) if any(w.start_ms < b and a < w.end_ms for a, b in restored)
    }

    def cut_words(first: int, last: int, reason: str, text: str) -> None:
        if reason != "deleted" and kept_anyway.intersection(range(first, last)):
            return  # the user restored it
        before = words[first - 1].end_ms + margin if first > 0 else in_ms
        after = words[last].start_ms - margin if last < len(words) else out_ms
        lo = max(before, words[first].start_ms - margin)
        hi = min(after, words[last - 1].end_ms + margin)
        lo = min(lo, words[first].start_ms)
        hi = max(hi, words[last - 1].end_ms)
        cuts.append((lo, hi, reason, text))
        whole.append((words[first].start_ms, words[last - 1].end_ms))
        removed.update(range(first, last))

    if has_audio:
        if rules.cut_fillers:
            for first, last, text in filler_spans(words, rules.fillers):
                cut_words(first, last, "filler", text)
        if rules.cut_restarts:
            for first, last, text in restart_spans(words):
                if not removed.intersection(range(first, last)):
                    cut_words(first, last, "restart", text)
    for lo, hi in deleted:
        inside = [i for i, w in enumerate(words) if w.start_ms < hi and w.end_ms > lo]
        if inside:
            text = " ".join(words[i].text for i in inside)
            cut_words(inside[0], inside[-1] + 1, "deleted", text)
        else:
            cuts.append((max(lo, in_ms), min(hi, out_ms), "deleted", ""))

    kept_words = [w for i, w in enumerate(words) if i not in removed]
    # Where the talk is: kept words (with margins) and VAD speech.
    talk_all = (
        _union([(w.start_ms, w.end_ms) for w in words] + [(int(s[0]), int(s[1])) for s in speech])
        if has_audio
        else []
    )
    guard = _union((w.start_ms - margin, w.end_ms + margin) for w in kept_words)

    pauses = _minus([(in_ms, out_ms)], talk_all)
    idle_u = _union((int(i[0]), int(i[1])) for i in idle)
    speeds: list[tuple[int, int, float]] = []
    for lo, hi in pauses:
        for a, b in _clip(idle_u, lo, hi):
            if b - a <= rules.min_silence_ms:
                continue
            half = rules.keep_pause_ms // 2
            a2 = a + half if a > in_ms else a  # the scene's own start needs no lead-in pause
            b2 = b - half if b < out_ms else b
            if b2 - a2 > 0:
                cuts.append((a2, b2, "silence", ""))
        if rules.speed_typing:
            for a, b in _minus([(lo, hi)], idle_u):
                a2, b2 = a + margin, b - margin
                length = b2 - a2
                if length > rules.typing_min_ms:
                    speed = min(rules.max_speed, length / rules.typing_min_ms)
                    if speed > 1.05:
                        speeds.append((a2, b2, speed))
    if has_audio and rules.cut_unworded:
        # Whisper may time a word just outside its sound (or give it no length): near counts.
        near = _WORD_SLACK_MS
        worded = _union((w.start_ms - near, w.end_ms + near) for w in words)
        for a, b in speech:
            if b - a > rules.unworded_max_ms or a >= out_ms or b <= in_ms:
                continue
            if not any(w0 < b and a < w1 for w0, w1 in worded):
                cuts.append((a, b, "filler", ""))

    # Keep restored stretches and the guard band around every kept word.
    protect = _union([(int(r[0]), int(r[1])) for r in restored] + guard)
    spoken = [(w.start_ms, w.end_ms) for w in kept_words]
    return _to_frames(fps, in_ms, out_ms, cuts, speeds, protect, whole, spoken)


def _to_frames(
    fps: Fraction,
    in_ms: int,
    out_ms: int,
    cuts: list[tuple[int, int, str, str]],
    speeds: list[tuple[int, int, float]],
    protect: list[Interval],
    whole: list[Interval],
    spoken: list[Interval],
) -> CutList:
    def inner(lo: int, hi: int) -> tuple[int, int]:
        """Frames strictly inside lo..hi: rounding only ever shrinks a change, except that a
        removed word is cut whole (a frame's sliver of it would still be heard)."""
        first = -(-(Fraction(lo) * fps) // 1000)
        last = (Fraction(hi) * fps) // 1000
        for a, b in whole:
            if lo <= a and b <= hi:
                first = min(first, (Fraction(a) * fps) // 1000)
                last = max(last, -(-(Fraction(b) * fps) // 1000))
        return int(first), int(last)

    start, end = CutList.frame_at(in_ms, fps), max(CutList.frame_at(in_ms, fps) + 1,
                                                   CutList.frame_at(out_ms, fps))  # fmt: skip
    result = CutList.whole(start, end, fps)
    for a, b, speed in speeds:
        for lo, hi in _minus([(a, b)], protect):
            f0, f1 = inner(lo, hi)
            if f1 - f0 >= 2:
                result = result.with_action(f0, f1, "speed", "typing", round(speed, 3))
    # Cuts in priority order: a user's deletion names itself over a rule's reason.
    order = {"silence": 0, "restart": 1, "filler": 2, "deleted": 3}
    for a, b, reason, text in sorted(cuts, key=lambda c: (order.get(c[2], 9), c[0])):
        for lo, hi in _minus([(a, b)], [] if reason == "deleted" else protect):
            f0, f1 = inner(lo, hi)
            if f1 - f0 >= 1:
                result = _cut(result, f0, f1, reason, text)
    if result.output_frames < 1:
        return CutList.whole(start, end, fps)
    return _close_slivers(result, spoken)


#: A kept stretch this short between two cuts, holding no kept word, is cut too: it would
#: only add two joins.
SLIVER_FRAMES = 2


def _close_slivers(cuts: CutList, spoken: list[Interval]) -> CutList:
    spans = cuts.spans
    for i in range(1, len(spans) - 1):
        span = spans[i]
        if span.action != "keep" or span.frames > SLIVER_FRAMES:
            continue
        before, after = spans[i - 1], spans[i + 1]
        if before.action != "cut" or after.action != "cut":
            continue
        lo, hi = cuts.ms(span.start), cuts.ms(span.end)
        if any(a < hi and lo < b for a, b in spoken):
            continue
        return _close_slivers(cuts.with_action(span.start, span.end, "cut", before.reason), spoken)
    return cuts


def _cut(cuts: CutList, f0: int, f1: int, reason: str, text: str) -> CutList:
    try:
        updated = cuts.with_action(f0, f1, "cut", reason)
    except InvalidInput:  # it would cut everything
        return cuts
    if text:
        spans = tuple(
            Span(s.start, s.end, s.action, s.reason, s.speed, text)
            if s.action == "cut" and s.start == max(f0, cuts.start) and s.reason == reason
            else s
            for s in updated.spans
        )
        return CutList(updated.fps, spans)
    return updated


def rules_from(config: Any) -> TightenRules:
    """The rules a ``[tighten]`` config section (:class:`vidkit.config.TightenConfig`) sets."""
    return TightenRules(
        min_silence_ms=config.min_silence_ms,
        keep_pause_ms=config.keep_pause_ms,
        word_margin_ms=config.word_margin_ms,
        cut_fillers=config.cut_fillers,
        fillers=tuple(config.fillers),
        cut_unworded=config.cut_unworded,
        cut_restarts=config.cut_restarts,
        speed_typing=config.speed_typing,
        typing_min_ms=config.typing_min_ms,
        max_speed=config.max_speed,
    )
