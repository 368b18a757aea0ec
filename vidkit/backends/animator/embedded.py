"""The embedded animator: landmark-driven 2D warps of the portrait, offline and CPU-only.

Per frame: the mouth takes its viseme shape (:mod:`vidkit.visemes`; warp + painted interior,
:mod:`._mouth`), the eyelids close for blinks (:mod:`._eyes`), and the whole cutout, alpha
included, moves with the head (one affine warp about a point under the chin: roll, sway, nods;
:mod:`._motion`). Everything that depends on time is planned before the first frame is drawn
(a few numbers per frame); frames are drawn one at a time as they are asked for.

The random choices (blink moments, sway phases) come from a generator seeded with ``seed``, so
the same inputs and seed give the same frames.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.backends.animator import frame_count
from vidkit.backends.animator._eyes import Eye, eyes
from vidkit.backends.animator._motion import (
    HeadTrack,
    blink_times,
    blink_track,
    frame_times,
    head_track,
    nod_times,
    pause_times,
    speech_energy,
)
from vidkit.backends.animator._mouth import Mouth
from vidkit.backends.facerig import Rig
from vidkit.errors import InvalidInput
from vidkit.timing import Timings
from vidkit.visemes import MouthTrack, mouth_track

__all__ = ["EmbeddedAnimator", "Plan"]

VERSION = 1  # bump when the same inputs would give different frames
Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything that moves, per frame: mouth shapes, eyelid closure, head pose."""

    mouth: MouthTrack
    blinks: npt.NDArray[np.float64]
    blink_starts: tuple[float, ...]
    head: HeadTrack

    def __len__(self) -> int:
        return len(self.blinks)


