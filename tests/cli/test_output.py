"""Text output: cell widths of wide characters, clipping, tables that fit, short formats."""

from __future__ import annotations

import pytest

from vidkit.cli._common import error_line
from vidkit.cli._output import clip, duration, size, table, text_width


def test_wide_and_combining_characters_count_as_cells() -> None:
    assert text_width("abc") == 3
    assert text_width("タイトル") == 8
    assert text_width("🎬") == 2
    assert text_width("e\u0301") == 1  # e + combining acute accent


def test_clip_cuts_to_the_cell_limit_with_an_ellipsis() -> None:
    assert clip("short", 10) == "short"
    assert clip("abcdefghij", 5) == "abcd…"
    assert clip("タイトルです", 5) == "タイ…"
    assert text_width(clip("🎬" * 10, 7)) <= 7


def test_table_aligns_and_shrinks_only_the_flexible_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    rows = [["1", "タイトル " * 10, "12"], ["22", "tab\there\nnewline", "3"]]
    lines = table(["ID", "TITLE", "N"], rows, flex=1, right={0, 2}).splitlines()
    assert all(text_width(line) <= 40 for line in lines)
    assert lines[0].startswith("ID  TITLE")
    assert lines[1].startswith(" 1  タイトル")
    assert lines[1].endswith("…  12")
    assert lines[2].startswith("22  tab here newline")
    assert lines[2].endswith("   3")


def test_error_line_is_always_one_line() -> None:
    assert error_line("first\n\n  second  \n") == "error: first second"


@pytest.mark.parametrize(
    ("ms", "text"),
    [(None, "-"), (0, "0.0 s"), (1500, "1.5 s"), (59_949, "59.9 s"), (90_000, "1:30")],
)
def test_duration(ms: int | None, text: str) -> None:
    assert duration(ms) == text


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 B"), (999, "999 B"), (17_231, "17.2 KB"), (5 * 10**9, "5.0 GB")]
)
def test_size(n: int, text: str) -> None:
    assert size(n) == text
