"""Screen sources for previews: the same frames as the final render, letterboxed, cached."""

from __future__ import annotations

import random
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.render.test_fit import (
    COUNTER_H,
    COUNTER_W,
    counter_video,
    read_counter,
    render_fitted,
    run_ffmpeg,
)
from vidkit.errors import MediaError
from vidkit.imaging import save_png
from vidkit.render.fit import plan_fit
from vidkit.render.overlay import letterbox_box
from vidkit.render.sources import (
    CodeFrames,
    FrameDecoder,
    ImageFrames,
    RecordingFrames,
    clear_decoders,
    decoder,
    open_recording,
)
from vidkit.screen.code import CodeTyping
from vidkit.timeline import CodeSource, FitPlan, frames_to_ms
from vidkit.video import RgbaVideoWriter

BG = (24, 26, 33)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sources")
    return {
        "cfr": counter_video(folder / "cfr.mp4", fps=25, seconds=4.0, gop=25),
        "long-gop": counter_video(folder / "gop.mp4", fps=30, seconds=6.0, gop=60),
        "vfr": counter_video(folder / "vfr.mp4", fps=30, seconds=2.0, gap_after=30),
        "short": counter_video(folder / "short.mp4", fps=30, seconds=0.6),
        "offset": counter_video(folder / "offset.mp4", fps=25, seconds=4.0, gop=25, start=1.5),
    }


@pytest.fixture(autouse=True)
def fresh_decoders() -> None:
    clear_decoders()


def preview_counts(
    path: Path, plan: FitPlan, fps: Fraction, frames: int, order: list[int]
) -> list[int]:
    source = RecordingFrames(path, COUNTER_W, COUNTER_H, fps, plan, frames)
    got = {i: read_counter(source.frame(i)) for i in order}
    return [got[i] for i in range(frames)]


@pytest.mark.parametrize(
    ("clip", "fps", "frames"),
    [
        ("cfr", Fraction(30), 100),  # 1.2x, 25 -> 30 fps
        ("cfr", Fraction(30000, 1001), 150),  # 0.8x
        ("long-gop", Fraction(30), 60),  # 2x and cut
        ("short", Fraction(30), 90),  # 0.5x and freeze
        ("vfr", Fraction(30), 75),  # a hole in the timestamps
        ("vfr", Fraction(24), 50),
        ("offset", Fraction(30), 100),  # timestamps starting at 1.5 s
    ],
)
def test_preview_shows_what_the_render_shows(
    clips: dict[str, Path], clip: str, fps: Fraction, frames: int
) -> None:
    path = clips[clip]
    plan = plan_fit(open_recording(path).duration_ms, frames_to_ms(frames, fps))
    rendered = render_fitted(path, plan, fps, frames)
    order = list(range(frames))
    assert preview_counts(path, plan, fps, frames, order) == rendered
    random.Random(frames).shuffle(order)
    clear_decoders()
    assert preview_counts(path, plan, fps, frames, order) == rendered


def test_scrubbing_forward_reads_on_instead_of_seeking(clips: dict[str, Path]) -> None:
    source = RecordingFrames(clips["long-gop"], COUNTER_W, COUNTER_H, Fraction(30), FitPlan(), 180)
    assert [read_counter(source.frame(i)) for i in range(180)] == list(range(180))
    assert source.decoder.decodes <= 3  # the first frame, one seek, then reading on


def test_scrubbing_backward_decodes_in_chunks(clips: dict[str, Path]) -> None:
    source = RecordingFrames(clips["long-gop"], COUNTER_W, COUNTER_H, Fraction(30), FitPlan(), 180)
    assert [read_counter(source.frame(i)) for i in reversed(range(180))] == list(range(179, -1, -1))
    # each miss decodes back ~3/4 of a chunk (18 frames), or to the keyframe when one is closer
    assert source.decoder.decodes <= 180 / 12


def test_keyframe_index_comes_from_a_background_scan(clips: dict[str, Path]) -> None:
    made = FrameDecoder(clips["long-gop"], size=(COUNTER_W, COUNTER_H))
    made.shown(0)
    deadline = time.monotonic() + 10
    while made.keyframes is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert made.keyframes == pytest.approx([0.0, 2.0, 4.0])
    made.close()


