"""Background removal by a rembg server (``rembg s``): ``POST /api/remove`` with the picture
as the multipart field ``file`` and ``om=true`` (only the mask), answered with a PNG matte."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.backends._http import call, json_body
from vidkit.errors import BackendError
from vidkit.imaging import check_rgb

__all__ = ["RembgServerMatting"]

VERSION = 1
SECTION = "[services.matting]"


class RembgServerMatting:
    """:class:`~vidkit.backends.matting.Matting` by a rembg server at ``url``; ``model`` is
    one of the server's session names (``u2netp`` is the model vidkit itself ships)."""

    def __init__(
        self,
        url: str,
        *,
        model: str = "u2netp",
        api_key: str | None = None,
        timeout_s: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._where = f"rembg server at {SECTION} url {self.url}"

    def fingerprint(self) -> str:
        return f"rembg-server:v{VERSION}:{self.url}:model={self.model}"

    def mask(self, image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
        """The person's alpha (H x W uint8) in an H x W x 3 uint8 RGB image."""
        import cv2

        rgb = check_rgb(image)
        ok, png = cv2.imencode(".png", np.ascontiguousarray(rgb[..., ::-1]))
        if not ok:
            raise BackendError("could not encode the picture as PNG for the rembg server")
        response = call(
            "POST",
            f"{self.url}/api/remove",
            where=self._where,
            section=SECTION,
            timeout_s=self.timeout_s,
            files={"file": ("image.png", png.tobytes(), "image/png")},
            data={"model": self.model, "om": "true"},
            headers=self._headers,
        )
        decoded = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_UNCHANGED)
        if decoded is None:
            kind = response.headers.get("content-type", "unknown type")
            raise BackendError(
                f"the {self._where} answered with something that is not an image ({kind}, "
                f"{len(response.content)} bytes); is the URL that of a rembg server?"
            )
        if decoded.ndim == 3:
            decoded = decoded[..., 3] if decoded.shape[2] == 4 else decoded[..., 0]
        raw = np.asarray(decoded)
        scale = 1 if raw.dtype == np.uint8 else 257  # a 16-bit PNG
        alpha = np.asarray(raw // scale, dtype=np.uint8)
        if alpha.shape != rgb.shape[:2]:
            raise BackendError(
                f"the {self._where} returned a {alpha.shape[1]} x {alpha.shape[0]} mask for a "
                f"{rgb.shape[1]} x {rgb.shape[0]} picture"
            )
        return alpha

    def capability(self) -> str:
        """What the server offers, read from its OpenAPI schema (cheap, runs no model)."""
        body = json_body(
            call(
                "GET", f"{self.url}/openapi.json", where=self._where, section=SECTION,
                timeout_s=min(self.timeout_s, 5.0), headers=self._headers,
            ),
            self._where,
        )  # fmt: skip
        paths: dict[str, Any] = body.get("paths") or {}
        if "post" not in (paths.get("/api/remove") or {}):
            raise BackendError(
                f"the {self._where} does not offer POST /api/remove; is it a rembg server?"
            )
        models = sorted(set(re.findall(r"[a-z0-9_\-]+", _model_pattern(body))))
        if models and self.model not in models:
            raise BackendError(
                f"the {self._where} has no model {self.model!r}; set {SECTION} model to one "
                f"of {', '.join(models)}"
            )
        return f"removes backgrounds (model {self.model})"


def _model_pattern(schema: dict[str, Any]) -> str:
    """The ``model`` field's pattern (rembg lists its session names there), or ""."""
    found = re.search(r'"model"[^{]*\{[^}]*"pattern"\s*:\s*"([^"]+)"', _dump(schema))
    return found.group(1) if found else ""


def _dump(schema: dict[str, Any]) -> str:
    import json

    return json.dumps(schema)
