"""Image generation: a portrait for the presenter, from a prompt and a seed.

Backends: ``illustrated`` (offline, python_avatars drawn to PNG with cairosvg: an
illustration, not a photo), ``openai`` (``POST /v1/images/generations``), ``a1111``
(AUTOMATIC1111/Forge ``POST /sdapi/v1/txt2img``) and ``comfyui`` (an API-format workflow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["GeneratedImage", "ImageGen", "Progress"]

Progress = Callable[[float], None]
"""Called with the fraction done (0..1) of one image, when the backend can tell."""


@dataclass(frozen=True)
class GeneratedImage:
    """One generated image (PNG bytes) and where it came from."""

    png: bytes
    backend: str
    prompt: str
    seed: int
    illustration: bool = False
    tries: int = 1

    def provenance(self) -> dict[str, str | int | bool]:
        """What an asset's metadata records about how the image was made."""
        return {
            "generated_by": self.backend,
            "prompt": self.prompt,
            "seed": self.seed,
            "illustration": self.illustration,
            "tries": self.tries,
        }


@runtime_checkable
class ImageGen(Protocol):
    """Makes one portrait image from ``prompt`` and ``seed``; the same prompt and seed give
    the same image where the backend is deterministic."""

    def fingerprint(self) -> str: ...

    def generate(
        self, prompt: str, seed: int, *, progress: Progress | None = None
    ) -> GeneratedImage: ...
