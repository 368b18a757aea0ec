"""The mouth: a :class:`~vidkit.visemes.MouthShape` drawn by warping the lips and the jaw, with
a painted mouth interior (cavity, upper teeth, tongue) where the lips part.

In the mouth's local frame (``u`` along the corners, ``v`` down the face) every column has seven
knots: the nose base (fixed), the top of the upper lip, the inner edges of both lips, the bottom
of the lower lip, the chin, and a line below the chin (fixed). A shape moves the knots — the lips
part, the chin drops with the lower lip, the corners spread or round in — and the column is
stretched between them. Where the lips part further than in the portrait, the gap is painted
with a mouth interior coloured from the portrait's own lips and skin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from vidkit.backends.animator._warp import (
    FloatArray,
    Image,
    LocalFrame,
    Region,
    piecewise,
    profile,
    remap_region,
    sample_colour,
    smoothstep,
)
from vidkit.backends.facerig import Rig
from vidkit.backends.facerig.mediapipe import (
    CHIN,
    FACE_OVAL,
    LIPS_OUTER,
    LOWER_LIP_INNER,
    UPPER_LIP_INNER,
)
from vidkit.visemes import MouthShape

NOSE_BASE = 2  # FaceMesh: the point under the nose, above the middle of the upper lip
LOWER_LIP_BOTTOM = 17
_UPPER_OUTER = LIPS_OUTER[:11]  # corner 61 over the top to corner 291
_LOWER_OUTER = (*LIPS_OUTER[10:], LIPS_OUTER[0])  # 291 under the bottom back to 61
_TABLE = 257  # samples of each knot curve across the region

OPEN_GAP = 0.7  # lip gap at jaw = 1, in half mouth widths (0.35 of the mouth's width)
RAISE = 0.12  # how much of the opening the upper lip takes (it moves up)
CHIN_FOLLOW = 0.85  # how far the chin drops, relative to the lips' opening
SPREAD, ROUND = 0.10, 0.3  # horizontal scale of the lips at width = +1 / -1


@dataclass(frozen=True, slots=True)
class _Palette:
    cavity: FloatArray
    seam: FloatArray
    tongue: FloatArray
    teeth: FloatArray


class Mouth:
    """Everything about one portrait's mouth that does not change from frame to frame."""

    def __init__(self, image: Image, rig: Rig) -> None:
        lm = rig.landmarks[:, :2].astype(np.float32)
        self.frame = LocalFrame.through(lm[LIPS_OUTER[0]], lm[LIPS_OUTER[10]])
        local = self.frame.to_local

        def curve(indices: tuple[int, ...]) -> tuple[FloatArray, FloatArray]:
            return profile(*local(lm[list(indices)]))

        corners_u, _ = local(lm[[UPPER_LIP_INNER[0], UPPER_LIP_INNER[-1]]])
        self.half = max(float(np.hypot(*(lm[LIPS_OUTER[10]] - lm[LIPS_OUTER[0]]))) / 2, 2.0)
        self.inner = max(float(np.abs(corners_u).max()), 0.5 * self.half)
        _, nose_v = local(lm[[NOSE_BASE]])
        _, lip_v = local(lm[[LOWER_LIP_BOTTOM, CHIN]])
        chin_depth = max(float(lip_v[1] - lip_v[0]), 0.3 * self.half)
        self.u_half = 1.7 * self.half
        v_top = float(nose_v[0])
        v_bottom = float(lip_v[1]) + 0.6 * chin_depth + 1.5 * CHIN_FOLLOW * OPEN_GAP * self.half

        self.u_table = np.linspace(-self.u_half, self.u_half, _TABLE, dtype=np.float32)
        oval_u, oval_v = local(lm[list(FACE_OVAL)])
        below = oval_v > 0
        knots = [np.full(_TABLE, v_top, dtype=np.float32)]
        for indices in (_UPPER_OUTER, UPPER_LIP_INNER, LOWER_LIP_INNER, _LOWER_OUTER):
            knots.append(np.interp(self.u_table, *curve(indices)).astype(np.float32))
        chin = np.interp(self.u_table, *profile(oval_u[below], oval_v[below]))
        knots.append(np.maximum(chin, knots[4] + 0.35 * chin_depth).astype(np.float32))
        knots.append(np.maximum(np.float32(v_bottom), knots[5] + 0.3 * chin_depth))
        self.sources = np.maximum.accumulate(np.stack(knots), axis=0).astype(np.float32)
        # the same with the extra knot of :meth:`targets`: the lower lip's edge, seen from above
        self._sources8 = np.insert(self.sources, 3, self.sources[3], axis=0)

        self.region = Region.around(self.frame, self.u_half, v_top, v_bottom, image.shape[:2])
        u, v = self.region.u, self.region.v
        lips_top, lips_bottom = float(self.sources[1].min()), float(self.sources[4].max())
        taper_u = smoothstep((self.u_half - np.abs(u)) / (self.u_half - 1.05 * self.half))
        # the corners move in or out with the lips; the cheeks and the jaw line barely follow
        reach = 0.45 * self.half
        top = max(lips_top - reach, v_top)
        taper_v = smoothstep((v - top) / max(lips_top - top, 1.0)) * smoothstep(
            (lips_bottom + reach - v) / reach
        )
        self._spread = (u * taper_u * taper_v).astype(np.float32)
        self.jaw_taper = smoothstep((self.u_half - np.abs(self.u_table)) / (0.7 * self.half))
        self.palette = _palette(image, lm)

    def targets(self, shape: MouthShape) -> FloatArray:
        """Where the knots go for ``shape``, per column of the table, with one knot added
        after the lips' inner edges: the end of what the portrait shows between the lips.

        The portrait's own mouth interior (teeth, if it shows them) moves with the upper lip,
        as upper teeth do; a wider opening shows a painted interior below it.
        """
        s = self.sources
        rest_gap = np.maximum(s[3] - s[2], 0.0)
        roundness = 0.75 + 0.35 * shape.width
        along = np.clip(1.0 - (self.u_table / self.inner) ** 2, 0.0, 1.0) ** roundness
        opening = shape.jaw * OPEN_GAP * self.half * along
        free = 1.0 - shape.seal
        gap = free * (rest_gap + opening)
        upper = shape.seal * rest_gap / 2 - free * RAISE * opening
        lower = upper + gap - rest_gap
        chin = CHIN_FOLLOW * shape.jaw * OPEN_GAP * self.half * self.jaw_taper
        shown = s[2] + upper + np.minimum(gap, rest_gap)
        moved = s + np.stack([0 * upper, 0.6 * upper, upper, lower, lower, chin, 0 * upper])
        return np.maximum.accumulate(
            np.concatenate([moved[:3], shown[None], moved[3:]]), axis=0
        ).astype(np.float32)

    def _sources(self, shape: MouthShape) -> FloatArray:
        """Source knots matching :meth:`targets`. Lips pressed together meet a little inside
        their detected edges, so that no sliver of the teeth between them shows."""
        s = self._sources8.copy()
        rest_gap = np.maximum(s[4] - s[2], 0.0)
        overlap = shape.seal * np.minimum(0.3 * rest_gap, 0.06 * self.half + 0.5)
        s[2] -= overlap
        s[4] += overlap
        return np.maximum.accumulate(s, axis=0)

    def render(self, image: Image, shape: MouthShape) -> Image:
        """The region of ``image`` (RGBA) with the mouth in ``shape``."""
        scale = SPREAD * shape.width if shape.width > 0 else ROUND * shape.width
        u_src = self.region.u - np.float32(scale) * self._spread
        pos = (u_src + self.u_half) * ((_TABLE - 1) / (2 * self.u_half))
        pos = np.clip(pos, 0.0, _TABLE - 1.001)
        i0 = pos.astype(np.int32)
        frac = (pos - i0).astype(np.float32)

        def at(table: FloatArray) -> FloatArray:
            return (table[:, i0] * (1 - frac) + table[:, i0 + 1] * frac).astype(np.float32)

        sources, targets = at(self._sources(shape)), at(self.targets(shape))
        v = self.region.v
        v_src = piecewise(v, targets, sources)
        fields = np.dstack(
            [
                v - targets[2],  # below the upper lip's inner edge
                v - targets[3],  # below what the portrait shows between the lips
                targets[4] - v,  # above the lower lip's inner edge
                targets[4] - targets[2],
                u_src / self.inner,
                v - (targets[2] + targets[3]) / 2,  # from the middle of the portrait's gap
                _squeeze(targets[3] - targets[2], sources[3] - sources[2]),
            ]
        ).astype(np.float32)
        warped = remap_region(image, self.region, self.frame, u_src, v_src)
        _paint_interior(warped, self.region.full(fields), self.palette, self.half)
        return warped


