"""AUTOMATIC1111 / Forge web UI (started with ``--api``): ``POST {url}/sdapi/v1/txt2img``."""

from __future__ import annotations

from vidkit.backends.imagegen import GeneratedImage, Progress
from vidkit.backends.imagegen._http import decode_png, request_json
from vidkit.errors import BackendError

__all__ = ["A1111ImageGen"]

NEGATIVE = "several people, cropped face, profile, back view, blurry, text, watermark"


class A1111ImageGen:
    name = "a1111"

    def __init__(
        self,
        url: str,
        *,
        steps: int = 25,
        size: int = 768,
        timeout_s: float = 300.0,
        api_key: str | None = None,
        api_key_env: str = "",
    ) -> None:
        self.url = url.rstrip("/")
        self.steps = steps
        self.size = size
        self.timeout_s = timeout_s
        self._key = api_key
        self.api_key_env = api_key_env

    def fingerprint(self) -> str:
        return f"a1111:{self.url}:{self.steps}:{self.size}"

    def generate(
        self, prompt: str, seed: int, *, progress: Progress | None = None
    ) -> GeneratedImage:
        body = {
            "prompt": f"{prompt}, head and shoulders portrait, facing the camera",
            "negative_prompt": NEGATIVE,
            "seed": seed,
            "steps": self.steps,
            "width": self.size,
            "height": self.size,
            "batch_size": 1,
            "n_iter": 1,
        }
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        service = "the AUTOMATIC1111 web UI"
        answer = request_json(
            "POST",
            f"{self.url}/sdapi/v1/txt2img",
            service=service,
            timeout_s=self.timeout_s,
            json=body,
            headers=headers,
        )
        images = answer.get("images") if isinstance(answer, dict) else None
        if not isinstance(images, list) or not images:
            raise BackendError(
                f"{service} at {self.url} answered without images; was it started with --api?"
            )
        png = decode_png(images[0], service=service)
        if progress is not None:
            progress(1.0)
        return GeneratedImage(png, self.name, prompt, seed)
