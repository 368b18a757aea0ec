"""The code-typing screen: a code file typed out in an editor view, paced to the scene.

>>> from fractions import Fraction
>>> from vidkit.timeline import CodeSource
>>> typing = CodeTyping(CodeSource("print('hi')\\n"), 960, 540, Fraction(30), 90)
>>> typing.frame(89).shape, typing.typed_chars(89) == len(typing.code)
((540, 960, 3), True)

``frames()`` renders incrementally: one canvas is kept and only the rows whose content changed
(the line being typed, the cursor, the current-line highlight) and the status text are redrawn;
a scroll redraws the text area from cached row images. Frames where nothing changed cost nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt

from vidkit.errors import InvalidInput
from vidkit.screen._layout import Metrics, RowMap, build_rows, measure
from vidkit.screen._pace import Mode, Schedule, schedule
from vidkit.screen._raster import RowPainter, draw_chrome, draw_status
from vidkit.screen._text import TAB_SIZE, highlight, normalise
from vidkit.screen._theme import EditorTheme, editor_theme
from vidkit.timeline import CodeSource

__all__ = ["BLINK_S", "SCROLL_S", "CodeTyping"]

log = logging.getLogger("vidkit.screen")

BLINK_S = 0.53  # the cursor's on / off half period when idle
SCROLL_S = 0.15  # a scroll eases to its new place over this long

Pixels = npt.NDArray[np.uint8]
_HIDDEN = (-2, False, -1)  # row state: not typed yet


@dataclass(frozen=True, slots=True)
class _State:
    typed: int
    scroll: int  # pixels
    row: int  # the cursor's visual row
    col: int  # the cursor's display column in that row
    first_row: int  # first row of the cursor's line (highlighted from here to ``row``)
    cursor_on: bool
    status: str


def _check(width: int, height: int, fps: Fraction, duration: int, start: float, end: float) -> None:
    if width < 64 or height < 64:
        raise InvalidInput(f"a code screen needs at least 64x64 pixels, not {width}x{height}")
    if fps <= 0 or duration < 1:
        raise InvalidInput(
            f"a code screen needs fps > 0 and at least one frame ({fps}, {duration})"
        )
    if not 0.0 <= start <= end <= 1.0:
        raise InvalidInput(
            f"typing must start and finish within the scene, 0 <= start_at <= finish_at <= 1 "
            f"(got start_at={start}, finish_at={end})"
        )


class CodeTyping:
    """``source`` typed out in a ``width`` x ``height`` editor over ``duration`` frames at ``fps``.

    Typing starts at ``start_at`` of the scene and the last key lands at ``finish_at``, so the
    whole code stays on screen at the end. ``note`` says, for the scene report, when the code
    had to be typed fast or shown line by line, or when the language or theme was unknown.
    Not thread-safe: use one instance per thread.
    """

    def __init__(
        self,
        source: CodeSource,
        width: int,
        height: int,
        fps: Fraction,
        duration: int,
        *,
        finish_at: float = 0.85,
        start_at: float = 0.05,
        cursor: Literal["bar", "block"] = "bar",
        font_px: int | None = None,
    ) -> None:
        fps = Fraction(fps)
        _check(width, height, fps, duration, start_at, finish_at)
        self.source, self.width, self.height = source, width, height
        self.fps, self.duration, self.cursor = fps, duration, cursor
        self.code = normalise(source.code)
        self.text = highlight(self.code, source.filename, source.language)
        self.theme: EditorTheme
        self.theme, theme_note = editor_theme(source.theme)
        lengths = [len(line) for line in self.text.lines]
        self.metrics: Metrics = measure(width, height, lengths, font_px)
        self.rows: RowMap = build_rows(self.text.lines, self.metrics.cols)
        start = int(start_at * duration)
        end = max(start, min(duration - 1, int(finish_at * duration)))
        self.schedule: Schedule = schedule(self.code, self._time(start), self._time(end))
        self.note = " ".join(n for n in (self.schedule.note, self.text.note, theme_note) if n)
        self._painter = RowPainter(self.metrics, self.theme, self.text, self.rows)
        self._base = draw_chrome(self.metrics, self.theme, source.filename)
        self._scroll_steps = self._plan_scroll()
        self._preview: _Canvas | None = None

    # ---- facts ---------------------------------------------------------------------------

    @property
    def mode(self) -> Mode:
        """How the code appears: typing, fast, lines (whole lines), instant or empty."""
        return self.schedule.mode

    @property
    def wraps(self) -> bool:
        """Whether some line is soft-wrapped (long lines are wrapped, never clipped)."""
        return self.rows.wrapped

    def _time(self, index: int) -> float:
        return index * self.fps.denominator / self.fps.numerator

    def _index(self, index: int) -> int:
        if not 0 <= index < self.duration:
            raise InvalidInput(f"frame {index} is outside this scene (0..{self.duration - 1})")
        return index

    def typed_chars(self, index: int) -> int:
        """Characters of ``code`` (the normalised source) on screen at frame ``index``."""
        return self.schedule.typed_at(self._time(self._index(index)))

    def cursor_rect(self, index: int) -> tuple[int, int, int, int] | None:
        """(x, y, w, h) of the cursor at frame ``index`` whether blinked on or not; None when its
        row is scrolled out of the text area (never, while typing)."""
        state = self._state(self._index(index))
        m = self.metrics
        y = m.area_top + m.pad_top + state.row * m.line_h - state.scroll
        x, w = m.col_x(state.col), self._cursor_w()
        top, h = y + (m.line_h - self._cursor_h()) // 2, self._cursor_h()
        if top < m.area_top or top + h > m.area_bottom:
            return None
        return x, top, min(w, m.width - x), h

    def _cursor_w(self) -> int:
        return self.metrics.cell_w if self.cursor == "block" else max(2, round(self.height / 540))

    def _cursor_h(self) -> int:
        return min(self.metrics.line_h, round(self.metrics.fonts.size * 1.25))

    # ---- state per frame ---------------------------------------------------------------------

    def _top_row(self, cursor_row: int) -> int:
        m = self.metrics
        return max(0, cursor_row - (m.visible_rows - 1 - m.scroll_margin))

    def _top_px(self, top_row: int) -> int:
        """The scroll offset that puts ``top_row`` at the top (the padding scrolls away too)."""
        return top_row * self.metrics.line_h + self.metrics.pad_top if top_row else 0

    def _plan_scroll(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Times when the top row changes and the top row from then on."""
        sched = self.schedule
        rows = self.rows.row_of[np.concatenate([[sched.initial], sched.chars])]
        tops = np.maximum(0, rows - (self.metrics.visible_rows - 1 - self.metrics.scroll_margin))
        change = np.flatnonzero(np.diff(tops)) + 1
        return sched.times[change - 1].astype(np.float64), tops[change].astype(np.int64)

    def _scroll(self, t: float) -> int:
        times, tops = self._scroll_steps
        step = int(np.searchsorted(times, t, side="right"))
        initial = self._top_px(self._top_row(int(self.rows.row_of[self.schedule.initial])))
        if step == 0:
            return initial
        now = self._top_px(int(tops[step - 1]))
        before = self._top_px(int(tops[step - 2])) if step > 1 else initial
        progress = (t - float(times[step - 1])) / SCROLL_S
        if progress >= 1.0:
            return now
        return round(before + (now - before) * (1.0 - (1.0 - progress) ** 3))

    def _state(self, index: int) -> _State:
        t = self._time(index)
        typed = self.schedule.typed_at(t)
        last = self.schedule.last_event(t)
        idle = t - (last if last is not None else 0.0)
        row, col = int(self.rows.row_of[typed]), int(self.rows.col_of[typed])
        line = int(self.rows.line[row])
        line_start = typed - (col - int(self.rows.indent[row])) - int(self.rows.start[row])
        column = typed - line_start + 1
        lexer = self.text.lexer if self.text.lexer != "Text only" else "Plain Text"
        status = f"Ln {line + 1}, Col {column}     Spaces: {TAB_SIZE}     UTF-8     {lexer}"
        return _State(
            typed=typed,
            scroll=self._scroll(t),
            row=row,
            col=col,
            first_row=int(self.rows.first_row[line]),
            cursor_on=int(idle / BLINK_S) % 2 == 0,
            status=status,
        )

    # ---- frames --------------------------------------------------------------------------

    def frame(self, index: int) -> Pixels:
        """Frame ``index`` (H x W x 3 uint8 RGB, a new array), in any order."""
        if self._preview is None:
            self._preview = _Canvas(self)
        self._preview.paint(self._state(self._index(index)))
        return self._preview.pixels.copy()

    def frames(self) -> Iterator[Pixels]:
        """All ``duration`` frames in order, rendered incrementally.

        Each item is the same read-only view of one buffer, valid until the next ``next()``:
        write it out (or copy it) before asking for the next frame.
        """
        canvas = _Canvas(self)
        view = canvas.pixels.view()
        view.flags.writeable = False
        previous: _State | None = None
        for index in range(self.duration):
            state = self._state(index)
            if state != previous:
                canvas.paint(state)
                previous = state
            yield view


