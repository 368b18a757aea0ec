"""Captions edited where they should not read as they are said (#15): which captions differ
from the speech, an edit shown in the preview and burned into the render at the same times,
the sidecar captions, QC still matching each caption to its words, edits that go stale when the
words change, and bad edits refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write_config
from vidkit import editing
from vidkit.api import Workspace
from vidkit.config import load_config
from vidkit.errors import InvalidInput, NotFound
from vidkit.model import CaptionEdit, check_caption_edits
from vidkit.pipeline import render
from vidkit.pipeline.graph import SceneGraph
from vidkit.render.caption_edits import edit_cues, set_lines, written_cues
from vidkit.render.captions import CaptionCue
from vidkit.timing import Timings, WordTiming

NARRATION = "We keep the orders in SQL. Then we read them back whenever a customer asks."


def _timings() -> Timings:
    """'SQL' spoken as 'sequel': word 4 comes from written token 5 ("SQL.")."""
    said = "We keep the orders in sequel Then we read them back whenever a customer asks"
    words = [WordTiming(w, i * 300, i * 300 + 250) for i, w in enumerate(said.split())]
    return Timings(len(words) * 300, tuple(words), meta={"word_sources": list(range(len(words)))})


def test_a_caption_that_reads_otherwise_than_it_is_said_is_marked() -> None:
    rows = editing.caption_rows(_timings(), NARRATION, end_ms=5000).rows
    assert rows and all(r.shown == r.written and not r.edited for r in rows)
    marked = [r for r in rows if r.differs]
    assert len(marked) == 1 and "SQL." in marked[0].written and "sequel" in marked[0].said
    assert all("SQL" not in r.written for r in rows if not r.differs)


def test_an_edit_changes_the_text_and_keeps_the_times() -> None:
    timings = _timings()
    plain = editing.caption_rows(timings, NARRATION, end_ms=5000)
    first = plain.rows[0]
    edit = CaptionEdit(" ".join(first.written.split()), "Orders live in a SQL database.")
    edited = editing.caption_rows(timings, NARRATION, end_ms=5000, edits=(edit,))
    assert edited.rows[0].shown == "Orders live in a SQL database."
    assert edited.rows[0].edited and not edited.stale
    assert [(r.start_ms, r.end_ms) for r in edited.rows] == [
        (r.start_ms, r.end_ms) for r in plain.rows
    ]
    assert [r.shown for r in edited.rows[1:]] == [r.shown for r in plain.rows[1:]]


def test_an_edit_no_caption_reads_any_more_is_stale() -> None:
    gone = CaptionEdit("words nobody says", "something")
    rows = editing.caption_rows(_timings(), NARRATION, end_ms=5000, edits=(gone,))
    assert rows.stale == (gone,)
    assert not any(r.edited for r in rows.rows)


def test_edited_text_is_set_on_caption_lines_and_undone_for_qc() -> None:
    long = "This caption is much longer than the one it replaces and needs two lines"
    lines = set_lines(long).split("\n")
    assert len(lines) == 2 and all(len(line) <= 42 for line in lines)
    assert set_lines("Mine\nmy way") == "Mine\nmy way"
    cues = [CaptionCue(0, 900, "We keep it\nin sequel."), CaptionCue(950, 2000, "Then more.")]
    shown = edit_cues(cues, {"We keep it in sequel.": long})
    assert shown[0].text == "\n".join(lines) and shown[1] == cues[1]
    rendered = [(c.start_ms, c.end_ms, c.text) for c in shown]
    back = written_cues(rendered, {"We keep it in sequel.": long})
    assert back == [(0, 900, "We keep it in sequel."), (950, 2000, "Then more.")]


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("not a list", "must be a list"),
        ([{"was": "a"}], "must be"),
        ([{"was": "", "text": "x"}], "blank"),
        ([{"was": "a b", "text": "  "}], "blank"),
        ([{"was": "a", "text": "x" * 501}], "at most 500"),
        ([{"was": "a  b", "text": "x"}, {"was": "a b", "text": "y"}], "edited twice"),
        ([{"was": "a", "text": 3}], "must be text"),
    ],
)
def test_bad_caption_edits_are_refused_in_words(raw: object, says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        check_caption_edits(raw)


def test_an_edit_that_changes_nothing_is_not_kept() -> None:
    assert check_caption_edits([{"was": "Same  words.", "text": "Same words."}]) == ()
    kept = check_caption_edits([{"was": " Two\nlines ", "text": "Mine \n\n mine"}])
    assert kept == (CaptionEdit("Two lines", "Mine\nmine"),)


# A real scene, spoken by Piper and rendered ------------------------------------------------


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, int]:
    folder: Path = tmp_path_factory.mktemp("captions")
    ws = Workspace(load_config(write_config(folder, '[render]\npreset = "ultrafast"\n')))
    ws.create_project("cap", "Captions", width=320, height=180, fps=10)
    ws.set_lexicon("cap", {"SQL": "sequel"})
    scene = ws.add_scene("cap", "Orders", narration=NARRATION)
    render(ws, "cap", workers=1)
    return ws, scene.id


def test_a_rendered_scene_shows_the_edit_in_preview_render_and_sidecar(
    spoken: tuple[Workspace, int],
) -> None:
    ws, scene_id = spoken
    before = editing.scene_captions(ws, "cap", scene_id)
    assert before.spoken
    marked = [r for r in before.rows if r.differs]
    assert marked and "SQL" in marked[0].written and "sequel" in marked[0].said.lower()

    editing.edit_caption(ws, "cap", scene_id, marked[0].number, "Orders are kept in SQL.")
    after = editing.scene_captions(ws, "cap", scene_id)
    row = after.rows[marked[0].number - 1]
    assert row.edited and row.shown == "Orders are kept in SQL."
    assert (row.start_ms, row.end_ms) == (marked[0].start_ms, marked[0].end_ms)
    # the preview shows it
    draft = editing.draft(ws, "cap", scene_id)
    assert "Orders are kept in SQL." in [c.text for c in draft.timeline.captions.cues]

    result = render(ws, "cap", workers=1)
    cached = result.scenes[0].cached
    assert cached["speak"] and not cached["compose"]  # spoken once; composed again
    assert result.final is not None
    srt = result.final.with_suffix(".srt").read_text(encoding="utf-8")
    assert "Orders are kept in SQL." in srt
    graph = SceneGraph(ws, "cap", lookup_only=True)
    scene, project = ws.scene("cap", scene_id), ws.project("cap")
    speech = graph.speech(scene, project)
    composed, facts = graph.composed(project, scene, speech, None, None)
    cues = json.loads(ws.asset_path(composed.captions).read_text(encoding="utf-8"))
    assert "Orders are kept in SQL." in [t for _a, _b, t in cues]
    checked = graph.qc(scene, speech, composed, facts)
    captions = next(i for i in checked.report.items if i.check == "captions")
    assert captions.status == "green", captions.sentence

    # back to the words: the edit is gone, the caption reads as written again
    editing.edit_caption(ws, "cap", scene_id, marked[0].number, marked[0].written)
    assert not ws.scene("cap", scene_id).caption_edits


def test_changed_words_leave_a_stale_edit_that_can_be_dropped(
    spoken: tuple[Workspace, int],
) -> None:
    ws, scene_id = spoken
    first = editing.scene_captions(ws, "cap", scene_id).rows[0]
    editing.edit_caption(ws, "cap", scene_id, 1, "Orders, in SQL.")
    ws.update_scene("cap", scene_id, narration="Something else entirely, said another way.")
    try:
        captions = editing.scene_captions(ws, "cap", scene_id)
        assert [e.was for e in captions.stale] == [" ".join(first.written.split())]
        assert not any(r.edited for r in captions.rows)
        assert editing.drop_stale_caption_edits(ws, "cap", scene_id).caption_edits == ()
    finally:
        ws.update_scene("cap", scene_id, narration=NARRATION, caption_edits=[])


def test_a_caption_that_does_not_exist_is_named(spoken: tuple[Workspace, int]) -> None:
    ws, scene_id = spoken
    with pytest.raises(NotFound, match="no caption 99"):
        editing.edit_caption(ws, "cap", scene_id, 99, "x")
    with pytest.raises(NotFound, match="no caption of this scene reads"):
        editing.edit_caption(ws, "cap", scene_id, "words never said", "x")
