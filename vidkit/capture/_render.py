"""Drawing a terminal screen: the editor view's theme and DejaVu Sans Mono, a window bar, and a
grid of glyph cells that numpy lays side by side.

A snapshot is ``rows`` (one tuple of pyte ``Char`` per screen row) and the cursor. Each glyph
(character, colours, bold) is drawn by Pillow once and reused; each row image is cached by its
content, so a frame where one row changed costs one row.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from vidkit.screen import EditorTheme

__all__ = ["Cursor", "Layout", "Painter", "Snapshot", "cell_colors", "grid_for", "palette_for"]

Pixels = npt.NDArray[np.uint8]
RGB = tuple[int, int, int]
Row = tuple[Any, ...]  # pyte Char values (data, fg, bg, bold, italics, ..., reverse, ...)

_MONO = ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf")
_UI = "DejaVuSans.ttf"
_NAMES = ("black", "red", "green", "brown", "blue", "magenta", "cyan", "white")

# The 16 ANSI colours: Catppuccin Mocha's terminal palette on dark themes, VS Code Light+'s on
# light ones (the same families as the editor themes).
_DARK = (
    "45475a f38ba8 a6e3a1 f9e2af 89b4fa f5c2e7 94e2d5 bac2de "
    "585b70 f38ba8 a6e3a1 f9e2af 89b4fa f5c2e7 94e2d5 a6adc8"
)
_LIGHT = (
    "000000 cd3131 00bc00 949800 0451a5 bc05bc 0598bc 555555 "
    "666666 cd3131 14ce14 b5ba00 0451a5 bc05bc 0598bc a5a5a5"
)


class Cursor(NamedTuple):
    x: int
    y: int
    visible: bool


class Snapshot(NamedTuple):
    rows: tuple[Row, ...]
    cursor: Cursor


def _rgb(value: str) -> RGB:
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def palette_for(theme: EditorTheme) -> dict[str, RGB]:
    """pyte's colour names (and the 256-colour hex codes of the first 16) to theme colours."""
    from pyte.graphics import FG_BG_256

    dark = sum(theme.background) < 3 * 128
    colours = [_rgb(v) for v in (_DARK if dark else _LIGHT).split()]
    out: dict[str, RGB] = {}
    for i, name in enumerate(_NAMES):
        out[name] = colours[i]
        out["bright" + name] = colours[8 + i]
    out["bfightmagenta"] = out["brightmagenta"]  # pyte 0.8.2 spells BG 105 so
    for i in range(16):
        out[FG_BG_256[i]] = colours[i]
    return out


def cell_colors(char: Row, theme: EditorTheme, palette: dict[str, RGB]) -> tuple[RGB, RGB]:
    """(foreground, background) a cell is drawn in: names and 256/true colours mapped, reverse
    video swapped."""
    fg = _colour(char[1], theme.foreground, palette)
    bg = _colour(char[2], theme.background, palette)
    return (bg, fg) if char[7] else (fg, bg)


def _colour(value: str, default: RGB, palette: dict[str, RGB]) -> RGB:
    if value == "default":
        return default
    found = palette.get(value)
    if found is not None:
        return found
    if len(value) == 6:
        try:
            return _rgb(value)
        except ValueError:
            return default
    return default


