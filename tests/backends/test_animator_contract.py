"""The Animator contract, run against every implementation (a new animator adds itself to
IMPLEMENTATIONS and gets the whole suite)."""

from __future__ import annotations

import inspect
import shlex
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests.backends import portraits
from vidkit.backends.animator import Animator, frame_count
from vidkit.backends.animator.command import CommandAnimator
from vidkit.backends.animator.embedded import EmbeddedAnimator
from vidkit.backends.facerig import Rig
from vidkit.backends.facerig.mediapipe import MediaPipeFaceRig
from vidkit.media import ffmpeg_exe
from vidkit.timing import PhonemeTiming, Timings

Image = npt.NDArray[np.uint8]
STILL = (
    f"{shlex.quote(ffmpeg_exe())} -y -loglevel error -loop 1 -i {{image}} -i {{audio}} "
    "-shortest -r 30 -vf format=yuv420p -c:v libx264 -preset ultrafast -c:a aac {out}"
)


@dataclass(frozen=True)
class Implementation:
    name: str
    make: Callable[[], Animator]
    variant: Callable[[], Animator]  # the same backend with other parameters


IMPLEMENTATIONS = [
    Implementation(
        "embedded",
        lambda: EmbeddedAnimator(seed=0),
        lambda: EmbeddedAnimator(seed=1, head_motion=0.5),
    ),
    Implementation(
        "command",
        lambda: CommandAnimator(STILL),
        lambda: CommandAnimator(STILL.replace("-r 30", "-r 25")),
    ),
]


@pytest.fixture(params=IMPLEMENTATIONS, ids=lambda i: i.name)
def implementation(request: pytest.FixtureRequest) -> Implementation:
    impl: Implementation = request.param
    return impl


@pytest.fixture(scope="module")
def cutout() -> tuple[Image, Rig]:
    """The astronaut with a transparent background: an ellipse around head and shoulders."""
    rgb = portraits.astronaut()
    with MediaPipeFaceRig(portraits.model("face-landmarker")) as rigger:
        rig = rigger.detect(rgb)
    yy, xx = np.mgrid[0:512, 0:512]
    inside = ((xx - 220) / 150) ** 2 + ((yy - 260) / 230) ** 2 < 1
    alpha = np.where(inside, 255, 0).astype(np.uint8)
    return np.dstack([rgb, alpha]), rig


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Timings]:
    """1.3 s of a voiced tone with 'mama ba' timings."""
    path = tmp_path_factory.mktemp("contract") / "speech.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        t = np.arange(round(16000 * 1.3)) / 16000
        envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
        out.writeframes((6000 * envelope * np.sin(2 * np.pi * 150 * t)).astype("<i2").tobytes())
    phones = [
        ("_", 0, 150),
        ("m", 150, 230),
        ("ɑ", 230, 450),
        ("m", 450, 530),
        ("ɑ", 530, 800),
        ("b", 800, 870),
        ("ɑː", 870, 1150),
        ("_", 1150, 1300),
    ]
    return path, Timings(1300, phonemes=tuple(PhonemeTiming(*p) for p in phones))


def frames_of(
    animator: Animator,
    cutout: tuple[Image, Rig],
    speech: tuple[Path, Timings],
    fps: Fraction = Fraction(30),
) -> list[Image]:
    portrait, rig = cutout
    return list(animator.frames(portrait, rig, speech[0], speech[1], fps))


def test_is_an_animator(implementation: Implementation) -> None:
    assert isinstance(implementation.make(), Animator)


@pytest.mark.parametrize("fps", [Fraction(30), Fraction(25), Fraction(30000, 1001)], ids=str)
def test_exactly_the_frames_the_narration_needs(
    implementation: Implementation,
    cutout: tuple[Image, Rig],
    speech: tuple[Path, Timings],
    fps: Fraction,
) -> None:
    frames = frames_of(implementation.make(), cutout, speech, fps)
    assert len(frames) == frame_count(1300, fps)


def test_rgba_uint8_frames_at_the_portrait_size(
    implementation: Implementation, cutout: tuple[Image, Rig], speech: tuple[Path, Timings]
) -> None:
    for frame in frames_of(implementation.make(), cutout, speech):
        assert frame.dtype == np.uint8
        assert frame.shape == (512, 512, 4)


def test_alpha_is_kept(
    implementation: Implementation, cutout: tuple[Image, Rig], speech: tuple[Path, Timings]
) -> None:
    """The cutout stays a cutout: its alpha moves at most with the head, never fills or fades."""
    alpha = cutout[0][..., 3] > 127
    for frame in frames_of(implementation.make(), cutout, speech):
        mask = frame[..., 3] > 127
        overlap = np.logical_and(mask, alpha).sum() / np.logical_or(mask, alpha).sum()
        assert overlap > 0.95
        assert frame[0, 511, 3] == 0 and frame[511, 511, 3] == 0  # background stays clear
        assert frame[200, 220, 3] == 255  # the face stays opaque


def test_frames_are_generated_lazily(
    implementation: Implementation, cutout: tuple[Image, Rig], speech: tuple[Path, Timings]
) -> None:
    portrait, rig = cutout
    frames = implementation.make().frames(portrait, rig, speech[0], speech[1], Fraction(30))
    assert isinstance(frames, Iterator)
    assert inspect.isgenerator(frames)
    first = next(frames)
    assert first.shape == (512, 512, 4)
    frames.close()


def test_fingerprint_is_stable_and_names_the_parameters(implementation: Implementation) -> None:
    a, b, other = implementation.make(), implementation.make(), implementation.variant()
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() == a.fingerprint()
    assert a.fingerprint() != other.fingerprint()
