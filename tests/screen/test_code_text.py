"""Preparing code for the editor: normalising, highlighting, placeholders, themes, fonts."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import matplotlib
import pytest
from pygments.lexer import Lexer  # type: ignore[import-untyped, unused-ignore]
from pygments.token import Keyword, Name, Token  # type: ignore[import-untyped, unused-ignore]

from tests.conftest import REPO
from vidkit.screen import CodeTyping, _fonts, _text, editor_theme
from vidkit.screen._layout import build_rows
from vidkit.screen._text import displayable, highlight, normalise
from vidkit.timeline import CodeSource


def test_normalise_line_ends_tabs_bom_and_composition() -> None:
    assert normalise("\ufeffa\r\nb\rc\n") == "a\nb\nc\n"
    assert normalise("\tx = 1\n  \ty") == "    x = 1\n    y"  # tab stops of 4
    assert normalise("e\u0301") == "é"


def test_spans_cover_each_line_and_split_multiline_tokens() -> None:
    code = 'def f():\n    """doc\n    string"""\n'
    text = highlight(code, "f.py", None)
    assert text.lexer == "Python" and text.lines == tuple(code.split("\n"))
    for line, spans in zip(text.lines, text.spans, strict=True):
        assert "".join(line[a:b] for a, b, _ in spans) == line
    assert text.spans[0][0] == (0, 3, Keyword)
    assert all(t in Token.Literal.String for _, _, t in text.spans[2])


def test_unknown_languages_and_names_are_plain_text() -> None:
    named = highlight("x = 1", "a.py", "no-such-language")
    assert named.lexer == "Text only" and "no-such-language" in named.note
    guessed = highlight("x = 1", "notes.unknown-ext", None)
    assert guessed.lexer == "Text only" and guessed.note == ""


class _Broken(Lexer):  # type: ignore[misc]
    name = "Broken"

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, object, str]]:
        raise RuntimeError("lexer bug")


class _Lossy(Lexer):  # type: ignore[misc]
    name = "Lossy"

    def get_tokens_unprocessed(self, text: str) -> Iterator[tuple[int, object, str]]:
        yield 0, Token.Text, text.upper()


@pytest.mark.parametrize("lexer", [_Broken, _Lossy])
def test_a_failing_or_lossy_lexer_falls_back_to_plain_text(
    lexer: type[Lexer], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(_text, "get_lexer_by_name", lambda name, **kw: lexer(**kw))
    text = highlight("abc\ndef", "x.py", "python")
    assert text.lexer == "Text only" and text.lines == ("abc", "def")
    assert text.spans == (((0, 3, Token.Text),), ((0, 3, Token.Text),))
    assert "plain text" in caplog.text


def test_characters_that_do_not_fill_a_cell_become_placeholders() -> None:
    covered = {ord(c) for c in "abc é"}.__contains__
    assert displayable("a b", covered, "?") == "a b"
    assert displayable("a\x00b👋\u200bé", covered, "?") == "a?b??é"
    assert len(displayable("漢字\ud800", covered, "?")) == 3


def test_theme_styles_inherit_from_parent_tokens() -> None:
    dark, note = editor_theme("Dark")
    assert note == "" and dark.name == "dark"
    assert dark.style_for(Keyword.Reserved) == dark.style_for(Keyword)
    assert dark.style_for(Name.Variable.Magic).color == dark.foreground
    assert dark.style_for(Token.Comment.Single).italic
    monokai, _ = editor_theme("monokai")
    assert monokai.background == (0x27, 0x28, 0x22)
    assert monokai.style_for(Keyword).color != monokai.foreground


def _digest_script() -> str:
    return (
        "import hashlib, fractions\n"
        "from vidkit.screen import CodeTyping\n"
        "from vidkit.timeline import CodeSource\n"
        "code = open('data/example/code/04_dict.py').read()\n"
        "ct = CodeTyping(CodeSource(code, '04_dict.py'), 640, 360, fractions.Fraction(30), 120)\n"
        "h = hashlib.sha256()\n"
        "for frame in ct.frames(): h.update(frame.tobytes())\n"
        "print(h.hexdigest())\n"
    )


def test_frames_are_the_same_in_another_process() -> None:
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _digest_script()],
            cwd=REPO, env=env, capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        outputs.add(done.stdout.strip())
    code = (REPO / "data/example/code/04_dict.py").read_text()
    ct = CodeTyping(CodeSource(code, "04_dict.py"), 640, 360, Fraction(30), 120)
    here = hashlib.sha256()
    for frame in ct.frames():
        here.update(frame.tobytes())
    assert outputs == {here.hexdigest()}


@pytest.fixture
def no_dejavu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setattr(matplotlib, "get_data_path", lambda: str(tmp_path))
    _fonts._font_dir.cache_clear()
    _fonts.load_fonts.cache_clear()
    yield
    _fonts._font_dir.cache_clear()
    _fonts.load_fonts.cache_clear()


@pytest.mark.usefixtures("no_dejavu")
def test_without_dejavu_the_default_font_is_used_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="vidkit.screen"):
        ct = CodeTyping(CodeSource("for i in x:\n    print(i)\n"), 640, 360, Fraction(30), 30)
        frame = ct.frame(29)
    assert "DejaVu Sans Mono not found" in caplog.text
    assert not ct.metrics.fonts.monospace
    m = ct.metrics
    text = frame[m.area_top : m.area_bottom, m.text_x :]
    assert (text != ct.theme.background).any(axis=-1).sum() > 100  # code was drawn


def test_long_lines_wrap_at_spaces_and_keep_their_indent() -> None:
    line = "    total = first_value + second_value + third_value"
    rows = build_rows((line, "x"), 24)
    assert rows.wrapped and rows.count == 4 and list(rows.line) == [0, 0, 0, 1]
    parts = [line[a:b] for a, b in zip(rows.start[:3], rows.end[:3], strict=True)]
    assert parts == ["    total = first_value ", "+ second_value + ", "third_value"]
    assert list(rows.indent) == [0, 4, 4, 0]
    assert all(len(p) + i <= 24 for p, i in zip(parts, rows.indent, strict=False))
    # the cursor after "+ " sits on the second row, after the indent
    offset = line.index("second")
    assert rows.row_of[offset] == 1 and rows.col_of[offset] == 4 + 2
    assert rows.row_of[len(line)] == 2 and rows.row_of[len(line) + 1] == 3


def test_a_line_without_spaces_breaks_hard() -> None:
    rows = build_rows(("a" * 25,), 10)
    assert [(int(a), int(b)) for a, b in zip(rows.start, rows.end, strict=True)] == [
        (0, 10),
        (10, 20),
        (20, 25),
    ]
    assert list(rows.row_of) == [0] * 10 + [1] * 10 + [2] * 6
