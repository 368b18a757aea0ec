"""compose(): every kind of screen source, piped frames, music, exact length, and failures."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vidkit.errors import RenderError
from vidkit.media import ffmpeg_exe, probe
from vidkit.model import Layout
from vidkit.render.compose import compose, compose_command
from vidkit.render.fit import plan_fit
from vidkit.timeline import (
    AudioLayer,
    AvatarLayer,
    CodeSource,
    ImageSource,
    RecordingSource,
    ScreenLayer,
    Timeline,
)

FPS = Fraction(25)


def _frames(path: Path) -> int:
    out = subprocess.run(
        [ffmpeg_exe(), "-i", str(path), "-map", "0:v", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    return int(out.rsplit("frame=", 1)[1].split()[0])


def _timeline(seconds: float, **layers: object) -> Timeline:
    n = round(seconds * 25)
    return Timeline(320, 180, FPS, n, **layers)  # type: ignore[arg-type]


def _avatar() -> Iterator[np.ndarray]:
    frame = np.zeros((64, 48, 4), np.uint8)
    for i in range(10_000):
        frame[..., 0] = i % 255
        frame[8:56, 8:40, 3] = 255
        yield frame


def test_recording_is_fitted_to_the_exact_length(
    tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    clip = make_media("video", 2.0)
    plan = plan_fit(2000, 3000)
    assert plan.speed < 1
    timeline = _timeline(
        3.0,
        screen=ScreenLayer(RecordingSource(clip, 2000, 160, 120), fit=plan),
        audio=AudioLayer(make_media("audio", 3.0)),
    )
    out = compose(timeline, tmp_path / "rec.mp4")
    assert _frames(out) == 75
    info = probe(out)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (
        320,
        180,
        "h264",
        "aac",
    )


def test_still_image_and_no_screen(tmp_path: Path, make_media: Callable[..., Path]) -> None:
    still = compose(
        _timeline(1.0, screen=ScreenLayer(ImageSource(make_media("image")))), tmp_path / "still.mp4"
    )
    blank = compose(_timeline(1.0), tmp_path / "blank.mp4")
    assert _frames(still) == _frames(blank) == 25


def test_piped_code_and_avatar_with_ducked_music(
    tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    from vidkit.screen.code import CodeTyping

    source = CodeSource("SELECT * FROM t;\n", filename="query.unknownlang")
    timeline = _timeline(
        2.0,
        screen=ScreenLayer(source),
        avatar=AvatarLayer(48, 64, Layout(corner="top-left", margin=4, scale=0.5)),
        audio=AudioLayer(make_media("audio", 2.0), music=make_media("audio", 0.5, name="m.wav")),
    )
    code = CodeTyping(source, 320, 180, FPS, timeline.duration).frames()
    out = compose(timeline, tmp_path / "code.mp4", screen_frames=code, avatar_frames=_avatar())
    assert _frames(out) == 50
    assert probe(out).has_audio


def test_command_uses_frames_not_shortest(tmp_path: Path) -> None:
    job = compose_command(_timeline(1.0), tmp_path / "x.mp4")
    assert "-shortest" not in job.args
    assert job.args[job.args.index("-frames:v") + 1] == "25"
    assert "+faststart" in job.args and "high" in job.args


def test_disk_full_is_reported_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "full.mp4"
    import os

    # The renderer writes .full.<pid>.part.mp4 first; make that name lead to a full disk.
    (tmp_path / f".full.{os.getpid()}.part.mp4").symlink_to("/dev/full")
    with pytest.raises(RenderError, match="the disk is full"):
        compose(_timeline(1.0), out)
    assert not out.exists()


def test_bad_frames_from_python_are_a_clear_error(tmp_path: Path) -> None:
    timeline = _timeline(1.0, screen=ScreenLayer(CodeSource("x")))
    wrong = (np.zeros((10, 10, 3), np.uint8) for _ in range(25))
    with pytest.raises(RenderError, match="bytes, expected"):
        compose(timeline, tmp_path / "bad.mp4", screen_frames=wrong)
    assert not (tmp_path / "bad.mp4").exists()


def _green_presenter() -> Iterator[np.ndarray]:
    frame = np.zeros((64, 48, 4), np.uint8)
    frame[..., 1] = 255
    frame[..., 3] = 255
    while True:
        yield frame


def test_a_title_card_never_hides_the_presenter(tmp_path: Path) -> None:
    """Cards are drawn under the presenter, in the render and in the preview alike."""
    from vidkit.render.preview import Previewer
    from vidkit.timeline import CardLayer

    timeline = _timeline(
        1.0,
        avatar=AvatarLayer(48, 64, Layout(x=0.5, y=0.5, scale=0.5)),  # centre, over the band
        cards=(CardLayer("A long title across the middle", "", 0, 25),),
    )
    out = compose(timeline, tmp_path / "card.mp4", avatar_frames=_green_presenter())
    raw = subprocess.run(
        [ffmpeg_exe(), "-i", str(out), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    rendered = np.frombuffer(raw, np.uint8).reshape(180, 320, 3)
    previewed = Previewer(timeline, avatar_frames=lambda i: next(_green_presenter())).frame(
        0, (320, 180)
    )
    for picture in (rendered, previewed):
        r, g, b = (int(v) for v in picture[90, 160])
        assert g > 200 and r < 60 and b < 60, (r, g, b)  # the presenter, not the card's text


def test_scenes_of_every_screen_source_join_by_stream_copy(
    tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    """A piped code scene, a recording, a still and a blank screen are encoded alike (the same
    sample aspect ratio in the H.264 headers), so a project mixing them assembles."""
    from vidkit.render._mp4 import check_alike, read_scene
    from vidkit.screen.code import CodeTyping

    code = CodeSource("x = 1\n", filename="a.py")
    timeline = _timeline(1.0, screen=ScreenLayer(code))
    frames = CodeTyping(code, 320, 180, FPS, timeline.duration).frames()
    scenes = [
        compose(timeline, tmp_path / "code.mp4", screen_frames=frames),
        compose(
            _timeline(
                1.0, screen=ScreenLayer(RecordingSource(make_media("video"), 1000, 160, 120))
            ),
            tmp_path / "rec.mp4",
        ),
        compose(
            _timeline(1.0, screen=ScreenLayer(ImageSource(make_media("image")))), tmp_path / "i.mp4"
        ),
        compose(_timeline(1.0), tmp_path / "blank.mp4"),
    ]
    check_alike([read_scene(p) for p in scenes])
