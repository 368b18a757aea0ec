"""Captions and title cards draw every character a narration may hold (accented Latin, CJK,
emoji), in the render (libass, and the piped card) and in the preview (Pillow) alike: the
glyphs are real ones, not the empty box ("tofu") a font draws for a character it lacks."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.render.test_overlay import ffmpeg_draws, grey_frame
from vidkit import fonts
from vidkit.media import ffmpeg_exe
from vidkit.render.caption_files import to_ass
from vidkit.render.captions import CaptionCue
from vidkit.render.compose import compose
from vidkit.render.overlay import caption_patch, card_patch, over
from vidkit.render.preview import Previewer
from vidkit.timeline import Caption, CaptionLayer, CardLayer, Timeline

MIXED = "Café naïve 東京 🚀"
TOFU = "\U0010fffd"  # no font has it: DejaVu's missing-glyph box, as 東 drew before
GLYPHS = ("東", "京", "🚀", TOFU)
W, H = 640, 360
FPS = Fraction(10)
HOLD = 3  # frames each cue is up


def ink(frame: np.ndarray, box: tuple[slice, slice] | None = None) -> np.ndarray:
    """The white ink of a caption or card (its box and band are dark), cropped to its
    bounding box and scaled to 32 x 32, as floats 0..1."""
    part = frame if box is None else frame[box]
    mask = (part.min(axis=2) > 150).astype(np.float32)
    ys, xs = np.nonzero(mask)
    assert ys.size > 10, "no ink at all"
    crop = mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return np.asarray(cv2.resize(crop, (32, 32), interpolation=cv2.INTER_AREA))


def assert_real_glyphs(shapes: dict[str, np.ndarray]) -> None:
    """東, 京 and 🚀 are each unlike the tofu box, and 東 is unlike 京."""
    tofu = shapes[TOFU]
    for char in ("東", "京", "🚀"):
        assert np.abs(shapes[char] - tofu).mean() > 0.15, f"{char} is drawn as the empty box"
    assert np.abs(shapes["東"] - shapes["京"]).mean() > 0.15, "東 and 京 look the same"


def test_runs_pick_the_face_that_has_each_character() -> None:
    chain = fonts.faces()
    assert [f.family for f in chain] == ["DejaVu Sans", "Noto Sans CJK JP", "Noto Emoji"]
    assert fonts.runs(MIXED, chain) == [("Café naïve ", 0), ("東京 ", 1), ("🚀", 2)]
    # punctuation stays in a CJK run; a skin tone and a variation selector stay with the emoji
    assert fonts.runs("東京, 大阪", chain) == [("東京, 大阪", 1)]
    assert fonts.runs("ok 👍🏽 ✈️!", chain) == [
        ("ok ", 0),
        ("👍🏽", 2),
        (" ", 0),
        ("✈️", 2),
        ("!", 0),
    ]
    assert fonts.runs(TOFU, chain) == [(TOFU, 0)]  # nobody has it: the first face's box
    for face in chain:
        assert (fonts.fonts_dir() / face.path.name).is_file() or face.family == "Noto Emoji"
    assert (fonts.fonts_dir() / "NotoEmoji.ttf").is_file()


def test_ass_names_the_fallback_faces() -> None:
    ass = to_ass([CaptionCue(0, 1000, MIXED)], W, H)
    assert "Café naïve {\\fnNoto Sans CJK JP}東京 {\\fnNoto Emoji}🚀\n" in ass


def test_preview_draws_cjk_and_emoji_glyphs() -> None:
    shapes = {}
    for char in GLYPHS:
        patch = caption_patch(char, W, H)
        assert patch is not None
        frame = np.zeros((H, W, 3), np.uint8)
        over(frame, patch.image, patch.x, patch.y)
        shapes[char] = ink(frame)
    assert_real_glyphs(shapes)
    cards = {}
    for char in GLYPHS:
        patch = card_patch(char, "", W, H)
        frame = np.zeros((H, W, 3), np.uint8)
        over(frame, patch.image, patch.x, patch.y)
        cards[char] = ink(frame)
    assert_real_glyphs(cards)


def test_libass_draws_the_mixed_caption_as_the_preview_does(tmp_path: Path) -> None:
    ass = tmp_path / "cue.ass"
    ass.write_text(to_ass([CaptionCue(0, 2000, MIXED)], 960, 540), encoding="utf-8")
    final = ffmpeg_draws(f"ass={ass}:fontsdir={fonts.fonts_dir()}")
    preview = grey_frame()
    patch = caption_patch(MIXED, 960, 540)
    assert patch is not None
    over(preview, patch.image, patch.x, patch.y)
    ys, xs = np.nonzero(final.sum(axis=2) < 300)
    py, px = np.nonzero(preview.sum(axis=2) < 300)
    for a, b in ((xs.min(), px.min()), (xs.max(), px.max()), (ys.min(), py.min())):
        assert abs(int(a) - int(b)) <= 1  # the box, within a pixel
    assert np.abs(preview.astype(int) - final).mean() < 1.0
    # one box for the line: no darker seam where the font changes (as one box per run had)
    row = final[(ys.min() + ys.max()) // 2, xs.min() + 2 : xs.max() - 2].astype(int)
    background = row[np.abs(row - row.min(axis=0)).sum(axis=1) < 30]
    assert background.max() - background.min() <= 8


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, Timeline]:
    """A scene rendered through compose(): one cue per glyph, then the mixed line, and a
    title card in CJK and emoji at the end."""
    folder = tmp_path_factory.mktemp("fonts")
    texts = [*GLYPHS, MIXED]
    cues = tuple(Caption(i * HOLD, (i + 1) * HOLD, t) for i, t in enumerate(texts))
    card_at = len(texts) * HOLD
    tl = Timeline(
        W, H, FPS, card_at + HOLD, captions=CaptionLayer(cues),
        cards=(CardLayer("東京 🚀", "第1部 — Café", card_at, HOLD),),
    )  # fmt: skip
    ass = folder / "cues.ass"
    ms = 1000 // FPS.numerator
    ass.write_text(
        to_ass([CaptionCue(c.start * ms, c.end * ms, c.text) for c in cues], W, H),
        encoding="utf-8",
    )
    out = compose(tl, folder / "scene.mp4", captions_ass=ass, preset="ultrafast", crf=12)
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(out), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W, 3), tl


def test_render_draws_cjk_and_emoji_glyphs(rendered: tuple[np.ndarray, Timeline]) -> None:
    frames, _ = rendered
    lower = (slice(H // 2, H), slice(0, W))
    shapes = {char: ink(frames[i * HOLD + 1], lower) for i, char in enumerate(GLYPHS)}
    assert_real_glyphs(shapes)


def test_render_matches_the_preview_for_mixed_text_and_cards(
    rendered: tuple[np.ndarray, Timeline],
) -> None:
    frames, tl = rendered
    previewer = Previewer(tl)
    for index in (len(GLYPHS) * HOLD + 1, len(frames) - 2):  # the mixed caption; the card
        preview = previewer.frame(index, size=(W, H)).astype(int)
        assert np.abs(preview - frames[index]).mean() < 2.5, index
    card = frames[-2]
    band = (slice(int(0.36 * H), int(0.64 * H)), slice(0, W))
    title = ink(card, (slice(int(0.40 * H), int(0.50 * H)), slice(0, W)))
    alone = np.zeros((H, W, 3), np.uint8)
    patch = card_patch(TOFU + TOFU + " " + TOFU, "", W, H)  # what the old font drew
    over(alone, patch.image, patch.x, patch.y)
    assert np.abs(title - ink(alone, band)).mean() > 0.1
