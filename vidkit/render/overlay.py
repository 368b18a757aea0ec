"""Small compositing helpers for previews, and the look of captions and title cards.

Frames are H x W x 3 uint8 RGB. Overlays are :class:`Patch` es: H x W x 4 uint8 RGBA with
**premultiplied** alpha (colour already multiplied by alpha), so scaling never bleeds the colour
of transparent pixels into edges and "over" is one multiply-add: ``out = src + dst * (1 - a)``.

The look, which the ffmpeg renderer (:mod:`vidkit.render.compose`) draws the same way; sizes are
fractions of the frame height ``H`` (or width ``W``), fonts are DejaVu Sans from matplotlib's
data folder (``matplotlib.get_data_path()/fonts/ttf``), with Noto Sans CJK JP and Noto Emoji for
the characters it lacks, run by run (:mod:`vidkit.fonts`; libass is asked for the same faces):

Captions (one cue at a time, bottom centre, burned in)
    exactly what :func:`vidkit.render.caption_files.to_ass` asks libass for, in its
    :class:`~vidkit.render.captions.AssStyle` (defaults: DejaVu Sans, white): ASS ``Fontsize``
    ``size = round(0.05 * H)``, which is one line's height (ascender + descender: the em is
    ``size / 1.164`` for DejaVu Sans); lines as the cue breaks them (never wrapped), ``size``
    apart; each line in its own box of black at 60 % opacity (alpha 153) padded by
    ``round(0.25 * size)`` (libass's BorderStyle 4 box: whole pixels), boxes composited one by
    one (where they overlap it is darker, as in libass); no kerning (libass does not kern); the
    bottom of the last line ``round(0.06 * H)`` above the frame bottom, so its box
    reaches ``pad`` lower.
Title cards (over the screen and the avatar, under captions)
    a full-width band of black at 55 % opacity (alpha 140) from ``y = int(0.36 * H)``,
    ``int(0.28 * H)`` high; the title in ``DejaVuSans-Bold.ttf`` at ``max(16, H // 14)`` px,
    white, the top of its ink at ``round(0.42 * H)``, its ink box centred; the subtitle in
    ``DejaVuSans.ttf`` at ``max(12, H // 28)`` px, white at 85 % (alpha 217), ink top at
    ``round(0.52 * H)``, centred (as drawtext placed ``x=(w-text_w)/2:y=h*0.42``). Titles are
    not wrapped. The render overlays this very picture (piped), so cards match exactly.
Screen sources are letterboxed by :func:`letterbox_box`; the avatar is scaled with
premultiplied alpha by :func:`scale_rgba`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from math import ceil, floor
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from vidkit.errors import InvalidInput
from vidkit.fonts import Face, dejavu_file, faces, runs, vertical_metrics
from vidkit.render.caption_files import AssStyle

__all__ = [
    "CARD_BAND",
    "FONT_BOLD",
    "FONT_REGULAR",
    "Patch",
    "caption_lines",
    "caption_patch",
    "card_patch",
    "font_file",
    "letterbox_box",
    "over",
    "premultiply",
    "scale_rgba",
]

Pixels = npt.NDArray[np.uint8]

FONT_REGULAR: Final = "DejaVuSans.ttf"
FONT_BOLD: Final = "DejaVuSans-Bold.ttf"
CARD_BAND: Final = (0.36, 0.28, (0, 0, 0, 140))  # top / H, height / H, RGBA
CARD_TITLE: Final = (14, 16, 0.42, (255, 255, 255, 255))  # H // n, at least px, top / H, RGBA
CARD_SUBTITLE: Final = (28, 12, 0.52, (255, 255, 255, 217))


@dataclass(frozen=True, slots=True)
class Patch:
    """A premultiplied RGBA ``image`` whose top-left corner goes at (``x``, ``y``)."""

    image: Pixels
    x: int
    y: int


def font_file(name: str = FONT_REGULAR) -> Path:
    """A DejaVu font file shipped with matplotlib (the fallbacks: :mod:`vidkit.fonts`)."""
    return dejavu_file(name)


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


def _ass_font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    """``face`` as libass uses it for ASS ``Fontsize`` ``size``: scaled so that its Windows
    ascent + descent (not the em) is ``size`` pixels."""
    em, ascent, descent = vertical_metrics(face.path)
    return _face_font(face.path, size * em / (ascent + descent))


@lru_cache(maxsize=64)
def _face_font(path: Path, px: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), px)


Run = tuple[str, ImageFont.FreeTypeFont]


@cache
def _no_kern() -> list[str] | None:
    """libass does not kern (an ASS file asks for it with ``Kerning: yes``); Pillow does,
    unless told not to, which it can with libraqm only."""
    from PIL import features

    return ["-kern"] if features.check("raqm") else None


def _runs(
    text: str, chain: tuple[Face, ...], font: Callable[[Face], ImageFont.FreeTypeFont]
) -> list[Run]:
    """``text`` in runs of one font each: the first face of ``chain`` that has each character
    (see :func:`vidkit.fonts.runs`)."""
    return [(part, font(chain[index])) for part, index in runs(text, chain)]


def caption_lines(text: str) -> list[str]:
    """The lines a caption shows: its own line breaks, spaces collapsed, blank lines dropped
    (as :func:`vidkit.render.caption_files.to_ass` writes them; nothing is wrapped)."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in lines if line]


