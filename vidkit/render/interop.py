"""MoviePy interop for notebook users: scenes out as clips, clips in as layers.

MoviePy is for custom clip work and effects ffmpeg lacks, never the hot path: a user's clip
becomes a layer by streaming its frames (resized to the timeline) into the same single ffmpeg
run that renders the scene (see :class:`~vidkit.timeline.FramesSource`).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.errors import InvalidInput

__all__ = ["clip_frames", "scene_clip"]


def scene_clip(path: Path) -> Any:
    """A rendered scene (or any video file) as a MoviePy ``VideoFileClip``, with its audio."""
    from moviepy import VideoFileClip

    return VideoFileClip(str(path))


def clip_frames(
    clip: Any, fps: Fraction, frames: int, size: tuple[int, int]
) -> Iterator[npt.NDArray[np.uint8]]:
    """``frames`` RGB frames of a MoviePy clip at ``fps``, resized (letterboxed) to ``size``;
    a clip shorter than that holds its last frame."""
    import cv2

    width, height = size
    duration = float(getattr(clip, "duration", 0) or 0)
    if duration <= 0:
        raise InvalidInput("the MoviePy clip has no duration; set one with .with_duration()")
    canvas = np.zeros((height, width, 3), np.uint8)
    last_t = max(0.0, duration - 1e-3)
    for index in range(frames):
        t = min(float(index / fps), last_t)
        frame = np.asarray(clip.get_frame(t))
        if frame.ndim == 2:
            frame = np.repeat(frame[..., None], 3, axis=2)
        frame = frame[..., :3].astype(np.uint8, copy=False)
        h, w = frame.shape[:2]
        scale = min(width / w, height / h)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        if (nw, nh) != (w, h):
            frame = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA)
        canvas[:] = 0
        top, left = (height - nh) // 2, (width - nw) // 2
        canvas[top : top + nh, left : left + nw] = frame
        yield canvas
