"""Local warps: a rotated coordinate frame on a face feature, the pixel grid of its region of
interest, and column-wise piecewise-linear vertical maps turned into ``cv2.remap`` maps.

A feature (the mouth, an eye) gets a local frame: ``u`` along the line through its corners,
``v`` perpendicular to it, pointing down the face. Along every column (fixed ``u``) a warp is
a list of knots ``s_k`` (where things are in the portrait) and ``t_k`` (where they go); a pixel
of the output at ``v`` between ``t_k`` and ``t_k+1`` shows the portrait at the matching point
between ``s_k`` and ``s_k+1``. The first and last knots never move, so the warp fades out at the
region's edge and needs no blending there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Image = npt.NDArray[np.uint8]

MAX_GRID = 128  # maps are computed on at most this many points a side, then upsampled


@dataclass(frozen=True, slots=True)
class LocalFrame:
    """Origin and unit axes of a feature's frame, in portrait pixels."""

    ox: float
    oy: float
    ex: tuple[float, float]  # u axis: along the feature, image left to right
    ey: tuple[float, float]  # v axis: perpendicular, down the face

    @staticmethod
    def through(left: npt.NDArray[np.float32], right: npt.NDArray[np.float32]) -> LocalFrame:
        """The frame centred between two corner points, ``u`` from ``left`` to ``right``."""
        dx, dy = float(right[0] - left[0]), float(right[1] - left[1])
        norm = math.hypot(dx, dy) or 1.0
        ex = (dx / norm, dy / norm)
        return LocalFrame(
            float(left[0] + right[0]) / 2, float(left[1] + right[1]) / 2, ex, (-ex[1], ex[0])
        )

    def to_local(self, points: npt.NDArray[np.float32]) -> tuple[FloatArray, FloatArray]:
        """(u, v) of points given as an (N, 2+) array of pixel coordinates."""
        x = points[:, 0].astype(np.float32) - self.ox
        y = points[:, 1].astype(np.float32) - self.oy
        return x * self.ex[0] + y * self.ex[1], x * self.ey[0] + y * self.ey[1]

    def to_image(self, u: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        x = self.ox + u * self.ex[0] + v * self.ey[0]
        y = self.oy + u * self.ex[1] + v * self.ey[1]
        return x.astype(np.float32), y.astype(np.float32)


@dataclass(frozen=True, slots=True)
class Region:
    """The axis-aligned box (in portrait pixels) holding a local rectangle, sampled on a grid.

    ``u``/``v`` are the local coordinates of the grid points (every ``step`` pixels); maps
    computed on them are upsampled to the box's full size by :meth:`full`.
    """

    x0: int
    y0: int
    width: int
    height: int
    step: int
    u: FloatArray = field(repr=False)
    v: FloatArray = field(repr=False)
    x: FloatArray = field(repr=False)  # image coordinates of the grid points
    y: FloatArray = field(repr=False)

    @staticmethod
    def around(
        frame: LocalFrame, u_half: float, v_top: float, v_bottom: float, shape: tuple[int, int]
    ) -> Region:
        corners_u = np.array([-u_half, u_half, -u_half, u_half], dtype=np.float32)
        corners_v = np.array([v_top, v_top, v_bottom, v_bottom], dtype=np.float32)
        xs, ys = frame.to_image(corners_u, corners_v)
        x0 = max(0, math.floor(float(xs.min())))
        y0 = max(0, math.floor(float(ys.min())))
        x1 = min(shape[1], math.ceil(float(xs.max())) + 1)
        y1 = min(shape[0], math.ceil(float(ys.max())) + 1)
        width, height = max(x1 - x0, 1), max(y1 - y0, 1)
        step = max(1, math.ceil(max(width, height) / MAX_GRID))
        # grid point i sits where cv2.resize puts the centre of source pixel i: (i + ½)·step - ½
        offset = (step - 1) / 2
        gx = x0 + offset + np.arange(math.ceil(width / step), dtype=np.float32) * step
        gy = y0 + offset + np.arange(math.ceil(height / step), dtype=np.float32) * step
        px, py = np.meshgrid(gx, gy)
        points = np.stack([px.ravel(), py.ravel()], axis=1)
        u, v = frame.to_local(points)
        return Region(x0, y0, width, height, step, u.reshape(px.shape), v.reshape(px.shape), px, py)

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.y0, self.y0 + self.height), slice(self.x0, self.x0 + self.width)

    def full(self, grid: FloatArray) -> FloatArray:
        """A per-grid-point array (H_g x W_g [x C]) at the box's full pixel size."""
        if self.step == 1:
            return np.ascontiguousarray(grid[: self.height, : self.width])
        import cv2

        big = cv2.resize(
            grid,
            (grid.shape[1] * self.step, grid.shape[0] * self.step),
            interpolation=cv2.INTER_LINEAR,
        )
        return np.ascontiguousarray(big[: self.height, : self.width])


def piecewise(v: FloatArray, targets: FloatArray, sources: FloatArray) -> FloatArray:
    """Map ``v`` through per-point knots: ``targets``/``sources`` are (K, ...) arrays, targets
    non-decreasing along K; outside the first and last knot ``v`` maps to itself."""
    out = v.copy()
    for k in range(len(targets) - 1):
        t0, t1 = targets[k], targets[k + 1]
        inside = (v >= t0) & (v < t1)
        span = np.maximum(t1 - t0, 1e-4)
        mapped = sources[k] + (v - t0) * (sources[k + 1] - sources[k]) / span
        np.copyto(out, mapped, where=inside)
    return out


def remap_region(
    image: Image, region: Region, frame: LocalFrame, u_src: FloatArray, v_src: FloatArray
) -> Image:
    """The region's pixels sampled from ``image`` at local (``u_src``, ``v_src``) per grid point."""
    import cv2

    xs, ys = frame.to_image(u_src, v_src)
    # upsample the displacement (zero at the region's edge), not the positions: exact edges
    shift = region.full(np.dstack([xs - region.x, ys - region.y]))
    map_x = shift[..., 0] + np.arange(region.x0, region.x0 + region.width, dtype=np.float32)
    map_y = (
        shift[..., 1] + np.arange(region.y0, region.y0 + region.height, dtype=np.float32)[:, None]
    )
    return np.asarray(
        cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE),
        dtype=np.uint8,
    )


def smoothstep(x: npt.ArrayLike) -> FloatArray:
    """0 below 0, 1 above 1, a smooth S between."""
    c = np.clip(np.asarray(x, dtype=np.float32), 0.0, 1.0)
    return np.asarray(c * c * (3.0 - 2.0 * c), dtype=np.float32)


def profile(u_points: FloatArray, v_points: FloatArray) -> tuple[FloatArray, FloatArray]:
    """A curve through landmark points as a function v(u): sorted by u, duplicates dropped."""
    order = np.argsort(u_points, kind="stable")
    u, v = u_points[order], v_points[order]
    keep = np.concatenate([[True], np.diff(u) > 1e-3])
    return u[keep].astype(np.float32), v[keep].astype(np.float32)


def sample_colour(
    image: Image, mask: npt.NDArray[np.bool_], fallback: tuple[int, int, int]
) -> npt.NDArray[np.float32]:
    """Median RGB of the masked pixels (``fallback`` when the mask is empty)."""
    pixels = image[..., :3][mask]
    if len(pixels) == 0:
        return np.array(fallback, dtype=np.float32)
    return np.asarray(np.median(pixels, axis=0), dtype=np.float32)
