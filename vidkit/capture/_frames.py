"""A browser capture's film and its frames: screenshots stamped with video time, the pointer's
moves, clicks, zooms and highlight boxes over them (:class:`Film`), drawn frame by frame and
encoded (:func:`render_film`). Only frames whose drawn state changed are drawn again, and only
the rows that changed are converted."""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from vidkit.capture.driver import Box

__all__ = ["RIPPLE_MS", "Film", "Move", "Painter", "Zoom", "render_film"]

Progress = Callable[[str, float], None]
Pixels = npt.NDArray[np.uint8]

RIPPLE_MS = 450
_ACCENT = (255, 176, 0)


@dataclass(frozen=True, slots=True)
class Move:
    t0: float
    t1: float
    start: tuple[float, float]
    end: tuple[float, float]

    def at(self, t: float) -> tuple[float, float]:
        u = _ease((t - self.t0) / (self.t1 - self.t0)) if self.t1 > self.t0 else 1.0
        (x0, y0), (x1, y1) = self.start, self.end
        # a gentle arc: the control point sits off the straight line by a tenth of its length
        cx, cy = (x0 + x1) / 2 - (y1 - y0) * 0.1, (y0 + y1) / 2 + (x1 - x0) * 0.1
        a, b, c = (1 - u) ** 2, 2 * u * (1 - u), u**2
        return a * x0 + b * cx + c * x1, a * y0 + b * cy + c * y1


@dataclass(frozen=True, slots=True)
class Zoom:
    t0: float  # starts zooming in
    t1: float  # fully in
    t2: float  # starts zooming out
    t3: float  # fully out
    focus: tuple[float, float]
    scale: float

    def at(self, t: float) -> float:
        if t <= self.t0 or t >= self.t3:
            return 1.0
        if t < self.t1:
            u = _ease((t - self.t0) / (self.t1 - self.t0))
        elif t <= self.t2:
            u = 1.0
        else:
            u = 1.0 - _ease((t - self.t2) / (self.t3 - self.t2))
        return 1.0 + (self.scale - 1.0) * u


@dataclass
class Film:
    """Screenshots stamped with video time, and the drawn layers over them."""

    width: int
    height: int
    shots: list[tuple[float, bytes]] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    clicks: list[tuple[float, tuple[float, float]]] = field(default_factory=list)
    zooms: list[Zoom] = field(default_factory=list)
    boxes: list[tuple[float, float, Box]] = field(default_factory=list)
    pointer: tuple[float, float] = (0.0, 0.0)

    def shot(self, t: float, png: bytes) -> None:
        if self.shots and self.shots[-1][1] == png:
            return
        while self.shots and self.shots[-1][0] >= t:  # a later picture of the same moment
            self.shots.pop()
        self.shots.append((t, png))

    def pointer_at(self, t: float) -> tuple[float, float]:
        pos = self.moves[0].start if self.moves else self.pointer
        for move in self.moves:
            if t < move.t0:
                break
            pos = move.at(min(t, move.t1))
        return pos

    def scale_at(self, t: float) -> tuple[float, tuple[float, float]]:
        for zoom in self.zooms:
            scale = zoom.at(t)
            if scale > 1.0:
                return scale, zoom.focus
        return 1.0, (self.width / 2, self.height / 2)


def _ease(u: float) -> float:
    u = min(1.0, max(0.0, u))
    return 4 * u**3 if u < 0.5 else 1 - (-2 * u + 2) ** 3 / 2


