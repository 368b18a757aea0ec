"""plan_fit decisions and fit_filter run for real by ffmpeg on recordings with a frame counter.

The generated recordings draw their frame number in binary (16 bars of 8 px, white = 1), so the
source frame behind every output frame can be read back after encoding.
"""

from __future__ import annotations

import math
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from vidkit.errors import InvalidInput, MediaError
from vidkit.media import ffmpeg_exe
from vidkit.render.fit import fit_filter, plan_fit
from vidkit.render.sources import open_recording
from vidkit.timeline import FitPlan, frames_to_ms

COUNTER_W, COUNTER_H = 128, 32


def run_ffmpeg(*args: str) -> bytes:
    """Run the bundled ffmpeg quietly (overwriting outputs); its standard output."""
    done = subprocess.run(
        [ffmpeg_exe(), "-y", "-nostdin", "-loglevel", "error", *args],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def counter_video(
    path: Path,
    *,
    fps: int = 30,
    seconds: float = 2.0,
    gop: int = 12,
    gap_after: int = 0,
    start: float = 0.0,
) -> Path:
    """An H.264 MP4 whose frame n shows n in binary; ``gap_after`` > 0 makes it variable-rate
    (a 0.5 s hole in the timestamps after that frame, as screen recorders do when idle);
    ``start`` > 0 makes its timestamps start there (as cut-out or streamed files do)."""
    bits = "255*mod(floor(N/pow(2,floor(X/8))),2)"
    size = f"{COUNTER_W}x{COUNTER_H}"
    src = f"nullsrc=size={size}:rate={fps}:d={seconds},geq=lum='{bits}':cb=128:cr=128"
    args = ["-f", "lavfi", "-i", src]
    if gap_after:
        args += ["-vf", f"setpts=N/{fps}/TB+gte(N\\,{gap_after})*0.5/TB", "-fps_mode", "vfr"]
    args += ["-c:v", "libx264", "-g", str(gop), "-sc_threshold", "0", "-bf", "2", "-crf", "12"]
    args += ["-pix_fmt", "yuv420p", "-output_ts_offset", str(start)]
    run_ffmpeg(*args, str(path))
    return path


def read_counter(frame: npt.NDArray[np.uint8]) -> int:
    """The number a counter frame shows (RGB or grey, at the counter's own size)."""
    row = frame[COUNTER_H // 2, 4::8]
    if row.ndim == 2:
        row = row[:, 0]
    return int(sum(1 << b for b, v in enumerate(row[:16]) if v > 128))


def render_fitted(path: Path, plan: FitPlan, fps: Fraction, frames: int) -> list[int]:
    """Run fit_filter through ffmpeg; the counter value of every output frame."""
    chain = fit_filter(plan, fps, frames)
    out = run_ffmpeg("-i", str(path), "-vf", chain, "-f", "rawvideo", "-pix_fmt", "gray", "-")
    grey = np.frombuffer(out, np.uint8).reshape(-1, COUNTER_H, COUNTER_W)
    return [read_counter(f) for f in grey]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fit")
    return {
        "30fps-2s": counter_video(folder / "a.mp4", fps=30, seconds=2.0),
        "25fps-4s": counter_video(folder / "b.mp4", fps=25, seconds=4.0, gop=25),
        "30fps-6s": counter_video(folder / "c.mp4", fps=30, seconds=6.0, gop=60),
        "30fps-0.6s": counter_video(folder / "d.mp4", fps=30, seconds=0.6),
    }


# ---- plan_fit ---------------------------------------------------------------------------------


def test_within_the_cap_the_speed_is_the_ratio() -> None:
    plan = plan_fit(16_000, 10_000)
    assert plan.mode == "exact" and plan.speed == pytest.approx(1.6)
    assert plan.note == "sped up 1.6×"
    slow = plan_fit(8_000, 10_000)
    assert slow.speed == pytest.approx(0.8) and slow.note == "slowed to 0.8×"
    assert plan_fit(10_000, 10_000).note == "plays as recorded"


@pytest.mark.parametrize(("source", "speed"), [(5_000, 0.5), (20_000, 2.0)])
def test_the_cap_itself_is_still_exact(source: int, speed: float) -> None:
    plan = plan_fit(source, 10_000)
    assert plan.mode == "exact" and plan.speed == speed


def test_too_short_slows_to_the_cap_then_freezes() -> None:
    plan = plan_fit(3_400, 10_000)
    assert (plan.mode, plan.speed) == ("freeze", 0.5)
    assert plan.note == "slowed to 0.5× and froze the last frame for 3.2 s"


def test_too_long_plays_at_the_cap_then_cuts() -> None:
    plan = plan_fit(101_000, 30_000)
    assert (plan.mode, plan.speed) == ("cut", 2.0)
    assert plan.note == "played at 2× and cut the last 41 s"


def test_beyond_freeze_never_cuts_and_beyond_cut_never_freezes() -> None:
    fast = plan_fit(101_000, 30_000, beyond="freeze")
    assert fast.mode == "exact" and fast.speed == pytest.approx(101 / 30)
    assert fast.note == "sped up 3.37× (past the 2× cap, so that nothing is cut)"
    slow = plan_fit(3_000, 10_000, beyond="cut")
    assert slow.mode == "exact" and slow.speed == pytest.approx(0.3)
    assert "past the 0.5× cap" in slow.note
    # the other direction is unaffected
    assert plan_fit(3_000, 10_000, beyond="freeze").mode == "freeze"
    assert plan_fit(101_000, 30_000, beyond="cut").mode == "cut"


def test_custom_caps() -> None:
    plan = plan_fit(15_000, 10_000, max_speed=1.25)
    assert (plan.mode, plan.speed) == ("cut", 1.25)
    assert plan.note == "played at 1.25× and cut the last 2.5 s"


def test_zero_length_recording_is_a_media_error() -> None:
    with pytest.raises(MediaError, match="no length"):
        plan_fit(0, 10_000)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_speed": 0.0},
        {"min_speed": 1.5},
        {"max_speed": 0.9},
        {"beyond": "loop"},
    ],
)
def test_bad_settings_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        plan_fit(10_000, 10_000, **kwargs)  # type: ignore[arg-type]


