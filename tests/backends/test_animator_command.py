"""CommandAnimator with real commands: ffmpeg itself plays the talking-head tool (a still
portrait over the narration), plus tools that fail, hang, or write nothing."""

from __future__ import annotations

import shlex
import sys
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from vidkit.backends.animator import frame_count
from vidkit.backends.animator.command import CommandAnimator
from vidkit.backends.facerig import Rig
from vidkit.errors import BackendError, InvalidInput
from vidkit.media import ffmpeg_exe
from vidkit.timing import Timings

FPS = Fraction(30)
FFMPEG = shlex.quote(ffmpeg_exe())
PYTHON = shlex.quote(sys.executable)
Image = npt.NDArray[np.uint8]


def still_tool(seconds: str = "", rate: int = 25) -> str:
    """A talking-head 'tool': the portrait as a still video over the audio."""
    length = f"-t {seconds}" if seconds else "-shortest"
    return (
        f"{FFMPEG} -y -loglevel error -loop 1 -i {{image}} -i {{audio}} {length} -r {rate} "
        '-vf "scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p" -c:v libx264 -preset ultrafast '
        "-c:a aac {out}"
    )


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "narration.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        t = np.arange(24000) / 16000
        out.writeframes((4000 * np.sin(2 * np.pi * 200 * t)).astype("<i2").tobytes())
    return path


@pytest.fixture
def timings() -> Timings:
    return Timings(duration_ms=1500)


@pytest.fixture
def portrait() -> Image:
    """96 x 64, left half opaque and coloured, right half transparent."""
    image = np.zeros((64, 96, 4), dtype=np.uint8)
    image[..., 0] = np.linspace(0, 255, 96, dtype=np.uint8)[None, :]
    image[..., 1] = np.linspace(0, 255, 64, dtype=np.uint8)[:, None]
    image[..., 2] = 90
    image[:, :48, 3] = 255
    return image


@pytest.fixture
def rig() -> Rig:
    return Rig(width=96, height=64, landmarks=np.zeros((478, 3), dtype=np.float32))


def run(
    animator: CommandAnimator,
    portrait: Image,
    rig: Rig,
    wav: Path,
    timings: Timings,
    fps: Fraction = FPS,
) -> list[Image]:
    return list(animator.frames(portrait, rig, wav, timings, fps))


def test_a_still_talking_head_comes_back_frame_for_frame(
    portrait: Image, rig: Rig, wav: Path, timings: Timings
) -> None:
    frames = run(CommandAnimator(still_tool()), portrait, rig, wav, timings)
    assert len(frames) == frame_count(1500, FPS) == 45
    for frame in frames:
        assert frame.shape == (64, 96, 4) and frame.dtype == np.uint8
        assert np.array_equal(frame[..., 3], portrait[..., 3])  # the portrait's own alpha
    # the tool saw the portrait (opaque part as it is, transparent part over white)
    left = np.abs(frames[20][:, 8:40, :3].astype(int) - portrait[:, 8:40, :3]).mean()
    assert left < 8
    assert frames[20][:, 60:, :3].mean() > 235


def test_a_short_video_is_held_and_a_long_one_cut(
    portrait: Image, rig: Rig, wav: Path, timings: Timings
) -> None:
    short = run(CommandAnimator(still_tool("0.4", rate=10)), portrait, rig, wav, timings)
    assert len(short) == 45
    assert np.array_equal(short[-1], short[20])
    long = run(CommandAnimator(still_tool("4")), portrait, rig, wav, timings)
    assert len(long) == 45


def test_resampled_to_the_requested_rate(portrait: Image, rig: Rig, wav: Path) -> None:
    ntsc = Fraction(30000, 1001)
    frames = run(
        CommandAnimator(still_tool("3", rate=25)),
        portrait,
        rig,
        wav,
        Timings(duration_ms=2000),
        ntsc,
    )
    assert len(frames) == frame_count(2000, ntsc) == 60


