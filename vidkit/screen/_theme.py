"""Editor colour themes: ``dark`` (Catppuccin Mocha), ``light`` (VS Code Light+), or any
pygments style by name (``monokai``, ``github-dark``, ``solarized-light``...).

:func:`editor_theme` never fails: an unknown name gives the dark theme and a note saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from pygments.styles import get_style_by_name  # type: ignore[import-untyped, unused-ignore]
from pygments.token import (  # type: ignore[import-untyped, unused-ignore]
    Comment,
    Error,
    Generic,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Token,
    _TokenType,
)
from pygments.util import ClassNotFound  # type: ignore[import-untyped, unused-ignore]

__all__ = ["RGB", "EditorTheme", "TokenStyle", "editor_theme"]

log = logging.getLogger("vidkit.screen")

RGB = tuple[int, int, int]


def hex_rgb(value: str) -> RGB:
    value = value.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@dataclass(frozen=True, slots=True)
class TokenStyle:
    color: RGB
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True, slots=True)
class EditorTheme:
    """The colours of the editor view. ``tokens`` maps pygments token types to styles; a type
    not listed takes its nearest listed parent's style, then ``foreground``."""

    name: str
    background: RGB
    foreground: RGB
    line_highlight: RGB
    gutter: RGB
    gutter_active: RGB
    cursor: RGB
    chrome: RGB  # the title / tab bar
    tab_text: RGB
    accent: RGB
    status: RGB
    status_text: RGB
    border: RGB
    dots: tuple[RGB, RGB, RGB] = ((255, 95, 87), (254, 188, 46), (40, 200, 64))
    tokens: Mapping[_TokenType, TokenStyle] = field(default_factory=dict)

    def style_for(self, ttype: _TokenType) -> TokenStyle:
        node: _TokenType | None = ttype
        while node is not None:
            style = self.tokens.get(node)
            if style is not None:
                return style
            node = node.parent
        return TokenStyle(self.foreground)


def _styles(spec: Mapping[_TokenType, str]) -> dict[_TokenType, TokenStyle]:
    out = {}
    for ttype, value in spec.items():
        words = value.split()
        out[ttype] = TokenStyle(hex_rgb(words[0]), "bold" in words, "italic" in words)
    return out


DARK = EditorTheme(
    name="dark",
    background=hex_rgb("#1e1e2e"),
    foreground=hex_rgb("#cdd6f4"),
    line_highlight=hex_rgb("#2a2b3c"),
    gutter=hex_rgb("#6c7086"),
    gutter_active=hex_rgb("#b4befe"),
    cursor=hex_rgb("#f5e0dc"),
    chrome=hex_rgb("#181825"),
    tab_text=hex_rgb("#cdd6f4"),
    accent=hex_rgb("#89b4fa"),
    status=hex_rgb("#181825"),
    status_text=hex_rgb("#a6adc8"),
    border=hex_rgb("#11111b"),
    dots=(hex_rgb("#f38ba8"), hex_rgb("#f9e2af"), hex_rgb("#a6e3a1")),
    tokens=_styles(
        {
            Token: "#cdd6f4",
            Comment: "#9399b2 italic",
            Comment.Preproc: "#f5c2e7",
            Keyword: "#cba6f7",
            Keyword.Constant: "#fab387",
            Keyword.Type: "#f9e2af",
            Operator: "#89dceb",
            Operator.Word: "#cba6f7",
            Punctuation: "#9399b2",
            Name.Function: "#89b4fa",
            Name.Class: "#f9e2af",
            Name.Builtin: "#fab387",
            Name.Builtin.Pseudo: "#f38ba8",
            Name.Decorator: "#fab387",
            Name.Exception: "#f9e2af",
            Name.Constant: "#fab387",
            Name.Tag: "#89b4fa",
            Name.Attribute: "#f9e2af",
            String: "#a6e3a1",
            String.Affix: "#cba6f7",
            String.Escape: "#f5c2e7",
            String.Interpol: "#f5c2e7",
            Number: "#fab387",
            Generic.Deleted: "#f38ba8",
            Generic.Inserted: "#a6e3a1",
            Generic.Heading: "#89b4fa bold",
            Generic.Subheading: "#89b4fa",
            Generic.Emph: "#cdd6f4 italic",
            Generic.Strong: "#cdd6f4 bold",
            Error: "#f38ba8",
        }
    ),
)

