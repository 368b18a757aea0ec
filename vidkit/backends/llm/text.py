"""Input text checks that need no model: fitting long input into a context, spotting a language.

:func:`fit_text` keeps text that fits. Longer text keeps its structure first: the Markdown
headings and top-level points of an outline (each clipped), sampled evenly when even those do
not fit; prose keeps its beginning, cut at a paragraph or sentence end. Whatever was left out is
said in :attr:`Fitted.note`, never silently dropped.

:func:`foreign_language` names the writing system or language of text that is clearly not
English (non-Latin letters, or common function words of a few European languages).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

__all__ = ["Fitted", "fit_text", "foreign_language", "split_paragraphs"]

CHARS_PER_PAGE = 3000
_POINT_CHARS = 160
_STRUCTURE_RE = re.compile(r"^(#{1,6}\s+\S|[-*+]\s+\S|\d{1,3}[.)]\s+\S)")


@dataclass(frozen=True, slots=True)
class Fitted:
    text: str
    original_chars: int
    note: str | None = None

    @property
    def shortened(self) -> bool:
        return self.note is not None


def _pages(chars: int) -> str:
    pages = chars / CHARS_PER_PAGE
    return f"about {pages:.0f} pages" if pages >= 2 else "about a page"


def fit_text(text: str, budget: int, *, what: str, limit_hint: str) -> Fitted:
    """``text`` cut to at most ``budget`` characters, with a note saying what was kept.

    ``what`` names the text ("the outline"); ``limit_hint`` says where the limit comes from and
    how to raise it (it ends the note)."""
    text = text.strip()
    total = len(text)
    if total <= budget:
        return Fitted(text, total)
    head = f"{what} has {total:,} characters ({_pages(total)}), more than the {budget:,} "
    head += "the model can read here"
    points = [
        _clip(line.strip(), _POINT_CHARS)
        for line in text.splitlines()
        if _STRUCTURE_RE.match(line)  # unindented: headings and top-level points only
    ]
    if len(points) >= 3:
        joined = "\n".join(points)
        if len(joined) <= budget:
            return Fitted(
                joined,
                total,
                f"{head}, so vidkit used its {len(points)} headings and top-level points "
                f"({len(joined):,} characters) and left out the detail under them; {limit_hint}",
            )
        headings = [p for p in points if p.startswith("#")]
        joined = "\n".join(headings)
        if len(headings) >= 3 and len(joined) <= budget:
            return Fitted(
                joined,
                total,
                f"{head}, so vidkit used its {len(headings)} headings ({len(joined):,} "
                f"characters) and left out the text under them; {limit_hint}",
            )
        kept = _sample(headings if len(headings) >= 3 else points, budget)
        joined = "\n".join(kept)
        return Fitted(
            joined,
            total,
            f"{head}, so vidkit used {len(kept)} of its headings and points, spread evenly "
            f"from start to end ({len(joined):,} characters); {limit_hint}",
        )
    cut = _cut_prose(text, budget)
    return Fitted(
        cut,
        total,
        f"{head}, so vidkit used its first {len(cut):,} characters and left out the rest; "
        f"{limit_hint}",
    )


def _clip(line: str, limit: int) -> str:
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _sample(points: list[str], budget: int) -> list[str]:
    """The most points that fit, taken at even steps so every part of the outline shows."""
    low, high = 1, len(points)
    best = [points[0][:budget]]
    while low <= high:
        count = (low + high) // 2
        picked = [points[round(i * (len(points) - 1) / max(1, count - 1))] for i in range(count)]
        if len("\n".join(picked)) <= budget:
            best, low = picked, count + 1
        else:
            high = count - 1
    return best


def _cut_prose(text: str, budget: int) -> str:
    window = text[:budget]
    for mark in ("\n\n", ". ", "\n"):
        at = window.rfind(mark)
        if at >= budget // 2:
            return window[: at + (1 if mark == ". " else 0)].rstrip()
    return window.rstrip()


_STOPWORDS = {
    "German": {"der", "die", "das", "und", "ist", "nicht", "mit", "für", "ein", "eine", "wie"},
    "French": {"le", "la", "les", "et", "est", "pour", "avec", "une", "des", "dans", "du"},
    "Spanish": {"el", "los", "las", "y", "es", "para", "con", "una", "del", "por", "cómo"},
    "Italian": {"il", "gli", "e", "è", "per", "con", "una", "della", "nel", "che", "come"},
    "Portuguese": {"o", "os", "as", "e", "é", "para", "com", "uma", "do", "da", "em", "não"},
    "Dutch": {"de", "het", "een", "en", "is", "niet", "met", "voor", "van", "hoe", "wat"},
}
_ENGLISH = {"the", "and", "is", "of", "to", "in", "for", "with", "a", "how", "what", "on"}


def foreign_language(text: str) -> str | None:
    """The writing system ("Cyrillic", "CJK", ...) or language ("German", ...) of text that is
    clearly not English; ``None`` for English, or when there is too little to tell."""
    scripts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            name = unicodedata.name(char, "")
            scripts[name.split(" ")[0] if name else "OTHER"] += 1
    letters = sum(scripts.values())
    if not letters:
        return None
    foreign = {s: c for s, c in scripts.items() if s != "LATIN"}
    if sum(foreign.values()) / letters > 0.3:
        if "HIRAGANA" in foreign or "KATAKANA" in foreign:
            return "Japanese"
        script = max(foreign, key=lambda name: foreign[name])
        return {"CJK": "Chinese", "HANGUL": "Korean"}.get(script, script.title())
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(w in _ENGLISH for w in words)
    best, hits = max(
        ((lang, sum(w in stop for w in words)) for lang, stop in _STOPWORDS.items()),
        key=lambda item: item[1],
    )
    return best if hits >= 2 and hits > english else None


def split_paragraphs(text: str, max_words: int) -> list[str]:
    """Paragraphs grouped into parts of at most ``max_words`` (a longer paragraph is split at
    sentence ends, and a sentence longer than that at words); blank lines kept between them."""
    units: list[str] = []
    for para in (p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()):
        if len(para.split()) <= max_words:
            units.append(" ".join(para.split()))
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", para):
            words = sentence.split()
            units += [" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)]
    parts: list[str] = []
    for unit in units:
        if parts and len(parts[-1].split()) + len(unit.split()) <= max_words:
            parts[-1] += "\n\n" + unit
        else:
            parts.append(unit)
    return parts
