"""The captions panel under the scene editor, driven as a user would: each caption listed with
its times, one edited and saved (the preview's captions follow, the times stay), undone, a
stale edit after the words changed, unsaved boxes kept while the preview is rebuilt, and a
caption another program changed meanwhile."""

from __future__ import annotations

from tests.widgets.conftest import NARRATION
from vidkit.api import Workspace
from widgets.scene_editor import SceneEditor

EDITED = "A loop you have surely written before."


def _editor(demo: tuple[Workspace, int]) -> SceneEditor:
    ws, scene_id = demo
    editor = SceneEditor(ws)
    editor.load("demo", scene_id)
    return editor


def _cues(editor: SceneEditor) -> list[tuple[int, int, str]]:
    assert editor.draft is not None
    return [(c.start, c.end, c.text) for c in editor.draft.timeline.captions.cues]


def test_each_caption_is_listed_with_its_times(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    panel = editor.captions_panel
    assert panel in editor.children
    assert panel.rows and panel.rows[0].text.value.startswith("Here is a loop")
    assert panel.rows[0].when.description.endswith(" s")
    assert "times estimated" in panel.summary.value
    assert " ".join(r.text.value for r in panel.rows).split() == NARRATION.split()
    panel.rows[-1].when.click()  # the times seek the preview there
    start = panel.rows[-1].row.start_ms / 1000
    assert abs(editor.scrubber.value - start) <= editor.scrubber.step


def test_an_edited_caption_is_saved_shown_and_undone(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    before = _cues(editor)
    panel = editor.captions_panel
    panel.rows[0].text.value = EDITED
    panel.save_button.click()
    assert "Saved 1 caption(s)" in panel.message.value
    (edit,) = ws.scene("demo", scene_id).caption_edits
    assert edit.text == EDITED
    after = _cues(editor)
    assert [(a, b) for a, b, _ in after] == [(a, b) for a, b, _ in before]
    assert " ".join(after[0][2].split()) == EDITED
    assert after[1:] == before[1:]
    row = panel.rows[0]
    assert row.row.edited and row.undo.layout.display == "" and "edited" in row.note.value

    row.undo.click()
    assert ws.scene("demo", scene_id).caption_edits == ()
    assert _cues(editor) == before
    assert panel.rows[0].undo.layout.display == "none"


def test_unsaved_boxes_survive_a_rebuilt_preview(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    panel = editor.captions_panel
    panel.rows[0].text.value = EDITED
    editor.refresh_draft()  # e.g. after a render: the list is made again
    assert panel.rows[0].text.value == EDITED and panel.rows[0].changed
    assert panel.save()
    assert not panel.unsaved()


def test_a_stale_edit_is_said_and_forgotten(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    panel = editor.captions_panel
    panel.rows[0].text.value = EDITED
    panel.save()
    ws.update_scene("demo", scene_id, narration="Completely different words, said now.")
    editor.reload()
    assert "no longer match a caption" in panel.stale.value
    assert panel.forget_button.layout.display == ""
    panel.forget_button.click()
    assert ws.scene("demo", scene_id).caption_edits == ()
    assert panel.stale.value == "" and panel.forget_button.layout.display == "none"


def test_a_caption_changed_meanwhile_is_said_in_words(demo: tuple[Workspace, int]) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    panel = editor.captions_panel
    panel.rows[0].text.value = EDITED
    ws.update_scene("demo", scene_id, narration="Someone else rewrote the whole narration.")
    assert not panel.save()
    message = panel.message.value
    assert "no caption of this scene reads" in message and "`" not in message
    assert "vidkit" not in message
    assert ws.scene("demo", scene_id).caption_edits == ()


def test_only_the_captions_that_differ_can_be_listed(demo: tuple[Workspace, int]) -> None:
    editor = _editor(demo)
    panel = editor.captions_panel
    panel.only_differing.value = True
    assert panel.rows == []  # estimated times: nothing is said otherwise yet
    panel.only_differing.value = False
    panel.rows[0].text.value = EDITED
    panel.save()
    panel.only_differing.value = True
    assert [r.row.number for r in panel.rows] == [1]
