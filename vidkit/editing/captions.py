"""A scene's captions one by one: what each shows, and what is said while it shows.

Captions are made from the words with their times (:mod:`vidkit.render.captions`). Where the
caption and the speech part ways — the speech says "sequel" for "SQL", a transcript mishears a
name — the caption's text can be edited; it keeps its times, so it stays with the speech. An
edit names the caption it replaces by that caption's text, so it follows the caption when
scenes move or the speech is spoken again, and is reported as *stale* once the words change so
much that no caption reads that way any more.

:func:`caption_rows` lists them for given timings; a scene's draft
(:attr:`~vidkit.editing.SceneDraft.captions`) lists them as the preview shows them, and
:mod:`vidkit.editing.caption_edits` edits them. The draft preview and the render show the same
edited captions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vidkit.model import CaptionEdit
from vidkit.render.caption_edits import caption_key, cue_word_spans, edit_cues, plain_words
from vidkit.timing import Timings

__all__ = ["CaptionRow", "SceneCaptions", "caption_rows"]


@dataclass(frozen=True, slots=True)
class CaptionRow:
    """One caption: ``number`` (1-based), its times on the scene's clock, the text made from
    the words (``written``), what it shows (``shown``: edited or written), the words spoken
    while it shows (``said``), whether it is ``edited``, and whether what is written
    ``differs`` from what is said (besides case and punctuation)."""

    number: int
    start_ms: int
    end_ms: int
    written: str
    shown: str
    said: str
    edited: bool
    differs: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "written": self.written,
            "shown": self.shown,
            "said": self.said,
            "edited": self.edited,
            "differs": self.differs,
        }


@dataclass(frozen=True, slots=True)
class SceneCaptions:
    """A scene's captions (``rows``), on times as ``spoken`` or estimated before it is; the
    caption edits that match no caption any more (``stale``)."""

    rows: tuple[CaptionRow, ...]
    stale: tuple[CaptionEdit, ...]
    spoken: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "spoken": self.spoken,
            "captions": [r.to_dict() for r in self.rows],
            "stale_edits": [e.to_dict() for e in self.stale],
        }


def caption_rows(
    timings: Timings,
    text: str,
    *,
    end_ms: int,
    edits: tuple[CaptionEdit, ...] = (),
    spoken: bool = True,
) -> SceneCaptions:
    """The captions of speech with ``timings`` made from ``text`` (the narration as written),
    up to ``end_ms``, with ``edits`` applied, exactly as the render makes them."""
    from vidkit.render.captions import captions_from_timings

    written = captions_from_timings(timings, text=text, end_ms=end_ms)
    by_key = {e.was: e.text for e in edits}
    shown = edit_cues(written, by_key)
    spans = cue_word_spans([c.text for c in written], timings)
    rows: list[CaptionRow] = []
    used: set[str] = set()
    for number, (cue, show, span) in enumerate(zip(written, shown, spans, strict=True), 1):
        said = ""
        if span is not None:
            said = " ".join(w.word for w in timings.words[span[0] : span[1] + 1])
        key = caption_key(cue.text)
        edited = key in by_key
        if edited:
            used.add(key)
        differs = span is not None and plain_words(cue.text) != plain_words(said)
        rows.append(
            CaptionRow(number, cue.start_ms, cue.end_ms, cue.text, show.text, said, edited, differs)
        )
    stale = tuple(e for e in edits if e.was not in used)
    return SceneCaptions(tuple(rows), stale, spoken)
