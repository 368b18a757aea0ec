"""Screens drawn in Python: the code-typing editor view (:class:`CodeTyping`)."""

from __future__ import annotations

from vidkit.screen._theme import EditorTheme, TokenStyle, editor_theme
from vidkit.screen.code import CodeTyping

__all__ = ["CodeTyping", "EditorTheme", "TokenStyle", "editor_theme"]
