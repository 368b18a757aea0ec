"""Captions edited by hand, and which spoken words each caption shows.

A caption made from the words can read wrong: the speech said "sequel" where the caption should
read "SQL", a transcript misheard a name, a sentence reads better shortened. A
:class:`~vidkit.model.CaptionEdit` replaces the text of the caption that reads ``was`` (lines
joined by spaces, :func:`caption_key`) with its own ``text``, at the same times: the cues stay
tied to the speech. :func:`edit_cues` applies edits, :func:`written_cues` undoes them (QC
matches cues to the words they were made from), and :func:`cue_word_spans` finds the spoken
words behind each caption made from the words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from vidkit.render.captions import CaptionCue, layout_lines
from vidkit.timing import Timings

__all__ = ["caption_key", "cue_word_spans", "edit_cues", "plain_words", "set_lines", "written_cues"]

_EDGE = "\"'()[]{}“”‘’«».,;:!?…—–-"


def caption_key(text: str) -> str:
    """A caption's text as edits name it: its lines joined, whitespace tidied."""
    return " ".join(text.split())


def plain_words(text: str) -> tuple[str, ...]:
    """``text``'s words for comparing what is written with what is said: lower case, without
    the punctuation around them."""
    words = (w.strip(_EDGE).casefold() for w in text.split())
    return tuple(w for w in words if w)


def set_lines(text: str, *, max_chars: int = 42, max_lines: int = 2) -> str:
    """``text`` set on lines as a caption: kept as written when it has line breaks, else on
    balanced lines of at most ``max_chars`` (more lines than ``max_lines`` when it must)."""
    if "\n" in text:
        return text
    words = tuple(text.split())
    lines = layout_lines(words, max_chars, max_lines)
    if lines is not None:
        return "\n".join(lines)
    out: list[str] = []  # too long for a caption: as many full lines as it takes
    for word in words:
        if out and len(out[-1]) + 1 + len(word) <= max_chars:
            out[-1] = f"{out[-1]} {word}"
        else:
            out.append(word)
    return "\n".join(out)


def edit_cues(
    cues: Iterable[CaptionCue], edits: Mapping[str, str], *, max_chars: int = 42,
    max_lines: int = 2,
) -> list[CaptionCue]:  # fmt: skip
    """``cues`` with each one whose :func:`caption_key` is in ``edits`` showing that text
    instead (set by :func:`set_lines`), at the same times."""
    if not edits:
        return list(cues)
    out: list[CaptionCue] = []
    for cue in cues:
        text = edits.get(caption_key(cue.text))
        if text is not None:
            cue = replace(cue, text=set_lines(text, max_chars=max_chars, max_lines=max_lines))
        out.append(cue)
    return out


def written_cues(
    cues: Sequence[tuple[int, int, str]], edits: Mapping[str, str]
) -> list[tuple[int, int, str]]:
    """Rendered cues (start, end, text) with each edited text back to the caption it replaced
    (``edits``: was → text): the captions as made from the words, token for token."""
    back: dict[str, str] = {}
    for was, text in edits.items():
        back.setdefault(caption_key(text), was)
    return [(start, end, back.get(caption_key(text), text)) for start, end, text in cues]


def cue_word_spans(texts: Sequence[str], timings: Timings) -> list[tuple[int, int] | None]:
    """For each caption made from the words (``texts``, in order), the first and last spoken
    word (indices into ``timings.words``) of the written tokens it shows: captions hold the
    narration's tokens in order, and ``timings.meta["word_sources"]`` says which token each
    word was spoken from (without it, one word per token). None: no word was spoken for it."""
    words = timings.words
    if not words:
        return [None] * len(texts)
    raw = timings.meta.get("word_sources")
    if isinstance(raw, list) and len(raw) == len(words) and all(isinstance(s, int) for s in raw):
        sources = [int(s) for s in raw]
    else:
        sources = list(range(len(words)))
    spans: list[tuple[int, int] | None] = []
    token = 0
    for text in texts:
        count = len(text.split())
        inside = [i for i, s in enumerate(sources) if token <= s < token + count]
        spans.append((inside[0], inside[-1]) if inside else None)
        token += count
    return spans
