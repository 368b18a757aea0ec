"""Captions of a scene made from a recording, once rendered (its speech is the recording's own,
cut): they are made from the words kept from the transcript, as the render made them, and an
edit shows in the preview. Uses the export tests' rendered project (built once per process);
the edit is undone afterwards."""

from __future__ import annotations

import json

from tests.export.conftest import Rendered
from vidkit import editing
from vidkit.pipeline.graph import SceneGraph


def test_a_recorded_scene_lists_its_kept_words_as_rendered_and_takes_an_edit(
    rendered: Rendered,
) -> None:
    ws, slug, scene_id = rendered.ws, rendered.slug, rendered.hello
    captions = editing.scene_captions(ws, slug, scene_id)
    assert captions.spoken and captions.rows
    graph = SceneGraph(ws, slug, lookup_only=True)
    scene, project = ws.scene(slug, scene_id), ws.project(slug)
    speech = graph.speech(scene, project)
    presenter = graph.presenter()
    animation, _ = graph.animation(project, scene, speech, presenter)
    composed, _ = graph.composed(project, scene, speech, presenter, animation)
    cues = json.loads(ws.asset_path(composed.captions).read_text(encoding="utf-8"))
    assert [r.shown for r in captions.rows] == [t for _a, _b, t in cues]
    assert [(r.start_ms, r.end_ms) for r in captions.rows] == [(a, b) for a, b, _t in cues]
    assert "welcome" in captions.rows[0].written.lower()

    try:
        editing.edit_caption(ws, slug, scene_id, 1, "Hello, and welcome!")
        draft = editing.draft(ws, slug, scene_id)
        assert draft.timeline.captions.cues[0].text == "Hello, and welcome!"
        assert editing.scene_captions(ws, slug, scene_id).rows[0].edited
    finally:
        ws.update_scene(slug, scene_id, caption_edits=[])
