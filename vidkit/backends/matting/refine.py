"""From a segmenter's matte to a clean RGBA cutout with no halo.

Segmenters work at 256-320 pixels and are upscaled, so their mattes have soft, slightly too
generous edges: a rim of the old background shows around the person, light over a dark new
background and dark over a light one. :func:`cutout` fixes both halves of that:

1. the matte: thresholded, small holes filled (big ones, like the gap between an arm and the
   body, stay open), only the largest connected region kept, eroded by ``erode_px`` to drop
   the fringe, then feathered with a Gaussian of ``feather_px`` for an anti-aliased edge;
2. the colours: the foreground colour of every pixel is estimated with *blur fusion* (Forte
   and Pitie, "Approximate fast foreground colour estimation", ICIP 2021): box-filtered means
   of nearby foreground and background colours, two passes (wide, then local). The estimate
   uses a matte ``untrusted_px`` further in than the output one, because the outermost opaque
   pixels of a segmenter's matte are still mixed with the old background. Edge pixels get the
   colour of the person next to them instead of that mix; pixels further in keep the photo's
   colour exactly; transparent pixels get the nearby person's colour, so warping or scaling
   the cutout later pulls in no background either.

:func:`cutout` takes ~TIMING at 512 x 512 on two CPU cores. pymatting's
``estimate_foreground_ml`` (installed with rembg) is the slower alternative; see
``benchmarks/cutout.py`` and ``docs/backends/avatar.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vidkit.errors import InvalidInput
from vidkit.imaging import check_rgb

__all__ = ["VERSION", "EdgeSettings", "clean_matte", "cutout", "estimate_foreground"]

VERSION = 1  # bump when a change to this module changes its output

Float = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class EdgeSettings:
    """How :func:`clean_matte` treats the segmenter's matte (pixels are of the input image)."""

    threshold: int = 128  # alpha at or above this is the person
    erode_px: int = 1  # pulls the edge in, dropping the old background's fringe
    feather_px: float = 1.0  # Gaussian sigma of the final soft edge
    max_hole: float = 0.01  # holes below this fraction of the person's area are filled
    untrusted_px: int = 1  # opaque pixels this close to the edge get estimated colours too

    def fingerprint(self) -> str:
        """Names the refinement and its settings, for the cache key of a cutout."""
        return (
            f"refine-v{VERSION}:blur-fusion:threshold={self.threshold}:erode={self.erode_px}"
            f":feather={self.feather_px}:holes={self.max_hole}:untrusted={self.untrusted_px}"
        )


def cutout(
    rgb: npt.NDArray[np.uint8],
    alpha: npt.NDArray[np.uint8],
    *,
    settings: EdgeSettings = EdgeSettings(),
    name: str | None = None,
) -> npt.NDArray[np.uint8]:
    """The person in ``rgb`` as H x W x 4 uint8 RGBA: clean matte, decontaminated colours."""
    image = check_rgb(rgb, name)
    if alpha.shape != image.shape[:2] or alpha.dtype != np.uint8:
        raise InvalidInput(
            f"the matte must be an H x W uint8 array matching the image {image.shape[:2]}, "
            f"got {alpha.dtype} {alpha.shape}",
            field="alpha",
        )
    person = _person(alpha, settings, name)
    matte = _soften(person, settings.erode_px, settings.feather_px)
    # Colours are trusted only further in than the matte reaches: the segmenter's edge is a
    # few pixels too generous, so the outermost opaque pixels are still mixed with background.
    trusted = _soften(person, settings.erode_px + settings.untrusted_px, settings.feather_px)
    colour = estimate_foreground(image, trusted)
    out = np.empty((*image.shape[:2], 4), dtype=np.uint8)
    out[..., :3] = np.clip(colour * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out[..., 3] = np.clip(matte * 255.0 + 0.5, 0, 255).astype(np.uint8)
    pure = trusted >= 1.0 - 1e-4
    out[pure, :3] = image[pure]  # exactly the photo where nothing is mixed
    return out


def clean_matte(
    alpha: npt.NDArray[np.uint8],
    *,
    settings: EdgeSettings = EdgeSettings(),
    name: str | None = None,
) -> Float:
    """The cleaned, feathered matte as float32 in 0..1 (see the module docstring)."""
    return _soften(_person(alpha, settings, name), settings.erode_px, settings.feather_px)


def _person(
    alpha: npt.NDArray[np.uint8], settings: EdgeSettings, name: str | None
) -> npt.NDArray[np.uint8]:
    """The binary matte: thresholded, its largest region, small holes filled."""
    person = _largest_region((alpha >= settings.threshold).astype(np.uint8))
    if person is None:
        where = f"the picture {name!r}" if name else "the picture"
        raise InvalidInput(
            f"no person found in {where}; use a photo where the presenter stands out "
            "clearly from the background",
            field="image",
        )
    return _fill_small_holes(person, settings.max_hole)


def _soften(person: npt.NDArray[np.uint8], erode_px: int, feather_px: float) -> Float:
    import cv2

    if erode_px > 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        person = np.asarray(cv2.erode(person, kernel, iterations=erode_px), np.uint8)
    soft = person.astype(np.float32)
    if feather_px > 0:
        soft = np.asarray(cv2.GaussianBlur(soft, (0, 0), feather_px), np.float32)
    return soft


def estimate_foreground(rgb: npt.NDArray[np.uint8], matte: Float) -> Float:
    """Foreground colour (H x W x 3 float32, 0..1) of every pixel, by two-pass blur fusion."""
    image = rgb.astype(np.float32) / 255.0
    a = matte[..., None]
    wide = max(9, round(min(matte.shape) * 0.09)) | 1
    fg, bg = _blur_fusion(image, image, image, a, wide)
    fg, _ = _blur_fusion(image, fg, bg, a, 7)
    return fg


def _blur_fusion(image: Float, fg: Float, bg: Float, a: Float, size: int) -> tuple[Float, Float]:
    import cv2

    def blur(x: Float) -> Float:
        return np.asarray(cv2.blur(x, (size, size)), dtype=np.float32).reshape(x.shape)

    mean_a = blur(a)
    mean_fg = blur(fg * a) / (mean_a + 1e-5)
    mean_bg = blur(bg * (1.0 - a)) / ((1.0 - mean_a) + 1e-5)
    estimate = mean_fg + a * (image - a * mean_fg - (1.0 - a) * mean_bg)
    return np.clip(estimate, 0.0, 1.0), mean_bg


def _largest_region(mask: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8] | None:
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return None
    keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return np.asarray(labels == keep, dtype=np.uint8)


def _fill_small_holes(person: npt.NDArray[np.uint8], max_hole: float) -> npt.NDArray[np.uint8]:
    """Fill background islands inside the person smaller than ``max_hole`` of its area."""
    import cv2

    count, labels, stats, _ = cv2.connectedComponentsWithStats(1 - person, connectivity=4)
    if count <= 2:
        return person
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    small = stats[:, cv2.CC_STAT_AREA] < max_hole * float(person.sum())
    small[0] = False  # label 0 is the person itself
    small[border] = False
    return np.where(small[labels], 1, person).astype(np.uint8)
