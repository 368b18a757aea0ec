"""Animation and lip sync: a stream of RGBA frames of the presenter speaking."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from vidkit.backends.facerig import Rig
from vidkit.timing import Timings

__all__ = ["Animator", "frame_count"]


def frame_count(duration_ms: int, fps: Fraction) -> int:
    """Frames needed to cover ``duration_ms`` at ``fps`` (rounded up)."""
    return max(1, -(-duration_ms * fps.numerator // (1000 * fps.denominator)))


@runtime_checkable
class Animator(Protocol):
    """Yields ``frame_count(timings.duration_ms, fps)`` RGBA uint8 frames (H x W x 4, the
    portrait's size) one at a time; a whole clip is never held in memory."""

    def fingerprint(self) -> str: ...

    def frames(
        self,
        portrait: npt.NDArray[np.uint8],
        rig: Rig,
        wav: Path,
        timings: Timings,
        fps: Fraction,
    ) -> Iterator[npt.NDArray[np.uint8]]: ...