@functools.cache
def _font_dir() -> Path | None:
    """matplotlib's bundled DejaVu fonts (the editor view's), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
    return folder if all((folder / n).is_file() for n in (*_MONO, _UI)) else None


def _font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    folder = _font_dir()
    if folder is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(folder / name), size, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the grid sits: the window bar's height, the text origin, cell size, font size."""

    width: int
    height: int
    cols: int
    rows: int
    size: int
    cell_w: int
    line_h: int
    bar_h: int
    x0: int
    y0: int

    def cell_box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) pixels of one cell."""
        left, top = self.x0 + col * self.cell_w, self.y0 + row * self.line_h
        return left, top, left + self.cell_w, top + self.line_h


def grid_for(width: int, height: int, cols: int = 100, rows: int = 30) -> tuple[int, int]:
    """``cols`` x ``rows`` when they fit the frame at a readable size (10 px text or more),
    else as many cells as fit at 8 px text (a small project's terminal shows less)."""
    bar_h = max(16, round(40 * height / 720))
    pad = max(4, round(12 * height / 720))
    room_w, room_h = width - 2 * pad, height - bar_h - 2 * pad
    if room_w / cols / 0.6 >= 10 and room_h / rows / 1.3 >= 10:
        return cols, rows
    cell_w = max(1, round(_font(_MONO[0], 8).getlength("M")))
    return max(10, min(cols, room_w // cell_w)), max(3, min(rows, room_h // 11))


def _fit(width: int, height: int, cols: int, rows: int) -> Layout:
    bar_h = max(16, round(40 * height / 720))
    pad = max(4, round(12 * height / 720))
    guess = min((width - 2 * pad) / cols / 0.6, (height - bar_h - 2 * pad) / rows / 1.3)
    for size in range(min(96, round(guess) + 2), 5, -1):
        cell_w = max(1, round(_font(_MONO[0], size).getlength("M")))
        line_h = max(size + 2, round(size * 1.3))
        if cols * cell_w <= width - 2 * pad and rows * line_h <= height - bar_h - 2 * pad:
            x0 = (width - cols * cell_w) // 2
            y0 = bar_h + (height - bar_h - rows * line_h) // 2
            return Layout(width, height, cols, rows, size, cell_w, line_h, bar_h, x0, y0)
    raise ValueError(f"{cols}x{rows} cells do not fit a {width}x{height} frame")


class Painter:
    """Frames of a ``cols`` x ``rows`` terminal in a ``width`` x ``height`` window."""

    def __init__(
        self, width: int, height: int, cols: int, rows: int, theme: EditorTheme, title: str
    ) -> None:
        self.layout = _fit(width, height, cols, rows)
        self.theme = theme
        self.palette = palette_for(theme)
        lay = self.layout
        self._fonts = (_font(_MONO[0], lay.size), _font(_MONO[1], lay.size))
        ascent = self._fonts[0].getbbox("Mg")[1]
        self._text_y = (lay.line_h - lay.size) // 2 - ascent // 4
        self._glyphs: dict[tuple[str, RGB, RGB, bool], Pixels] = {}
        self._rows: OrderedDict[tuple[Row, int], Pixels] = OrderedDict()
        self._limit = 8 * rows + 16
        self.base = self._chrome(title)

    def _chrome(self, title: str) -> Pixels:
        lay, theme = self.layout, self.theme
        image = Image.new("RGB", (lay.width, lay.height), theme.background)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, lay.width, lay.bar_h - 1), fill=theme.chrome)
        draw.line((0, lay.bar_h - 1, lay.width, lay.bar_h - 1), fill=theme.border)
        radius, pitch = lay.bar_h * 0.16, lay.bar_h * 0.55
        for i, colour in enumerate(theme.dots):
            cx, cy = lay.bar_h * 0.6 + i * pitch, lay.bar_h / 2
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=colour)
        ui = _font(_UI, max(8, round(lay.bar_h * 0.4)))
        length = ui.getlength(title)
        draw.text(
            ((lay.width - length) / 2, lay.bar_h / 2), title, font=ui, fill=theme.tab_text,
            anchor="lm",
        )  # fmt: skip
        return np.asarray(image, dtype=np.uint8).copy()

    def _glyph(self, ch: str, fg: RGB, bg: RGB, bold: bool) -> Pixels:
        key = (ch, fg, bg, bold)
        cell = self._glyphs.get(key)
        if cell is None:
            lay = self.layout
            image = Image.new("RGB", (lay.cell_w, lay.line_h), bg)
            if ch.strip():
                font = self._fonts[int(bold)]
                ImageDraw.Draw(image).text((0, self._text_y), ch, font=font, fill=fg)
            cell = np.asarray(image, dtype=np.uint8).copy()
            self._glyphs[key] = cell
        return cell

    def row(self, row: Row, cursor_x: int) -> Pixels:
        """One row's image (``line_h`` x ``cols * cell_w``); the cursor at ``cursor_x`` or -1."""
        key = (row, cursor_x)
        image = self._rows.get(key)
        if image is None:
            image = self._paint_row(row, cursor_x)
            self._rows[key] = image
            if len(self._rows) > self._limit:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(key)
        return image

    def _paint_row(self, row: Row, cursor_x: int) -> Pixels:
        cells = []
        for x, char in enumerate(row):
            fg, bg = cell_colors(char, self.theme, self.palette)
            if x == cursor_x:
                fg, bg = self.theme.background, self.theme.cursor
            data = char[0] if char[0].isprintable() and len(char[0]) == 1 else "?"
            cells.append(self._glyph(data, fg, bg, bool(char[3])))
        return np.concatenate(cells, axis=1)

    def paint(
        self, canvas: Pixels, snap: Snapshot, painted: list[tuple[Row, int] | None]
    ) -> list[tuple[int, int]]:
        """Redraw on ``canvas`` the rows of ``snap`` that differ from ``painted`` (updated in
        place); the (top, bottom) pixel bands that changed."""
        lay, changed = self.layout, []
        for y, row in enumerate(snap.rows):
            cur = snap.cursor.x if snap.cursor.visible and snap.cursor.y == y else -1
            if painted[y] == (row, cur):
                continue
            top = lay.y0 + y * lay.line_h
            canvas[top : top + lay.line_h, lay.x0 : lay.x0 + lay.cols * lay.cell_w] = self.row(
                row, cur
            )
            painted[y] = (row, cur)
            changed.append((top, top + lay.line_h))
        return changed

    def frame(self, snap: Snapshot) -> Pixels:
        """One whole frame of ``snap`` (a new array)."""
        canvas = self.base.copy()
        self.paint(canvas, snap, [None] * len(snap.rows))
        return canvas
