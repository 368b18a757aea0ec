"""Terms a speech engine may say wrong: identifiers and acronyms found in a script."""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["find_terms", "plausible_saying", "sentence_with"]

_TERM_RES = (
    re.compile(r"`([^`\s]{2,40})`"),  # code in backticks
    re.compile(r"\b[A-Z][A-Z0-9]{1,9}s?\b"),  # acronyms: SQL, HTTP2, APIs
    re.compile(r"\b[A-Za-z]+[a-z][A-Z][A-Za-z0-9]*\b"),  # inner capitals: NumPy, camelCase
    re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b"),  # snake_case
    re.compile(r"\b[A-Za-z]+\d+[A-Za-z0-9]*\b"),  # letters then digits: utf8, h264
    re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?=\(|\b)"),  # dotted names: os.path
)
_SAY_RE = re.compile(r"^[^\W\d_][\w\s'.-]*$")
MAX_TERMS = 40


def find_terms(text: str, known: Mapping[str, str] | None = None) -> list[str]:
    """Identifiers and acronyms in ``text`` that the lexicon ``known`` does not cover yet, in
    order of first appearance (at most :data:`MAX_TERMS`)."""
    covered = set(known or {})
    found: dict[str, int] = {}
    for pattern in _TERM_RES:
        for match in pattern.finditer(text):
            term = match.group(match.lastindex or 0).strip(".")
            if len(term) >= 2 and term not in covered:
                found.setdefault(term, match.start())
    return sorted(found, key=lambda t: found[t])[:MAX_TERMS]


def plausible_saying(term: str, say: str) -> bool:
    """Whether ``say`` reads as words (not code, not the term repeated)."""
    return bool(_SAY_RE.match(say)) and say.strip() != term


def sentence_with(text: str, term: str, limit: int = 160) -> str:
    """The first sentence of ``text`` that holds ``term``, on one line, clipped."""
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if term in sentence:
            flat = " ".join(sentence.split())
            return flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return ""
