"""A generated portrait is only useful if the face rig finds its face: reseed until it does."""

from __future__ import annotations

import io

import numpy as np

from vidkit.backends.facerig import FaceRig
from vidkit.backends.imagegen import GeneratedImage, ImageGen, Progress
from vidkit.errors import InvalidInput

__all__ = ["RESEED_STEP", "generate_with_face"]

RESEED_STEP = 7919
"""Each retry adds this to the seed (a prime, so retries of nearby seeds do not collide)."""


def generate_with_face(
    gen: ImageGen,
    facerig: FaceRig,
    prompt: str,
    seed: int,
    *,
    tries: int = 4,
    progress: Progress | None = None,
) -> GeneratedImage:
    """An image from ``gen`` in which ``facerig`` finds exactly one face; when it finds none,
    the prompt is tried again with the next seed, at most ``tries`` times in all. The result
    records the seed that worked and how many tries it took."""
    from dataclasses import replace

    from PIL import Image

    reasons: list[str] = []
    for attempt in range(tries):
        current = seed + attempt * RESEED_STEP
        image = gen.generate(prompt, current, progress=progress)
        with Image.open(io.BytesIO(image.png)) as opened:
            pixels = np.asarray(opened.convert("RGB"), dtype=np.uint8)
        try:
            facerig.detect(pixels, name=f"generated image (seed {current})")
        except InvalidInput as exc:
            reasons.append(f"seed {current}: {exc}")
            continue
        return replace(image, seed=current, tries=attempt + 1)
    raise InvalidInput(
        f"no usable face in {tries} generated images for {prompt!r} ({'; '.join(reasons)}); "
        "describe a single person facing the camera (head and shoulders), or try another seed"
    )
