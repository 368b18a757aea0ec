"""An edited OTIO export brought back: a trim of a recorded scene becomes that scene's new cut
list (and only that scene re-renders), a reorder becomes the scene order, and what cannot
come back is reported, never guessed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest

import vidkit
from tests.export.conftest import Rendered
from tests.export.test_export import frames, scene_items, track
from vidkit.editing import undo
from vidkit.errors import InvalidInput
from vidkit.export import import_edit, write_export
from vidkit.media import probe

pytestmark = pytest.mark.slow

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


def edited(path: Path, change: Callable[[Any], None], name: str) -> Path:
    """A copy of the OTIO file at ``path`` with ``change`` made to its timeline."""
    timeline = otio.adapters.read_from_file(str(path))
    change(timeline)
    out = path.with_name(name)
    otio.adapters.write_to_file(timeline, str(out))
    return out


def reorder(track_: Any, first: list[int]) -> None:
    """Put the clips of the scenes ``first`` at the start of the track, in that order."""
    items = list(track_)
    ahead = [i for sid in first for i in items if i.metadata["vidkit"]["scene_id"] == sid]
    rest = [i for i in items if i not in ahead]
    copies = [copy.deepcopy(i) for i in ahead + rest]
    del track_[:]
    track_.extend(copies)


def trim_first_kept_span(rendered: Rendered, frames_: int) -> Callable[[Any], None]:
    """Shorten the Hello scene's first kept piece by ``frames_`` at its end, picture and
    sound together (a linked trim)."""

    def change(timeline: Any) -> None:
        for name in ("Screen", "Narration"):
            clip = scene_items(track(timeline, name), rendered.hello)[0]
            r = clip.source_range
            clip.source_range = TR(r.start_time, r.duration - RT(frames_, r.duration.rate))

    return change


def test_a_trim_comes_back_as_that_scenes_cut_list_only(rendered: Rendered, exported: Path) -> None:
    ws, slug = rendered.ws, rendered.slug
    before = {sid: ws.catalogue.scene_edit(slug, sid) for sid in (rendered.hello, rendered.run)}
    old = before[rendered.hello]
    assert old is not None and old.cuts is not None
    trimmed = edited(exported, trim_first_kept_span(rendered, 10), "trimmed.otio")

    dry = import_edit(ws, slug, trimmed, dry_run=True)
    assert [(t.scene_id, t.version) for t in dry.trims] == [(rendered.hello, None)]
    assert ws.catalogue.scene_edit(slug, rendered.hello) == old, "a dry run changes nothing"

    report = import_edit(ws, slug, trimmed)
    assert report.unmapped == () and not report.reordered
    (trim,) = report.trims
    assert (trim.scene_id, trim.version) == (rendered.hello, old.version + 1)
    assert trim.after_ms == old.cuts.output_ms - 400  # 10 frames at 25 fps
    new = ws.catalogue.scene_edit(slug, rendered.hello)
    assert new is not None and new.cuts is not None
    assert new.note == "trimmed in an editor (trimmed.otio)"
    first = old.cuts.pieces()[0]
    assert (new.cuts.pieces()[0].start, new.cuts.pieces()[0].end) == (first.start, first.end - 10)
    cut = next(s for s in new.cuts.spans if s.start == first.end - 10)
    assert (cut.action, cut.reason) == ("cut", "manual")
    assert [s for s in new.cuts.spans if s.start >= first.end] == [
        s for s in old.cuts.spans if s.start >= first.end
    ], "the rest of the cut list keeps its spans and reasons"
    assert ws.catalogue.scene_edit(slug, rendered.run) == before[rendered.run]

    # Only that scene renders again; the export follows the new render to the frame.
    result = vidkit.render(ws, slug)
    cached = {s.scene_id: s.cached for s in result.scenes}
    assert not cached[rendered.hello]["compose"] and not cached[rendered.hello]["speak"]
    assert all(cached[rendered.code].values()) and all(cached[rendered.run].values())
    timeline = otio.adapters.read_from_file(
        str(write_export(ws, slug, "otio", exported.with_name("again.otio")))
    )
    hello = next(s for s in result.scenes if s.scene_id == rendered.hello)
    info = probe(ws.asset_path(hello.video))
    assert info.duration_ms is not None
    for layer in timeline.tracks:
        assert frames(scene_items(layer, rendered.hello)) == round(info.duration_ms * 25 / 1000)
    assert import_edit(ws, slug, trimmed).lines() == ["nothing to change"], "taken in already"

    # It is one more version of the scene's edit: undo takes it back.
    assert undo(ws, slug, rendered.hello).cuts == old.cuts


def test_a_reorder_comes_back_as_the_scene_order(rendered: Rendered, exported: Path) -> None:
    ws, slug = rendered.ws, rendered.slug

    def change(timeline: Any) -> None:
        for layer in timeline.tracks:
            reorder(layer, [rendered.run, rendered.code])

    report = import_edit(ws, slug, edited(exported, change, "reordered.otio"))
    assert report.reordered and report.trims == () and report.unmapped == ()
    assert report.order == (rendered.run, rendered.code, rendered.hello)
    assert report.lines() == ["scene order is now: Run it, Intro, Hello"]
    assert [s.id for s in ws.scenes(slug)] == [rendered.run, rendered.code, rendered.hello]


def test_what_cannot_come_back_is_reported_and_nothing_changes(
    rendered: Rendered, exported: Path
) -> None:
    ws, slug = rendered.ws, rendered.slug
    order = [s.id for s in ws.scenes(slug)]
    edits = {sid: ws.catalogue.scene_edit(slug, sid) for sid in (rendered.hello, rendered.run)}

    def change(timeline: Any) -> None:
        narration = scene_items(track(timeline, "Narration"), rendered.code)[0]
        r = narration.source_range
        narration.source_range = TR(r.start_time, r.duration - RT(5, 25))
        screen = track(timeline, "Screen")
        broll = otio.schema.Clip(name="b-roll", source_range=TR(RT(0, 25), RT(25, 25)))
        screen.append(broll)
        run = [i for i in screen if i.metadata.get("vidkit", {}).get("scene_id") == rendered.run]
        a, b = screen.index(run[0]), screen.index(run[1])
        screen[a], screen[b] = copy.deepcopy(run[1]), copy.deepcopy(run[0])
        reorder(track(timeline, "Presenter"), [rendered.hello])

    report = import_edit(ws, slug, edited(exported, change, "odd.otio"))
    assert not report.changed
    unmapped = "\n".join(report.unmapped)
    assert (
        "scene 1 (Intro) was trimmed on the narration track(s), but it is not made from a "
        "recording" in unmapped
    )
    assert "the clip 'b-roll' on the screen track was added in the editor" in unmapped
    assert "scene 3 (Run it): clips" in unmapped and "overlap or are out of order" in unmapped
    assert "the tracks disagree on the scene order" in unmapped
    assert [s.id for s in ws.scenes(slug)] == order
    assert {sid: ws.catalogue.scene_edit(slug, sid) for sid in edits} == edits


def test_a_file_from_elsewhere_is_refused_in_one_line(rendered: Rendered, exported: Path) -> None:
    ws, slug = rendered.ws, rendered.slug
    bad = exported.with_name("bad.otio")
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="is not a timeline OpenTimelineIO can read"):
        import_edit(ws, slug, bad)
    ws.create_project("other", "Other", fps=25)
    with pytest.raises(InvalidInput, match="was exported from project 'lesson', not 'other'"):
        import_edit(ws, "other", exported)
    plain = exported.with_name("plain.otio")
    otio.adapters.write_to_file(otio.schema.Timeline(name="x"), str(plain))
    with pytest.raises(InvalidInput, match="carries no vidkit scene marks"):
        import_edit(ws, slug, plain)
