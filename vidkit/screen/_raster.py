"""Drawing the editor: the static chrome once, each visual row once (cached), the status text.

Rows are laid out on a fixed grid of cells from glyphs that Pillow renders once each (per
character, style and background) and numpy places: much faster than ``ImageDraw.text`` per
row, exact on the grid, and the same for a proportional fallback font (each character in its
own cell). A row image is only as wide as its text; the frame is filled with the background
past it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw

from vidkit.screen._fonts import Font
from vidkit.screen._layout import Metrics, RowMap
from vidkit.screen._text import Highlighted, TokenType, displayable
from vidkit.screen._theme import RGB, EditorTheme

__all__ = ["RowPainter", "draw_chrome", "draw_status"]

Pixels = npt.NDArray[np.uint8]
_SUPER = 4  # chrome shapes are drawn at 4x and reduced, for smooth edges


def _text(
    draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, font: Font, fill: RGB
) -> None:
    draw.text(xy, text, font=font, fill=fill)


def draw_chrome(m: Metrics, theme: EditorTheme, filename: str) -> Pixels:
    """The frame without code: background, title bar with a tab, status bar."""
    s = m.height / 1080
    w, bar, k = m.width, m.bar_h, _SUPER
    big = Image.new("RGB", (w * k, bar * k), theme.chrome)
    draw = ImageDraw.Draw(big)
    radius, pitch, x0 = 7 * s * k, 24 * s * k, 26 * s * k
    for i, color in enumerate(theme.dots):
        cx, cy = x0 + i * pitch, bar * k / 2
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=color)
    font, placeholder = m.fonts.ui, m.fonts.placeholder
    label = displayable(filename or "untitled", m.fonts.covered, placeholder)
    label_w = font.getlength(label)
    tab_x = round(x0 / k + 2 * pitch / k + 34 * s)
    tab_top = round(9 * s)
    tab_w = round(label_w + 84 * s)
    draw.rectangle((tab_x * k, tab_top * k, (tab_x + tab_w) * k, bar * k), fill=theme.background)
    accent = max(1, round(2 * s))
    draw.rectangle(
        (tab_x * k, tab_top * k, (tab_x + tab_w) * k, (tab_top + accent) * k - 1), fill=theme.accent
    )
    dot = 4 * s * k
    dx, dy = (tab_x + 20 * s) * k, (tab_top + bar) / 2 * k
    draw.ellipse((dx - dot, dy - dot, dx + dot, dy + dot), fill=theme.accent)
    top_bar = big.resize((w, bar), Image.Resampling.BOX)
    frame = Image.new("RGB", (w, m.height), theme.background)
    frame.paste(top_bar, (0, 0))
    draw = ImageDraw.Draw(frame)
    draw.line((0, bar - 1, tab_x - 1, bar - 1), fill=theme.border)
    draw.line((tab_x + tab_w, bar - 1, w, bar - 1), fill=theme.border)
    text_y = (tab_top + bar) / 2 - (m.fonts.ui_ascent + m.fonts.ui_descent) / 2
    _text(draw, (tab_x + round(34 * s), text_y), label, font, theme.tab_text)
    close_x = tab_x + tab_w - round(24 * s)
    _text(draw, (close_x, text_y), "×", font, theme.gutter)
    status_top = m.height - m.status_h
    draw.rectangle((0, status_top, w, m.height), fill=theme.status)
    draw.line((0, status_top, w, status_top), fill=theme.border)
    return np.asarray(frame, dtype=np.uint8).copy()


def draw_status(m: Metrics, theme: EditorTheme, base: Pixels, text: str) -> Pixels:
    """The status bar strip of ``base`` with ``text`` at its left."""
    top = m.height - m.status_h
    strip = Image.fromarray(base[top:])
    draw = ImageDraw.Draw(strip)
    y = (m.status_h - m.fonts.ui_ascent - m.fonts.ui_descent) / 2 + 1
    _text(draw, (round(22 * m.height / 1080), y), text, m.fonts.ui, theme.status_text)
    return np.asarray(strip, dtype=np.uint8)


class _Glyph(NamedTuple):
    """One character drawn in its cell on a background, and the ink (alpha 0..1) it spills
    into the cells to its left and right (italic and ``_`` glyphs overhang), if any."""

    cell: Pixels
    left: npt.NDArray[np.float32] | None
    right: npt.NDArray[np.float32] | None
    color: RGB


class RowPainter:
    """Row images, ``line_h`` pixels tall, with or without the current-line highlight.

    A row is assembled from glyph cells (each character rendered by Pillow once per style and
    background, then reused) laid side by side with numpy; ink that overhangs a cell is blended
    into its neighbours afterwards. Rows are cached in a small LRU (a few screens' worth), so
    memory stays bounded for any file size.
    """

    def __init__(self, m: Metrics, theme: EditorTheme, text: Highlighted, rows: RowMap) -> None:
        self._m, self._theme, self._rows = m, theme, rows
        placeholder = m.fonts.placeholder
        self._lines = [displayable(line, m.fonts.covered, placeholder) for line in text.lines]
        self._spans = text.spans
        self._styles: dict[TokenType, tuple[RGB, int]] = {}
        self._glyphs: dict[tuple[str, int, RGB, RGB], _Glyph] = {}
        self._cache: OrderedDict[tuple[int, bool], Pixels] = OrderedDict()
        self._limit = 4 * m.visible_rows + 16
        self.highlight_x = m.num_right + round(m.cell_w * 0.7)

    def _style(self, ttype: TokenType) -> tuple[RGB, int]:
        found = self._styles.get(ttype)
        if found is None:
            style = self._theme.style_for(ttype)
            found = (style.color, int(style.bold) + 2 * int(style.italic))
            self._styles[ttype] = found
        return found

    def _glyph(self, ch: str, variant: int, color: RGB, background: RGB) -> _Glyph:
        key = (ch, variant, color, background)
        glyph = self._glyphs.get(key)
        if glyph is None:
            glyph = self._draw_glyph(*key)
            self._glyphs[key] = glyph
        return glyph

    def _draw_glyph(self, ch: str, variant: int, color: RGB, background: RGB) -> _Glyph:
        m, cell = self._m, self._m.cell_w
        xy = (cell, m.baseline - m.fonts.ascent)
        rgb = Image.new("RGB", (3 * cell, m.line_h), background)
        _text(ImageDraw.Draw(rgb), xy, ch, m.fonts.code[variant], color)
        ink = Image.new("L", (3 * cell, m.line_h), 0)
        ImageDraw.Draw(ink).text(xy, ch, font=m.fonts.code[variant], fill=255)
        alpha = np.asarray(ink, dtype=np.float32) / 255.0
        left, right = alpha[:, :cell], alpha[:, 2 * cell :]
        return _Glyph(
            np.asarray(rgb, dtype=np.uint8)[:, cell : 2 * cell].copy(),
            left.copy() if left.any() else None,
            right.copy() if right.any() else None,
            color,
        )

    def row(self, index: int, highlighted: bool) -> Pixels:
        key = (index, highlighted)
        image = self._cache.get(key)
        if image is None:
            image = self._paint(index, highlighted)
            self._cache[key] = image
            if len(self._cache) > self._limit:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return image

    def _paint(self, index: int, highlighted: bool) -> Pixels:
        m, theme = self._m, self._theme
        line = int(self._rows.line[index])
        start, end = int(self._rows.start[index]), int(self._rows.end[index])
        indent = int(self._rows.indent[index])
        width = min(m.width, m.col_x(indent + end - start + 2))
        image = np.empty((m.line_h, width, 3), np.uint8)
        image[:] = theme.background
        back = theme.background
        if highlighted:
            image[:, self.highlight_x :] = back = theme.line_highlight
        if start == 0:
            number = str(line + 1)
            color = theme.gutter_active if highlighted else theme.gutter
            glyphs = [self._glyph(ch, 0, color, theme.background) for ch in number]
            _place(image, m.num_right - len(number) * m.cell_w, glyphs)
        text = self._lines[line]
        space = self._glyph(" ", 0, theme.foreground, back)
        glyphs = [space] * (end - start)
        for span_start, span_end, ttype in self._spans[line]:
            color, variant = self._style(ttype)
            for col in range(max(start, span_start), min(end, span_end)):
                if text[col] != " ":
                    glyphs[col - start] = self._glyph(text[col], variant, color, back)
        _place(image, m.col_x(indent), glyphs)
        return image


def _place(image: Pixels, x: int, glyphs: list[_Glyph]) -> None:
    """Lay ``glyphs`` side by side from ``x``, then blend the ink they spill over their cells."""
    if not glyphs:
        return
    cell = glyphs[0].cell.shape[1]
    width = image.shape[1]
    cells = np.concatenate([glyph.cell for glyph in glyphs], axis=1)
    image[:, x : x + cells.shape[1]] = cells[:, : width - x]
    for k, glyph in enumerate(glyphs):
        for alpha, left in ((glyph.left, x + (k - 1) * cell), (glyph.right, x + (k + 1) * cell)):
            if alpha is None or left < 0 or left >= width:
                continue
            spill = alpha[:, : width - left]
            region = image[:, left : left + spill.shape[1]].astype(np.float32)
            region += (np.asarray(glyph.color, np.float32) - region) * spill[..., None]
            image[:, left : left + spill.shape[1]] = (region + 0.5).astype(np.uint8)