def test_cache_stays_within_its_budget(clips: dict[str, Path]) -> None:
    frame_bytes = COUNTER_W * COUNTER_H * 3
    made = FrameDecoder(clips["long-gop"], cache_bytes=10 * frame_bytes)
    for i in range(0, 180, 7):
        assert read_counter(made.shown(i)) == i
        assert made.cached_bytes <= 10 * frame_bytes
    assert made.chunk == 5  # at most half the budget per chunk
    made.close()


def test_frames_are_read_only_and_copies_are_returned(clips: dict[str, Path]) -> None:
    made = decoder(clips["cfr"], None)
    with pytest.raises(ValueError, match="read-only"):
        made.shown(3)[0, 0] = 0
    source = RecordingFrames(clips["cfr"], 64, 64, Fraction(25), FitPlan(), 100)
    first = source.frame(0)
    first[...] = 0
    assert source.frame(0).any()


def test_decoders_are_shared_by_file_and_size(clips: dict[str, Path]) -> None:
    assert decoder(clips["cfr"], (64, 16)) is decoder(clips["cfr"], (64, 16))
    assert decoder(clips["cfr"], (64, 16)) is not decoder(clips["cfr"], (32, 8))
    a = RecordingFrames(clips["cfr"], 64, 16, Fraction(30), FitPlan(1.0), 30)
    b = RecordingFrames(clips["cfr"], 64, 16, Fraction(30), FitPlan(1.5), 30)
    assert a.decoder is b.decoder  # a new fit keeps the decoded frames


@pytest.mark.parametrize(
    ("src", "dst"),
    [((1024, 768), (960, 540)), ((1366, 768), (1920, 1080)), ((1080, 1920), (960, 540)),
     ((2560, 1080), (960, 540)), ((640, 480), (1920, 1080)), ((1000, 1000), (854, 480))],
)  # fmt: skip
def test_letterbox_matches_ffmpeg_scale_and_pad(
    tmp_path: Path, src: tuple[int, int], dst: tuple[int, int]
) -> None:
    w, h = dst
    chain = (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black"
    )
    colour = f"color=white:s={src[0]}x{src[1]}"
    out = run_ffmpeg(
        *("-f", "lavfi", "-i", colour, "-vf", f"format=yuv420p,{chain}", "-frames:v", "1"),
        *("-f", "rawvideo", "-pix_fmt", "gray", "-"),
    )
    grey = np.frombuffer(out, np.uint8).reshape(h, w)
    ys, xs = np.nonzero(grey > 128)
    found = (
        int(xs.min()),
        int(ys.min()),
        int(xs.max() - xs.min() + 1),
        int(ys.max() - ys.min() + 1),
    )
    assert letterbox_box(*src, *dst) == found


def test_four_by_three_recording_is_pillarboxed(tmp_path: Path) -> None:
    path = tmp_path / "43.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "color=white:s=640x480:d=1", "-pix_fmt", "yuv420p", str(path))
    frame = RecordingFrames(path, 960, 540, Fraction(30), FitPlan(), 30, background=BG).frame(5)
    assert frame.shape == (540, 960, 3) and frame.dtype == np.uint8
    x, y, w, h = letterbox_box(640, 480, 960, 540)
    assert (x, y, w, h) == (120, 0, 720, 540)
    assert (frame[:, :x] == BG).all() and (frame[:, x + w :] == BG).all()
    assert (frame[:, x + 2 : x + w - 2] > 240).all()
    save_png(frame, tmp_path / "pillarbox.png")


