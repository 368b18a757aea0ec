"""Fast previews of one scene: any frame of a :class:`~vidkit.timeline.Timeline`, composited in
numpy at preview size in a few milliseconds once the sources around it are decoded.

The picture is the final render's (:mod:`vidkit.render.compose`), layer for layer: the screen
(letterboxed, fitted as :func:`~vidkit.render.fit.fit_filter` plays it), title cards, the avatar
where :meth:`~vidkit.timeline.AvatarLayer.placement` puts it (its frame ``i`` at scene frame
``i``, the last one held after it ends), then the caption cue on screen, drawn as the
final render draws them (:mod:`vidkit.render.overlay`).

Decoded frames are cached by source (file and size), not by timeline: moving or resizing the
avatar, editing captions or cards, or swapping :attr:`Previewer.timeline` for an edited copy
reuses every decoded frame. Nothing runs ffmpeg on a cache hit.

>>> from fractions import Fraction
>>> from vidkit.timeline import Caption, CaptionLayer, Timeline
>>> scene = Timeline(1920, 1080, Fraction(30), 90, captions=CaptionLayer((Caption(0, 30, "Hi"),)))
>>> preview_frame(scene, 0.5).shape
(540, 960, 3)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from fractions import Fraction
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from vidkit.errors import InvalidInput
from vidkit.render import overlay
from vidkit.render.overlay import Patch, over, scale_rgba
from vidkit.render.sources import (
    CodeFrames,
    ImageFrames,
    RecordingFrames,
    ScreenFrames,
    clear_decoders,
    decoder,
)
from vidkit.timeline import AvatarLayer, CodeSource, ImageSource, RecordingSource, Timeline

__all__ = ["AvatarFrames", "Previewer", "clear_preview_caches", "preview_frame"]

Pixels = npt.NDArray[np.uint8]
AvatarFrames = Callable[[int], Pixels]
"""Straight-alpha RGBA frames of the avatar, any size, by scene frame index."""

DEFAULT_SIZE = (960, 540)
AVATAR_CACHE_BYTES = 48 << 20
SCREEN_CACHE_BYTES = 96 << 20


_V = TypeVar("_V")


class _Lru(Generic[_V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Hashable, _V] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], _V]) -> _V:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        value = self.items[key] = make()
        while len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


class Previewer:
    """Preview frames of ``timeline``. ``avatar_frames`` replaces ``timeline.avatar.video``
    (a scene editor animating the avatar itself hands frames over directly). Assign an edited
    timeline to :attr:`timeline` to preview it with the caches kept. Thread-safe."""

    def __init__(self, timeline: Timeline, *, avatar_frames: AvatarFrames | None = None) -> None:
        self.timeline = timeline
        self.avatar_frames = avatar_frames
        self._screens: _Lru[ScreenFrames] = _Lru(4)
        self._patches: _Lru[Patch | None] = _Lru(64)
        self._lock = threading.RLock()

    def index(self, at: int | float) -> int:
        """The frame index of ``at``: an ``int`` is a frame, a ``float`` is seconds; times past
        the end give the last frame."""
        tl = self.timeline
        if tl.duration < 1:
            raise InvalidInput(f"the scene has {tl.duration} frames; there is nothing to preview")
        if isinstance(at, bool) or not isinstance(at, int | float) or at < 0:
            raise InvalidInput(f"preview at {at!r}: give a frame (int) or seconds (float) >= 0")
        index = at if isinstance(at, int) else int(Fraction(at) * tl.fps + Fraction(1, 10**6))
        return min(index, tl.duration - 1)

    def frame(self, at: int | float, size: tuple[int, int] = DEFAULT_SIZE) -> Pixels:
        """The scene at ``at`` (frame index or seconds) as ``size`` (width, height) RGB uint8."""
        width, height = size
        if not (16 <= width <= 8192 and 16 <= height <= 8192):
            raise InvalidInput(f"preview size {width}x{height} must be 16..8192 pixels a side")
        with self._lock:
            tl = self.timeline
            i = self.index(at)
            out = self._screen(tl, width, height).frame(i)
            cards: list[tuple[Any, ...]] = [
                ("card", card.title, card.subtitle, width, height)
                for card in tl.cards
                if card.start <= i < card.start + card.duration
            ]
            self._draw_patches(out, cards)
            self._draw_avatar(out, tl, i)
            cue = _cue_at(tl, i)
            if cue:
                self._draw_patches(out, [("caption", cue, width, height)])
            return out

    def _draw_patches(self, out: Pixels, keys: list[tuple[Any, ...]]) -> None:
        for key in keys:
            patch = self._patch(key)
            if patch is not None:
                over(out, patch.image, patch.x, patch.y)

    # ---- layers ----------------------------------------------------------------------------

    def _screen(self, tl: Timeline, width: int, height: int) -> ScreenFrames:
        layer = tl.screen
        key = (layer, width, height, tl.fps, tl.duration, tl.background)
        return self._screens.get(key, lambda: _make_screen(tl, width, height))

    def _patch(self, key: tuple[Any, ...]) -> Patch | None:
        def make() -> Patch | None:
            if key[0] == "card":
                return overlay.card_patch(key[1], key[2], key[3], key[4])
            return overlay.caption_patch(key[1], key[2], key[3])

        return self._patches.get(key, make)

    def _draw_avatar(self, out: Pixels, tl: Timeline, i: int) -> None:
        avatar = tl.avatar
        if avatar is None or (self.avatar_frames is None and avatar.video is None):
            return
        height, width = out.shape[:2]
        x, y, w, h = avatar.placement(tl.width, tl.height)
        sx, sy = width / tl.width, height / tl.height
        x, y = round(x * sx), round(y * sy)
        w, h = max(2, round(w * sx)), max(2, round(h * sy))
        if self.avatar_frames is not None:
            rgba = self.avatar_frames(i)
            if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
                raise InvalidInput(
                    f"avatar_frames({i}) gave {rgba.dtype} {rgba.shape}; it must return "
                    "H x W x 4 uint8 RGBA"
                )
            pixels = scale_rgba(_crop(rgba, avatar), w, h)
        else:
            assert avatar.video is not None
            cache_h = max(2, min(avatar.height, height // 2))
            cache_w = max(2, round(avatar.width * cache_h / avatar.height))
            source = decoder(
                avatar.video,
                (cache_w, cache_h),
                premultiplied=True,
                cache_bytes=AVATAR_CACHE_BYTES,
            )
            pixels = scale_rgba(_crop(source.shown(i), avatar), w, h, premultiplied=True)
        over(out, pixels, x, y)


def _cue_at(tl: Timeline, i: int) -> str:
    """The text of the caption on screen at frame ``i`` (the latest cue to start), or ''."""
    if not tl.captions.burn_in:
        return ""
    active = [cue for cue in tl.captions.cues if cue.start <= i < cue.end]
    return max(active, key=lambda cue: cue.start).text if active else ""


def _crop(pixels: Pixels, avatar: AvatarLayer) -> Pixels:
    """The shown part (``avatar.crop``, in the avatar's own pixels) of a frame at any size."""
    if avatar.crop is None:
        return pixels
    cx, cy, cw, ch = avatar.crop
    sx, sy = pixels.shape[1] / avatar.width, pixels.shape[0] / avatar.height
    part = pixels[round(cy * sy) : round((cy + ch) * sy), round(cx * sx) : round((cx + cw) * sx)]
    return np.ascontiguousarray(part)


def _make_screen(tl: Timeline, width: int, height: int) -> ScreenFrames:
    source = tl.screen.source if tl.screen is not None else None
    if isinstance(source, RecordingSource):
        assert tl.screen is not None
        return RecordingFrames(
            source.path,
            width,
            height,
            tl.fps,
            tl.screen.fit,
            tl.duration,
            background=tl.background,
            cache_bytes=SCREEN_CACHE_BYTES,
            cuts=source.cuts,
        )
    if isinstance(source, ImageSource):
        return ImageFrames(source.path, width, height, background=tl.background)
    if isinstance(source, CodeSource):
        return CodeFrames(source, width, height, tl.fps, tl.duration)
    return _Blank(width, height, tl.background)


class _Blank:
    def __init__(self, width: int, height: int, background: tuple[int, int, int]) -> None:
        self._frame = np.empty((height, width, 3), np.uint8)
        self._frame[...] = background

    def frame(self, index: int) -> Pixels:
        return self._frame.copy()


# ---- one previewer per scene ---------------------------------------------------------------

_PREVIEWERS: _Lru[Previewer] = _Lru(8)
_PREVIEWERS_LOCK = threading.Lock()


def preview_frame(
    timeline: Timeline, at: int | float, size: tuple[int, int] = DEFAULT_SIZE
) -> Pixels:
    """:meth:`Previewer.frame` with a :class:`Previewer` kept per scene (its screen source,
    avatar video, frame size and rate), so an edited copy of a timeline previews warm."""
    screen = timeline.screen.source if timeline.screen is not None else None
    video = timeline.avatar.video if timeline.avatar is not None else None
    key = (screen, video, timeline.width, timeline.height, timeline.fps)
    with _PREVIEWERS_LOCK:
        previewer = _PREVIEWERS.get(key, lambda: Previewer(timeline))
        previewer.timeline = timeline
        return previewer.frame(at, size)


def clear_preview_caches() -> None:
    """Drop every cached previewer and decoded frame, and stop their ffmpeg processes."""
    with _PREVIEWERS_LOCK:
        _PREVIEWERS.items.clear()
    clear_decoders()
