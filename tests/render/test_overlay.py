"""Compositing helpers, and captions and title cards that look as the final render draws them
(libass for captions, drawbox / drawtext for cards: both run here for reference)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.render.test_fit import run_ffmpeg
from vidkit.errors import InvalidInput
from vidkit.render.caption_files import AssStyle, to_ass
from vidkit.render.captions import CaptionCue
from vidkit.render.overlay import (
    FONT_BOLD,
    FONT_REGULAR,
    caption_lines,
    caption_patch,
    card_patch,
    font_file,
    letterbox_box,
    over,
    premultiply,
    scale_rgba,
)


def solid(h: int, w: int, rgba: tuple[int, int, int, int]) -> np.ndarray:
    out = np.empty((h, w, 4), np.uint8)
    out[...] = rgba
    return out


def test_over_blends_like_the_float_formula() -> None:
    rng = np.random.default_rng(1)
    dst = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    src = rng.integers(0, 256, (40, 50, 4), dtype=np.uint8)
    pre = premultiply(src)
    expected = pre[..., :3] + dst * (1 - src[..., 3:4] / 255)
    out = dst.copy()
    over(out, pre, 0, 0)
    assert np.abs(out.astype(float) - expected).max() <= 1.0


def test_over_clips_at_every_edge() -> None:
    patch = premultiply(solid(10, 10, (255, 0, 0, 255)))
    for x, y, inside in [(-5, -5, (5, 5)), (15, 15, (5, 5)), (-5, 15, (5, 5)), (-10, 0, (0, 0))]:
        dst = np.zeros((20, 20, 3), np.uint8)
        over(dst, patch, x, y)
        assert (dst[..., 0] == 255).sum() == inside[0] * inside[1]
    dst = np.zeros((20, 20, 3), np.uint8)
    over(dst, patch, 100, -100)
    assert not dst.any()


def test_transparent_and_opaque_extremes() -> None:
    dst = np.full((4, 4, 3), 77, np.uint8)
    over(dst, premultiply(solid(4, 4, (9, 200, 9, 0))), 0, 0)
    assert (dst == 77).all()
    over(dst, premultiply(solid(4, 4, (9, 200, 9, 255))), 0, 0)
    assert (dst == (9, 200, 9)).all()


def test_scaling_does_not_bleed_the_colour_of_transparent_pixels() -> None:
    rgba = solid(64, 64, (0, 255, 0, 0))  # invisible green
    rgba[:, 32:] = (255, 0, 0, 255)  # opaque red
    small = scale_rgba(rgba, 15, 15)
    assert small[..., 1].max() == 0  # premultiplied: no green anywhere
    edge = small[:, 7]
    assert 0 < edge[0, 3] < 255 and edge[0, 0] == edge[0, 3]
    naive = cv2.resize(rgba, (15, 15), interpolation=cv2.INTER_AREA)
    assert naive[:, 7, 1].max() > 50  # straight-alpha scaling would have bled it


def test_scale_rgba_checks_its_input() -> None:
    with pytest.raises(InvalidInput):
        scale_rgba(np.zeros((4, 4, 3), np.uint8), 2, 2)
    same = premultiply(solid(4, 4, (10, 20, 30, 128)))
    assert scale_rgba(same, 4, 4, premultiplied=True) is same


def test_letterbox_box() -> None:
    assert letterbox_box(1920, 1080, 960, 540) == (0, 0, 960, 540)
    assert letterbox_box(1024, 768, 960, 540) == (120, 0, 720, 540)
    assert letterbox_box(1080, 1920, 960, 540) == (328, 0, 304, 540)
    with pytest.raises(InvalidInput):
        letterbox_box(0, 10, 10, 10)


def grey_frame() -> np.ndarray:
    return np.full((540, 960, 3), 128, np.uint8)


def ffmpeg_draws(chain: str) -> np.ndarray:
    """What an ffmpeg filter chain draws on a grey 960 x 540 frame."""
    out = run_ffmpeg(
        *("-f", "lavfi", "-i", "color=c=0x808080:s=960x540:d=1", "-vf", f"format=rgb24,{chain}"),
        *("-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"),
    )
    return np.frombuffer(out, np.uint8).reshape(540, 960, 3)


def box_of(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


@pytest.mark.parametrize(
    "text", ["Hello, world", "List comprehensions build a new list\nfrom any iterable."]
)
def test_caption_looks_like_libass_draws_the_ass_file(tmp_path: Path, text: str) -> None:
    ass = tmp_path / "cue.ass"
    ass.write_text(to_ass([CaptionCue(0, 2000, text)], 960, 540), encoding="utf-8")
    fonts = font_file().parent
    final = ffmpeg_draws(f"ass={ass}:fontsdir={fonts}")
    preview = grey_frame()
    patch = caption_patch(text, 960, 540)
    assert patch is not None
    over(preview, patch.image, patch.x, patch.y)
    assert box_of(preview.sum(axis=2) < 300) == box_of(final.sum(axis=2) < 300)  # the boxes
    assert np.abs(preview.astype(int) - final).mean() < 1.0


def inked(frame: np.ndarray, dark: bool) -> np.ndarray:
    mask = frame.sum(axis=2) < 200 if dark else frame.min(axis=2) > 200
    return np.asarray(mask, bool)


def test_card_looks_like_compose_draws_it() -> None:
    bold, regular = font_file(FONT_BOLD), font_file(FONT_REGULAR)
    final = ffmpeg_draws(
        "drawbox=x=0:y=ih*0.36:w=iw:h=ih*0.28:color=black@0.55:t=fill,"
        f"drawtext=fontfile='{bold}':text='Loops and lists':fontsize=38:fontcolor=white:"
        "x=(w-text_w)/2:y=h*0.42,"
        f"drawtext=fontfile='{regular}':text='Part 1':fontsize=19:fontcolor=white@0.85:"
        "x=(w-text_w)/2:y=h*0.52"
    )
    preview = grey_frame()
    patch = card_patch("Loops and lists", "Part 1", 960, 540)
    over(preview, patch.image, patch.x, patch.y)
    for band in (True, False):  # the dark band, then the white title and subtitle
        left, top, right, bottom = box_of(inked(preview, band))
        expected = box_of(inked(final, band))
        assert abs(left - expected[0]) <= 1 and abs(right - expected[2]) <= 1
        assert abs(top - expected[1]) <= 1 and abs(bottom - expected[3]) <= 1
    assert np.abs(preview.astype(int) - final).mean() < 1.5


def test_caption_lines_follow_the_cue() -> None:
    assert caption_lines("  two   words \n\n second  line ") == ["two words", "second line"]
    assert caption_lines(" \n ") == []
    assert caption_patch("  ", 960, 540) is None


def test_caption_sits_bottom_centre_in_translucent_boxes() -> None:
    patch = caption_patch("Hello, world", 960, 540)
    assert patch is not None
    h, w = patch.image.shape[:2]
    size, pad = round(0.05 * 540), round(0.05 * 540 * 0.25)
    assert h == size + 2 * pad
    assert patch.y + h == 540 - round(0.06 * 540) + pad
    assert abs(patch.x + w / 2 - 480) <= 1
    alpha = patch.image[..., 3]
    assert alpha.max() == 255 and set(np.unique(alpha[:, 1])) <= {0, 153}  # the box, the text
    assert (patch.image[..., :3].max(axis=2) <= alpha).all()  # premultiplied
    outlined = caption_patch("Hello", 960, 540, AssStyle(box=False))
    assert outlined is not None and outlined.image[..., 3].min() == 0  # no box: outlined text


def test_caption_scales_with_the_frame() -> None:
    small, large = caption_patch("Scale me", 960, 540), caption_patch("Scale me", 1920, 1080)
    assert small is not None and large is not None
    assert abs(large.image.shape[0] / small.image.shape[0] - 2) < 0.1
    assert abs(large.image.shape[1] / small.image.shape[1] - 2) < 0.1


def test_card_band_and_texts() -> None:
    patch = card_patch("Loops", "Part 1", 960, 540)
    assert (patch.x, patch.y) == (0, int(0.36 * 540))
    assert patch.image.shape[:2] == (int(0.28 * 540), 960)
    alpha = patch.image[..., 3]
    assert alpha[0, 0] == 140 and alpha.max() == 255
    title_rows = np.nonzero((alpha == 255).any(axis=1))[0] + patch.y
    assert title_rows.min() == round(0.42 * 540) and title_rows.max() < round(0.52 * 540)
    sub = patch.image[round(0.52 * 540) - patch.y :, :, 3]
    assert sub.max() > 140  # the subtitle, at 85 % white over the band
    bare = card_patch("Loops", "", 960, 540)
    assert bare.image[round(0.52 * 540) - bare.y :, :, 3].max() == 140


def test_fonts_are_the_dejavu_files() -> None:
    assert font_file(FONT_REGULAR).name == "DejaVuSans.ttf" and font_file(FONT_BOLD).is_file()
    with pytest.raises(InvalidInput):
        font_file("NoSuchFont.ttf")