def _squeeze(shown: FloatArray, rest: FloatArray) -> FloatArray:
    """How far the portrait's own gap between the lips is pressed shut (0..1)."""
    return np.where(rest > 1.0, 1.0 - shown / np.maximum(rest, 1.0), 0.0).astype(np.float32)


def _paint_interior(out: Image, fields: FloatArray, palette: _Palette, half: float) -> None:
    """Draw the mouth's inside into ``out`` (in place) where the lips are apart, and the line
    where they meet when the portrait's own parted lips are pressed together."""
    below, below_shown, above, gap, x, middle, squeeze = (fields[..., i] for i in range(7))
    seam = np.clip(1.0 - np.abs(middle) / 0.9, 0, 1) * squeeze
    rows, cols = np.nonzero(seam > 0.01)
    if len(rows):
        rgb = out[rows, cols, :3].astype(np.float32)
        alpha = seam[rows, cols, None]
        out[rows, cols, :3] = np.clip(rgb + (palette.seam - rgb) * alpha, 0, 255).astype(np.uint8)
    painted = np.clip(above + below_shown, 0, 1)  # fades in over its first pixel of height
    cover = np.clip(below_shown + 1.0, 0, 1) * np.clip(above + 0.5, 0, 1) * painted
    rows, cols = np.nonzero(cover > 0.004)
    if len(rows) == 0:
        return
    below, gap, x, cover = below[rows, cols], gap[rows, cols], x[rows, cols], cover[rows, cols]
    depth = np.clip(below / np.maximum(gap, 1e-3), 0.0, 1.0)
    side = np.clip(x * x, 0.0, 1.0)
    colour = palette.cavity[None, :] * (1.0 - 0.45 * side)[:, None]
    # the tongue: an ellipse resting on the lower lip, seen once the mouth opens far enough
    r = np.sqrt((x / 0.62) ** 2 + ((depth - 1.08) / 0.55) ** 2)
    tongue = np.clip((1.0 - r) * np.minimum(0.5 * gap, 0.6 * half), 0, 1)
    tongue *= smoothstep((gap - 0.12 * half) / (0.25 * half))
    shade = (0.75 + 0.25 * np.clip(1.2 - r, 0, 1))[:, None]
    colour += (palette.tongue[None, :] * shade - colour) * tongue[:, None]
    # upper teeth: a band under the upper lip, receding (darker) towards the corners
    height = np.minimum(0.3 * gap, 0.16 * half) * (1.0 - side**2)
    teeth = np.clip(height - below + 0.5, 0, 1) * smoothstep((gap - 0.05 * half) / (0.1 * half))
    light = (1.0 - 0.5 * side) * (0.82 + 0.18 * smoothstep(below / 1.5))
    colour += (palette.teeth[None, :] * light[:, None] - colour) * teeth[:, None]
    rgb = out[rows, cols, :3].astype(np.float32)
    out[rows, cols, :3] = np.clip(rgb + (colour - rgb) * cover[:, None], 0, 255).astype(np.uint8)