def caption_patch(
    text: str, width: int, height: int, style: AssStyle | None = None
) -> Patch | None:
    """The burned-in caption ``text`` for a ``width`` x ``height`` frame, drawn as libass draws
    the file :func:`vidkit.render.caption_files.to_ass` writes in ``style``; None if blank.
    Characters DejaVu lacks are drawn in the fallback face that has them (see
    :mod:`vidkit.fonts`), on the line's baseline, as libass is asked to."""
    style = style or AssStyle()
    lines = caption_lines(text)
    if not lines:
        return None
    size = max(8, round(height * style.size))  # ASS Fontsize: one line's height
    pad = max(1, round(size * 0.25)) if style.box else max(1, round(size * 0.08))
    chain = faces(style.bold)
    laid = [_runs(line, chain, lambda face: _ass_font(face, size)) for line in lines]
    lengths = [[font.getlength(part, features=_no_kern()) for part, font in line] for line in laid]
    widths = [sum(parts) for parts in lengths]
    patch_w = ceil(max(widths)) + 2 * pad + 2
    left = round((width - patch_w) / 2)
    top = height - round(height * style.margin) - len(lines) * size - pad
    image = Image.new("RGBA", (patch_w, len(lines) * size + 2 * pad), (0, 0, 0, 0))
    box = (*style.box_rgb, round(255 * style.box_opacity))
    text_rgba = (*style.text_rgb, 255)
    spots = [((width - w) / 2 - left, pad + row * size, w) for row, w in enumerate(widths)]
    if style.box:  # one box per line, each composited on its own (overlaps are darker)
        for x, y, w in spots:  # libass's BorderStyle 4: whole pixels, rounded half up
            layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
            x0 = floor(x - pad + 0.5)
            rect = (x0, y - pad, x0 + floor(w + 2 * pad + 0.5) - 1, y + size + pad - 1)
            ImageDraw.Draw(layer).rectangle(rect, fill=box)
            image.alpha_composite(layer)
    draw = ImageDraw.Draw(image)
    stroke = 0 if style.box else pad  # without a box: a dark outline
    for (x, y, _), line, parts in zip(spots, laid, lengths, strict=True):
        ascent = max(font.getmetrics()[0] for _, font in line)  # one baseline per line
        for (part, font), length in zip(line, parts, strict=True):
            draw.text(
                (x, y + ascent), part, font=font, fill=text_rgba, anchor="ls",
                features=_no_kern(), stroke_width=stroke, stroke_fill=(*style.box_rgb, 255),
            )  # fmt: skip
            x += length
    return Patch(premultiply(np.asarray(image)), left, top)


def card_patch(title: str, subtitle: str, width: int, height: int) -> Patch:
    """A title card (band, title, subtitle) for a ``width`` x ``height`` frame, cropped to what
    it covers. Characters DejaVu lacks are drawn in the fallback face that has them, at the
    same pixel size."""
    band_top, band_h, band = int(CARD_BAND[0] * height), int(CARD_BAND[1] * height), CARD_BAND[2]
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste(band, (0, band_top, width, band_top + band_h))
    texts = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(texts)
    for words, (div, least, top, colour), bold in (
        (title, CARD_TITLE, True),
        (subtitle, CARD_SUBTITLE, False),
    ):
        if not words:
            continue
        px = max(least, height // div)

        def at_px(face: Face, px: int = px) -> ImageFont.FreeTypeFont:
            return _face_font(face.path, px)

        parts = _runs(words, faces(bold), at_px)
        pens, boxes, pen = [], [], 0.0
        for part, font in parts:  # runs side by side on one baseline
            pens.append(pen)
            x0, y0, x1, y1 = font.getbbox(part, anchor="ls")
            boxes.append((pen + x0, y0, pen + x1, y1))
            pen += font.getlength(part)
        # placed by its ink box, as drawtext does: top at y, centred
        left, ink_top = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right = max(b[2] for b in boxes)
        x = (width - (right - left)) // 2 - left
        y = round(top * height) - ink_top
        for (part, font), at in zip(parts, pens, strict=True):
            draw.text((x + at, y), part, font=font, fill=colour, anchor="ls")
    image.alpha_composite(texts)
    left, top, right, bottom = image.getbbox() or (0, 0, 1, 1)
    cropped = np.asarray(image)[top:bottom, left:right]
    return Patch(premultiply(cropped), left, top)
