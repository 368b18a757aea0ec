"""vidkit.editing.scene_thumbnail: a small JPEG of a scene, from its rendered video or its draft,
kept on disk by content."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from vidkit import editing
from vidkit.api import Workspace
from vidkit.editing import SceneStatus
from vidkit.errors import MediaError


def _image(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image


def test_a_draft_thumbnail_is_small_and_made_once(workspace: Workspace) -> None:
    workspace.create_project("demo", "Demo")
    editing.use_example_presenter(workspace, "demo")
    scene = workspace.add_scene("demo", "One", narration="Lists hold things in order.")
    status = SceneStatus(scene, 2_000)
    jpeg = editing.scene_thumbnail(workspace, "demo", status)
    assert _image(jpeg).size == (editing.THUMBNAIL_WIDTH, 90) and len(jpeg) < 20_000
    (kept,) = editing.thumbnail_cache(workspace).glob("*.jpg")
    stamp = kept.stat().st_mtime_ns
    assert editing.scene_thumbnail(workspace, "demo", status) == jpeg
    assert kept.stat().st_mtime_ns == stamp  # read back, not made again
    workspace.update_scene("demo", scene.id, narration="Something else entirely, and longer.")
    edited = workspace.scene("demo", scene.id)
    assert editing.scene_thumbnail(workspace, "demo", SceneStatus(edited, 3_000)) != jpeg
    assert len(list(editing.thumbnail_cache(workspace).glob("*.jpg"))) == 2
    assert not list(editing.thumbnail_cache(workspace).glob("*.part"))


def test_a_rendered_scene_shows_a_frame_of_its_video(
    workspace: Workspace, make_media: Callable[..., Path], tmp_path: Path
) -> None:
    workspace.create_project("demo", "Demo")
    scene = workspace.add_scene("demo", "One", narration="one two three")
    video = make_media("video", seconds=2.0)
    rendered = SceneStatus(scene, 2_000, spoken=True, cached=True, video=video)
    jpeg = editing.scene_thumbnail(workspace, "demo", rendered)
    image = _image(jpeg)
    assert image.size == (160, 120)  # the video's own aspect (160x120 test pattern)
    # testsrc at 1 s: its colour bars, not the draft's dark background
    _low, high = image.convert("L").getextrema()
    assert isinstance(high, int) and high > 200
    assert jpeg != editing.scene_thumbnail(workspace, "demo", SceneStatus(scene, 1_200))
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all")
    with pytest.raises(MediaError, match=r"broken\.mp4"):
        editing.scene_thumbnail(
            workspace, "demo", SceneStatus(scene, 2_000, True, True, video=broken)
        )
