"""Fast person segmentation with mediapipe's selfie segmenter (Tasks ``ImageSegmenter``).

The model (``selfie_segmentation.tflite``, 256 x 256 internally) returns one confidence mask,
"selfie", in 5-40 ms on a CPU: the fast path when rembg's u2netp is too slow. mediapipe is
imported on the first :meth:`MediaPipeSelfieMatting.mask`; the segmenter is created once,
reused, and released by :meth:`MediaPipeSelfieMatting.close` (or leaving a ``with`` block).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.backends._closing import Closing
from vidkit.backends._fingerprint import file_tag as _file_tag
from vidkit.backends._fingerprint import package_version as _version
from vidkit.backends._native import close_with, quiet_native_stderr, refuse_inherited
from vidkit.errors import BackendError
from vidkit.hints import fetch_models, install
from vidkit.imaging import check_rgb

__all__ = ["MediaPipeSelfieMatting"]


class MediaPipeSelfieMatting(Closing):
    """:class:`~vidkit.backends.matting.Matting` with mediapipe's selfie segmentation model."""

    def __init__(self, model_path: Path) -> None:
        self.model_path = Path(model_path)
        self._segmenter: Any = None
        self._closer: weakref.finalize[Any, Any] | None = None
        self._lock = threading.Lock()
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = (
                f"mediapipe-selfie:{_file_tag(self.model_path)}:mediapipe={_version('mediapipe')}"
            )
        return self._fingerprint

    def mask(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """The person's alpha (H x W uint8) in an H x W x 3 uint8 RGB image."""
        rgb = check_rgb(image)
        with self._lock, map_mediapipe_errors():
            import mediapipe as mp

            result = self._get_segmenter().segment(
                mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
            )
            if not result.confidence_masks:
                raise BackendError("the selfie segmenter returned no confidence mask")
            confidence = np.array(result.confidence_masks[0].numpy_view(), dtype=np.float32)
        confidence = confidence.reshape(confidence.shape[:2])
        if confidence.shape != rgb.shape[:2]:
            raise BackendError(f"the selfie segmenter returned a {confidence.shape} mask")
        return (np.clip(confidence, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)

    def close(self) -> None:
        """Release the segmenter; the next :meth:`mask` creates it again."""
        with self._lock:
            if self._closer is not None:
                self._closer()  # closes the task once, even if close() is called again
            self._segmenter = None
            self._closer = None

    def _get_segmenter(self) -> Any:
        refuse_inherited(self._closer, "selfie segmenter")
        if self._segmenter is None:
            if not self.model_path.is_file():
                raise BackendError(
                    f"person segmentation model {self.model_path} is missing",
                    hint=fetch_models(),
                )
            from mediapipe.tasks.python import BaseOptions, vision

            options = vision.ImageSegmenterOptions(
                base_options=BaseOptions(model_asset_path=str(self.model_path)),
                running_mode=vision.RunningMode.IMAGE,
                output_confidence_masks=True,
                output_category_mask=False,
            )
            with quiet_native_stderr():
                self._segmenter = vision.ImageSegmenter.create_from_options(options)
            self._closer = close_with(self, self._segmenter)  # closed at the latest on exit
        return self._segmenter


@contextmanager
def map_mediapipe_errors() -> Iterator[None]:
    """mediapipe failures as :class:`BackendError`; vidkit's own errors pass through."""
    try:
        yield
    except ImportError as exc:
        raise BackendError(
            f"the selfie segmenter needs mediapipe ({exc})",
            hint=install("mediapipe", "'mediapipe==1.2.3'"),
        ) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise BackendError(f"the mediapipe selfie segmenter failed: {exc}") from exc
