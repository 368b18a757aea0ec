"""The timeline: a strip of blocks as wide as their scenes are long, with thumbnails and
statuses in words; the page's "open" and "move" messages; adding and deleting scenes."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from vidkit import editing
from vidkit.api import Workspace
from vidkit.editing import SceneStatus
from widgets.scene_strip import HINT, SceneStrip
from widgets.timeline import SceneTimeline


def _project(ws: Workspace) -> list[int]:
    ws.create_project("demo", "Demo")
    return [
        ws.add_scene("demo", "Short", narration="one two three").id,
        ws.add_scene("demo", "Long", narration=" ".join(["word"] * 60)).id,
        ws.add_scene("demo", "Empty").id,
    ]


def from_page(strip: SceneStrip, **content: Any) -> None:
    """A custom message as the page's ``model.send(content)`` delivers it to the kernel."""
    strip._handle_custom_msg(content, [])


def _order(timeline: SceneTimeline) -> list[int]:
    return [block["id"] for block in timeline.strip.blocks]


def _picture(url: str) -> Image.Image:
    assert url.startswith("data:image/jpeg;base64,")
    data = base64.b64decode(url.split(",", 1)[1])
    assert len(data) < 20_000, "a thumbnail is a few kB"
    return Image.open(io.BytesIO(data))


def test_blocks_are_as_wide_as_scenes_are_long(workspace: Workspace) -> None:
    ids = _project(workspace)
    timeline = SceneTimeline(workspace, background=False)
    timeline.show("demo")
    short, long, empty = timeline.strip.blocks
    assert [(b["position"], b["title"], b["length"]) for b in timeline.strip.blocks] == [
        (1, "Short", "≈1 s"), (2, "Long", "≈24 s"), (3, "Empty", "≈3 s"),
    ]  # fmt: skip
    assert long["ms"] == 20 * short["ms"] == 24_000  # 3 words: 1.2 s
    assert timeline.strip.selected == ids[0] and timeline.selected == ids[0]
    assert long["label"] == "Scene 2 of 3: Long, about 24 seconds, needs rendering"
    assert short["label"].endswith("needs rendering, open in the editor")
    assert empty["status"] == "needs-rendering" and empty["status_text"] == "Needs rendering"
    assert "about 28 s" in timeline.total.value
    scenes = workspace.scenes("demo")
    timeline.set_statuses([SceneStatus(scenes[1], 30_000, spoken=True, cached=True)])
    long = timeline.strip.blocks[1]
    assert long["length"] == "30 s" and long["ms"] == 30_000
    assert (long["status"], long["status_text"]) == ("rendered", "Rendered")
    assert long["label"] == "Scene 2 of 3: Long, 30 seconds, rendered"
    assert "about 34 s" in timeline.total.value
    assert "vk-scene-strip" in timeline.strip._dom_classes
    assert "vk-timeline" in timeline._dom_classes


def test_statuses_in_words_rendered_needs_rendering_failed(workspace: Workspace) -> None:
    ids = _project(workspace)
    timeline = SceneTimeline(workspace, background=False)
    timeline.show("demo")
    catalogue = workspace.catalogue
    job = catalogue.start_job("demo", "speak", "k1", scene_id=ids[0])
    catalogue.fail_job(job.id, "BackendError: the voice service did not answer; try again")
    stopped = catalogue.start_job("demo", "speak", "k2", scene_id=ids[2])
    catalogue.fail_job(stopped.id, "interrupted")  # Stop: not a failure
    scenes = workspace.scenes("demo")
    timeline.set_statuses(
        [
            SceneStatus(scenes[0], 1_200),
            SceneStatus(scenes[1], 24_000, spoken=True, cached=True),
            SceneStatus(scenes[2], 3_000, problem="no narration yet"),
        ]
    )
    first, second, third = timeline.strip.blocks
    assert (first["status"], first["status_text"]) == ("failed", "Failed")
    assert "failed: the voice service did not answer; try again" in first["label"]
    assert "BackendError" not in first["label"] + first["tooltip"]
    assert second["status"] == "rendered"
    assert third["status"] == "needs-rendering"
    assert (
        third["label"] == "Scene 3 of 3: Empty, about 3 seconds, needs rendering: no narration yet"
    )
    # edited since it failed: the next render may work, so it needs rendering again
    workspace.update_scene("demo", ids[0], narration="one two three four")
    timeline.show("demo")
    assert timeline.strip.blocks[0]["status"] == "needs-rendering"
    timeline.set_statuses(editing.scene_statuses(workspace, "demo"))
    assert timeline.strip.blocks[0]["status"] == "needs-rendering"


