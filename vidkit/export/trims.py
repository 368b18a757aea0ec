"""A recorded scene's screen clips, as an editor left them, back into a cut list.

Each clip vidkit exported knows the cut-list span it plays and the range it was exported
with (``metadata["vidkit"]``). A clip left as it was plays its span exactly as before; a
trimmed (or split) clip keeps the source frames its range now covers, at its speed; a
deleted clip's frames are cut. Whatever no clip plays is cut — with the reason it had when it
was cut already, ``"manual"`` (cut by hand) when the editor cut it. What cannot be a cut list
(clips out of order or overlapping, a slowed-down clip, a clip reaching past the scene's
stretch of the recording) raises :class:`Unmappable`, saying why in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from vidkit.cuts import CutList, Span
from vidkit.errors import InvalidInput
from vidkit.export.build import frames_of, marks

__all__ = [
    "Played",
    "Unmappable",
    "clip_changed",
    "cuts_from_clips",
    "played_by",
    "plays_alike",
    "time_scalar",
]


class Unmappable(Exception):
    """An edit that cannot be brought back; the message says why, in words."""


@dataclass(frozen=True, slots=True)
class Played:
    """Source frames ``start..end`` played as a cut list span would play them."""

    start: int
    end: int
    action: str = "keep"
    speed: float = 1.0
    reason: str = ""


def time_scalar(clip: Any) -> Fraction:
    """Source frames per frame of a clip: the product of its time warps (0 when held)."""
    scalar = Fraction(1)
    for effect in clip.effects:
        value = getattr(effect, "time_scalar", None)
        if value is not None:
            scalar *= Fraction(value).limit_denominator(1_000_000)
    return scalar


def _range(clip: Any, fps: Fraction) -> tuple[int, int]:
    where = clip.source_range or clip.trimmed_range()
    return frames_of(where.start_time, fps), frames_of(where.duration, fps)


def clip_changed(clip: Any, fps: Fraction) -> bool:
    """Whether a clip's range or speed differs from what it was exported with."""
    start, frames = _range(clip, fps)
    exported = marks(clip).get("exported")
    if not exported:
        return True
    was_start, was_frames, was_scalar = exported
    scalar = time_scalar(clip)
    return (start, frames) != (int(was_start), int(was_frames)) or scalar != Fraction(was_scalar)


def played_by(clip: Any, fps: Fraction, fit_speed: float) -> Played | None:
    """What a screen clip of a recorded scene plays, as a span (None: a held frame, which
    is no part of a cut list)."""
    meta = marks(clip)
    if meta.get("hold"):
        return None
    span = meta.get("span")
    if not clip_changed(clip, fps) and span:
        start, end, action, speed, reason = span
        return Played(int(start), int(end), str(action), float(speed), str(reason))
    start, frames = _range(clip, fps)
    scalar = time_scalar(clip)
    if frames <= 0:
        return None
    if scalar <= 0:
        raise Unmappable(f"clip {clip.name!r} holds a frame; a cut list cannot hold one")
    speed = float(scalar / Fraction(fit_speed).limit_denominator(1_000_000))
    source = max(1, round(frames * scalar))
    reason = str(span[4]) if span and span[2] == "speed" else "typing"
    if abs(speed - 1.0) < 1e-3:
        return Played(start, start + source)
    if speed < 1.0 or speed > 64.0:
        what = "slowed down" if speed < 1.0 else f"sped up {speed:.0f}×"
        raise Unmappable(
            f"clip {clip.name!r} is {what}; a cut list only keeps, cuts or speeds up "
            "(above 1×, at most 64×)"
        )
    return Played(start, start + source, "speed", speed, reason)


def _merge(spans: Sequence[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for span in spans:
        if span.end <= span.start:
            continue
        last = out[-1] if out else None
        if last is not None and (last.action, last.reason, last.speed) == (
            span.action, span.reason, span.speed,
        ) and last.end == span.start:  # fmt: skip
            text = " ".join(t for t in (last.text, span.text) if t)
            out[-1] = replace(last, end=span.end, text=text)
        else:
            out.append(span)
    return tuple(out)


def cuts_from_clips(old: CutList, played: Sequence[Played], *, names: Sequence[str]) -> CutList:
    """The cut list that plays ``played`` (in order) over ``old``'s stretch of the recording,
    keeping the reasons of what ``old`` cut already. ``names`` name the clips, for errors."""
    for i, item in enumerate(played):
        if item.start < old.start or item.end > old.end:
            raise Unmappable(
                f"clip {names[i]!r} reaches past the scene's stretch of the recording "
                f"({old.ms(old.start) / 1000:.2f}–{old.ms(old.end) / 1000:.2f} s); change the "
                "scene's in and out points in vidkit instead"
            )
        if i and item.start < played[i - 1].end:
            raise Unmappable(
                f"clips {names[i - 1]!r} and {names[i]!r} overlap or are out of order; a cut "
                "list plays its recording in order, each frame once"
            )
    spans: list[Span] = []

    def cut(a: int, b: int) -> None:
        for s in old.spans:
            lo, hi = max(a, s.start), min(b, s.end)
            if lo >= hi:
                continue
            if s.action == "cut":
                whole = (lo, hi) == (s.start, s.end)
                spans.append(Span(lo, hi, "cut", s.reason, text=s.text if whole else ""))
            else:
                spans.append(Span(lo, hi, "cut", "manual"))

    at = old.start
    for item in played:
        cut(at, item.start)
        if item.action == "speed":
            spans.append(Span(item.start, item.end, "speed", item.reason, item.speed))
        else:
            spans.append(Span(item.start, item.end))
        at = item.end
    cut(at, old.end)
    try:
        return CutList(old.fps, _merge(spans))
    except InvalidInput as exc:
        raise Unmappable(str(exc)) from None


def plays_alike(a: CutList, b: CutList) -> bool:
    """Whether two cut lists play the same frames at the same speeds."""
    return [(p.start, p.end, p.out_frames) for p in a.pieces()] == [
        (p.start, p.end, p.out_frames) for p in b.pieces()
    ]