class _Canvas:
    """One frame buffer and what is drawn on it, so a new state redraws only what changed."""

    def __init__(self, typing: CodeTyping) -> None:
        self._t = typing
        self.pixels: Pixels = typing._base.copy()
        m, theme = typing.metrics, typing.theme
        self._fill = {
            False: np.full((m.line_h, m.width, 3), theme.background, np.uint8),
            True: np.full((m.line_h, m.width, 3), theme.line_highlight, np.uint8),
        }
        self._scroll = -1
        self._rows: dict[int, tuple[int, bool, int]] = {}
        self._status = ""

    def paint(self, state: _State) -> None:
        m = self._t.metrics
        if state.scroll != self._scroll:
            self.pixels[m.area_top : m.area_bottom] = self._t._base[m.area_top : m.area_bottom]
            self._scroll = state.scroll
            self._rows = {}
        offset = m.area_top + m.pad_top - state.scroll
        first = max(0, (m.area_top - offset) // m.line_h)
        last = (m.area_bottom - 1 - offset) // m.line_h
        for row in range(first, last + 1):
            look = self._look(row, state)
            if self._rows.get(row, _HIDDEN) != look:
                self._draw(row, offset + row * m.line_h, look)
                self._rows[row] = look
        if state.status != self._status:
            self.pixels[m.height - m.status_h :] = draw_status(
                m, self._t.theme, self._t._base, state.status
            )
            self._status = state.status

    def _look(self, row: int, state: _State) -> tuple[int, bool, int]:
        """(columns shown or -1 for all, highlighted, cursor column or -1) of ``row``."""
        if row > state.row or row >= self._t.rows.count:
            return _HIDDEN
        highlighted = state.first_row <= row
        if row < state.row:
            return -1, highlighted, -1
        return state.col, highlighted, state.col if state.cursor_on else -1

    def _draw(self, row: int, y: int, look: tuple[int, bool, int]) -> None:
        t, m = self._t, self._t.metrics
        top, bottom = max(y, m.area_top), min(y + m.line_h, m.area_bottom)
        if top >= bottom:
            return
        band = self.pixels[top:bottom]
        shown, highlighted, cursor = look
        if shown == -2:
            band[:] = self._fill[False][: bottom - top]
            return
        image = t._painter.row(row, highlighted)[top - y : bottom - y]
        width = image.shape[1] if shown < 0 else min(image.shape[1], m.col_x(shown))
        band[:, :width] = image[:, :width]
        band[:, width:] = self._fill[highlighted][: bottom - top, width:]
        if cursor >= 0:
            x = m.col_x(cursor)
            h = t._cursor_h()
            c_top = max(top, y + (m.line_h - h) // 2) - top
            c_bottom = min(bottom, y + (m.line_h - h) // 2 + h) - top
            band[c_top:c_bottom, x : x + t._cursor_w()] = t.theme.cursor