def test_clicking_a_block_opens_its_scene(workspace: Workspace) -> None:
    ids = _project(workspace)
    asked: list[int | None] = []

    def ask(scene_id: int | None) -> bool:
        asked.append(scene_id)
        return True

    timeline = SceneTimeline(workspace, on_select=ask)
    timeline.show("demo")
    from_page(timeline.strip, event="open", id=ids[1])
    assert asked == [ids[1]] and timeline.selected == ids[1] == timeline.strip.selected
    from_page(timeline.strip, event="open", id=ids[1])  # already open: not read again
    assert asked == [ids[1]]
    assert timeline.strip.blocks[1]["label"].endswith("open in the editor")
    refused = SceneTimeline(workspace, on_select=lambda i: False)  # e.g. edits failed to save
    refused.show("demo")
    from_page(refused.strip, event="open", id=ids[2])
    assert refused.selected == ids[0] == refused.strip.selected


def test_a_move_from_the_page_reorders_the_catalogue(workspace: Workspace) -> None:
    ids = _project(workspace)
    changes: list[str] = []
    timeline = SceneTimeline(workspace, on_changed=lambda: changes.append("x"))
    timeline.show("demo", selected=ids[1])
    from_page(timeline.strip, event="move", id=ids[2], to=1)  # a drag, or Ctrl+← twice
    assert [s.id for s in workspace.scenes("demo")] == [ids[2], ids[0], ids[1]]
    assert _order(timeline) == [ids[2], ids[0], ids[1]]
    assert [b["position"] for b in timeline.strip.blocks] == [1, 2, 3]
    assert timeline.strip.announcement == "Moved “Empty” to place 1 of 3."
    assert timeline.selected == ids[1] and changes == ["x"]  # moving does not open it
    from_page(timeline.strip, event="move", id=ids[2], to=2)  # Ctrl+→
    assert [s.id for s in workspace.scenes("demo")] == [ids[0], ids[2], ids[1]]
    for wrong in (
        {"event": "move", "id": ids[0], "to": 0},
        {"event": "move", "id": ids[0], "to": 4},
        {"event": "move", "id": ids[0], "to": "2"},
        {"event": "move", "id": ids[0], "to": True},
        {"event": "move", "id": 999, "to": 1},
        {"event": "move", "id": ids[0]},
        {"event": "drop", "id": ids[0], "to": 2},
    ):
        from_page(timeline.strip, **wrong)
    assert [s.id for s in workspace.scenes("demo")] == [ids[0], ids[2], ids[1]]
    assert changes == ["x", "x"] and not timeline.message.is_error
    # another tab deleted the scene the page still shows: a message, and the order from the
    # catalogue
    workspace.delete_scene("demo", ids[1])
    timeline.move_to(ids[1], 1)
    assert timeline.message.is_error and _order(timeline) == [ids[0], ids[2]]


def test_thumbnails_show_each_scene_and_are_cached(workspace: Workspace) -> None:
    ids = _project(workspace)
    editing.use_example_presenter(workspace, "demo")
    timeline = SceneTimeline(workspace, background=False)
    timeline.show("demo")
    assert timeline.strip.thumbnails == {}
    timeline.set_statuses(editing.scene_statuses(workspace, "demo"))
    pictures = timeline.strip.thumbnails
    assert sorted(pictures) == sorted(str(i) for i in ids)
    for url in pictures.values():
        image = _picture(url)
        assert (image.format, image.size) == ("JPEG", (160, 90))
    cache = editing.thumbnail_cache(workspace)
    files = sorted(cache.glob("*.jpg"))
    assert files
    stamps = [f.stat().st_mtime_ns for f in files]
    again = SceneTimeline(workspace, background=False)  # a reload: a new kernel's timeline
    again.show("demo")
    again.set_statuses(editing.scene_statuses(workspace, "demo"))
    assert again.strip.thumbnails == pictures
    assert sorted(cache.glob("*.jpg")) == files  # read back, not made again
    assert [f.stat().st_mtime_ns for f in files] == stamps
    workspace.delete_scene("demo", ids[2])
    again.show("demo")
    again.set_statuses(editing.scene_statuses(workspace, "demo"))
    assert sorted(again.strip.thumbnails) == sorted(str(i) for i in ids[:2])


def test_a_rendered_scene_shows_a_frame_of_its_video(
    workspace: Workspace, make_media: Callable[..., Path]
) -> None:
    ids = _project(workspace)
    scene = workspace.scenes("demo")[0]
    video = make_media("video", seconds=2.0)
    timeline = SceneTimeline(workspace, background=False)
    timeline.show("demo")
    timeline.set_statuses([SceneStatus(scene, 2_000, spoken=True, cached=True, video=video)])
    assert _picture(timeline.strip.thumbnails[str(ids[0])]).size == (160, 120)  # the video's
    assert timeline.strip.blocks[0]["status"] == "rendered"