LIGHT = EditorTheme(
    name="light",
    background=hex_rgb("#ffffff"),
    foreground=hex_rgb("#1f1f1f"),
    line_highlight=hex_rgb("#eef3fb"),
    gutter=hex_rgb("#6e7681"),
    gutter_active=hex_rgb("#0b216f"),
    cursor=hex_rgb("#000000"),
    chrome=hex_rgb("#f3f3f3"),
    tab_text=hex_rgb("#333333"),
    accent=hex_rgb("#005fb8"),
    status=hex_rgb("#f3f3f3"),
    status_text=hex_rgb("#3b3b3b"),
    border=hex_rgb("#e0e0e0"),
    tokens=_styles(
        {
            Token: "#1f1f1f",
            Comment: "#008000",
            Comment.Preproc: "#0000ff",
            Keyword: "#0000ff",
            Keyword.Namespace: "#af00db",
            Keyword.Type: "#267f99",
            Operator: "#1f1f1f",
            Operator.Word: "#0000ff",
            Punctuation: "#1f1f1f",
            Name: "#001080",
            Name.Function: "#795e26",
            Name.Class: "#267f99",
            Name.Builtin: "#795e26",
            Name.Builtin.Pseudo: "#0000ff",
            Name.Decorator: "#795e26",
            Name.Exception: "#267f99",
            Name.Namespace: "#267f99",
            Name.Tag: "#800000",
            Name.Attribute: "#e50000",
            String: "#a31515",
            String.Affix: "#0000ff",
            String.Escape: "#ee0000",
            Number: "#098658",
            Generic.Deleted: "#a31515",
            Generic.Inserted: "#098658",
            Generic.Heading: "#000080 bold",
            Generic.Emph: "#1f1f1f italic",
            Generic.Strong: "#1f1f1f bold",
            Error: "#e51400",
        }
    ),
)

_BUILT_IN = {"dark": DARK, "light": LIGHT}


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _from_pygments(name: str) -> EditorTheme:
    style = get_style_by_name(name)
    bg = hex_rgb(style.background_color or "#ffffff")
    dark = sum(bg) < 3 * 128
    base = DARK if dark else LIGHT
    tokens = {}
    for ttype, spec in style:
        color = spec["color"]
        if color:
            tokens[ttype] = TokenStyle(hex_rgb(color), bool(spec["bold"]), bool(spec["italic"]))
    fg = tokens[Token].color if Token in tokens else base.foreground
    tokens.setdefault(Token, TokenStyle(fg))
    ink = (255, 255, 255) if dark else (0, 0, 0)
    return EditorTheme(
        name=name,
        background=bg,
        foreground=fg,
        line_highlight=_mix(bg, ink, 0.06),
        gutter=_mix(bg, fg, 0.45),
        gutter_active=fg,
        cursor=fg,
        chrome=_mix(bg, (0, 0, 0), 0.25 if dark else 0.05),
        tab_text=fg,
        accent=base.accent,
        status=_mix(bg, (0, 0, 0), 0.25 if dark else 0.05),
        status_text=_mix(bg, fg, 0.75),
        border=_mix(bg, (0, 0, 0), 0.4 if dark else 0.12),
        dots=base.dots,
        tokens=tokens,
    )


def editor_theme(name: str) -> tuple[EditorTheme, str]:
    """The theme called ``name`` and a note (empty unless the name was unknown)."""
    key = name.strip().lower()
    if key in _BUILT_IN:
        return _BUILT_IN[key], ""
    try:
        return _from_pygments(key), ""
    except (ClassNotFound, ValueError):  # ValueError: a style with colours we cannot read
        log.warning("unknown editor theme %r: using the dark theme", name)
        note = f"Unknown theme {name!r}: used the dark theme (or: light, or a pygments style)."
        return DARK, note
