"""Where things go in the editor view: sizes scaled to the frame, and the soft-wrap row map.

Sizes are designed at 1920x1080 and scale with the frame height. The code font is ~30 px at
1080p (about 22 lines visible, 100 columns); when the longest line would not fit the width it
shrinks, down to ~20 px (about 33 lines, 150 columns). Lines longer than that are soft-wrapped
at a space (continuation rows keep the line's indentation), never clipped; such lines do not
shrink the font (they wrap at any size), so one very long line does not make the file small.

The row map turns a character offset in the code into the visual row and display column where
the cursor sits after typing that many characters; it is built once, so every frame is O(1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vidkit.screen._fonts import FontSet, load_fonts

__all__ = ["Metrics", "RowMap", "build_rows", "measure"]

_CHAR_RATIO = 0.6  # DejaVu Sans Mono advance / size (1233 / 2048 units)


@dataclass(frozen=True, slots=True)
class Metrics:
    width: int
    height: int
    fonts: FontSet
    line_h: int
    baseline: int  # within a row
    bar_h: int  # title / tab bar
    status_h: int
    area_top: int  # text area: rows scroll within [area_top, area_bottom)
    area_bottom: int
    pad_top: int
    num_right: int  # line numbers end here
    text_x: int  # column 0 of the code
    cols: int  # columns before soft wrap
    visible_rows: int
    scroll_margin: int  # rows kept below the cursor when scrolling

    @property
    def cell_w(self) -> int:
        return self.fonts.cell_w

    def col_x(self, col: int) -> int:
        return self.text_x + col * self.fonts.cell_w


def _sized(width: int, height: int, size: int, digits: int) -> Metrics:
    s = height / 1080
    fonts = load_fonts(size, max(8, round(19 * s)))
    cell = fonts.cell_w
    line_h = max(size + 2, round(size * 1.45))
    baseline = (line_h - fonts.ascent - fonts.descent) // 2 + fonts.ascent
    bar_h = max(16, round(56 * s))
    status_h = max(10, round(32 * s))
    area_top, area_bottom = bar_h, height - status_h
    pad_top = round(14 * s)
    num_right = round(18 * s) + digits * cell
    text_x = num_right + round(cell * 1.8)
    cols = max(1, (width - text_x - cell - round(12 * s)) // cell)
    visible = max(1, (area_bottom - area_top - pad_top) // line_h)
    return Metrics(
        width=width,
        height=height,
        fonts=fonts,
        line_h=line_h,
        baseline=baseline,
        bar_h=bar_h,
        status_h=status_h,
        area_top=area_top,
        area_bottom=area_bottom,
        pad_top=pad_top,
        num_right=num_right,
        text_x=text_x,
        cols=cols,
        visible_rows=visible,
        scroll_margin=min(3, visible // 5),
    )


def _fit_target(lengths: list[int], width: int, small: int, digits: int) -> int:
    """Columns the font should fit: the longest line that fits at the smallest size. Lines too
    long for that wrap anyway, so they do not shrink the whole file."""
    limit = width / (small * _CHAR_RATIO) - digits - 4
    return max((n for n in lengths if n <= limit), default=0)


def measure(width: int, height: int, lengths: list[int], font_px: int | None = None) -> Metrics:
    """Metrics for a ``width`` x ``height`` frame showing lines of ``lengths`` columns: the
    largest comfortable font that fits them (see :func:`_fit_target`), else the smallest."""
    digits = max(2, len(str(len(lengths))))
    if font_px is not None:
        return _sized(width, height, max(6, font_px), digits)
    large = max(8, round(height * 30 / 1080))
    small = max(8, round(height * 20 / 1080))
    target = _fit_target(lengths, width, small, digits)
    guess = large
    while guess > small and guess * _CHAR_RATIO * (target + digits + 4) > width:
        guess -= 1
    metrics = _sized(width, height, guess, digits)
    while metrics.cols < target and metrics.fonts.size > small:
        metrics = _sized(width, height, metrics.fonts.size - 1, digits)
    return metrics


@dataclass(frozen=True, slots=True)
class RowMap:
    """Visual rows (a line, or part of a soft-wrapped line) and the cursor's place per offset."""

    line: npt.NDArray[np.int32]  # per row: its line
    start: npt.NDArray[np.int32]  # per row: first column of the line in it
    end: npt.NDArray[np.int32]  # per row: column after its last character
    indent: npt.NDArray[np.int32]  # per row: display columns before its text (wrap indent)
    first_row: npt.NDArray[np.int32]  # per line: its first row
    row_of: npt.NDArray[np.int32]  # per offset 0..len(code): the cursor's row
    col_of: npt.NDArray[np.int32]  # per offset: the cursor's display column in that row
    wrapped: bool

    @property
    def count(self) -> int:
        return len(self.line)


def _wrap(line: str, cols: int) -> list[tuple[int, int, int]]:
    """(start, end, indent) of each row of ``line`` wrapped at ``cols`` columns."""
    if len(line) <= cols:
        return [(0, len(line), 0)]
    lead = len(line) - len(line.lstrip(" "))
    indent = lead if lead <= cols // 2 else 0
    rows: list[tuple[int, int, int]] = []
    start, room = 0, cols
    while len(line) - start > room:
        space = line.rfind(" ", max(start, lead) + 1, start + room)
        end = space + 1 if space >= 0 and space + 1 - start >= room // 3 else start + room
        rows.append((start, end, 0 if not rows else indent))
        start, room = end, cols - indent
    rows.append((start, len(line), 0 if not rows else indent))
    return rows


def build_rows(lines: tuple[str, ...], cols: int) -> RowMap:
    total = sum(map(len, lines)) + len(lines) - 1
    row_of = np.zeros(total + 1, np.int32)
    col_of = np.zeros(total + 1, np.int32)
    rows: list[tuple[int, int, int, int]] = []
    first_row = np.zeros(len(lines), np.int32)
    offset = 0
    for number, text in enumerate(lines):
        first_row[number] = len(rows)
        parts = _wrap(text, cols)
        for index, (start, end, indent) in enumerate(parts):
            stop = end + 1 if index == len(parts) - 1 else end
            row_of[offset + start : offset + stop] = len(rows)
            col_of[offset + start : offset + stop] = indent + np.arange(stop - start)
            rows.append((number, start, end, indent))
        offset += len(text) + 1
    table = np.asarray(rows, np.int32).reshape(-1, 4)
    lines_, starts, ends, indents = (np.ascontiguousarray(column) for column in table.T)
    return RowMap(lines_, starts, ends, indents, first_row, row_of, col_of, len(rows) > len(lines))
