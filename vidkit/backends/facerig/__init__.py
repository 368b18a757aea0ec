"""Face rig: landmarks and blendshapes of the one face in a portrait."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["FaceRig", "Rig"]


@dataclass(frozen=True)
class Rig:
    """The face of a portrait of ``width`` x ``height`` pixels.

    ``landmarks`` is a (478, 3) float32 array in mediapipe's FaceMesh topology: x and y in
    pixels of the portrait, z in the same scale as x (negative towards the camera).
    ``blendshapes`` maps mediapipe's 52 names (eyeBlinkLeft, jawOpen, ...) to 0..1.
    """

    width: int
    height: int
    landmarks: npt.NDArray[np.float32]
    blendshapes: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "width": self.width,
                "height": self.height,
                "landmarks": np.round(self.landmarks, 3).tolist(),
                "blendshapes": self.blendshapes,
            }
        )

    @staticmethod
    def from_json(text: str) -> Rig:
        raw = json.loads(text)
        return Rig(
            width=int(raw["width"]),
            height=int(raw["height"]),
            landmarks=np.asarray(raw["landmarks"], dtype=np.float32),
            blendshapes={str(k): float(v) for k, v in raw["blendshapes"].items()},
        )


@runtime_checkable
class FaceRig(Protocol):
    """Finds exactly one face; no face or several faces is an :class:`InvalidInput`."""

    def fingerprint(self) -> str: ...

    def detect(self, image: npt.NDArray[np.uint8], *, name: str | None = None) -> Rig:
        """``name`` (an asset's file name, say) is used in error messages."""
        ...
