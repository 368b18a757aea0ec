"""The timeline: proportional blocks, selecting, moving, adding and deleting scenes."""

from __future__ import annotations

from vidkit.api import Workspace
from vidkit.editing import SceneStatus
from widgets.timeline import SceneTimeline


def _project(ws: Workspace) -> list[int]:
    ws.create_project("demo", "Demo")
    return [
        ws.add_scene("demo", "Short", narration="one two three").id,
        ws.add_scene("demo", "Long", narration=" ".join(["word"] * 60)).id,
        ws.add_scene("demo", "Empty").id,
    ]


def _grow(block: object) -> int:
    return int(str(block.layout.flex).split()[0])  # type: ignore[attr-defined]


def test_blocks_are_as_wide_as_scenes_are_long(workspace: Workspace) -> None:
    ids = _project(workspace)
    timeline = SceneTimeline(workspace)
    timeline.show("demo")
    short, long, empty = timeline.blocks.children
    assert [b.description for b in timeline.blocks.children] == [
        "1. Short · ≈1 s", "2. Long · ≈24 s", "3. Empty · ≈3 s",
    ]  # fmt: skip
    assert _grow(long) == 20 * _grow(short) == 24_000  # 3 words: 1.2 s
    assert "vk-selected" in short._dom_classes and "vk-selected" not in long._dom_classes
    assert all("vk-scene-block" in b._dom_classes for b in (short, long, empty))
    assert "about 28 s" in timeline.total.value
    scenes = workspace.scenes("demo")
    timeline.set_statuses([SceneStatus(scenes[1], 30_000, spoken=True, cached=True)])
    assert timeline.blocks.children[1].description == "2. Long · 30 s"
    assert "(rendered)" in timeline.blocks.children[1].tooltip
    assert timeline.selected == ids[0]
    assert timeline.earlier.disabled and not timeline.later.disabled


def test_clicking_a_block_selects_its_scene(workspace: Workspace) -> None:
    ids = _project(workspace)
    asked: list[int | None] = []
    timeline = SceneTimeline(workspace, on_select=lambda i: asked.append(i) or True)
    timeline.show("demo")
    timeline.blocks.children[1].click()
    assert asked == [ids[1]] and timeline.selected == ids[1]
    assert "vk-selected" in timeline.blocks.children[1]._dom_classes
    refused = SceneTimeline(workspace, on_select=lambda i: False)  # e.g. edits failed to save
    refused.show("demo")
    refused.blocks.children[2].click()
    assert refused.selected == ids[0]


def test_moving_adding_and_deleting(workspace: Workspace) -> None:
    ids = _project(workspace)
    changes: list[str] = []
    timeline = SceneTimeline(workspace, on_changed=lambda: changes.append("x"))
    timeline.show("demo", selected=ids[2])
    timeline.earlier.click()
    assert [s.id for s in workspace.scenes("demo")] == [ids[0], ids[2], ids[1]]
    assert timeline.blocks.children[1].description.startswith("2. Empty")
    assert "vk-selected" in timeline.blocks.children[1]._dom_classes
    timeline.later.click()
    timeline.later.click()  # already last: disabled, and a no-op
    assert [s.id for s in workspace.scenes("demo")] == ids
    timeline.add.click()
    added = workspace.scenes("demo")[-1]
    assert added.title == "Scene 4" and timeline.selected == added.id
    assert "Added scene 4" in timeline.message.message
    timeline.delete.click()
    confirm = timeline.confirm_box.children[1]
    assert "vk-confirm-delete" in confirm._dom_classes
    timeline.confirm_box.children[2].click()  # cancel
    assert timeline.confirm_box.children == () and len(workspace.scenes("demo")) == 4
    timeline.delete.click()
    timeline.confirm_box.children[1].click()
    assert [s.id for s in workspace.scenes("demo")] == ids
    assert timeline.selected == ids[2] and "deleted" in timeline.message.message
    assert len(changes) == 4


def test_a_project_without_scenes(workspace: Workspace) -> None:
    workspace.create_project("empty", "Empty")
    timeline = SceneTimeline(workspace)
    timeline.show("empty")
    assert "No scenes yet" in timeline.blocks.children[0].value
    assert timeline.delete.disabled and timeline.selected is None
    timeline.show("missing")
    assert timeline.message.is_error and "missing" in timeline.message.message


def test_redrawing_updates_the_blocks_in_place(workspace: Workspace) -> None:
    """A status update or a new selection changes the existing buttons: the page's elements
    stay where they are under the user's pointer (new buttons would be drawn anew)."""
    ids = _project(workspace)
    timeline = SceneTimeline(workspace)
    timeline.show("demo")
    before = timeline.blocks.children
    timeline.set_statuses([SceneStatus(workspace.scenes("demo")[0], 9_000, spoken=True)])
    timeline.select(ids[2])
    assert timeline.blocks.children == before
    assert before[0].description == "1. Short · 9 s"
    assert "vk-selected" in before[2]._dom_classes and "vk-selected" not in before[0]._dom_classes
    workspace.move_scene("demo", ids[2], 1)  # another program reorders: a click follows the order
    timeline.show("demo")
    assert timeline.blocks.children == before
    before[0].click()
    assert timeline.selected == ids[2]
    workspace.delete_scene("demo", ids[1])
    timeline.show("demo")
    assert timeline.blocks.children == before[:2]
    descriptions = [b.description for b in timeline.blocks.children]
    assert descriptions == ["1. Empty · ≈3 s", "2. Short · 9 s"]
