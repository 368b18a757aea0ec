"""Generated portraits for the avatar backends' tests: nothing is committed, all is derived
from scikit-image's sample pictures (the astronaut is a public-domain NASA photo)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from vidkit.config import Config, ModelsConfig
from vidkit.models import require

REPO = Path(__file__).resolve().parents[2]
RGB = npt.NDArray[np.uint8]


def model(name: str) -> Path:
    """The verified path of a pinned model in the repository's models folder."""
    return require(Config(models=ModelsConfig(dir=REPO / "models")), name)


def _skimage_data() -> Any:
    from skimage import data  # untyped: used through Any

    return data


def astronaut() -> RGB:
    """512 x 512, one face looking at the camera, a busy background."""
    return np.asarray(_skimage_data().astronaut(), dtype=np.uint8)


def no_face() -> RGB:
    """400 x 600: a cup of coffee."""
    return np.asarray(_skimage_data().coffee(), dtype=np.uint8)


def two_faces() -> RGB:
    """512 x 1024: two astronauts side by side."""
    one = astronaut()
    return np.concatenate([one, one], axis=1)


def on_canvas(rgb: RGB, width: int, height: int, side: int, left: int, top: int) -> RGB:
    """``rgb`` scaled to ``side`` x ``side`` and placed at (left, top) on a grey canvas."""
    canvas = np.full((height, width, 3), 128, dtype=np.uint8)
    scaled = Image.fromarray(rgb).resize((side, side), Image.Resampling.BILINEAR)
    canvas[top : top + side, left : left + side] = np.asarray(scaled)
    return canvas


def big_photo() -> RGB:
    """6000 x 4000: the astronaut upscaled to 3600 x 3600 on a grey canvas."""
    return on_canvas(astronaut(), 6000, 4000, 3600, 1200, 200)


@cache
def mattes() -> dict[str, npt.NDArray[np.uint8]]:
    """Both segmenters' raw mattes of the astronaut, computed once per test run."""
    from vidkit.backends.matting.mediapipe_selfie import MediaPipeSelfieMatting
    from vidkit.backends.matting.rembg import RembgMatting

    photo = astronaut()
    with RembgMatting(REPO / "models") as rembg:
        by_rembg = rembg.mask(photo)
    with MediaPipeSelfieMatting(model("selfie-segmenter")) as selfie:
        by_selfie = selfie.mask(photo)
    return {"rembg": by_rembg, "mediapipe": by_selfie}


def iou(a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_], where: npt.NDArray[np.bool_]) -> float:
    """Intersection over union of two masks, counted only where ``where`` is true."""
    return float((a & b & where).sum() / max(((a | b) & where).sum(), 1))