class EmbeddedAnimator:
    """:class:`~vidkit.backends.animator.Animator` that warps the portrait itself.

    ``seed`` fixes the random choices; ``blink_every_s`` is the mean time between blinks;
    ``head_motion`` and ``mouth_motion`` scale the head's movement and the mouth's opening
    (1 = natural, 0 = none).
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        blink_every_s: float = 3.6,
        head_motion: float = 1.0,
        mouth_motion: float = 1.0,
    ) -> None:
        if not 1.0 <= blink_every_s <= 30.0:
            raise InvalidInput(
                "blink_every_s must be between 1 and 30 seconds", field="blink_every_s"
            )
        for name, value in (("head_motion", head_motion), ("mouth_motion", mouth_motion)):
            if not 0.0 <= value <= 2.0:
                raise InvalidInput(f"{name} must be between 0 and 2 (1 = natural)", field=name)
        self.seed = seed
        self.blink_every_s = blink_every_s
        self.head_motion = head_motion
        self.mouth_motion = mouth_motion

    def fingerprint(self) -> str:
        return (
            f"embedded-animator:v{VERSION}:seed={self.seed}:blink={self.blink_every_s:g}"
            f":head={self.head_motion:g}:mouth={self.mouth_motion:g}"
        )

    def plan(self, rig: Rig, wav: Path, timings: Timings, fps: Fraction) -> Plan:
        """The per-frame motion of a clip (cheap; no pixels are touched)."""
        frames = frame_count(timings.duration_ms, fps)
        rng = np.random.default_rng([self.seed & (2**63 - 1), int(self.seed < 0), 0x5EED])
        times = frame_times(frames, fps)
        energy = speech_energy(Path(wav), frames, fps)
        starts = blink_times(
            times[-1] + float(1 / fps), rng, self.blink_every_s, pause_times(timings)
        )
        xy = rig.landmarks[:, :2]
        face = float(np.ptp(xy[:, 1])) or float(rig.height) / 3
        head = head_track(
            times, energy, nod_times(timings, energy, fps), rng, face, self.head_motion
        )
        return Plan(
            mouth=mouth_track(timings, fps, frames, self.mouth_motion, energy),
            blinks=blink_track(times, starts),
            blink_starts=tuple(starts),
            head=head,
        )

    def frames(
        self,
        portrait: Image,
        rig: Rig,
        wav: Path,
        timings: Timings,
        fps: Fraction,
    ) -> Iterator[Image]:
        """Yields ``frame_count(timings.duration_ms, fps)`` RGBA frames, one at a time."""
        image = _rgba(portrait, rig)
        plan = self.plan(rig, wav, timings, fps)
        return _render(image, rig, plan)


def _rgba(portrait: Image, rig: Rig) -> Image:
    if portrait.dtype != np.uint8 or portrait.ndim != 3 or portrait.shape[2] not in (3, 4):
        raise InvalidInput(
            f"the portrait must be an H x W x 4 (RGBA) uint8 array, got {portrait.dtype} "
            f"{portrait.shape}",
            field="portrait",
        )
    height, width = portrait.shape[:2]
    if (rig.width, rig.height) != (width, height):
        raise InvalidInput(
            f"the face rig was made for a {rig.width} x {rig.height} picture but the portrait "
            f"is {width} x {height}; rig the portrait that is animated",
            field="rig",
        )
    if rig.landmarks.ndim != 2 or rig.landmarks.shape[0] < 468:
        raise InvalidInput("the face rig needs mediapipe's 478 FaceMesh landmarks", field="rig")
    if portrait.shape[2] == 3:
        return np.dstack([portrait, np.full((height, width), 255, dtype=np.uint8)])
    return np.ascontiguousarray(portrait)


def _bleed_edges(image: Image) -> Image:
    """The portrait with the colours at the cutout's edge spread into the fully transparent
    pixels around it: resampling straight (not premultiplied) alpha then draws no dark halo."""
    import cv2

    alpha = image[..., 3]
    if alpha.min() == 255:
        return image
    weight = alpha.astype(np.float32) / 255.0
    spread = cv2.GaussianBlur(image[..., :3].astype(np.float32) * weight[..., None], (7, 7), 0)
    cover = cv2.GaussianBlur(weight, (7, 7), 0)
    fill = spread / np.maximum(cover, 1e-4)[..., None]
    out = image.copy()
    edge = (alpha == 0) & (cover > 1e-3)
    out[..., :3][edge] = np.clip(fill[edge] + 0.5, 0, 255).astype(np.uint8)
    return out


def _render(image: Image, rig: Rig, plan: Plan) -> Iterator[Image]:
    """Frames drawn on demand: local warps on a working copy, then the head's affine warp."""
    import cv2

    image = _bleed_edges(image)
    mouth = Mouth(image, rig)
    both: tuple[Eye, ...] = eyes(image, rig)
    pivot = _pivot(rig)
    height, width = image.shape[:2]
    work = image.copy()
    for i in range(len(plan)):
        touched = []
        shape = plan.mouth.shape(i)
        if abs(shape.jaw) > 1e-3 or abs(shape.width) > 1e-3 or shape.seal > 1e-3:
            work[mouth.region.slices] = mouth.render(image, shape)
            touched.append(mouth.region.slices)
        closed = float(plan.blinks[i])
        if closed > 0.01:
            for eye in both:
                work[eye.region.slices] = eye.render(image, closed)
                touched.append(eye.region.slices)
        matrix = _head_matrix(plan.head, i, pivot)
        frame = cv2.warpAffine(
            work, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        for where in touched:
            work[where] = image[where]
        yield np.asarray(frame, dtype=np.uint8)


def _pivot(rig: Rig) -> tuple[float, float]:
    """The point the head turns about: under the chin, where the neck meets the shoulders."""
    xy = rig.landmarks[:, :2]
    top, bottom = float(xy[:, 1].min()), float(xy[:, 1].max())
    x = float(np.median(xy[:, 0]))
    return x, min(bottom + 0.45 * (bottom - top), float(rig.height))


def _head_matrix(head: HeadTrack, i: int, pivot: tuple[float, float]) -> npt.NDArray[np.float64]:
    angle = math.radians(float(head.roll[i]))
    c, s = math.cos(angle), math.sin(angle)
    px, py = pivot
    # rotate about the pivot, then shift: x' = R (x - p) + p + d
    return np.array(
        [
            [c, -s, px - c * px + s * py + float(head.dx[i])],
            [s, c, py - s * px - c * py + float(head.dy[i])],
        ]
    )
