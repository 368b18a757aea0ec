"""The presenter is framed head-and-shoulders; render and preview show the same crop."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from vidkit.model import Layout
from vidkit.render.preview import Previewer
from vidkit.timeline import AvatarLayer, Timeline, head_and_shoulders
from vidkit.video import RgbaVideoWriter


def test_crop_frames_the_face_inside_the_picture() -> None:
    x, y, w, h = head_and_shoulders((180, 71, 270, 177), 512, 512)
    assert x <= 180 and x + w >= 270 and y <= 71 and y + h >= 177 + 106
    assert x >= 0 and y >= 0 and x + w <= 512 and y + h <= 512
    assert all(v % 2 == 0 for v in (x, y, w, h))
    assert abs(w / h - 0.8) < 0.05
    # A face at the picture's edge stays inside the picture.
    x, y, w, h = head_and_shoulders((0, 0, 60, 60), 100, 100)
    assert x >= 0 and y >= 0 and x + w <= 100 and y + h <= 100


def test_placement_uses_the_cropped_aspect() -> None:
    full = AvatarLayer(512, 512, Layout(scale=0.5))
    cropped = AvatarLayer(512, 512, Layout(scale=0.5), crop=(100, 0, 256, 320))
    assert full.placement(1920, 1080)[2:] == (540, 540)
    assert cropped.placement(1920, 1080)[2:] == (432, 540)


def test_preview_shows_only_the_crop(tmp_path: Path) -> None:
    video = tmp_path / "avatar.mkv"
    frame = np.zeros((64, 64, 4), np.uint8)
    frame[:, :32] = (255, 0, 0, 255)  # left half red
    frame[:, 32:] = (0, 0, 255, 255)  # right half blue
    with RgbaVideoWriter(video, 64, 64, Fraction(25)) as writer:
        for _ in range(5):
            writer.write(frame)
    layout = Layout(corner="top-left", margin=0, scale=1.0)
    crop = AvatarLayer(64, 64, layout, video=video, crop=(32, 0, 32, 64))
    shown = Previewer(Timeline(64, 64, Fraction(25), 5, avatar=crop)).frame(0, size=(64, 64))
    assert shown[32, 16, 2] > 200 and shown[32, 16, 0] < 60, "the blue half fills the box"
