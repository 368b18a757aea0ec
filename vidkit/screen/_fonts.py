"""Fonts for the editor view: DejaVu Sans Mono (code) and DejaVu Sans (tab, status bar).

Both come from matplotlib's bundled fonts (``matplotlib.get_data_path()/fonts/ttf``). Without
them the view falls back to Pillow's default font with one logged warning; that font is not
monospaced, so code is then drawn one character per cell. Text is laid out with Pillow's basic
layout engine (no raqm), so frames are the same on every machine with the same Pillow.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

__all__ = ["Font", "FontSet", "load_fonts"]

log = logging.getLogger("vidkit.screen")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
_MONO = (
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSansMono-Oblique.ttf",
    "DejaVuSansMono-BoldOblique.ttf",
)
_UI = "DejaVuSans.ttf"
PLACEHOLDER = "\ufffd"


@dataclass(frozen=True, slots=True)
class FontSet:
    """Code fonts by style (index ``bold + 2 * italic``), the UI font, and their metrics."""

    code: tuple[Font, Font, Font, Font]
    ui: Font
    size: int
    cell_w: int
    ascent: int
    descent: int
    ui_ascent: int
    ui_descent: int
    monospace: bool
    coverage: frozenset[int] | None  # code points the code font draws; None = unknown

    def covered(self, codepoint: int) -> bool:
        if self.coverage is None:
            return codepoint < 0x10000
        return codepoint in self.coverage

    @property
    def placeholder(self) -> str:
        return PLACEHOLDER if self.covered(ord(PLACEHOLDER)) else "?"


@functools.cache
def _font_dir() -> Path | None:
    try:
        import matplotlib
    except ImportError:
        folder = None
    else:
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if folder is None or not all((folder / name).is_file() for name in (*_MONO, _UI)):
        log.warning(
            "DejaVu Sans Mono not found in matplotlib's fonts: code is drawn with Pillow's "
            "default font (install matplotlib for the editor look)"
        )
        return None
    return folder


@functools.cache
def _coverage(path: Path) -> frozenset[int] | None:
    try:
        from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    except ImportError:
        return None
    with TTFont(str(path), lazy=True) as font:
        return frozenset(font["cmap"].getBestCmap())


def _metrics(font: Font) -> tuple[int, int]:
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        return int(ascent), int(descent)
    top, bottom = font.getbbox("Ag")[1::2]
    return int(-top), int(bottom)


def _truetype(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=16)
def load_fonts(size: int, ui_size: int) -> FontSet:
    """The fonts at ``size`` (code) and ``ui_size`` (chrome) pixels."""
    folder = _font_dir()
    code: tuple[Font, Font, Font, Font]
    if folder is not None:
        code = (
            _truetype(folder / _MONO[0], size),
            _truetype(folder / _MONO[1], size),
            _truetype(folder / _MONO[2], size),
            _truetype(folder / _MONO[3], size),
        )
        ui: Font = _truetype(folder / _UI, ui_size)
        coverage = _coverage(folder / _MONO[0])
    else:
        default = ImageFont.load_default(size)
        code = (default, default, default, default)
        ui = ImageFont.load_default(ui_size)
        coverage = None
    widths = {code[0].getlength(ch) for ch in "iM.W_"}
    cell_w = max(1, round(max(widths)))
    ascent, descent = _metrics(code[0])
    ui_ascent, ui_descent = _metrics(ui)
    return FontSet(
        code, ui, size, cell_w, ascent, descent, ui_ascent, ui_descent, len(widths) == 1, coverage
    )
