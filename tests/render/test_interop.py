"""MoviePy clips in and out."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vidkit.errors import InvalidInput
from vidkit.render.compose import compose
from vidkit.render.interop import clip_frames, scene_clip
from vidkit.timeline import AudioLayer, FramesSource, ScreenLayer, Timeline


def test_a_moviepy_clip_is_a_screen_layer_and_comes_back_as_a_clip(
    tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    from moviepy import ColorClip

    clip = ColorClip((160, 90), color=(200, 30, 30), duration=0.5)
    fps = Fraction(25)
    timeline = Timeline(
        320, 180, fps, 25, screen=ScreenLayer(FramesSource("red card")),
        audio=AudioLayer(make_media("audio", 1.0)),
    )  # fmt: skip
    out = compose(
        timeline, tmp_path / "clip.mp4", screen_frames=clip_frames(clip, fps, 25, (320, 180))
    )
    back = scene_clip(out)
    try:
        assert abs(back.duration - 1.0) < 0.05
        middle = back.get_frame(0.8)  # past the clip's end: its last frame is held
        assert middle.shape == (180, 320, 3)
        assert np.allclose(middle[90, 160], (200, 30, 30), atol=12)
    finally:
        back.close()


def test_clip_without_duration_is_refused() -> None:
    from moviepy import ColorClip

    with pytest.raises(InvalidInput, match="no duration"):
        next(clip_frames(ColorClip((4, 4), color=(0, 0, 0)), Fraction(25), 3, (8, 8)))
