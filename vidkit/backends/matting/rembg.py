"""Background removal with rembg's u2netp session, fully offline.

rembg normally resolves a model through ``$U2NET_HOME`` and pooch, which downloads it when the
file is missing or its checksum differs. vidkit never lets it: the session is rembg's own
``U2netpSession`` with its model lookup answered by the verified file that
:func:`vidkit.models.require` returns, so no environment variable is touched and no network is
tried. rembg is imported on the first :meth:`RembgMatting.mask` (its first import ever compiles
numba code for ~45 s; later imports take seconds).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.backends._closing import Closing
from vidkit.backends._fingerprint import file_tag as _file_tag
from vidkit.backends._fingerprint import package_version as _version
from vidkit.errors import BackendError
from vidkit.hints import fetch_models, install
from vidkit.imaging import check_rgb

__all__ = ["MODEL_FILE", "RembgMatting"]

MODEL_FILE = "u2netp.onnx"  # the name rembg itself gives the u2netp model


class RembgMatting(Closing):
    """:class:`~vidkit.backends.matting.Matting` with rembg's u2netp (320 x 320 internally)."""

    def __init__(self, model_dir: Path) -> None:
        self.model_path = Path(model_dir) / MODEL_FILE
        self._session: Any = None
        self._lock = threading.Lock()
        self._fingerprint: str | None = None

    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = (
                f"rembg:u2netp:{_file_tag(self.model_path)}:rembg={_version('rembg')}"
            )
        return self._fingerprint

    def mask(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """The person's alpha (H x W uint8) in an H x W x 3 uint8 RGB image."""
        rgb = check_rgb(image)
        with self._lock, map_rembg_errors():
            from PIL import Image

            session = self._get_session()
            (matte,) = session.predict(Image.fromarray(rgb))[:1]
            alpha = np.asarray(matte.convert("L"), dtype=np.uint8)
        if alpha.shape != rgb.shape[:2]:
            raise BackendError(f"rembg returned a {alpha.shape} mask for a {rgb.shape} image")
        return alpha

    def close(self) -> None:
        """Drop the onnxruntime session; the next :meth:`mask` loads it again."""
        with self._lock:
            self._session = None

    def _get_session(self) -> Any:
        if self._session is None:
            if not self.model_path.is_file():
                raise BackendError(
                    f"background removal model {self.model_path} is missing",
                    hint=fetch_models(),
                )
            self._session = _offline_session(self.model_path)
        return self._session


def _offline_session(model_file: Path) -> Any:
    """rembg's u2netp session on a local file; its download step only returns that file."""
    import onnxruntime as ort
    from rembg.sessions.u2netp import U2netpSession

    class OfflineU2netpSession(U2netpSession):  # type: ignore[misc]
        @classmethod
        def download_models(cls, *args: Any, **kwargs: Any) -> str:
            return str(model_file)

    return OfflineU2netpSession("u2netp", ort.SessionOptions())


@contextmanager
def map_rembg_errors() -> Iterator[None]:
    """rembg / onnxruntime failures as :class:`BackendError`; vidkit's own pass through."""
    try:
        yield
    except ImportError as exc:
        raise BackendError(
            f"background removal with rembg needs it installed ({exc})",
            hint=install("rembg", "'rembg[cpu]'"),
        ) from exc
    except (RuntimeError, ValueError, OSError) as exc:
        raise BackendError(f"rembg failed to cut out the picture: {exc}") from exc
