"""An OpenAI-compatible image service: ``POST {url}/images/generations`` with
``response_format: b64_json``. The API has no seed; it is sent as an extra field that
compatible local servers may honour, and recorded either way. ``vidkit doctor`` asks
``GET {url}/models`` (the models list) whether the configured model is there."""

from __future__ import annotations

from vidkit.backends._http import listed, shown_url
from vidkit.backends._openai import base_url
from vidkit.backends.imagegen import GeneratedImage, Progress
from vidkit.backends.imagegen._http import SECTION, decode_png, probe, request_json
from vidkit.errors import BackendError

__all__ = ["OpenAIImageGen"]


class OpenAIImageGen:
    name = "openai"

    def __init__(
        self,
        url: str,
        *,
        model: str = "dall-e-3",
        size: str = "1024x1024",
        api_key: str | None = None,
        api_key_env: str = "",
        timeout_s: float = 120.0,
    ) -> None:
        self.url = base_url(url)
        self.model = model
        self.size = size
        self._key = api_key
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s

    def fingerprint(self) -> str:
        return f"openai-images:{self.url}:{self.model}:{self.size}"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}"} if self._key else {}

    def capability(self) -> str:
        """Whether the server lists ``model``, from ``GET /models`` (runs no model)."""
        where = f"image service at {SECTION} url {shown_url(self.url)}"
        answer = probe(
            f"{self.url}/models", where=where, timeout_s=self.timeout_s, headers=self._headers()
        )
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list):
            raise BackendError(
                f"the {where} answered /models without a data list; is it an OpenAI-compatible API?"
            )
        ids = [str(m["id"]) for m in data if isinstance(m, dict) and m.get("id")]
        if self.model not in ids:
            raise BackendError(
                f"the {where} does not list model {self.model!r} (it lists: {listed(ids)}); "
                f"set {SECTION} model to one it lists"
            )
        return f"generates images (OpenAI-compatible API, model {self.model} listed)"

    def generate(
        self, prompt: str, seed: int, *, progress: Progress | None = None
    ) -> GeneratedImage:
        headers = self._headers()
        body = {
            "model": self.model,
            "prompt": prompt,
            "n": 1,
            "size": self.size,
            "response_format": "b64_json",
            "seed": seed,
        }
        service = "the image service"
        answer = request_json(
            "POST",
            f"{self.url}/images/generations",
            service=service,
            timeout_s=self.timeout_s,
            json=body,
            headers=headers,
        )
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list) or not data or not isinstance(data[0], dict):
            raise BackendError(
                f"{service} at {self.url} answered without a data list; is it an "
                "OpenAI-compatible /images/generations endpoint?"
            )
        png = decode_png(data[0].get("b64_json"), service=service)
        if progress is not None:
            progress(1.0)
        return GeneratedImage(png, self.name, prompt, seed)
