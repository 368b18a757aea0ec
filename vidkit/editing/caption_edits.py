"""Editing a scene's captions where they should not read as they are said.

:func:`scene_captions` lists them as the preview shows them (on the spoken narration's times,
else estimated), :func:`edit_caption` shows other text in place of one (or puts it back to the
words), :func:`drop_stale_caption_edits` forgets edits no caption reads any more.
"""

from __future__ import annotations

from vidkit.editing.captions import CaptionRow, SceneCaptions
from vidkit.editing.draft import draft
from vidkit.errors import Hint, InvalidInput, NotFound
from vidkit.model import CaptionEdit, Scene
from vidkit.render.caption_edits import caption_key
from vidkit.workspace import Workspace

__all__ = ["drop_stale_caption_edits", "edit_caption", "scene_captions"]


def scene_captions(ws: Workspace, slug: str, scene_id: int) -> SceneCaptions:
    """The scene's captions as the preview shows them now: on the spoken narration's times
    when it has been spoken, else on estimated ones (nothing is spoken here)."""
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