class EdgeMatting:
    """A real (tiny) Matting backend: everything brighter than a threshold is the person."""

    def __init__(self) -> None:
        self.calls = 0

    def fingerprint(self) -> str:
        return "edge-matting"

    def mask(self, image: Image) -> Image:
        self.calls += 1
        return np.where(image.mean(axis=2) > 128, 255, 0).astype(np.uint8)


def test_alpha_from_the_matting_backend_frame_by_frame(
    portrait: Image, rig: Rig, wav: Path, timings: Timings
) -> None:
    matting = EdgeMatting()
    frames = run(CommandAnimator(still_tool(), matting), portrait, rig, wav, timings)
    assert 40 <= matting.calls <= 45  # once per decoded frame (held frames reuse the last)
    assert np.array_equal(frames[10][..., 3], matting.mask(frames[10][..., :3]))
    assert not np.array_equal(frames[10][..., 3], portrait[..., 3])


def test_a_failing_tool_reports_its_stderr(
    portrait: Image, rig: Rig, wav: Path, timings: Timings
) -> None:
    tool = CommandAnimator(f"{FFMPEG} -i {{image}} -i {{audio}} -no-such-option {{out}}")
    with pytest.raises(BackendError, match="exit status") as error:
        run(tool, portrait, rig, wav, timings)
    assert "no-such-option" in str(error.value)


def test_a_tool_that_writes_nothing(portrait: Image, rig: Rig, wav: Path, timings: Timings) -> None:
    script = "import sys; print('thinking hard', file=sys.stderr)"
    tool = CommandAnimator(f"{PYTHON} -c {shlex.quote(script)} {{image}} {{audio}} {{out}}")
    with pytest.raises(BackendError, match="wrote no video") as error:
        run(tool, portrait, rig, wav, timings)
    assert "thinking hard" in str(error.value)


def test_a_tool_that_writes_no_video(
    portrait: Image, rig: Rig, wav: Path, timings: Timings
) -> None:
    script = "import sys; open(sys.argv[3], 'w').write('not a video')"
    tool = CommandAnimator(f"{PYTHON} -c {shlex.quote(script)} {{image}} {{audio}} {{out}}")
    with pytest.raises(BackendError, match="video"):
        run(tool, portrait, rig, wav, timings)


def test_a_missing_program(portrait: Image, rig: Rig, wav: Path, timings: Timings) -> None:
    tool = CommandAnimator("no-such-talking-head --in {image} --audio {audio} --out {out}")
    with pytest.raises(BackendError, match="not found"):
        run(tool, portrait, rig, wav, timings)


def test_a_tool_that_hangs_is_stopped(
    portrait: Image, rig: Rig, wav: Path, timings: Timings
) -> None:
    script = "import time; time.sleep(30)"
    tool = CommandAnimator(
        f"{PYTHON} -c {shlex.quote(script)} {{image}} {{audio}} {{out}}", timeout_s=0.5
    )
    with pytest.raises(BackendError, match=r"over 0\.5 s"):
        run(tool, portrait, rig, wav, timings)


def test_the_tool_runs_only_when_frames_are_wanted(
    tmp_path: Path, portrait: Image, rig: Rig, wav: Path, timings: Timings
) -> None:
    marker = tmp_path / "ran"
    script = f"open({str(marker)!r}, 'w')"
    tool = CommandAnimator(f"{PYTHON} -c {shlex.quote(script)} {{image}} {{audio}} {{out}}")
    frames = tool.frames(portrait, rig, wav, timings, FPS)
    assert not marker.exists()
    with pytest.raises(BackendError):
        next(frames)
    assert marker.exists()


def test_the_template_needs_its_placeholders() -> None:
    with pytest.raises(InvalidInput, match=r"\{audio\}"):
        CommandAnimator("tool --image {image} --out {out}")
    with pytest.raises(InvalidInput, match="split"):
        CommandAnimator("tool 'unclosed {image} {audio} {out}")
