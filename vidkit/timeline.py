"""The timeline of one scene: layers over a frame clock, as pure data.

Times are integer frames at ``Timeline.fps`` (a :class:`~fractions.Fraction`). A timeline is
compiled into one ffmpeg invocation by :mod:`vidkit.render.compose`, and composited in numpy for
previews by :mod:`vidkit.render.preview`. Sources that Python draws (code typing, a user's MoviePy
clip, the animator) are described here by what they need, not by frames: the renderer pipes
their frames straight into ffmpeg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

from vidkit.cuts import CutList
from vidkit.model import Layout

__all__ = [
    "AudioLayer",
    "AvatarLayer",
    "Caption",
    "CaptionLayer",
    "CardLayer",
    "CodeSource",
    "FitPlan",
    "FramesSource",
    "ImageSource",
    "RecordingSource",
    "ScreenLayer",
    "ScreenSource",
    "Timeline",
    "frames_to_ms",
    "head_and_shoulders",
    "ms_to_frames",
]


def head_and_shoulders(
    face: tuple[float, float, float, float], width: int, height: int
) -> tuple[int, int, int, int]:
    """A presenter crop (x, y, w, h) around a face box (x0, y0, x1, y1): some room above the
    hair, the shoulders below, 4:5 portrait, inside the picture, even sizes."""
    x0, y0, x1, y1 = face
    fw, fh = x1 - x0, y1 - y0
    top = max(0.0, y0 - 0.55 * fh)
    bottom = min(float(height), y1 + 1.5 * fh)
    h = bottom - top
    w = min(float(width), max(h * 0.8, fw * 2.2))
    left = min(max(0.0, (x0 + x1) / 2 - w / 2), width - w)
    even = [int(v) // 2 * 2 for v in (left, top, w, h)]
    return even[0], even[1], max(2, even[2]), max(2, even[3])


def ms_to_frames(ms: int, fps: Fraction) -> int:
    """Frames covering ``ms`` milliseconds at ``fps``, rounded up (never cut speech short)."""
    return -(-ms * fps.numerator // (1000 * fps.denominator))


def frames_to_ms(frames: int, fps: Fraction) -> int:
    return round(frames * 1000 * fps.denominator / fps.numerator)


# Screen sources ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordingSource:
    """A user's screen recording (any container or codec ffmpeg reads). With ``cuts`` only
    what the cut list keeps plays (sped-up spans faster), at the cut list's frame rate, from
    its first kept frame; the fit then applies to that tightened stream."""

    path: Path
    duration_ms: int
    width: int
    height: int
    cuts: CutList | None = None

    @property
    def playing_ms(self) -> int:
        """How long the recording plays before fitting: the cut list's output, or all of it."""
        return self.cuts.output_ms if self.cuts is not None else self.duration_ms


@dataclass(frozen=True, slots=True)
class ImageSource:
    """A still image shown for the whole scene."""

    path: Path


@dataclass(frozen=True, slots=True)
class CodeSource:
    """A code file typed out in an editor view, paced to finish before the narration ends."""

    code: str
    filename: str = "main.py"
    language: str | None = None  # a pygments lexer name; None guesses from the filename
    theme: str = "dark"


@dataclass(frozen=True, slots=True)
class FramesSource:
    """Frames the caller supplies at render time (a MoviePy clip, any Python generator):
    RGB, the timeline's size, one per frame. ``name`` describes them in reports."""

    name: str = "frames from Python"


ScreenSource = RecordingSource | ImageSource | CodeSource | FramesSource


@dataclass(frozen=True, slots=True)
class FitPlan:
    """How a recording is made to last the scene: played at ``speed`` (1.0 = as recorded),
    then its last frame held (``freeze``) or the rest cut (``cut``) for what speed could not
    cover within the cap. ``note`` says it in words for the scene report."""

    speed: float = 1.0
    mode: Literal["exact", "freeze", "cut"] = "exact"
    note: str = ""


@dataclass(frozen=True, slots=True)
class ScreenLayer:
    source: ScreenSource
    fit: FitPlan = FitPlan()


# Avatar, captions, cards, audio ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AvatarLayer:
    """The presenter: an RGBA video (``video``; frames may instead be piped by the caller) of
    ``width`` x ``height`` pixels, of which the ``crop`` box (head and shoulders) is shown,
    placed by ``layout`` (corner + margin, or centre at x/y; ``scale`` = avatar height /
    frame height)."""

    width: int
    height: int
    layout: Layout = field(default_factory=Layout)
    video: Path | None = None
    crop: tuple[int, int, int, int] | None = None  # (x, y, w, h) of the frames to show

    @property
    def shown_size(self) -> tuple[int, int]:
        """Width and height of the part of each avatar frame that is shown."""
        return (self.crop[2], self.crop[3]) if self.crop else (self.width, self.height)

    def placement(self, frame_w: int, frame_h: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the scaled avatar in a ``frame_w`` x ``frame_h`` frame; even sizes."""
        src_w, src_h = self.shown_size
        h = max(2, round(frame_h * self.layout.scale) // 2 * 2)
        w = max(2, round(src_w * h / src_h) // 2 * 2)
        lay = self.layout
        if lay.x is not None and lay.y is not None:
            x, y = round(lay.x * frame_w - w / 2), round(lay.y * frame_h - h / 2)
        else:
            corner = lay.corner or "bottom-right"
            x = lay.margin if corner.endswith("left") else frame_w - w - lay.margin
            y = lay.margin if corner.startswith("top") else frame_h - h - lay.margin
        return max(-w + 2, min(frame_w - 2, x)), max(-h + 2, min(frame_h - 2, y)), w, h


@dataclass(frozen=True, slots=True)
class Caption:
    """One caption cue: ``text`` on screen from ``start`` up to ``end`` (frames)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class CaptionLayer:
    cues: tuple[Caption, ...] = ()
    burn_in: bool = True


@dataclass(frozen=True, slots=True)
class CardLayer:
    """A title or chapter card over the screen from ``start`` for ``duration`` frames."""

    title: str
    subtitle: str = ""
    start: int = 0
    duration: int = 0


@dataclass(frozen=True, slots=True)
class AudioLayer:
    """The narration, plus optional music ducked under the speech."""

    narration: Path
    music: Path | None = None
    music_gain_db: float = -18.0
    duck: bool = True


@dataclass(frozen=True, slots=True)
class Timeline:
    """One scene: ``duration`` frames of ``width`` x ``height`` at ``fps``."""

    width: int
    height: int
    fps: Fraction
    duration: int
    screen: ScreenLayer | None = None
    avatar: AvatarLayer | None = None
    captions: CaptionLayer = CaptionLayer()
    cards: tuple[CardLayer, ...] = ()
    audio: AudioLayer | None = None
    background: tuple[int, int, int] = (24, 26, 33)
    title: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def duration_ms(self) -> int:
        return frames_to_ms(self.duration, self.fps)

    def seconds(self, frame: int) -> float:
        return float(Fraction(frame) / self.fps)
