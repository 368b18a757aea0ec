"""Pictures for the recording editor: the waveform strip with its kept and cut bands, and one
frame of a recording at a given time.

The strip covers the scene's stretch of the recording (its cut list's source frames), left to
right. Its top lane is the cut list alone, one colour per span (:data:`KEPT`, :data:`CUT`,
:data:`SPED_UP`); below it, the same bands tinted, the waveform (grey where it is cut) and
the screen-activity curve. Drawn with numpy and Pillow into a PNG: a few milliseconds, whatever
the recording's length.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from vidkit.editing import RecordingView
from vidkit.errors import MediaError

__all__ = [
    "ACTIVITY",
    "CUT",
    "KEPT",
    "LANE_PX",
    "SPED_UP",
    "frame_jpeg",
    "strip_png",
    "x_of",
]

RGB = tuple[int, int, int]
KEPT: Final[RGB] = (129, 199, 132)
CUT: Final[RGB] = (229, 115, 115)
SPED_UP: Final[RGB] = (255, 183, 77)
ACTIVITY: Final[RGB] = (46, 125, 50)
_WAVE: Final[RGB] = (74, 111, 165)
_WAVE_CUT: Final[RGB] = (190, 170, 170)
_TINT: Final = {"keep": (255, 255, 255), "cut": (251, 227, 227), "speed": (255, 241, 214)}
_LANE: Final = {"keep": KEPT, "cut": CUT, "speed": SPED_UP}
#: Height of the top lane that shows the cut list alone.
LANE_PX: Final = 8


def _window(view: RecordingView) -> tuple[int, int]:
    cuts = view.cuts
    return cuts.ms(cuts.start), max(cuts.ms(cuts.end), cuts.ms(cuts.start) + 1)


def x_of(view: RecordingView, ms: float, width: int) -> int:
    """The strip's column for source time ``ms``."""
    start, end = _window(view)
    return int(np.clip(round((ms - start) / (end - start) * width), 0, width - 1))


def _per_column(
    values: Sequence[int], duration_ms: int, start_ms: int, end_ms: int, width: int
) -> npt.NDArray[np.float64]:
    """The largest of ``values`` (a curve over the whole recording) in each column's time."""
    if not values or duration_ms <= 0:
        return np.zeros(width)
    curve = np.asarray(values, dtype=np.float64)
    edges = start_ms + (end_ms - start_ms) * np.arange(width + 1) / width
    index = np.clip((edges * len(curve) / duration_ms).astype(np.int64), 0, len(curve) - 1)
    stop = int(index[-1]) + 1
    return np.asarray(np.maximum.reduceat(curve[:stop], index[:-1]), dtype=np.float64)


def strip_png(
    view: RecordingView, *, width: int = 900, height: int = 96, at_ms: int | None = None
) -> bytes:
    """The strip of a recorded scene as PNG bytes; ``at_ms`` (source time) draws a marker."""
    start, end = _window(view)
    pixels = np.full((height, width, 3), 255, dtype=np.uint8)
    actions = np.full(width, "keep", dtype=object)
    for span in view.cuts.spans:
        a = x_of(view, view.cuts.ms(span.start), width)
        b = width if span.end == view.cuts.end else x_of(view, view.cuts.ms(span.end), width)
        if span.action != "keep":
            b = max(b, a + 1)  # a short cut is still seen
        actions[a:b] = span.action
        pixels[:LANE_PX, a:b] = _LANE[span.action]
        pixels[LANE_PX:, a:b] = _TINT[span.action]
    analysis = view.analysis
    body = height - LANE_PX
    middle = LANE_PX + body / 2
    if analysis is not None:
        wave = _per_column(analysis.waveform, analysis.duration_ms, start, end, width) / 255
        half = np.round(wave * (body / 2 - 2)).astype(int)
        for x in range(width):
            if half[x]:
                colour = _WAVE_CUT if actions[x] == "cut" else _WAVE
                top, bottom = int(middle - half[x]), int(middle + half[x])
                pixels[max(LANE_PX, top) : bottom + 1, x] = colour
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    if analysis is not None and analysis.activity:
        level = _per_column(analysis.activity, analysis.duration_ms, start, end, width) / 255
        ys = height - 2 - level * (body - 4)
        draw.line([(x, float(y)) for x, y in enumerate(ys)], fill=ACTIVITY, width=2)
    if at_ms is not None and start <= at_ms <= end:
        x = x_of(view, at_ms, width)
        draw.line([(x, LANE_PX), (x, height - 1)], fill=(0, 0, 0), width=1)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def frame_jpeg(path: Path, ms: int, *, width: int = 320, name: str = "the recording") -> bytes:
    """One frame of the video at ``path`` at ``ms``, ``width`` pixels wide, as JPEG bytes
    (decoded by the bundled ffmpeg; a :class:`MediaError` in words when it cannot be)."""
    import imageio_ffmpeg

    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-ss", f"{ms / 1000:.3f}",
        "-i", str(path), "-frames:v", "1", "-vf", f"scale={width}:-2", "-f", "image2pipe",
        "-c:v", "mjpeg", "-q:v", "4", "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MediaError(f"{name} could not be shown at {ms / 1000:.1f} s") from exc
    if done.returncode != 0 or done.stdout[:2] != b"\xff\xd8":
        raise MediaError(
            f"{name} could not be shown at {ms / 1000:.1f} s: the file may be damaged, or it "
            "has no picture there"
        )
    return done.stdout
