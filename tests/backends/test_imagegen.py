"""The offline illustrated generator: seeded, prompt words honoured, faces the rig finds."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from vidkit.backends import registry
from vidkit.backends.imagegen import GeneratedImage, ImageGen, Progress
from vidkit.backends.imagegen.faces import generate_with_face
from vidkit.backends.imagegen.illustrated import IllustratedImageGen, attributes_for
from vidkit.config import Config
from vidkit.errors import InvalidInput


@pytest.fixture(scope="module")
def rig() -> Any:
    from pathlib import Path

    return registry.build_facerig(Config().resolved(Path.cwd()))


def test_same_prompt_and_seed_give_the_same_image() -> None:
    gen = IllustratedImageGen(size=256)
    a = gen.generate("smiling woman with glasses", 3)
    b = gen.generate("smiling woman with glasses", 3)
    c = gen.generate("smiling woman with glasses", 4)
    assert a.png == b.png
    assert a.png != c.png
    assert a.illustration and a.provenance()["seed"] == 3
    with Image.open(io.BytesIO(a.png)) as image:
        assert image.size == (256, 256)


def test_prompt_words_pick_attributes() -> None:
    attrs = attributes_for("Bearded man with glasses, blonde hair, in a suit, serious", 1)
    assert attrs["facial_hair"] == "BEARD_MEDIUM"
    assert attrs["accessory"] == "PRESCRIPTION_2"
    assert attrs["hair_color"] == "BLONDE"
    assert attrs["clothing"] == "BLAZER_SHIRT"
    assert attrs["mouth"] == "SERIOUS"
    # a seed only changes what the prompt leaves open
    other = attributes_for("Bearded man with glasses, blonde hair, in a suit, serious", 2)
    assert other["facial_hair"] == "BEARD_MEDIUM" and other["mouth"] == "SERIOUS"


def test_faces_are_found_over_eight_seeds(rig: Any) -> None:
    gen = IllustratedImageGen()
    found = 0
    for seed in range(8):
        image = generate_with_face(gen, rig, "friendly teacher", seed, tries=1)
        found += image.tries == 1
    assert found == 8


class _Faceless:
    """A generator whose first ``blank`` images are a plain grey square (no face)."""

    def __init__(self, blank: int) -> None:
        self.blank = blank
        self.seeds: list[int] = []
        self.inner = IllustratedImageGen(size=384)

    def fingerprint(self) -> str:
        return "faceless"

    def generate(
        self, prompt: str, seed: int, *, progress: Progress | None = None
    ) -> GeneratedImage:
        self.seeds.append(seed)
        if len(self.seeds) <= self.blank:
            out = io.BytesIO()
            Image.new("RGB", (384, 384), (128, 128, 128)).save(out, format="PNG")
            return GeneratedImage(out.getvalue(), "faceless", prompt, seed)
        return self.inner.generate(prompt, seed)


def test_an_image_without_a_face_is_reseeded(rig: Any) -> None:
    gen = _Faceless(blank=1)
    assert isinstance(gen, ImageGen)
    image = generate_with_face(gen, rig, "a person", 5, tries=3)
    assert image.tries == 2 and image.seed == gen.seeds[1] != 5


def test_no_face_in_any_try_is_a_clear_error(rig: Any) -> None:
    with pytest.raises(InvalidInput, match="no usable face in 2 generated images"):
        generate_with_face(_Faceless(blank=5), rig, "a landscape", 0, tries=2)


def test_empty_url_builds_the_illustrated_generator() -> None:
    assert isinstance(registry.build_imagegen(Config()), IllustratedImageGen)
