"""Scene previews: layers where the final render puts them, caches kept across edits."""

from __future__ import annotations

import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.render.test_fit import run_ffmpeg
from vidkit.errors import InvalidInput
from vidkit.imaging import save_png
from vidkit.model import Layout
from vidkit.render.overlay import caption_patch, card_patch, letterbox_box
from vidkit.render.preview import (
    AVATAR_CACHE_BYTES,
    Previewer,
    clear_preview_caches,
    preview_frame,
)
from vidkit.render.sources import decoder
from vidkit.timeline import (
    AvatarLayer,
    Caption,
    CaptionLayer,
    CardLayer,
    CodeSource,
    FitPlan,
    ImageSource,
    RecordingSource,
    ScreenLayer,
    Timeline,
)
from vidkit.video import RgbaVideoWriter

FPS = Fraction(30)
SIZE = (960, 540)
AVATAR = (200, 250)  # width, height of the stored avatar video
AVATAR_FRAMES = 45


def avatar_colour(i: int) -> tuple[int, int, int]:
    return (40 + 4 * i, 200 - 3 * i, 90)


def avatar_rgba(i: int) -> np.ndarray:
    """An opaque ellipse whose colour tells the frame; transparent (junk green) around it."""
    w, h = AVATAR
    yy, xx = np.mgrid[0:h, 0:w]
    inside = ((xx - w / 2) / (w * 0.45)) ** 2 + ((yy - h / 2) / (h * 0.45)) ** 2 <= 1
    frame = np.zeros((h, w, 4), np.uint8)
    frame[..., 1] = 255
    frame[inside] = (*avatar_colour(i), 255)
    return frame


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("preview")
    recording = folder / "screen43.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30:d=4", str(recording))
    video = folder / "avatar.mkv"
    with RgbaVideoWriter(video, *AVATAR, FPS) as writer:
        for i in range(AVATAR_FRAMES):
            writer.write(avatar_rgba(i))
    still = folder / "slide.png"
    slide = np.zeros((300, 400, 3), np.uint8)
    slide[...] = (250, 250, 240)
    save_png(slide, still)
    return {"recording": recording, "avatar": video, "still": still}


@pytest.fixture(autouse=True)
def fresh_caches() -> None:
    clear_preview_caches()