def test_thumbnails_are_made_in_the_background(workspace: Workspace) -> None:
    ids = _project(workspace)
    timeline = SceneTimeline(workspace)  # background=True, as in the studio
    timeline.show("demo")
    timeline.set_statuses(editing.scene_statuses(workspace, "demo"))
    timeline.wait_idle()
    assert sorted(timeline.strip.thumbnails) == sorted(str(i) for i in ids)
    workspace.create_project("other", "Other")
    timeline.show("other")  # another project: its scenes' pictures only
    assert timeline.strip.thumbnails == {} and timeline.strip.blocks == []


def test_adding_and_deleting(workspace: Workspace) -> None:
    ids = _project(workspace)
    changes: list[str] = []
    timeline = SceneTimeline(workspace, on_changed=lambda: changes.append("x"))
    timeline.show("demo", selected=ids[2])
    timeline.add.click()
    added = workspace.scenes("demo")[-1]
    assert added.title == "Scene 4" and timeline.selected == added.id == timeline.strip.selected
    assert "Added scene 4" in timeline.message.message
    assert _order(timeline) == [*ids, added.id]
    timeline.delete.click()
    confirm = timeline.confirm_box.children[1]
    assert "vk-confirm-delete" in confirm._dom_classes
    timeline.confirm_box.children[2].click()  # cancel
    assert timeline.confirm_box.children == () and len(workspace.scenes("demo")) == 4
    timeline.delete.click()
    timeline.confirm_box.children[1].click()
    assert [s.id for s in workspace.scenes("demo")] == ids == _order(timeline)
    assert timeline.selected == ids[2] and "deleted" in timeline.message.message
    assert len(changes) == 2


def test_a_project_without_scenes(workspace: Workspace) -> None:
    workspace.create_project("empty", "Empty")
    timeline = SceneTimeline(workspace)
    timeline.show("empty")
    assert timeline.strip.blocks == [] and "No scenes yet" in timeline.strip.empty_text
    assert timeline.delete.disabled and timeline.selected is None and timeline.strip.selected == 0
    timeline.show("missing")
    assert timeline.message.is_error and "missing" in timeline.message.message


def test_the_strip_is_inline_offline_and_operable_by_keyboard() -> None:
    esm = str(SceneStrip()._esm)
    assert "export default" in esm
    assert not re.search(r"https?://|\bimport\s*[(\"'{*]", esm), "no network, no imports"
    needed = [
        'draggable: "true"', "dragstart", "dragover", "drop", '"button"', "aria-label",
        "aria-describedby", "aria-current", "aria-live", "ArrowLeft", "ArrowRight",
        "event.ctrlKey", "event.altKey", "Home", "End",
    ]  # fmt: skip
    assert [n for n in needed if n not in esm] == []
    assert ":focus-visible" in str(SceneStrip()._css)
    assert "Ctrl+←" in HINT and "Drag" in HINT


def test_a_rendered_scene_shows_its_quality_checks_as_a_badge(workspace: Workspace) -> None:
    _project(workspace)
    timeline = SceneTimeline(workspace, background=False)
    timeline.show("demo")
    short, long, empty = workspace.scenes("demo")
    fit = "fit: the recording needs 6.50× to fill the scene, past the 2× cap"
    timeline.set_statuses(
        [
            SceneStatus(short, 1_000, spoken=True, cached=True, qc="green"),
            SceneStatus(long, 30_000, spoken=True, cached=True, qc="red", qc_notes=(fit,)),
            SceneStatus(empty, 3_000, qc="red"),  # not rendered: no badge, whatever it says
        ]
    )
    first, second, third = timeline.strip.blocks
    assert (first["qc"], first["qc_text"]) == ("green", "Checks OK")
    assert first["label"].endswith("rendered, checks ok, open in the editor")
    assert (second["qc"], second["qc_text"]) == ("red", "Checks failed")
    assert second["label"] == f"Scene 2 of 3: Long, 30 seconds, rendered, checks failed: {fit}"
    assert fit in second["tooltip"]
    assert (third["qc"], third["qc_text"]) == ("", "")
    # edited since: the badge goes with the render it described
    workspace.update_scene("demo", long.id, narration="other words now")
    timeline.show("demo")
    assert timeline.strip.blocks[1]["qc"] == ""
    assert "vk-scene-qc" in SceneStrip._esm and ".vk-qc-red" in SceneStrip._css