def test_truncated_recording_freezes_on_its_last_readable_frame(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    whole = tmp_path / "whole.mp4"
    run_ffmpeg("-i", str(clips["long-gop"]), "-c", "copy", "-movflags", "+faststart", str(whole))
    cut = tmp_path / "cut.mp4"
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    source = RecordingFrames(cut, COUNTER_W, COUNTER_H, Fraction(30), FitPlan(), 180)
    counts = [read_counter(source.frame(i)) for i in range(0, 180, 5)]
    assert counts == sorted(counts) and 10 < counts[-1] < 179
    assert counts[-3:] == [counts[-1]] * 3


def test_audio_only_file_is_refused(tmp_path: Path) -> None:
    audio = tmp_path / "voice.wav"
    run_ffmpeg("-f", "lavfi", "-i", "sine=d=1", str(audio))
    with pytest.raises(MediaError, match="no video"):
        RecordingFrames(audio, 320, 180, Fraction(30), FitPlan(), 30)
    with pytest.raises(MediaError, match="no video"):
        FrameDecoder(audio)


def test_still_image_is_letterboxed_once(tmp_path: Path) -> None:
    picture = np.zeros((300, 300, 3), np.uint8)
    picture[...] = (200, 10, 10)
    save_png(picture, tmp_path / "square.png")
    source = ImageFrames(tmp_path / "square.png", 320, 180, background=BG)
    frame = source.frame(0)
    assert frame.shape == (180, 320, 3)
    x, _, w, _ = letterbox_box(300, 300, 320, 180)
    assert (frame[:, : x - 1] == BG).all() and (frame[:, x + w + 1 :] == BG).all()
    assert (frame[5:-5, x + 2 : x + w - 2] == (200, 10, 10)).all()
    frame[...] = 0
    assert source.frame(7).any()


def test_code_source_draws_with_code_typing() -> None:
    code = CodeSource("for i in range(3):\n    print(i)\n")
    source = CodeFrames(code, 480, 270, Fraction(30), 60)
    typing = CodeTyping(code, 480, 270, Fraction(30), 60)
    for i in (0, 30, 59, 80):
        frame = source.frame(i)
        assert frame.shape == (270, 480, 3) and frame.dtype == np.uint8
        assert np.array_equal(frame, typing.frame(min(i, 59)))
    assert not np.array_equal(source.frame(0), source.frame(59))


def test_code_source_takes_any_renderer() -> None:
    class Flat:
        def __init__(self, source: CodeSource, w: int, h: int, fps: Fraction, n: int) -> None:
            self.w, self.h = w, h

        def frame(self, index: int) -> np.ndarray:
            return np.full((self.h, self.w, 3), index, np.uint8)

    source = CodeFrames(CodeSource("x = 1"), 64, 64, Fraction(30), 10, factory=Flat)
    assert source.frame(4)[0, 0, 0] == 4 and source.frame(40)[0, 0, 0] == 9


def test_premultiplied_decoding_keeps_transparent_colour_out_of_edges(tmp_path: Path) -> None:
    path = tmp_path / "alpha.mkv"
    with RgbaVideoWriter(path, 64, 64, Fraction(30)) as writer:
        for _ in range(3):
            frame = np.zeros((64, 64, 4), np.uint8)
            frame[..., 1] = 255  # invisible green
            frame[:, 32:] = (255, 0, 0, 255)  # opaque red
            writer.write(frame)
    clean = FrameDecoder(path, size=(15, 15), premultiplied=True).shown(1)
    assert clean.shape == (15, 15, 4)
    assert clean[..., 1].max() <= 2 and (clean[..., :3].max(axis=2) <= clean[..., 3]).all()
    assert 0 < clean[0, 7, 3] < 255  # the edge is part-transparent
    straight = FrameDecoder(path, size=(15, 15), alpha=True).shown(1)
    assert straight[:, 7, 1].max() > 50  # without premultiplying, the green would show


def test_threads_scrubbing_at_once_see_the_right_frames(clips: dict[str, Path]) -> None:
    path, fps, frames = clips["long-gop"], Fraction(30), 180
    truth = render_fitted(path, FitPlan(1.0), fps, frames)
    source = RecordingFrames(path, COUNTER_W, COUNTER_H, fps, FitPlan(1.0), frames)
    errors: list[tuple[int, int]] = []

    def scrub(seed: int) -> None:
        rng = random.Random(seed)
        i = rng.randrange(frames)
        for _ in range(60):  # mostly forward steps, some jumps
            i = rng.randrange(frames) if rng.random() < 0.2 else min(frames - 1, i + 1)
            got = read_counter(source.frame(i))
            if got != truth[i]:
                errors.append((i, got))

    workers = [threading.Thread(target=scrub, args=(seed,)) for seed in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors
