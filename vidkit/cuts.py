"""A cut list: how a recording is tightened, as data.

A :class:`CutList` covers a stretch of a recording (a scene's in..out points) with contiguous
:class:`Span`\\ s on an exact frame timebase (the project's frame rate, on the recording's own
clock): each span is kept, cut, or sped up, and every cut or speed-up says why (its
``reason``). The renderer plays the kept and sped-up spans back to back; the audio is joined at
the same frame boundaries, so picture and sound stay in sync at every join.

Pure data, stdlib only; JSON round-trips. :mod:`vidkit.recordings.rules` makes cut lists from
a recording's analysis and transcript; users edit them by text or by hand.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, Final, Literal

from vidkit.errors import InvalidInput

__all__ = ["ACTIONS", "REASONS", "CutList", "Piece", "Span"]

Action = Literal["keep", "cut", "speed"]
ACTIONS: Final = ("keep", "cut", "speed")

#: Why a span is cut or sped up, in words a user reads.
REASONS: Final = {
    "silence": "a pause with nothing happening on screen",
    "filler": "a filler word",
    "restart": "a restarted phrase",
    "deleted": "deleted in the transcript",
    "manual": "cut by hand",
    "typing": "typing without talking, sped up",
}


@dataclass(frozen=True, slots=True)
class Span:
    """Source frames ``start`` up to ``end`` (exclusive): kept, cut, or played at ``speed``.
    ``text`` holds the words a cut removes (for reports)."""

    start: int
    end: int
    action: Action = "keep"
    reason: str = ""
    speed: float = 1.0
    text: str = ""

    @property
    def frames(self) -> int:
        return self.end - self.start

    @property
    def out_frames(self) -> int:
        """Frames this span lasts in the tightened video."""
        if self.action == "cut":
            return 0
        if self.action == "speed":
            return max(1, round(self.frames / self.speed))
        return self.frames


@dataclass(frozen=True, slots=True)
class Piece:
    """A kept or sped-up span placed on the output: source frames ``start..end`` play as
    output frames ``out_start`` up to ``out_start + out_frames``."""

    start: int
    end: int
    out_start: int
    out_frames: int

    @property
    def rate(self) -> Fraction:
        """Output frames per source frame (1 for kept spans, 1/speed when sped up)."""
        return Fraction(self.out_frames, self.end - self.start)


@dataclass(frozen=True, slots=True)
class CutList:
    """Contiguous spans over source frames ``spans[0].start`` to ``spans[-1].end`` at ``fps``."""

    fps: Fraction
    spans: tuple[Span, ...]

    def __post_init__(self) -> None:
        if self.fps <= 0:
            raise InvalidInput(f"a cut list needs a positive frame rate, not {self.fps}")
        if not self.spans:
            raise InvalidInput("a cut list needs at least one span", field="cuts")
        previous: Span | None = None
        for span in self.spans:
            if span.action not in ACTIONS:
                raise InvalidInput(
                    f"a span's action must be keep, cut or speed, not {span.action!r}",
                    field="cuts",
                )
            if span.start < 0 or span.end <= span.start:
                raise InvalidInput(
                    f"span {span.start}..{span.end} is empty or negative", field="cuts"
                )
            if previous is not None and span.start != previous.end:
                raise InvalidInput(
                    f"spans must follow each other without gaps or overlaps "
                    f"({previous.end} then {span.start})",
                    field="cuts",
                )
            if span.action == "speed" and not 1.0 < span.speed <= 64.0:
                raise InvalidInput(
                    f"a sped-up span needs a speed above 1 and at most 64, not {span.speed}",
                    field="cuts",
                )
            previous = span
        if self.output_frames < 1:
            raise InvalidInput(
                "this cut list cuts everything: keep at least one frame", field="cuts"
            )

    # Constructors ---------------------------------------------------------------------------

    @staticmethod
    def whole(start: int, end: int, fps: Fraction) -> CutList:
        """Everything from source frame ``start`` to ``end`` kept."""
        return CutList(fps, (Span(start, end),))

    @staticmethod
    def frame_at(ms: float, fps: Fraction) -> int:
        """The source frame that starts nearest to ``ms``."""
        return round(Fraction(ms) * fps / 1000)

    def ms(self, frame: int | Fraction) -> int:
        """Milliseconds at the start of ``frame`` (source or output clock alike)."""
        return round(Fraction(frame) * 1000 / self.fps)

    # Measures -------------------------------------------------------------------------------

    @property
    def start(self) -> int:
        return self.spans[0].start

    @property
    def end(self) -> int:
        return self.spans[-1].end

    @property
    def source_frames(self) -> int:
        return self.end - self.start

    @property
    def output_frames(self) -> int:
        return sum(s.out_frames for s in self.spans)

    @property
    def source_ms(self) -> int:
        return self.ms(self.source_frames)

    @property
    def output_ms(self) -> int:
        return self.ms(self.output_frames)

    def changes(self) -> list[Span]:
        """The spans that are cut or sped up, in order."""
        return [s for s in self.spans if s.action != "keep"]

    def pieces(self) -> list[Piece]:
        """The spans that play, placed on the output clock."""
        out: list[Piece] = []
        at = 0
        for span in self.spans:
            if span.action == "cut":
                continue
            n = span.out_frames
            out.append(Piece(span.start, span.end, at, n))
            at += n
        return out

    def joins(self) -> list[int]:
        """Output frames where one piece ends and a different stretch of source begins."""
        found: list[int] = []
        pieces = self.pieces()
        for before, after in itertools.pairwise(pieces):
            if before.end != after.start or before.rate != after.rate:
                found.append(after.out_start)
        return found

    def source_frame(self, out_frame: int) -> int:
        """The source frame shown as output frame ``out_frame`` (clamped to the output)."""
        out_frame = max(0, min(out_frame, self.output_frames - 1))
        for piece in self.pieces():
            if out_frame < piece.out_start + piece.out_frames:
                offset = Fraction(out_frame - piece.out_start) / piece.rate
                return min(piece.end - 1, piece.start + int(offset))
        return self.end - 1

    def to_output(self, ms: float) -> float | None:
        """Where source time ``ms`` plays in the tightened video (ms), or None if it is cut."""
        frame = Fraction(ms) * self.fps / 1000
        for piece in self.pieces():
            if piece.start <= frame < piece.end:
                out = piece.out_start + (frame - piece.start) * piece.rate
                return float(out * 1000 / self.fps)
        return None

    def kept(self, start_ms: float, end_ms: float) -> bool:
        """Whether any of source time ``start_ms..end_ms`` plays."""
        lo = Fraction(start_ms) * self.fps / 1000
        hi = Fraction(end_ms) * self.fps / 1000
        return any(p.start < hi and lo < p.end for p in self.pieces()) or (
            lo == hi and self.to_output(start_ms) is not None
        )

    # Editing --------------------------------------------------------------------------------

    def with_action(
        self, start: int, end: int, action: Action, reason: str = "", speed: float = 1.0
    ) -> CutList:
        """A copy with source frames ``start..end`` (clipped to the list) set to ``action``;
        neighbouring spans are split where needed."""
        start, end = max(start, self.start), min(end, self.end)
        if end <= start:
            return self
        spans: list[Span] = []
        placed = False
        for span in self.spans:
            if span.start < start:
                spans.append(replace(span, end=min(span.end, start)))
            if span.end > start and span.start < end and not placed:
                spans.append(Span(start, end, action, reason, speed))
                placed = True
            if span.end > end:
                spans.append(replace(span, start=max(span.start, end)))
        return CutList(self.fps, _merge(spans))

    def summary(self) -> str:
        """'2:31 → 1:48, 14 cuts, 3 sped up' in words."""
        cuts = sum(1 for s in self.spans if s.action == "cut")
        fast = sum(1 for s in self.spans if s.action == "speed")
        text = f"{_clock(self.source_ms)} → {_clock(self.output_ms)}, {cuts} cut"
        text += "" if cuts == 1 else "s"
        if fast:
            text += f", {fast} sped up"
        return text

    # JSON -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "fps": str(self.fps),
            "source_ms": self.source_ms,
            "output_ms": self.output_ms,
            "spans": [
                {
                    "start": s.start,
                    "end": s.end,
                    "action": s.action,
                    "reason": s.reason,
                    "speed": s.speed,
                    "text": s.text,
                    "start_ms": self.ms(s.start),
                    "end_ms": self.ms(s.end),
                }
                for s in self.spans
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @staticmethod
    def from_dict(raw: Any) -> CutList:
        """A cut list from :meth:`to_dict`'s form; raises :class:`InvalidInput` if malformed."""
        try:
            fps = Fraction(str(raw["fps"]))
            spans = tuple(
                Span(
                    int(s["start"]),
                    int(s["end"]),
                    s.get("action", "keep"),
                    str(s.get("reason", "")),
                    float(s.get("speed", 1.0)),
                    str(s.get("text", "")),
                )
                for s in raw["spans"]
            )
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
            raise InvalidInput(
                f"a cut list needs fps and spans of start, end and action ({exc})", field="cuts"
            ) from None
        return CutList(fps, spans)

    @staticmethod
    def from_json(text: str) -> CutList:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"a cut list must be JSON ({exc})", field="cuts") from None
        return CutList.from_dict(raw)


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    """Neighbouring spans with the same action, reason and speed become one."""
    out: list[Span] = []
    for span in spans:
        if span.end <= span.start:
            continue
        if out:
            last = out[-1]
            same = (last.action, last.reason, last.speed) == (span.action, span.reason, span.speed)
            if same and last.end == span.start:
                text = " ".join(t for t in (last.text, span.text) if t)
                out[-1] = replace(last, end=span.end, text=text)
                continue
        out.append(span)
    return tuple(out)


def _clock(ms: int) -> str:
    seconds = round(ms / 1000)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"
