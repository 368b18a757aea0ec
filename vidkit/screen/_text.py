"""Preparing code for the editor: normalised text, highlighted spans per line, placeholders.

:func:`normalise` turns CRLF and lone CR into LF, drops a byte-order mark, composes characters
(NFC) and expands tabs to 4-column tab stops. :func:`highlight` splits the normalised code into
per-line spans of pygments token types; a language pygments does not know, or a lexer that fails
or changes the text, falls back to plain text (logged, never raised). :func:`displayable` maps
each character the font cannot draw in one cell (control and format characters, combining
marks, glyphs missing from the font such as emoji) to a visible placeholder, one cell for one
character, so columns never drift.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

from pygments.lexer import Lexer  # type: ignore[import-untyped, unused-ignore]
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # type: ignore[import-untyped, unused-ignore]
from pygments.lexers.special import TextLexer  # type: ignore[import-untyped, unused-ignore]
from pygments.token import Token, _TokenType  # type: ignore[import-untyped, unused-ignore]
from pygments.util import ClassNotFound  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "TAB_SIZE",
    "Highlighted",
    "Span",
    "TokenType",
    "displayable",
    "highlight",
    "normalise",
]

log = logging.getLogger("vidkit.screen")

TAB_SIZE = 4
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp"})

TokenType: TypeAlias = _TokenType
Span = tuple[int, int, TokenType]  # start column, end column, token type


@dataclass(frozen=True, slots=True)
class Highlighted:
    """The normalised code as ``lines`` with their ``spans``; ``lexer`` names the lexer used and
    ``note`` says in words why plain text was used when a language was asked for."""

    lines: tuple[str, ...]
    spans: tuple[tuple[Span, ...], ...]
    lexer: str
    note: str = ""


def normalise(code: str) -> str:
    """LF line ends, no BOM, NFC, tabs expanded to 4-column stops."""
    text = code.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.expandtabs(TAB_SIZE) for line in text.split("\n"))


def _lexer(language: str | None, filename: str, code: str) -> tuple[Lexer, str]:
    options = {"stripnl": False, "ensurenl": False, "stripall": False}
    if language:
        try:
            return get_lexer_by_name(language, **options), ""
        except ClassNotFound:
            log.warning("unknown language %r: the code is shown as plain text", language)
            return TextLexer(**options), f"Unknown language {language!r}: shown as plain text."
    try:
        return get_lexer_for_filename(filename, code, **options), ""
    except ClassNotFound:
        log.info("no lexer for %r: the code is shown as plain text", filename)
        return TextLexer(**options), ""


def _tokens(lexer: Lexer, code: str) -> list[tuple[_TokenType, str]] | None:
    try:
        tokens = list(lexer.get_tokens(code))
    except Exception as exc:  # a lexer bug must never stop a render
        log.warning("lexer %s failed (%s): the code is shown as plain text", lexer.name, exc)
        return None
    if "".join(text for _, text in tokens) != code:
        log.warning("lexer %s changed the text: the code is shown as plain text", lexer.name)
        return None
    return tokens


def _split(tokens: list[tuple[_TokenType, str]], line_count: int) -> list[list[Span]]:
    spans: list[list[Span]] = [[] for _ in range(line_count)]
    line, col = 0, 0
    for ttype, text in tokens:
        for i, part in enumerate(text.split("\n")):
            if i:
                line, col = line + 1, 0
            if not part:
                continue
            row = spans[line]
            if row and row[-1][2] is ttype and row[-1][1] == col:
                row[-1] = (row[-1][0], col + len(part), ttype)
            else:
                row.append((col, col + len(part), ttype))
            col += len(part)
    return spans


def highlight(code: str, filename: str, language: str | None) -> Highlighted:
    """Split normalised ``code`` into per-line token spans (plain text when nothing fits)."""
    lines = tuple(code.split("\n"))
    lexer, note = _lexer(language, filename, code)
    tokens = _tokens(lexer, code)
    if tokens is None:
        lexer = TextLexer()
        tokens = [(Token.Text, code)]
    return Highlighted(lines, tuple(map(tuple, _split(tokens, len(lines)))), lexer.name, note)


def displayable(text: str, covered: Callable[[int], bool], placeholder: str) -> str:
    """``text`` with every character that cannot fill one cell replaced by ``placeholder``."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(
        ch
        if unicodedata.category(ch) not in _HIDDEN_CATEGORIES and covered(ord(ch))
        else placeholder
        for ch in text
    )