def scene(assets: dict[str, Path], **changes: object) -> Timeline:
    base = Timeline(
        1920,
        1080,
        FPS,
        120,
        screen=ScreenLayer(RecordingSource(assets["recording"], 4000, 640, 480), FitPlan(1.0)),
        avatar=AvatarLayer(*AVATAR, Layout(), assets["avatar"]),
        captions=CaptionLayer((Caption(30, 60, "Comprehensions read left to right"),)),
        cards=(CardLayer("Loops", "Part 1", 90, 20),),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def preview_box(tl: Timeline) -> tuple[int, int, int, int]:
    assert tl.avatar is not None
    x, y, w, h = tl.avatar.placement(tl.width, tl.height)
    sx, sy = SIZE[0] / tl.width, SIZE[1] / tl.height
    return round(x * sx), round(y * sy), max(2, round(w * sx)), max(2, round(h * sy))


def test_frame_shape_type_and_time(assets: dict[str, Path]) -> None:
    previewer = Previewer(scene(assets))
    frame = previewer.frame(10)
    assert frame.shape == (540, 960, 3) and frame.dtype == np.uint8
    assert np.array_equal(previewer.frame(1.0), previewer.frame(30))
    assert previewer.index(1.0) == 30 and previewer.index(0.999) == 29
    assert previewer.index(99.0) == 119 and previewer.index(500) == 119
    assert previewer.frame(5, size=(320, 180)).shape == (180, 320, 3)
    for bad in (-1, -0.5, True, "1"):
        with pytest.raises(InvalidInput):
            previewer.frame(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        previewer.frame(0, size=(4, 4))
    with pytest.raises(InvalidInput, match="nothing to preview"):
        Previewer(replace(scene(assets), duration=0)).frame(0)


def test_avatar_is_where_placement_says(assets: dict[str, Path], tmp_path: Path) -> None:
    tl = scene(assets, captions=CaptionLayer(), cards=())
    with_avatar = Previewer(tl).frame(7)
    without = Previewer(replace(tl, avatar=None)).frame(7)
    save_png(with_avatar, tmp_path / "avatar.png")
    x, y, w, h = preview_box(tl)
    assert (x, y) == (960 - w - 16, 540 - h - 16)  # bottom-right, 32 px margin at 1080p
    outside = np.ones(with_avatar.shape[:2], bool)
    outside[y : y + h, x : x + w] = False
    assert np.array_equal(with_avatar[outside], without[outside])
    centre = with_avatar[y + h // 2, x + w // 2]
    assert np.abs(centre.astype(int) - avatar_colour(7)).max() <= 4
    assert not np.array_equal(centre, without[y + h // 2, x + w // 2])
    corner = with_avatar[y + 1, x + 1]  # outside the ellipse: transparent, no green bleeding
    assert np.array_equal(corner, without[y + 1, x + 1])


def test_moving_the_avatar_is_fast_and_decodes_nothing(assets: dict[str, Path]) -> None:
    tl = scene(assets)
    face = tl.avatar
    assert face is not None
    first = preview_frame(tl, 40)
    screen = decoder(assets["recording"].resolve(), letterbox_box(640, 480, *SIZE)[2:])
    presenter = decoder(
        assets["avatar"].resolve(), (200, 250), premultiplied=True, cache_bytes=AVATAR_CACHE_BYTES
    )
    runs = (screen.decodes, presenter.decodes)
    assert presenter.cached_frames > 0  # the one the previewer uses
    moved = replace(tl, avatar=replace(face, layout=Layout(corner=None, x=0.25, y=0.4)))
    start = time.perf_counter()
    second = preview_frame(moved, 40)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert (screen.decodes, presenter.decodes) == runs
    assert not np.array_equal(first, second)
    x, y, w, h = preview_box(moved)
    assert np.abs(second[y + h // 2, x + w // 2].astype(int) - avatar_colour(40)).max() <= 4
    bigger = replace(tl, avatar=replace(face, layout=Layout(scale=0.6)))
    assert preview_frame(bigger, 40).shape == (540, 960, 3)
    assert (screen.decodes, presenter.decodes) == runs


def test_avatar_holds_its_last_frame(assets: dict[str, Path]) -> None:
    tl = scene(assets, captions=CaptionLayer(), cards=())
    x, y, w, h = preview_box(tl)
    previewer = Previewer(tl)
    for i in (0, 20, AVATAR_FRAMES - 1, AVATAR_FRAMES + 30):
        centre = previewer.frame(i)[y + h // 2, x + w // 2]
        expected = avatar_colour(min(i, AVATAR_FRAMES - 1))
        assert np.abs(centre.astype(int) - expected).max() <= 4, i


def test_avatar_frames_callback_replaces_the_video(assets: dict[str, Path]) -> None:
    calls: list[int] = []

    def frames(i: int) -> np.ndarray:
        calls.append(i)
        return avatar_rgba(40)

    tl = scene(assets, captions=CaptionLayer(), cards=())
    x, y, w, h = preview_box(tl)
    frame = Previewer(tl, avatar_frames=frames).frame(3)
    assert calls == [3]
    assert np.abs(frame[y + h // 2, x + w // 2].astype(int) - avatar_colour(40)).max() <= 4
    with pytest.raises(InvalidInput, match="RGBA"):
        Previewer(tl, avatar_frames=lambda i: np.zeros((4, 4, 3), np.uint8)).frame(0)


def test_captions_appear_only_during_their_cue(assets: dict[str, Path]) -> None:
    tl = scene(assets, cards=())
    bare = Previewer(replace(tl, captions=CaptionLayer()))
    previewer = Previewer(tl)
    patch = caption_patch("Comprehensions read left to right", *SIZE)
    assert patch is not None
    box = (slice(patch.y, patch.y + patch.image.shape[0]), slice(patch.x, patch.x + 40))
    for i, shown in [(29, False), (30, True), (45, True), (59, True), (60, False)]:
        same = np.array_equal(previewer.frame(i)[box], bare.frame(i)[box])
        assert same is not shown, i
    hidden = Previewer(replace(tl, captions=replace(tl.captions, burn_in=False)))
    assert np.array_equal(hidden.frame(45), bare.frame(45))


def test_title_card_during_its_frames(assets: dict[str, Path]) -> None:
    tl = scene(assets, captions=CaptionLayer(), avatar=None)
    bare = Previewer(replace(tl, cards=()))
    previewer = Previewer(tl)
    patch = card_patch("Loops", "Part 1", *SIZE)
    band = slice(patch.y, patch.y + patch.image.shape[0])
    assert np.array_equal(previewer.frame(89), bare.frame(89))
    darker = previewer.frame(95)[band].astype(int).sum() < bare.frame(95)[band].astype(int).sum()
    assert darker and np.array_equal(previewer.frame(95)[: patch.y], bare.frame(95)[: patch.y])
    assert np.array_equal(previewer.frame(110), bare.frame(110))


def test_four_by_three_recording_is_letterboxed(assets: dict[str, Path]) -> None:
    tl = scene(assets, avatar=None, captions=CaptionLayer(), cards=())
    frame = Previewer(tl).frame(12)
    x, _, w, _ = letterbox_box(640, 480, *SIZE)
    assert (x, w) == (120, 720)
    assert (frame[:, :x] == tl.background).all() and (frame[:, x + w :] == tl.background).all()
    assert (frame[:, x : x + w] != tl.background).any(axis=2).mean() > 0.9


def test_other_screens(assets: dict[str, Path]) -> None:
    blank = Previewer(scene(assets, screen=None, avatar=None, captions=CaptionLayer(), cards=()))
    assert (blank.frame(3) == (24, 26, 33)).all()
    still = Previewer(scene(assets, screen=ScreenLayer(ImageSource(assets["still"])), avatar=None))
    assert tuple(still.frame(0)[270, 480]) == (250, 250, 240)
    code = Previewer(scene(assets, screen=ScreenLayer(CodeSource("print('hi')\n")), avatar=None))
    assert not np.array_equal(code.frame(2), code.frame(100))


def test_edited_timeline_previews_warm(assets: dict[str, Path]) -> None:
    tl = scene(assets)
    preview_frame(tl, 50)
    edited = replace(tl, captions=CaptionLayer((Caption(0, 120, "New words"),)))
    start = time.perf_counter()
    for i in range(50, 60):
        preview_frame(edited, i)
    assert (time.perf_counter() - start) / 10 < 1.0
    previewer = Previewer(tl)
    previewer.timeline = edited
    assert np.array_equal(previewer.frame(55), preview_frame(edited, 55))
