"""Background removal: the alpha matte of the person in a picture."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

__all__ = ["Matting"]

RGB = npt.NDArray[np.uint8]  # H x W x 3
Alpha = npt.NDArray[np.uint8]  # H x W, 0 = background, 255 = person


@runtime_checkable
class Matting(Protocol):
    """Returns the alpha matte (H x W, uint8) of the foreground person in an RGB image."""

    def fingerprint(self) -> str: ...

    def mask(self, image: RGB) -> Alpha: ...
