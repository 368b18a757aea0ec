"""The eyes: blinks drawn by sliding each upper eyelid down over the eye.

In an eye's local frame (``u`` from corner to corner, ``v`` down the face) the skin between the
brow and the upper lid stretches down as the lid descends; the eye below the lid's edge stays
where it is (the lid covers it, it is not squashed). The newly covered part is painted with the
lid's own skin tone (sampled above the eye), shaded darker towards a lash line drawn at the
lid's edge; a fully closed lid rests on the lower lid, along its curve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.backends.animator._warp import (
    FloatArray,
    Image,
    LocalFrame,
    Region,
    profile,
    remap_region,
    smoothstep,
)
from vidkit.backends.facerig import Rig
from vidkit.backends.facerig.mediapipe import (
    LEFT_EYE_LOWER,
    LEFT_EYE_UPPER,
    RIGHT_EYE_LOWER,
    RIGHT_EYE_UPPER,
)

# FaceMesh: the lower edge of each eyebrow, over the eye of the same side
RIGHT_BROW_LOWER = (46, 53, 52, 65, 55)
LEFT_BROW_LOWER = (276, 283, 282, 295, 285)
_TABLE = 65


class Eye:
    """One eye of one portrait: its frame, region, lid curves and colours."""

    def __init__(
        self,
        image: Image,
        lm: npt.NDArray[np.float32],
        upper: tuple[int, ...],
        lower: tuple[int, ...],
        brow: tuple[int, ...],
    ) -> None:
        a, b = lm[upper[0]], lm[upper[-1]]
        left, right = (a, b) if a[0] <= b[0] else (b, a)
        self.frame = LocalFrame.through(left, right)
        self.half = max(float(np.hypot(*(right - left))) / 2, 1.5)
        self.u_table = np.linspace(-self.half, self.half, _TABLE, dtype=np.float32)
        self.upper = np.interp(self.u_table, *profile(*self.frame.to_local(lm[list(upper)])))
        self.lower = np.interp(self.u_table, *profile(*self.frame.to_local(lm[list(lower)])))
        self.lower = np.maximum(self.lower, self.upper).astype(np.float32)
        _, brow_v = self.frame.to_local(lm[list(brow)])
        top_of_lid = float(self.upper.min())
        self.v_top = max(float(brow_v.mean()), top_of_lid - 1.2 * self.half)
        self.v_top = min(self.v_top, top_of_lid - 0.25 * self.half)
        self.region = Region.around(
            self.frame,
            1.15 * self.half,
            self.v_top,
            float(self.lower.max()) + 2.0,
            image.shape[:2],
        )
        self.lash = self._lash_colour(image)
        self.skin = self._skin_colour(image)

    def _skin_colour(self, image: Image) -> FloatArray:
        """The lid's skin tone per column: a light-ish tone of the skin between brow and eye."""
        import cv2

        rows = np.linspace(0.2, 0.85, 8, dtype=np.float32)[:, None]
        band_v = (self.v_top + rows * (self.upper[None, :] - self.v_top)).astype(np.float32)
        band_u = np.broadcast_to(self.u_table, band_v.shape).astype(np.float32)
        xs, ys = self.frame.to_image(band_u, band_v)
        band = cv2.remap(
            image[..., :3], xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ).astype(np.float32)
        order = np.argsort(band.sum(axis=2), axis=0)[round(0.7 * (len(rows) - 1))]
        skin = band[order, np.arange(_TABLE)]  # (_TABLE, 3): the 70th percentile by brightness
        kernel = np.ones(15, dtype=np.float32) / 15
        padded = np.pad(skin, ((7, 7), (0, 0)), mode="edge")
        return np.stack(
            [np.convolve(padded[:, c], kernel, "valid") for c in range(3)], axis=1
        ).astype(np.float32)

    def _lash_colour(self, image: Image) -> FloatArray:
        """The darkest quarter of the upper lid's edge (lashes), no lighter than deep shadow."""
        import cv2

        inner = slice(_TABLE // 5, _TABLE - _TABLE // 5)
        xs, ys = self.frame.to_image(self.u_table[inner], self.upper[inner].astype(np.float32))
        line = cv2.remap(
            image[..., :3],
            xs[None, :],
            ys[None, :],
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )[0].astype(np.float32)
        darkest = line[np.argsort(line.sum(axis=1))[: max(1, len(line) // 4)]].mean(axis=0)
        above_x, above_y = self.frame.to_image(
            self.u_table[inner],
            np.full(len(xs), self.v_top, dtype=np.float32)
            + 0.4 * (self.upper[inner] - self.v_top).astype(np.float32),
        )
        skin = cv2.remap(
            image[..., :3],
            above_x[None, :],
            above_y[None, :],
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )[0].astype(np.float32)
        return np.asarray(np.minimum(darkest, np.median(skin, axis=0) * 0.35), dtype=np.float32)

    def render(self, image: Image, closed: float) -> Image:
        """The region of ``image`` (RGBA) with the lid ``closed`` of the way down (0..1)."""
        u, v = self.region.u, self.region.v

        def at(table: npt.NDArray[np.floating[Any]]) -> FloatArray:
            return np.asarray(np.interp(u, self.u_table, table), dtype=np.float32)

        inside = (np.abs(u) < self.half).astype(np.float32)
        upper, lower = at(self.upper), at(self.lower)
        edge = upper + closed * (lower - upper) * inside
        top = np.float32(self.v_top)
        stretch = (upper - top) / np.maximum(edge - top, 1e-3)
        v_src = np.where((v >= top) & (v < edge), top + (v - top) * stretch, v).astype(np.float32)
        out = remap_region(image, self.region, self.frame, u, v_src)
        opening = np.clip((lower - upper) / max(float((self.lower - self.upper).max()), 1e-3), 0, 1)
        fade = np.maximum(0.45 * (upper - top) * np.sqrt(opening), 0.5)
        lid = smoothstep((v - (upper - fade)) / fade) * np.clip(edge - v + 0.5, 0, 1)
        lid *= smoothstep(closed / 0.25) * np.clip(edge - upper, 0, 1)
        lid *= smoothstep((self.half - np.abs(u)) / (0.2 * self.half))
        if float(lid.max()) > 0.004:
            down = np.clip((v - upper + fade) / np.maximum(edge - upper + fade, 1e-3), 0, 1)
            skin = np.stack([at(self.skin[:, c]) for c in range(3)], axis=-1)
            shade = 1.04 - 0.16 * down**2
            self._blend(out, skin * shade[..., None], lid)
        thick = max(0.9, 0.09 * self.half) * (1.0 - (u / self.half) ** 4)
        depth = np.abs(v - (edge - thick / 2)) / (thick / 2 + 0.5)
        lash = np.clip(1.0 - depth, 0, 1) * np.clip((edge - upper) / 0.9, 0, 1) * inside * 0.9
        self._blend(out, np.broadcast_to(self.lash, out[..., :3].shape), lash)
        return out

    @staticmethod
    def _blend(out: Image, colour: npt.NDArray[np.float32], alpha: FloatArray) -> None:
        rows, cols = np.nonzero(alpha > 0.004)
        if len(rows):
            rgb = out[rows, cols, :3].astype(np.float32)
            a = alpha[rows, cols, None]
            out[rows, cols, :3] = np.clip(rgb + (colour[rows, cols] - rgb) * a, 0, 255).astype(
                np.uint8
            )


def eyes(image: Image, rig: Rig) -> tuple[Eye, Eye]:
    """Both eyes of the portrait, the one on the image's left first."""
    lm = rig.landmarks[:, :2].astype(np.float32)
    return (
        Eye(image, lm, RIGHT_EYE_UPPER, RIGHT_EYE_LOWER, RIGHT_BROW_LOWER),
        Eye(image, lm, LEFT_EYE_UPPER, LEFT_EYE_LOWER, LEFT_BROW_LOWER),
    )
