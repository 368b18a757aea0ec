"""Scene edits in the catalogue: versions, undo, references, and the cut list in the key."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from vidkit.api import Workspace
from vidkit.cuts import CutList
from vidkit.errors import Conflict, InvalidInput
from vidkit.pipeline.graph import Recorded, recorded_cuts, scene_timeline
from vidkit.stages.compose import timeline_key
from vidkit.timing import Timings


@pytest.fixture
def recorded(workspace: Workspace, make_media: Callable[..., Path]) -> tuple[int, int]:
    workspace.create_project("rec", "Recorded", width=160, height=120)
    scene = workspace.add_scene("rec", "Part one")
    asset = workspace.import_asset("rec", make_media("video", 3.0), kind="screen_capture")
    return scene.id, asset.id


def test_every_change_is_a_version_and_undo_steps_back(
    workspace: Workspace, recorded: tuple[int, int]
) -> None:
    scene_id, asset_id = recorded
    cat = workspace.catalogue
    assert cat.scene_edit("rec", scene_id) is None
    first = cat.save_scene_edit("rec", scene_id, recording_id=asset_id, in_ms=500)
    cuts = CutList.whole(15, 90, Fraction(30)).with_action(30, 45, "cut", "silence")
    second = cat.save_scene_edit("rec", scene_id, cuts=cuts, deleted=[(1000, 1200)])
    assert (first.version, second.version) == (1, 2)
    assert second.in_ms == 500 and second.cuts == cuts and second.deleted == ((1000, 1200),)
    assert [e.version for e in cat.scene_edit_history("rec", scene_id)] == [1, 2]
    back = cat.undo_scene_edit("rec", scene_id)
    assert back == first and cat.scene_edit("rec", scene_id) == first
    with pytest.raises(Conflict, match="no edit of this scene to undo"):
        cat.undo_scene_edit("rec", scene_id)


def test_bad_edits_are_refused_and_change_nothing(
    workspace: Workspace, recorded: tuple[int, int], make_media: Callable[..., Path]
) -> None:
    scene_id, asset_id = recorded
    cat = workspace.catalogue
    with pytest.raises(InvalidInput, match="no recording yet"):
        cat.save_scene_edit("rec", scene_id, in_ms=10)
    image = workspace.import_asset("rec", make_media("image"), kind="image")
    with pytest.raises(InvalidInput, match="not a recording"):
        cat.save_scene_edit("rec", scene_id, recording_id=image.id)
    with pytest.raises(InvalidInput, match="out point"):
        cat.save_scene_edit("rec", scene_id, recording_id=asset_id, in_ms=900, out_ms=100)
    with pytest.raises(InvalidInput, match="voice"):
        cat.save_scene_edit("rec", scene_id, recording_id=asset_id, voice="robot")
    assert cat.scene_edit("rec", scene_id) is None


def test_a_recording_in_use_cannot_be_deleted_and_scenes_take_their_edits_along(
    workspace: Workspace, recorded: tuple[int, int]
) -> None:
    scene_id, asset_id = recorded
    workspace.catalogue.save_scene_edit("rec", scene_id, recording_id=asset_id)
    with pytest.raises(Conflict, match=r"is what scene 1 \('Part one'\) is made from"):
        workspace.delete_asset("rec", asset_id)
    workspace.delete_scene("rec", scene_id)
    workspace.delete_asset("rec", asset_id)  # no scene uses it any more


def test_the_cut_list_is_part_of_the_scene_timeline_and_its_key(
    workspace: Workspace, recorded: tuple[int, int]
) -> None:
    scene_id, asset_id = recorded
    edit = workspace.catalogue.save_scene_edit("rec", scene_id, recording_id=asset_id)
    project = workspace.project("rec")
    scene = workspace.scene("rec", scene_id)
    recording = workspace.catalogue.asset(asset_id)
    whole = recorded_cuts(edit, recording, project.fps)
    assert (whole.start, whole.end) == (0, 90)
    keys = []
    for cuts in (whole, whole.with_action(30, 45, "cut", "silence")):
        rec = Recorded(edit, recording, cuts, None)
        timeline, _, shown = scene_timeline(
            workspace, project, scene, Timings(cuts.output_ms), audio=None, avatar=None,
            render=workspace.config.render, recorded=rec,
        )  # fmt: skip
        assert shown == recording and timeline.duration == cuts.output_frames
        keys.append(timeline_key(timeline))
    assert keys[0] != keys[1]


def test_another_voice_keeps_the_cuts_and_hand_cuts_are_checked(
    workspace: Workspace, recorded: tuple[int, int]
) -> None:
    from vidkit.editing.recording import set_cuts, use_recording

    scene_id, asset_id = recorded
    use_recording(workspace, "rec", scene_id, asset_id)
    cuts = CutList.whole(0, 90, Fraction(30)).with_action(30, 45, "cut", "manual")
    set_cuts(workspace, "rec", scene_id, cuts)
    revoiced = use_recording(workspace, "rec", scene_id, asset_id, voice="project")
    assert revoiced.voice == "project" and revoiced.cuts == cuts
    moved = use_recording(workspace, "rec", scene_id, asset_id, in_ms=1000, voice="project")
    assert moved.cuts is None, "a new window starts untightened"
    with pytest.raises(InvalidInput, match="past the end of the recording"):
        set_cuts(workspace, "rec", scene_id, CutList.whole(0, 300, Fraction(30)))
    with pytest.raises(InvalidInput, match="frame rate"):
        set_cuts(workspace, "rec", scene_id, CutList.whole(0, 50, Fraction(25)))
    assert workspace.catalogue.scene_edit("rec", scene_id) == moved
