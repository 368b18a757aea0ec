"""Screen sources for previews: the scene's screen at any output frame, at preview size.

:class:`RecordingFrames`, :class:`ImageFrames` and :class:`CodeFrames` give ``frame(i)``: the
scene's screen at output frame ``i`` as a new H x W x 3 uint8 RGB array, letterboxed on the
background colour. Recordings are read through a shared :class:`FrameDecoder`
(:mod:`vidkit.render._frame_decoder`: frames decoded by ffmpeg at preview size, cached, picked
as the final render picks them, with read-ahead and a keyframe index so that scrubbing and
playing mostly hit the cache); :func:`decoder` shares them, keyed by file and size.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from vidkit.cuts import CutList
from vidkit.errors import BackendError, InvalidInput, MediaError
from vidkit.imaging import open_image
from vidkit.media import probe
from vidkit.render._frame_decoder import FrameDecoder, clear_decoders, decoder
from vidkit.render.overlay import letterbox_box
from vidkit.timeline import CodeSource, FitPlan, RecordingSource

__all__ = [
    "CodeFrames",
    "FrameDecoder",
    "ImageFrames",
    "RecordingFrames",
    "ScreenFrames",
    "clear_decoders",
    "decoder",
    "open_recording",
]

Pixels = npt.NDArray[np.uint8]


class ScreenFrames(Protocol):
    """Anything that draws the screen: ``frame(i)`` is a new RGB array the caller may change."""

    def frame(self, index: int) -> Pixels: ...


def open_recording(path: Path, *, name: str | None = None) -> RecordingSource:
    """Probe a screen recording, or raise :class:`MediaError` saying what is wrong with it."""
    label = name or Path(path).name
    info = probe(Path(path), name=label)
    if not info.has_video:
        raise MediaError(
            f"{label} has no video stream (it holds only audio); choose a screen recording"
        )
    if not info.duration_ms or not info.width or not info.height:
        raise MediaError(f"{label} has no length or no picture size; record or export it again")
    return RecordingSource(Path(path), info.duration_ms, info.width, info.height)


# ---- screens -----------------------------------------------------------------------------------


def _canvas(width: int, height: int, background: tuple[int, int, int]) -> Pixels:
    out = np.empty((height, width, 3), np.uint8)
    out[...] = background
    return out


class RecordingFrames:
    """A recording fitted to the scene by ``plan`` (as :func:`~vidkit.render.fit.fit_filter`
    renders it), letterboxed into ``width`` x ``height`` on ``background``."""

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        fps: Fraction,
        plan: FitPlan,
        target_frames: int,
        *,
        background: tuple[int, int, int] = (24, 26, 33),
        cache_bytes: int = 64 << 20,
        cuts: CutList | None = None,
    ) -> None:
        if target_frames < 1 or fps <= 0 or not plan.speed > 0:
            raise InvalidInput(f"need >= 1 frame, fps > 0, speed > 0 ({target_frames}, {fps})")
        info = open_recording(path)
        self.box = letterbox_box(info.width, info.height, width, height)
        self.width, self.height, self.fps = width, height, fps
        self.plan, self.target_frames, self.background = plan, target_frames, background
        self.decoder = decoder(path, self.box[2:], cache_bytes=cache_bytes)
        self.cuts = cuts

    def frame(self, index: int) -> Pixels:
        index = min(index, self.target_frames - 1)
        if self.cuts is not None:
            # The tightened stream at the cut list's rate, then played at the fit's speed.
            shown = self.cuts.source_frame(int(index * self.plan.speed))
            pixels = self.decoder.shown(shown, fps=self.cuts.fps)
        else:
            pixels = self.decoder.shown(index, speed=self.plan.speed, fps=self.fps)
        out = _canvas(self.width, self.height, self.background)
        x, y, w, h = self.box
        out[y : y + h, x : x + w] = pixels
        return out


class ImageFrames:
    """A still picture, letterboxed into ``width`` x ``height`` on ``background`` once."""

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        *,
        background: tuple[int, int, int] = (24, 26, 33),
    ) -> None:
        import cv2

        picture = open_image(path, max_side=None)
        rgb = picture.over(background)
        x, y, w, h = letterbox_box(rgb.shape[1], rgb.shape[0], width, height)
        shrink = w * h < rgb.shape[0] * rgb.shape[1]
        flags = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
        self._frame = _canvas(width, height, background)
        self._frame[y : y + h, x : x + w] = cv2.resize(rgb, (w, h), interpolation=flags)
        self._frame.flags.writeable = False

    def frame(self, index: int) -> Pixels:
        return self._frame.copy()


class CodeFrames:
    """Code typed in an editor view, drawn by :class:`vidkit.screen.code.CodeTyping` at
    ``width`` x ``height`` (at preview size directly: the editor lays itself out for it)."""

    def __init__(
        self,
        source: CodeSource,
        width: int,
        height: int,
        fps: Fraction,
        duration: int,
        *,
        factory: Callable[..., ScreenFrames] | None = None,
    ) -> None:
        if factory is None:
            try:
                from vidkit.screen.code import CodeTyping
            except ImportError as exc:  # pragma: no cover - part of vidkit
                raise BackendError(f"the code-typing screen is unavailable: {exc}") from exc
            factory = CodeTyping
        self.duration = duration
        self._typing = factory(source, width, height, fps, duration)
        self._lock = threading.Lock()  # CodeTyping is not thread-safe

    def frame(self, index: int) -> Pixels:
        with self._lock:
            pixels = self._typing.frame(min(index, self.duration - 1))
        return np.array(pixels, np.uint8, copy=True)