def test_a_scene_without_length_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="more than 0 ms"):
        plan_fit(10_000, 0)


# ---- fit_filter -------------------------------------------------------------------------------


def test_filter_text() -> None:
    chain = fit_filter(FitPlan(1.6, "exact"), Fraction(30000, 1001), 300)
    assert chain.startswith("setpts=(PTS-STARTPTS)/1.6,fps=30000/1001,tpad=stop_mode=clone:")
    assert chain.endswith(",trim=end_frame=300")


@pytest.mark.parametrize(
    ("plan", "fps", "frames"),
    [
        (FitPlan(0.0), Fraction(30), 10),
        (FitPlan(1.0), Fraction(0), 10),
        (FitPlan(1.0), Fraction(30), 0),
    ],
)
def test_filter_rejects_nonsense(plan: FitPlan, fps: Fraction, frames: int) -> None:
    with pytest.raises(InvalidInput):
        fit_filter(plan, fps, frames)


CASES = [
    # recording, output fps, output frames, plan options
    ("30fps-2s", Fraction(30), 60, {}),  # 1x
    ("30fps-2s", Fraction(30), 40, {}),  # 1.5x
    ("30fps-2s", Fraction(30), 30, {}),  # exactly 2x: the cap
    ("30fps-2s", Fraction(30), 120, {}),  # exactly 0.5x: the cap
    ("30fps-0.6s", Fraction(30), 90, {}),  # too short: 0.5x, then a 1.8 s freeze
    ("30fps-6s", Fraction(30), 60, {}),  # too long: 2x, then cut 2 s
    ("30fps-6s", Fraction(30), 60, {"beyond": "freeze"}),  # 3x, nothing cut
    ("30fps-0.6s", Fraction(30), 90, {"beyond": "cut"}),  # 0.2x, nothing frozen
    ("25fps-4s", Fraction(30), 100, {}),  # 25 -> 30 fps at 1.2x
    ("25fps-4s", Fraction(30000, 1001), 150, {}),  # NTSC rate, 0.8x
    ("25fps-4s", Fraction(24), 24, {}),  # 4x: cut at 2x
]


@pytest.mark.parametrize(("name", "fps", "frames", "options"), CASES)
def test_filter_gives_exactly_the_scene(
    media: dict[str, Path], name: str, fps: Fraction, frames: int, options: dict[str, str]
) -> None:
    path = media[name]
    recording = open_recording(path)
    plan = plan_fit(recording.duration_ms, frames_to_ms(frames, fps), **options)  # type: ignore[arg-type]
    shown = render_fitted(path, plan, fps, frames)
    assert len(shown) == frames
    assert shown == sorted(shown), "the recording never runs backwards"
    src_fps = 30 if name.startswith("30") else 25
    last = round(recording.duration_ms * src_fps / 1000) - 1
    played = [n for k, n in enumerate(shown) if k == 0 or n != last or shown[k - 1] != last]
    ratio = plan.speed * src_fps / fps  # source frames per output frame
    for k, n in enumerate(played[:-1]):  # the latest source frame whose time rounds to <= k
        assert abs(n - (math.ceil((k + 0.5) * ratio) - 1)) <= 1, (k, n)
    if plan.mode == "freeze":
        frozen = frames - len(played)
        expected = frames - recording.duration_ms / 1000 / plan.speed * fps
        assert shown[-1] == last and abs(frozen - expected) <= 2
    elif plan.mode == "cut":
        assert shown[-1] < last - fps  # more than a second of the recording is not shown
        assert abs(shown[-1] - frames / fps * plan.speed * src_fps) <= 2
    else:
        assert shown[-1] >= last - 2 * plan.speed  # the whole recording is shown


def test_variable_rate_recording_keeps_its_timing(tmp_path: Path) -> None:
    path = counter_video(tmp_path / "vfr.mp4", fps=30, seconds=2.0, gap_after=30)
    shown = render_fitted(path, FitPlan(1.0), Fraction(30), 75)
    assert len(shown) == 75
    # frame 29 (at 0.967 s) stays on screen through the 0.5 s hole; frame 30 comes at 1.5 s
    assert shown[:29] == list(range(29))
    assert shown[29:45] == [29] * 16 and shown[45:] == list(range(30, 60))


def test_recording_without_video_is_refused(tmp_path: Path) -> None:
    audio = tmp_path / "voice.m4a"
    run_ffmpeg("-f", "lavfi", "-i", "sine=d=1", str(audio))
    with pytest.raises(MediaError, match="no video"):
        open_recording(audio)


@pytest.mark.parametrize("content", [b"", b"\x00\x00\x00\x18ftypmp42" + b"\x17" * 3000])
def test_empty_or_corrupt_recording_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.mp4"
    path.write_bytes(content)
    with pytest.raises(MediaError, match=r"empty|not a readable"):
        open_recording(path)


def test_recording_without_frames_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zero.mp4"
    run_ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "0", str(path))
    with pytest.raises(MediaError):
        open_recording(path)
