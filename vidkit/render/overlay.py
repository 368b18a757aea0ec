"""Small compositing helpers for previews, and the look of captions and title cards.

Frames are H x W x 3 uint8 RGB. Overlays are :class:`Patch` es: H x W x 4 uint8 RGBA with
**premultiplied** alpha (colour already multiplied by alpha), so scaling never bleeds the colour
of transparent pixels into edges and "over" is one multiply-add: ``out = src + dst * (1 - a)``.

The look, which the ffmpeg renderer (:mod:`vidkit.render.compose`) draws the same way; sizes are
fractions of the frame height ``H`` (or width ``W``), fonts are DejaVu Sans from matplotlib's
data folder (``matplotlib.get_data_path()/fonts/ttf``):

Captions (one cue at a time, bottom centre, burned in)
    font ``DejaVuSans.ttf`` at ``round(0.045 * H)`` px (em size; libass/ASS ``Fontsize`` is
    ascender + descender, 1.164 em for DejaVu Sans: use ``round(0.045 * H * 1.164)``), white
    ``(255, 255, 255)``; text wrapped at word boundaries to at most ``0.8 * W``; every line
    centred in its own box of black at 60 % opacity (``(0, 0, 0)``, alpha 153) padded by
    ``round(0.3 * font px)`` on each side; lines are ``ascender + descender + 2 * pad`` apart
    (the boxes touch); the bottom of the last box sits ``round(0.06 * H)`` above the frame
    bottom. (ASS: BorderStyle 3, Alignment 2, Outline = pad, MarginV = 0.06 H - pad.)
Title cards (over the screen and the avatar, under captions)
    a full-width band of black at 55 % opacity (alpha 140) from ``y = int(0.36 * H)``,
    ``int(0.28 * H)`` high; the title in ``DejaVuSans-Bold.ttf`` at ``max(16, H // 14)`` px,
    white, centred, its top (ascender line) at ``int(0.42 * H)``; the subtitle in
    ``DejaVuSans.ttf`` at ``max(12, H // 28)`` px, white at 85 % (alpha 217), centred, top at
    ``int(0.52 * H)``. Titles are not wrapped (ffmpeg's drawtext does not wrap either).
Screen sources are letterboxed by :func:`letterbox_box`; the avatar is scaled with
premultiplied alpha by :func:`scale_rgba`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from vidkit.errors import InvalidInput

__all__ = [
    "CAPTION_BOTTOM",
    "CAPTION_BOX",
    "CAPTION_PAD",
    "CAPTION_SIZE",
    "CAPTION_TEXT",
    "CAPTION_WIDTH",
    "CARD_BAND",
    "FONT_BOLD",
    "FONT_REGULAR",
    "Patch",
    "caption_patch",
    "card_patch",
    "font_file",
    "letterbox_box",
    "over",
    "premultiply",
    "scale_rgba",
    "wrap_text",
]

Pixels = npt.NDArray[np.uint8]

FONT_REGULAR: Final = "DejaVuSans.ttf"
FONT_BOLD: Final = "DejaVuSans-Bold.ttf"
CAPTION_SIZE: Final = 0.045  # font em size / frame height
CAPTION_WIDTH: Final = 0.8  # widest line / frame width
CAPTION_PAD: Final = 0.3  # box padding / font size
CAPTION_BOTTOM: Final = 0.06  # gap under the last box / frame height
CAPTION_TEXT: Final = (255, 255, 255, 255)
CAPTION_BOX: Final = (0, 0, 0, 153)
CARD_BAND: Final = (0.36, 0.28, (0, 0, 0, 140))  # top / H, height / H, RGBA
CARD_TITLE: Final = (14, 16, 0.42, (255, 255, 255, 255))  # H // n, at least px, top / H, RGBA
CARD_SUBTITLE: Final = (28, 12, 0.52, (255, 255, 255, 217))


@dataclass(frozen=True, slots=True)
class Patch:
    """A premultiplied RGBA ``image`` whose top-left corner goes at (``x``, ``y``)."""

    image: Pixels
    x: int
    y: int


@cache
def font_file(name: str = FONT_REGULAR) -> Path:
    """A DejaVu font file shipped with matplotlib."""
    import matplotlib

    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    if not path.is_file():
        raise InvalidInput(f"font {name} is not in matplotlib's data folder ({path.parent})")
    return path


@lru_cache(maxsize=32)
def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(name)), max(1, px))


def letterbox_box(src_w: int, src_h: int, dst_w: int, dst_h: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) of a ``src_w`` x ``src_h`` picture fitted inside ``dst_w`` x ``dst_h``,
    aspect ratio kept, centred. Same arithmetic as ffmpeg's
    ``scale=W:H:force_original_aspect_ratio=decrease,pad=W:H:(ow-iw)/2:(oh-ih)/2`` on yuv420p
    (sizes rounded to nearest, offsets rounded down)."""
    if min(src_w, src_h, dst_w, dst_h) < 1:
        raise InvalidInput(f"cannot fit {src_w}x{src_h} into {dst_w}x{dst_h}")
    w = min(dst_w, (2 * dst_h * src_w + src_h) // (2 * src_h))
    h = min(dst_h, (2 * dst_w * src_h + src_w) // (2 * src_w))
    w, h = max(1, w), max(1, h)
    return (dst_w - w) // 2, (dst_h - h) // 2, w, h


def premultiply(rgba: Pixels) -> Pixels:
    """Straight-alpha RGBA to premultiplied RGBA (a new array)."""
    out = rgba.copy()
    a = rgba[..., 3:4].astype(np.uint16)
    out[..., :3] = (rgba[..., :3] * a + 127) // 255
    return out


def scale_rgba(rgba: Pixels, width: int, height: int, *, premultiplied: bool = False) -> Pixels:
    """Scale RGBA to ``width`` x ``height`` with premultiplied alpha (area filter when shrinking,
    bilinear when growing); returns premultiplied RGBA. Pass ``premultiplied=True`` when the
    input already is."""
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise InvalidInput(f"scale_rgba needs H x W x 4 uint8, got {rgba.dtype} {rgba.shape}")
    src = rgba if premultiplied else premultiply(rgba)
    if (src.shape[1], src.shape[0]) == (width, height):
        return src
    shrink = width * height < src.shape[0] * src.shape[1]
    flags = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(src, (width, height), interpolation=flags), np.uint8)


def over(dst: Pixels, src: Pixels, x: int, y: int) -> None:
    """Composite premultiplied RGBA ``src`` over RGB ``dst`` in place with its top-left corner at
    (``x``, ``y``); whatever falls outside ``dst`` is clipped."""
    h, w = dst.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(w, x + src.shape[1]), min(h, y + src.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    part = src[y0 - y : y1 - y, x0 - x : x1 - x]
    region = dst[y0:y1, x0:x1]
    inv = np.uint16(255) - part[..., 3:4].astype(np.uint16)
    # exact round(region * inv / 255) for 0..65025; the sum never exceeds 255 (colour <= alpha)
    blended: npt.NDArray[np.uint16] = region * inv + np.uint16(128)
    blended = (blended + (blended >> np.uint16(8))) >> np.uint16(8)
    region[...] = part[..., :3] + blended.astype(np.uint8)


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap of ``text`` (its own line breaks kept) to lines no wider than
    ``max_width`` px; a single word wider than that gets a line of its own."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and font.getlength(candidate) > max_width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def caption_patch(text: str, width: int, height: int) -> Patch | None:
    """The burned-in caption ``text`` for a ``width`` x ``height`` frame; None if blank."""
    px = round(CAPTION_SIZE * height)
    font = _font(FONT_REGULAR, px)
    lines = wrap_text(text, font, CAPTION_WIDTH * width)
    if not lines:
        return None
    ascent, descent = font.getmetrics()
    pad = round(CAPTION_PAD * px)
    step = ascent + descent + 2 * pad
    widths = [round(font.getlength(line)) for line in lines]
    box_w = min(width, max(widths) + 2 * pad)
    image = Image.new("RGBA", (box_w, step * len(lines)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for row, (line, line_w) in enumerate(zip(lines, widths, strict=True)):
        left = (box_w - line_w) // 2 - pad
        draw.rectangle(
            (left, row * step, left + line_w + 2 * pad - 1, (row + 1) * step - 1), fill=CAPTION_BOX
        )
        draw.text((left + pad, row * step + pad), line, font=font, fill=CAPTION_TEXT, anchor="la")
    y = height - round(CAPTION_BOTTOM * height) - image.height
    return Patch(premultiply(np.asarray(image)), (width - box_w) // 2, y)


def card_patch(title: str, subtitle: str, width: int, height: int) -> Patch:
    """A title card (band, title, subtitle) for a ``width`` x ``height`` frame, cropped to what
    it covers."""
    band_top, band_h, band = int(CARD_BAND[0] * height), int(CARD_BAND[1] * height), CARD_BAND[2]
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste(band, (0, band_top, width, band_top + band_h))
    texts = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(texts)
    for words, (div, least, top, colour), name in (
        (title, CARD_TITLE, FONT_BOLD),
        (subtitle, CARD_SUBTITLE, FONT_REGULAR),
    ):
        if words:
            font = _font(name, max(least, height // div))
            x = (width - font.getlength(words)) / 2
            draw.text((round(x), int(top * height)), words, font=font, fill=colour, anchor="la")
    image.alpha_composite(texts)
    left, top, right, bottom = image.getbbox() or (0, 0, 1, 1)
    cropped = np.asarray(image)[top:bottom, left:right]
    return Patch(premultiply(cropped), left, top)
