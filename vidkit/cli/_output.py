"""Plain-text output: aligned tables that fit the terminal, JSON, and short value formats.

Widths are counted in terminal cells, so wide characters (CJK, most emoji) take two and
combining marks none; a table's flexible column is cut with ``…`` to fit the terminal.
"""

from __future__ import annotations

import json
import shutil
import textwrap
import unicodedata
from collections.abc import Container, Sequence
from datetime import datetime
from typing import Any, Protocol

import typer

__all__ = [
    "clip",
    "duration",
    "print_json",
    "report",
    "size",
    "table",
    "terminal_width",
    "text_width",
    "when",
]

_MIN_FLEX = 8


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def terminal_width() -> int:
    return max(40, shutil.get_terminal_size((80, 24)).columns)


def _cell_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str) -> int:
    """How many terminal cells ``text`` takes."""
    return sum(_cell_width(char) for char in text)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` cells, ending in ``…`` when something was cut."""
    if text_width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        width = _cell_width(char)
        if used + width > limit - 1:
            break
        out.append(char)
        used += width
    return "".join(out) + "…"


def _cell(text: str) -> str:
    """One line of printable text: whitespace runs and control characters become one space."""
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(cleaned.split())


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    flex: int,
    right: Container[int] = (),
) -> str:
    """Rows under headers, columns two spaces apart; column ``flex`` shrinks to fit."""
    cells = [[_cell(h) for h in headers], *([_cell(c) for c in row] for row in rows)]
    widths = [max(text_width(row[i]) for row in cells) for i in range(len(headers))]
    excess = sum(widths) + 2 * (len(widths) - 1) - terminal_width()
    if excess > 0:
        floor = max(_MIN_FLEX, text_width(cells[0][flex]))
        widths[flex] = max(floor, widths[flex] - excess)
    lines = []
    for row in cells:
        parts = []
        for i, text in enumerate(row):
            text = clip(text, widths[i])
            pad = " " * (widths[i] - text_width(text))
            parts.append(pad + text if i in right else text + pad)
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def when(value: datetime | None) -> str:
    """A timestamp in local time to the minute."""
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def duration(ms: int | None) -> str:
    if ms is None:
        return "-"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes}:{seconds:02d}"


def size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    value = n / 1000
    for unit in ("KB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


class Finding(Protocol):
    """A doctor check or a model status."""

    @property
    def name(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...
    @property
    def fix(self) -> str: ...


def report(checks: Sequence[Finding]) -> str:
    """``ok``/``FAIL``, name and detail per finding, with the fix under each failure."""
    name_width = max((len(c.name) for c in checks), default=0)
    indent = " " * (name_width + 8)
    width = max(terminal_width(), len(indent) + 30)
    lines = []
    for check in checks:
        head = f"{'ok' if check.ok else 'FAIL':<4}  {check.name:<{name_width}}  "
        lines.append(_wrap(check.detail, head, indent, width))
        if check.fix and not check.ok:
            lines.append(_wrap(check.fix, "fix: ".rjust(len(indent)), indent, width))
    return "\n".join(lines)


def _wrap(text: str, first: str, rest: str, width: int) -> str:
    return textwrap.fill(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