@functools.cache
def _arrow(scale: int = 4) -> Image.Image:
    """The pointer: a white arrow with a dark outline, its tip at (0, 0), about 20x30 px."""
    points = [(0, 0), (0, 23), (6, 18), (10, 28), (14, 26), (10, 17), (17, 17)]
    big = Image.new("RGBA", (20 * scale, 31 * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    pad = 1.5 * scale
    shape = [(pad + x * scale, pad + y * scale) for x, y in points]
    outline = (20, 20, 20, 255)
    draw.polygon(shape, fill=(255, 255, 255, 255), outline=outline, width=int(1.6 * scale))
    return big.resize((20, 31), Image.Resampling.LANCZOS)


class Painter:
    def __init__(self, film: Film, pointer: bool) -> None:
        self.film, self.pointer = film, pointer
        self._decoded: tuple[int, Image.Image] | None = None

    def picture(self, index: int) -> Image.Image:
        if self._decoded is None or self._decoded[0] != index:
            image = Image.open(io.BytesIO(self.film.shots[index][1])).convert("RGB")
            if image.size != (self.film.width, self.film.height):
                image = image.resize((self.film.width, self.film.height), Image.Resampling.BILINEAR)
            self._decoded = (index, image)
        return self._decoded[1]

    def state(self, index: int, t: float) -> tuple[object, ...]:
        """Everything a frame at ``t`` shows; equal states are equal frames."""
        film = self.film
        scale, focus = film.scale_at(t)
        pointer = film.pointer_at(t) if self.pointer and (film.moves or film.clicks) else None
        ripples = tuple((round(t - at), p) for at, p in film.clicks if 0 <= t - at < RIPPLE_MS)
        boxes = tuple((b, round(_fade(t, t0, t1), 2)) for t0, t1, b in film.boxes if t0 <= t < t1)
        where = None if pointer is None else (round(pointer[0], 1), round(pointer[1], 1))
        return index, round(scale, 4), focus, where, ripples, boxes

    def frame(self, index: int, t: float) -> Image.Image:
        film = self.film
        w, h = film.width, film.height
        image = self.picture(index)
        scale, focus = film.scale_at(t)
        left = top = 0.0
        if scale > 1.0:
            cw, ch = w / scale, h / scale
            left = min(max(focus[0] - cw / 2, 0), w - cw)
            top = min(max(focus[1] - ch / 2, 0), h - ch)
            image = image.resize(
                (w, h), Image.Resampling.BILINEAR, box=(left, top, left + cw, top + ch)
            )
        else:
            image = image.copy()

        def view(p: tuple[float, float]) -> tuple[float, float]:
            return (p[0] - left) * scale, (p[1] - top) * scale

        draw = ImageDraw.Draw(image, "RGBA")
        for t0, t1, box in film.boxes:
            if t0 <= t < t1:
                alpha = int(255 * _fade(t, t0, t1))
                x0, y0 = view((box.x - 6, box.y - 6))
                x1, y1 = view((box.x + box.width + 6, box.y + box.height + 6))
                draw.rounded_rectangle((x0, y0, x1, y1), radius=8, outline=(*_ACCENT, alpha),
                                       width=4)  # fmt: skip
        for at, point in film.clicks:
            age = t - at
            if 0 <= age < RIPPLE_MS:
                u = age / RIPPLE_MS
                radius = 6 + 26 * _ease(u) * scale**0.5
                x, y = view(point)
                alpha = int(220 * (1 - u))
                draw.ellipse((x - radius, y - radius, x + radius, y + radius),
                             outline=(*_ACCENT, alpha), width=4)  # fmt: skip
        if self.pointer and (film.moves or film.clicks):
            x, y = view(film.pointer_at(t))
            image.paste(_arrow(), (round(x), round(y)), _arrow())
        return image


def _fade(t: float, t0: float, t1: float) -> float:
    ramp = min(200.0, (t1 - t0) / 3)
    return min(1.0, (t - t0) / ramp, (t1 - t) / ramp) if ramp > 0 else 1.0


def render_film(
    film: Film, out: Path, fps: int, end_ms: float, pointer: bool, progress: Progress | None
) -> int:
    from vidkit.capture._encode import Encoder, Yuv

    painter = Painter(film, pointer)
    frames = max(1, math.ceil(end_ms * fps / 1000))
    shots = film.shots
    k, last = 0, None
    yuv: Yuv | None = None
    shown: Pixels | None = None
    with Encoder(out, (film.width, film.height), fps) as encoder:
        for i in range(frames):
            t = i * 1000 / fps
            while k + 1 < len(shots) and shots[k + 1][0] <= t + 1e-6:
                k += 1
            state = painter.state(k, t)
            if state != last or yuv is None:
                pixels = np.asarray(painter.frame(k, t), dtype=np.uint8)
                if yuv is None or shown is None:
                    yuv = Yuv(pixels)
                else:  # only the rows that changed (the pointer moving, a ripple)
                    rows = np.flatnonzero(np.any(pixels != shown, axis=(1, 2)))
                    if rows.size:
                        yuv.update(pixels, int(rows[0]), int(rows[-1]) + 1)
                shown, last = pixels, state
            encoder.write(yuv.buffer.data)
            if progress is not None and i % fps == 0:
                progress("render", i / frames)
    return frames