def _palette(image: Image, lm: npt.NDArray[np.float32]) -> _Palette:
    """Interior colours matched to the portrait: from its lips, and its skin's brightness."""
    import cv2

    height, width = image.shape[:2]
    outer = np.zeros((height, width), dtype=np.uint8)
    inner = np.zeros((height, width), dtype=np.uint8)
    cv2.fillPoly(outer, [np.round(lm[list(LIPS_OUTER)]).astype(np.int32)], 1)
    cv2.fillPoly(
        inner, [np.round(lm[list(UPPER_LIP_INNER + LOWER_LIP_INNER[::-1])]).astype(np.int32)], 1
    )
    lips = sample_colour(image, (outer > 0) & (inner == 0), (170, 95, 95))
    cheeks = np.zeros((height, width), dtype=np.uint8)
    for index in (50, 280):  # FaceMesh: the middle of each cheek
        radius = max(2, round(0.25 * float(np.hypot(*(lm[61] - lm[291])))))
        cv2.circle(cheeks, (round(float(lm[index, 0])), round(float(lm[index, 1]))), radius, 1, -1)
    skin = sample_colour(image, cheeks > 0, (200, 160, 140))
    light = float(np.clip(skin.mean() / 165.0, 0.5, 1.1))

    def rgb(*values: float) -> FloatArray:
        return np.array(values, dtype=np.float32)

    return _Palette(
        cavity=lips * 0.2 + rgb(6, 0, 2),
        seam=lips * 0.55,
        tongue=lips * 0.78 + rgb(18, 0, 4) * light,
        teeth=rgb(236, 230, 218) * light,
    )
