"""Face rig with mediapipe's FaceLandmarker: 478 FaceMesh landmarks and 52 blendshapes.

mediapipe is imported lazily, when the first image is rigged. The landmarker runs in IMAGE
mode; it is created once per :class:`MediaPipeFaceRig`, reused, and released by
:meth:`MediaPipeFaceRig.close` (or by leaving a ``with`` block).

The detector inside the landmarker sees the whole picture letterboxed to 128 x 128 pixels, so a
face that covers a small part of a wide picture is missed. When the whole picture shows no face,
the rig searches overlapping square windows (the short side, then half of it) and counts the
distinct faces they show; the first window size that shows any face decides.

Landmark names follow mediapipe: ``LEFT`` is the subject's left, which is on the image's right.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.backends._closing import Closing
from vidkit.backends._fingerprint import file_tag as _file_tag
from vidkit.backends._fingerprint import package_version as _version
from vidkit.backends._native import close_with, quiet_native_stderr, refuse_inherited
from vidkit.backends.facerig import Rig
from vidkit.errors import BackendError, InvalidInput
from vidkit.hints import fetch_models, install
from vidkit.imaging import check_rgb

__all__ = [
    "CHIN",
    "FACE_OVAL",
    "LEFT_EYE_LOWER",
    "LEFT_EYE_UPPER",
    "LEFT_IRIS",
    "LIPS_INNER",
    "LIPS_OUTER",
    "LOWER_LIP_INNER",
    "NOSE_TIP",
    "RIGHT_EYE_LOWER",
    "RIGHT_EYE_UPPER",
    "RIGHT_IRIS",
    "UPPER_LIP_INNER",
    "MediaPipeFaceRig",
]

# --- FaceMesh topology (indices into Rig.landmarks) -------------------------------------------
# Eyelids run from the outer corner to the inner corner. LEFT = the subject's left eye.
LEFT_EYE_UPPER = (263, 466, 388, 387, 386, 385, 384, 398, 362)
LEFT_EYE_LOWER = (263, 249, 390, 373, 374, 380, 381, 382, 362)
RIGHT_EYE_UPPER = (33, 246, 161, 160, 159, 158, 157, 173, 133)
RIGHT_EYE_LOWER = (33, 7, 163, 144, 145, 153, 154, 155, 133)
# Iris: centre first, then four points on its rim.
LEFT_IRIS = (473, 474, 475, 476, 477)
RIGHT_IRIS = (468, 469, 470, 471, 472)
# Closed loops, clockwise on screen from the mouth corner on the image's left (61 / 78).
LIPS_OUTER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409,
              291, 375, 321, 405, 314, 17, 84, 181, 91, 146)  # fmt: skip
LIPS_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415,
              308, 324, 318, 402, 317, 14, 87, 178, 88, 95)  # fmt: skip
# The inner edge of each lip, corner (78) to corner (308); 13 and 14 are the mid-points.
UPPER_LIP_INNER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_LIP_INNER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
# Closed loop around the face, clockwise on screen from the top of the forehead (10).
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21,
             54, 103, 67, 109)  # fmt: skip
NOSE_TIP = 1
CHIN = 152

NUM_LANDMARKS = 478
NO_FACE = "use a photo with one clearly visible face, looking at the camera"
_WINDOW_SCALES = (1.0, 0.5)  # window side as a fraction of the picture's short side
_MIN_WINDOW = 96  # pixels; smaller windows hold no face the landmarker can rig


@dataclass(frozen=True, slots=True)
class _Face:
    landmarks: npt.NDArray[np.float32]  # (478, 3), pixels of the whole picture
    blendshapes: dict[str, float]
    margin: float  # distance of the face box from its window's edge, as a fraction of the window

    @property
    def box(self) -> tuple[float, float, float, float]:
        xy = self.landmarks[:, :2]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)


class MediaPipeFaceRig(Closing):
    """:class:`~vidkit.backends.facerig.FaceRig` on mediapipe's FaceLandmarker task file."""

    def __init__(self, model_path: Path) -> None:
        self.model_path = Path(model_path)
        self._landmarker: Any = None
        self._closer: weakref.finalize[Any, Any] | None = None
        self._lock = threading.Lock()
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = (
                f"mediapipe-face-landmarker:{_file_tag(self.model_path)}"
                f":mediapipe={_version('mediapipe')}:num_faces=2:windows={_WINDOW_SCALES}"
            )
        return self._fingerprint

    def detect(self, image: npt.NDArray[np.uint8], *, name: str | None = None) -> Rig:
        """The one face in ``image`` (H x W x 3 uint8 RGB); landmarks in its pixels.

        No face, or more than one, is an :class:`InvalidInput` whose message names ``name``.
        """
        rgb = check_rgb(image, name)
        height, width = rgb.shape[:2]
        with self._lock:
            faces = self._faces(rgb, 0, 0)
            if not faces:
                faces = self._search_windows(rgb)
        where = f"the portrait {name!r}" if name else "the portrait"
        if not faces:
            raise InvalidInput(f"no face found in {where}; {NO_FACE}", field="image")
        if len(faces) > 1:
            raise InvalidInput(
                f"{len(faces)} faces found in {where}; vidkit animates one presenter: "
                "crop the picture to one person, or use a photo with one face",
                field="image",
            )
        face = faces[0]
        return Rig(
            width=width, height=height, landmarks=face.landmarks, blendshapes=face.blendshapes
        )

    def close(self) -> None:
        """Release the landmarker; the next :meth:`detect` creates it again."""
        with self._lock:
            if self._closer is not None:
                self._closer()  # closes the task once, even if close() is called again
            self._landmarker = None
            self._closer = None

    # --- internals -------------------------------------------------------------------------

    def _search_windows(self, rgb: npt.NDArray[np.uint8]) -> list[_Face]:
        height, width = rgb.shape[:2]
        for scale in _WINDOW_SCALES:
            side = int(min(height, width) * scale)
            if side < _MIN_WINDOW:
                break
            if side == height == width:
                continue  # the one window would be the whole picture, already searched
            found: list[_Face] = []
            for top in _starts(height, side):
                for left in _starts(width, side):
                    window = np.ascontiguousarray(rgb[top : top + side, left : left + side])
                    found.extend(self._faces(window, left, top))
            faces = _distinct(found)
            if faces:
                return faces
        return []

    def _faces(self, rgb: npt.NDArray[np.uint8], left: int, top: int) -> list[_Face]:
        """Faces the landmarker finds in ``rgb``, placed at (left, top) of the whole picture."""
        with map_mediapipe_errors("face landmarker"):
            import mediapipe as mp

            result = self._get_landmarker().detect(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            )
        height, width = rgb.shape[:2]
        faces = []
        for index, points in enumerate(result.face_landmarks):
            raw = np.array([(p.x, p.y, p.z) for p in points], dtype=np.float32)
            if raw.shape != (NUM_LANDMARKS, 3):
                raise BackendError(
                    f"the face landmarker returned {raw.shape[0]} landmarks, expected "
                    f"{NUM_LANDMARKS}; use the face_landmarker.task pinned in models.toml"
                )
            pixels = raw * np.array([width, height, width], dtype=np.float32)
            pixels += np.array([left, top, 0], dtype=np.float32)
            shapes = result.face_blendshapes[index] if result.face_blendshapes else []
            x0, y0 = raw[:, :2].min(axis=0)
            x1, y1 = raw[:, :2].max(axis=0)
            margin = float(min(x0, y0, 1.0 - x1, 1.0 - y1))
            faces.append(
                _Face(
                    landmarks=pixels,
                    blendshapes={c.category_name: float(c.score) for c in shapes},
                    margin=margin,
                )
            )
        return faces

    def _get_landmarker(self) -> Any:
        refuse_inherited(self._closer, "face landmarker")
        if self._landmarker is None:
            if not self.model_path.is_file():
                raise BackendError(
                    f"face landmarker model {self.model_path} is missing", hint=fetch_models()
                )
            from mediapipe.tasks.python import BaseOptions, vision

            options = vision.FaceLandmarkerOptions(
                base_options=BaseOptions(model_asset_path=str(self.model_path)),
                running_mode=vision.RunningMode.IMAGE,
                output_face_blendshapes=True,
                num_faces=2,
            )
            with quiet_native_stderr():
                self._landmarker = vision.FaceLandmarker.create_from_options(options)
            self._closer = close_with(self, self._landmarker)  # closed at the latest on exit
        return self._landmarker


@contextmanager
def map_mediapipe_errors(what: str) -> Iterator[None]:
    """Turn mediapipe's own failures into :class:`BackendError` (ours pass through)."""
    try:
        yield
    except ImportError as exc:
        raise BackendError(
            f"the {what} needs mediapipe ({exc})", hint=install("mediapipe", "'mediapipe==1.2.3'")
        ) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise BackendError(f"the mediapipe {what} failed: {exc}") from exc


def _starts(length: int, side: int) -> list[int]:
    """Window offsets along one axis: half-overlapping, the last one flush with the end."""
    stride = max(side // 2, 1)
    starts = list(range(0, max(length - side, 0) + 1, stride))
    if starts[-1] + side < length:
        starts.append(length - side)
    return starts


def _distinct(faces: list[_Face]) -> list[_Face]:
    """One face per person: overlapping detections from neighbouring windows are merged,
    keeping the one farthest from its window's edge (the least cut off)."""
    kept: list[_Face] = []
    for face in sorted(faces, key=lambda f: -f.margin):
        if all(_overlap(face.box, other.box) < 0.3 for other in kept):
            kept.append(face)
    return kept


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return float(w * h / smaller) if smaller > 0 else 1.0
