"""AUTOMATIC1111 / Forge web UI (started with ``--api``): ``POST {url}/sdapi/v1/txt2img``;
``vidkit doctor`` lists its checkpoints with ``GET {url}/sdapi/v1/sd-models``."""

from __future__ import annotations

from vidkit.backends._http import listed, shown_url
from vidkit.backends.imagegen import GeneratedImage, Progress
from vidkit.backends.imagegen._http import SECTION, decode_png, probe, request_json
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

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._key}"} if self._key else {}

    def capability(self) -> str:
        """The checkpoints the web UI can load, from ``GET /sdapi/v1/sd-models``: a list of
        ``{title, model_name, hash, sha256, filename, config}`` (runs no model)."""
        where = f"AUTOMATIC1111 web UI at {SECTION} url {shown_url(self.url)}"
        try:
            answer = probe(
                f"{self.url}/sdapi/v1/sd-models", where=where, timeout_s=self.timeout_s,
                headers=self._headers(),
            )  # fmt: skip
        except BackendError as exc:
            if "404" not in str(exc):
                raise
            raise BackendError(f"{exc}; was the web UI started with --api?") from exc
        if not isinstance(answer, list):
            raise BackendError(
                f"the {where} answered /sdapi/v1/sd-models without a list of checkpoints"
            )
        names = [
            str(m.get("model_name") or m.get("title"))
            for m in answer
            if isinstance(m, dict) and (m.get("model_name") or m.get("title"))
        ]
        if not names:
            raise BackendError(
                f"the {where} has no checkpoints: put a Stable Diffusion model in its "
                "models/Stable-diffusion folder"
            )
        return f"generates images (AUTOMATIC1111/Forge, checkpoints {listed(names)})"

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
        headers = self._headers()
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
