"""The code-typing screen: frames, cursor, scrolling, looks."""

from __future__ import annotations

import hashlib
import itertools
import random
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt
import pytest
from pygments.token import Keyword  # type: ignore[import-untyped, unused-ignore]

import vidkit.screen
from tests.conftest import REPO
from vidkit.errors import InvalidInput
from vidkit.screen import CodeTyping
from vidkit.screen.code import BLINK_S
from vidkit.timeline import CodeSource

FPS = Fraction(30)
EXAMPLE = (REPO / "data" / "example" / "code" / "01_loop.py").read_text(encoding="utf-8")
MEDIUM = "\n".join(
    f"def step_{i}(value):\n    total = value * {i} + {i % 7}  # step {i}\n    return total\n"
    for i in range(14)
)
Frame = npt.NDArray[np.uint8]


def typing(
    code: str = EXAMPLE,
    size: tuple[int, int] = (960, 540),
    frames: int = 300,
    *,
    filename: str = "main.py",
    language: str | None = None,
    theme: str = "dark",
    start_at: float = 0.05,
    finish_at: float = 0.85,
    cursor: Literal["bar", "block"] = "bar",
) -> CodeTyping:
    source = CodeSource(code, filename, language, theme)
    return CodeTyping(
        source, *size, FPS, frames, start_at=start_at, finish_at=finish_at, cursor=cursor
    )


def digest(frame: Frame) -> str:
    return hashlib.sha256(frame.tobytes()).hexdigest()


def cursor_on(ct: CodeTyping, index: int, frame: Frame | None = None) -> bool:
    rect = ct.cursor_rect(index)
    assert rect is not None
    x, y, w, h = rect
    pixels = (ct.frame(index) if frame is None else frame)[y : y + h, x : x + w]
    return bool((pixels == ct.theme.cursor).all(axis=-1).all())


def count(frame: Frame, color: tuple[int, int, int]) -> int:
    return int((frame == color).all(axis=-1).sum())


def test_frames_are_deterministic_and_streamed() -> None:
    first, second = typing(), typing()
    stream = second.frames()
    hashes = [digest(frame) for frame in first.frames()]
    assert hashes == [digest(frame) for frame in stream]
    assert len(hashes) == 300 and len(set(hashes)) > 20
    view = next(typing(frames=2).frames())
    assert view.shape == (540, 960, 3) and view.dtype == np.uint8
    assert not view.flags.writeable


def test_frames_yield_one_buffer_and_skip_work_when_nothing_changes() -> None:
    ct = typing(frames=60, finish_at=0.1, start_at=0.0)
    seen = {id(frame) for frame in ct.frames()}
    assert len(seen) == 1


def test_random_access_matches_the_stream() -> None:
    ct = typing(MEDIUM, frames=1500)
    assert ct.mode == "fast" and ct.metrics.visible_rows < ct.rows.count  # types and scrolls
    wanted = sorted([*random.Random(7).sample(range(1500), 40), 0, 1, 1499])
    steps = {ct._top_px(row) for row in range(ct.rows.count)}
    wanted += [i for i in range(1500) if ct._state(i).scroll not in steps][:5]
    streamed = {i: frame.copy() for i, frame in enumerate(ct.frames()) if i in wanted}
    fresh = typing(MEDIUM, frames=1500)
    for index in random.Random(3).sample(wanted, len(wanted)):
        assert np.array_equal(fresh.frame(index), streamed[index]), index
        assert np.array_equal(ct.frame(index), streamed[index]), index
    for index in wanted[::6]:  # a brand-new canvas draws everything from scratch
        assert np.array_equal(typing(MEDIUM, frames=1500).frame(index), streamed[index]), index


