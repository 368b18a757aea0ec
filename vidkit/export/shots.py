"""Where each stretch of a source plays on a scene's clock, as whole frames: the rules that
turn a rendered scene's layers into clips.

A :class:`Shot` is one clip's worth: ``frames`` frames from scene frame ``at`` showing source
frames from ``source`` on, ``scalar`` source frames per frame (1 as recorded, above 1 sped
up, 0 a held frame). Pure arithmetic on the project's frame clock; no OpenTimelineIO here.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from vidkit.cuts import CutList, Piece, Span
from vidkit.timeline import FitPlan, RecordingSource

__all__ = ["Shot", "recording_shots", "sound_shots", "source_frames"]


@dataclass(frozen=True, slots=True)
class Shot:
    """``frames`` frames from scene frame ``at``: source frames from ``source`` at ``scalar``
    source frames per frame. ``span`` is the cut-list span it plays (None: an uncut
    recording); ``hold`` marks the last frame held to the scene's end."""

    at: int
    frames: int
    source: int
    scalar: Fraction
    span: Span | None = None
    hold: bool = False

    @property
    def source_end(self) -> int:
        """The source frame after the last one this shot shows."""
        return self.source + max(1, round(self.frames * self.scalar))


def source_frames(duration_ms: int, fps: Fraction) -> int:
    """Frames of a recording on the project's clock (at least one)."""
    return max(1, CutList.frame_at(duration_ms, fps))


def _pieces(source: RecordingSource, fps: Fraction) -> list[tuple[Piece, Span | None]]:
    if source.cuts is None:
        n = source_frames(source.duration_ms, fps)
        return [(Piece(0, n, 0, n), None)]
    playing = [s for s in source.cuts.spans if s.action != "cut"]
    return list(zip(source.cuts.pieces(), playing, strict=True))


def recording_shots(
    source: RecordingSource, fit: FitPlan, frames: int, fps: Fraction
) -> list[Shot]:
    """The recording as the scene plays it for ``frames`` frames: each kept or sped-up piece
    of its cut list (or the whole recording) at the fit's speed, cut at the scene's end, and
    its last frame held if it ends before the scene does."""
    speed = Fraction(fit.speed).limit_denominator(1_000_000)
    shots: list[Shot] = []
    last = 0
    for piece, span in _pieces(source, fps):
        at = round(piece.out_start / speed)
        end = min(frames, round((piece.out_start + piece.out_frames) / speed))
        if at >= frames:
            break
        if end <= at:
            continue
        scalar = Fraction(piece.end - piece.start, piece.out_frames) * speed
        shots.append(Shot(at, end - at, piece.start, scalar, span))
        last = piece.end - 1
    covered = shots[-1].at + shots[-1].frames if shots else 0
    if covered < frames:
        shots.append(Shot(covered, frames - covered, last, Fraction(0), hold=True))
    return shots


def sound_shots(shots: list[Shot]) -> list[Shot]:
    """A recording's own sound under its ``shots``, as the tightened audio is joined: cut at
    the same frames, a sped-up piece keeping the first stretch of its sound (as long as the
    piece lasts on screen), nothing under a held frame."""
    return [Shot(s.at, s.frames, s.source, Fraction(1), s.span) for s in shots if not s.hold]
