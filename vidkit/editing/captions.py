"""A scene's captions one by one, and editing the ones that should not read as they are said.

Captions are made from the words with their times (:mod:`vidkit.render.captions`). Where the
caption and the speech part ways — the speech says "sequel" for "SQL", a transcript mishears a
name — the caption's text can be edited; it keeps its times, so it stays with the speech. An
edit names the caption it replaces by that caption's text, so it follows the caption when
scenes move or the speech is spoken again, and is reported as *stale* once the words change so
much that no caption reads that way any more.

:func:`scene_captions` lists them (as spoken, else estimated), :func:`edit_caption` edits one
(or puts it back to the words), :func:`drop_stale_caption_edits` forgets those that match
nothing. The draft preview and the render show the same edited captions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vidkit.errors import Hint, InvalidInput, NotFound
from vidkit.model import CaptionEdit, Scene
from vidkit.render.caption_edits import caption_key, cue_word_spans, edit_cues, plain_words
from vidkit.timing import Timings
from vidkit.workspace import Workspace

__all__ = [
    "CaptionRow",
    "SceneCaptions",
    "caption_rows",
    "drop_stale_caption_edits",
    "edit_caption",
    "scene_captions",
]


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


def scene_captions(ws: Workspace, slug: str, scene_id: int) -> SceneCaptions:
    """The scene's captions as the preview shows them now: on the spoken narration's times
    when it has been spoken, else on estimated ones (nothing is spoken here)."""
    from vidkit.editing.draft import draft

    return draft(ws, slug, scene_id).captions


def edit_caption(ws: Workspace, slug: str, scene_id: int, caption: int | str, text: str) -> Scene:
    """Show ``text`` in place of the caption ``caption`` (its number in
    :func:`scene_captions`, or the text it was made from), at the same times. ``text`` equal
    to the words, or blank, puts the caption back to the words. Other edits are kept."""
    if not isinstance(text, str):
        raise InvalidInput("a caption's text must be text", field="text")
    with ws.catalogue.session():
        captions = scene_captions(ws, slug, scene_id)
        row = _find(captions, caption, slug, scene_id)
        scene = ws.scene(slug, scene_id)
        kept = [e for e in scene.caption_edits if e.was != caption_key(row.written)]
        if text.strip() and caption_key(text) != caption_key(row.written):
            kept.append(CaptionEdit(caption_key(row.written), text))
        return ws.update_scene(slug, scene_id, caption_edits=kept)


def drop_stale_caption_edits(ws: Workspace, slug: str, scene_id: int) -> Scene:
    """Forget the scene's caption edits that no caption reads any more."""
    with ws.catalogue.session():
        stale = {e.was for e in scene_captions(ws, slug, scene_id).stale}
        scene = ws.scene(slug, scene_id)
        if not stale:
            return scene
        kept = [e for e in scene.caption_edits if e.was not in stale]
        return ws.update_scene(slug, scene_id, caption_edits=kept)


def _find(captions: SceneCaptions, caption: int | str, slug: str, scene_id: int) -> CaptionRow:
    hint = Hint(
        "list_captions",
        cli=f"list them with `vidkit captions {slug} --scene N`",
        studio="pick one from the list under “Captions”",
    )
    if isinstance(caption, bool) or not isinstance(caption, (int, str)):
        raise InvalidInput("name a caption by its number or its text", field="caption")
    if isinstance(caption, int):
        if not 1 <= caption <= len(captions.rows):
            count = len(captions.rows)
            raise NotFound(
                f"this scene has {count} caption(s): there is no caption {caption}", hint=hint
            )
        return captions.rows[caption - 1]
    key = caption_key(caption)
    for row in captions.rows:
        if caption_key(row.written) == key:
            return row
    raise NotFound(f"no caption of this scene reads {key!r}", hint=hint)