def test_typing_is_monotonic_and_done_by_finish_at() -> None:
    ct = typing(frames=600, start_at=0.1, finish_at=0.8)
    typed = [ct.typed_chars(i) for i in range(600)]
    assert all(a <= b for a, b in itertools.pairwise(typed))
    assert typed[60] == 0 and typed[70] > 0  # the first key lands one keystroke after start
    assert typed[480] == len(ct.code) and typed[470] < len(ct.code)
    assert ct.typed_chars(599) == len(ct.code) == len(EXAMPLE)


def test_last_frame_equals_a_static_render_of_all_the_code() -> None:
    typed = typing(MEDIUM, frames=400)
    static = typing(MEDIUM, frames=400, start_at=0.0, finish_at=0.0)
    assert static.mode == "instant" and static.typed_chars(0) == len(static.code)
    a, b = typed.frame(399), static.frame(399)
    for ct, frame in ((typed, a), (static, b)):
        x, y, w, h = ct.cursor_rect(399) or (0, 0, 0, 0)
        frame[y : y + h, x : x + w] = 0
    assert np.array_equal(a, b)


def test_the_cursor_blinks_when_idle_and_is_solid_while_typing() -> None:
    ct = typing(frames=300, finish_at=0.5)
    frames = [f.copy() for f in ct.frames()]
    idle = [cursor_on(ct, i, frames[i]) for i in range(150, 300)]
    runs = [len(list(group)) for _, group in itertools.groupby(idle)]
    assert len(runs) >= 8 and True in idle and False in idle
    assert all(15 <= n <= 17 for n in runs[1:-1]), runs  # 0.53 s at 30 fps
    for i in range(15, 150):
        last = ct.schedule.last_event(i / 30)
        if last is not None and i / 30 - last < BLINK_S:
            assert cursor_on(ct, i, frames[i]), i


def test_empty_code_shows_an_empty_editor_with_a_blinking_cursor() -> None:
    ct = typing("", frames=90)
    assert ct.mode == "empty" and ct.code == ""
    assert {ct.typed_chars(i) for i in range(90)} == {0}
    states = {cursor_on(ct, i) for i in range(0, 90, 4)}
    assert states == {True, False}
    blank = ct.frame(20)
    assert count(blank, ct.theme.gutter_active) > 0  # line number 1
    assert count(blank, ct.theme.style_for(Keyword).color) == 0


def test_a_2000_line_file_scrolls_and_keeps_the_cursor_visible() -> None:
    code = "\n".join(f"value_{i} = compute({i})  # row {i}" for i in range(2000))
    ct = typing(code, frames=300)
    assert ct.mode == "lines" and "lines appear whole" in ct.note
    m = ct.metrics
    top = np.zeros(0, np.uint8)
    for index, frame in enumerate(ct.frames()):
        rect = ct.cursor_rect(index)
        assert rect is not None, index
        _x, y, _w, h = rect
        assert m.area_top <= y and y + h <= m.area_bottom
        if index == 0:
            top = frame[m.area_top : m.area_bottom].copy()
        if index == 150:
            assert not np.array_equal(frame[m.area_top : m.area_bottom], top)
    assert ct.typed_chars(299) == len(code)


def test_typing_past_the_bottom_scrolls_smoothly() -> None:
    ct = typing(MEDIUM, frames=1500)
    m = ct.metrics
    ys = [ct.cursor_rect(i) for i in range(1500)]
    assert all(r is not None and m.area_top <= r[1] < m.area_bottom for r in ys)
    scrolls = sorted({ct._state(i).scroll for i in range(1500)})
    assert scrolls[-1] > 0
    steps = {ct._top_px(row) for row in range(ct.rows.count)}
    assert any(s not in steps for s in scrolls)  # in-between positions: eased, not jumps
    assert ct._state(1499).scroll in steps  # and at rest a row starts right under the tab bar


def test_syntax_colours_differ_from_plain_text() -> None:
    code = "def greet(name):\n    return name\n"
    python = typing(code, size=(1280, 720), frames=60, filename="greet.py").frame(59)
    plain = typing(code, size=(1280, 720), frames=60, filename="greet.py", language="klingon")
    keyword = (203, 166, 247)
    assert count(python, keyword) > 20
    assert count(plain.frame(59), keyword) == 0
    assert count(plain.frame(59), plain.theme.foreground) > 20
    assert plain.text.lexer == "Text only" and "klingon" in plain.note


