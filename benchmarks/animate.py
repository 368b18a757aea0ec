"""Animation speed: frames per second of the embedded animator at 512 x 512 on ONE core.

Run: .venv/bin/python benchmarks/animate.py [--seconds 20]

The baseline, run in the same process, is the cheapest animation there is: one
``cv2.warpAffine`` of the whole RGBA portrait per frame (what the head motion alone costs).
The embedded animator adds the mouth (warp + painted interior) on every speaking frame and the
eyelids during blinks. Two portraits: the astronaut as it is (a small face, 106 px tall) and a
close-up of her face scaled to 512 x 512 (a large face, so larger warped regions). The speech is
synthetic (a cycle of phonemes over a tone), so the mouth moves on every frame: a worst case.
Target: >= 60 fps, twice realtime at 30 fps.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import itertools  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import wave  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.backends.animator import frame_count  # noqa: E402
from vidkit.backends.animator.embedded import EmbeddedAnimator  # noqa: E402
from vidkit.backends.facerig.mediapipe import MediaPipeFaceRig  # noqa: E402
from vidkit.timing import PhonemeTiming, Timings  # noqa: E402

FPS = Fraction(30)


def speech(folder: Path, seconds: float) -> tuple[Path, Timings]:
    wav = folder / "speech.wav"
    rate = 16000
    t = np.arange(round(rate * seconds)) / rate
    envelope = 0.55 + 0.45 * np.sin(2 * np.pi * 3.3 * t)
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((7000 * envelope * np.sin(2 * np.pi * 140 * t)).astype("<i2").tobytes())
    cycle = itertools.cycle(["m", "ɑː", "b", "iː", "_", "w", "oʊ", "p", "æ", "s", "ə", "f"])
    count = int(seconds * 1000 // 90)
    phones = tuple(PhonemeTiming(next(cycle), i * 90, i * 90 + 90) for i in range(count))
    return wav, Timings(duration_ms=round(seconds * 1000), phonemes=phones)


def baseline(portrait: np.ndarray, frames: int) -> float:
    """FPS of one full-frame affine warp per frame."""
    height, width = portrait.shape[:2]
    start = time.perf_counter()
    for i in range(frames):
        angle = 2.0 * math.sin(i / 20)
        matrix = cv2.getRotationMatrix2D((width / 2, height * 0.8), angle, 1.0)
        matrix[:, 2] += (math.sin(i / 13), math.cos(i / 17))
        cv2.warpAffine(
            portrait,
            matrix,
            (width, height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
    return frames / (time.perf_counter() - start)


def embedded(portrait: np.ndarray, rig: object, wav: Path, timings: Timings) -> tuple[float, float]:
    """(plan seconds, FPS of drawing the frames)."""
    animator = EmbeddedAnimator(seed=0)
    start = time.perf_counter()
    animator.plan(rig, wav, timings, FPS)  # type: ignore[arg-type]
    planned = time.perf_counter() - start
    start = time.perf_counter()
    count = sum(1 for _ in animator.frames(portrait, rig, wav, timings, FPS))  # type: ignore[arg-type]
    return planned, count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the clip")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    from skimage import data

    astronaut = np.asarray(data.astronaut(), dtype=np.uint8)
    close_up = cv2.resize(astronaut[30:220, 130:320], (512, 512), interpolation=cv2.INTER_CUBIC)
    frames = frame_count(round(args.seconds * 1000), FPS)
    print(
        f"{frames} frames ({args.seconds:g} s at 30 fps), 512 x 512 RGBA, cv2 threads: "
        f"{cv2.getNumThreads()}"
    )
    print(
        f"{'portrait':<22}{'baseline fps':>14}{'embedded fps':>14}{'ratio':>8}"
        f"{'x realtime':>12}{'plan ms':>9}"
    )
    with (
        tempfile.TemporaryDirectory() as folder,
        MediaPipeFaceRig(REPO / "models" / "face_landmarker.task") as rigger,
    ):
        wav, timings = speech(Path(folder), args.seconds)
        for name, rgb in (
            ("astronaut (small face)", astronaut),
            ("close-up (large face)", close_up),
        ):
            portrait = np.dstack([rgb, np.full(rgb.shape[:2], 255, dtype=np.uint8)])
            rig = rigger.detect(np.ascontiguousarray(rgb))
            base = baseline(portrait, frames)
            planned, fps = embedded(portrait, rig, wav, timings)
            print(
                f"{name:<22}{base:>14.0f}{fps:>14.0f}{fps / base:>8.2f}{fps / 30:>12.1f}"
                f"{planned * 1000:>9.0f}"
            )


if __name__ == "__main__":
    main()
