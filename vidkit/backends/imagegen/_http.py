"""What the HTTP image backends share: one request with the errors mapped to vidkit's."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from vidkit.errors import BackendError

SECTION = "[services.image]"


def request_json(method: str, url: str, *, service: str, timeout_s: float, **kwargs: Any) -> Any:
    """``method url`` and its JSON body; every failure is a :class:`BackendError` that names
    ``service`` and says what to check."""
    return _send(method, url, service=service, timeout_s=timeout_s, **kwargs).json_body


class _Reply:
    def __init__(self, content: bytes, service: str, url: str) -> None:
        self.content = content
        self._service = service
        self._url = url

    @property
    def json_body(self) -> Any:
        import json

        try:
            return json.loads(self.content)
        except ValueError as exc:
            raise BackendError(
                f"{self._service} at {self._url} answered with a body that is not JSON; "
                "check that the URL points at the service itself"
            ) from exc


def probe(url: str, *, where: str, timeout_s: float, **kwargs: Any) -> Any:
    """One cheap read-only ``GET url`` for ``vidkit doctor``: its JSON answer. Failures are
    :class:`BackendError` messages from the shared mapping, naming ``[services.image]``."""
    from vidkit.backends._http import PROBE_TIMEOUT_S, call, json_value

    timeout = min(timeout_s, PROBE_TIMEOUT_S)
    response = call("GET", url, where=where, section=SECTION, timeout_s=timeout, **kwargs)
    return json_value(response, where)


def request_bytes(url: str, *, service: str, timeout_s: float, **kwargs: Any) -> bytes:
    return _send("GET", url, service=service, timeout_s=timeout_s, **kwargs).content


def _send(method: str, url: str, *, service: str, timeout_s: float, **kwargs: Any) -> _Reply:
    import httpx

    try:
        response = httpx.request(method, url, timeout=timeout_s, **kwargs)
    except httpx.TimeoutException as exc:
        raise BackendError(
            f"{service} at {url} did not answer within {timeout_s:g} s; raise "
            "[services.image] timeout_s or check that the server is not overloaded"
        ) from exc
    except httpx.HTTPError as exc:
        raise BackendError(
            f"cannot reach {service} at {url} ({exc}); check [services.image] url and that "
            "the server is running"
        ) from exc
    if response.status_code >= 400:
        detail = response.text[:300].strip()
        hint = (
            "check [services.image] api_key_env"
            if response.status_code in (401, 403)
            else "check the model, the workflow and the server's log"
        )
        raise BackendError(
            f"{service} at {url} answered HTTP {response.status_code}: {detail!r}; {hint}"
        )
    return _Reply(response.content, service, url)


def decode_png(data: object, *, service: str) -> bytes:
    """A base64 image from a JSON answer, checked to be an image vidkit can read."""
    if not isinstance(data, str) or not data:
        raise BackendError(f"{service} answered without image data; check its model and log")
    if data.startswith("data:") and "," in data:
        data = data.split(",", 1)[1]
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BackendError(f"{service} answered with image data that is not base64") from exc
    return check_image(raw, service=service)


def check_image(raw: bytes, *, service: str) -> bytes:
    """``raw`` as PNG bytes, or a BackendError if it is no image."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            if image.format == "PNG":
                return raw
            out = io.BytesIO()
            image.convert("RGBA").save(out, format="PNG")
            return out.getvalue()
    except (UnidentifiedImageError, OSError) as exc:
        raise BackendError(f"{service} answered with data that is not an image") from exc