def test_the_lexer_is_guessed_from_the_filename() -> None:
    assert typing("fn main() {}", filename="main.rs").text.lexer == "Rust"
    assert typing("x", filename="notes.unknownext").text.lexer == "Text only"
    assert typing("x", filename="notes.unknownext").note == ""


@pytest.mark.parametrize("theme", ["dark", "light", "monokai"])
def test_themes(theme: str) -> None:
    ct = typing(theme=theme, frames=30)
    frame = ct.frame(29)
    m = ct.metrics
    assert tuple(frame[m.area_bottom - 2, m.width // 2]) == ct.theme.background
    assert tuple(frame[m.bar_h // 2, m.width - 4]) == ct.theme.chrome
    assert "theme" not in ct.note


def test_dark_and_light_differ_and_unknown_themes_fall_back() -> None:
    dark, light = typing(theme="dark", frames=30), typing(theme="light", frames=30)
    assert sum(dark.theme.background) < 200 < sum(light.theme.background)
    odd = typing(theme="no-such-theme", frames=30)
    assert odd.theme is dark.theme and "no-such-theme" in odd.note


@pytest.mark.parametrize("size", [(960, 540), (1280, 720), (1920, 1080), (641, 479)])
def test_frame_sizes(size: tuple[int, int]) -> None:
    ct = typing(size=size, frames=30)
    frame = ct.frame(29)
    assert frame.shape == (size[1], size[0], 3) and frame.flags.c_contiguous
    assert ct.metrics.cols >= 70 and ct.metrics.visible_rows >= 15
    assert ct.metrics.fonts.size == max(8, round(size[1] * 30 / 1080))


def test_long_lines_soft_wrap_and_the_font_shrinks_only_to_fit() -> None:
    wide = "x = [" + ", ".join(str(i) for i in range(30)) + "]\n"  # 114 columns
    assert 10 <= typing(wide).metrics.fonts.size < 15 and not typing(wide).wraps
    huge = "y = " + " + ".join(f"item_{i}" for i in range(60)) + "\n"
    ct = typing(huge, frames=120)
    assert ct.wraps and ct.metrics.fonts.size == 15  # one huge line does not shrink the file
    assert ct.typed_chars(119) == len(huge) and ct.frame(119).shape == (540, 960, 3)


def test_tabs_crlf_and_unusual_characters() -> None:
    code = 'def hi():\r\n\tprint("hello 👋 漢字 \x00 e\u0301")\r\n'
    ct = typing(code, frames=60)
    assert ct.code == 'def hi():\n    print("hello 👋 漢字 \x00 é")\n'
    assert ct.typed_chars(59) == len(ct.code)
    frame = ct.frame(59)
    assert frame.shape == (540, 960, 3)


def test_block_cursor_fills_a_cell() -> None:
    ct = typing(frames=30, cursor="block")
    rect = ct.cursor_rect(0)
    assert rect is not None and rect[2] == ct.metrics.cell_w and cursor_on(ct, 0)


def test_bad_arguments_are_refused_with_advice() -> None:
    with pytest.raises(InvalidInput, match="64x64"):
        typing(size=(32, 32))
    with pytest.raises(InvalidInput, match="start_at"):
        typing(start_at=0.9, finish_at=0.5)
    with pytest.raises(InvalidInput, match="at least one frame"):
        typing(frames=0)
    ct = typing(frames=10)
    for bad in (-1, 10):
        with pytest.raises(InvalidInput, match="outside"):
            ct.frame(bad)


def test_public_names() -> None:
    assert list(vidkit.screen.__all__) == sorted(vidkit.screen.__all__)
    assert all(getattr(vidkit.screen, name) for name in vidkit.screen.__all__)
