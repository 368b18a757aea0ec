"""The offline generator: a python_avatars illustration drawn to PNG with cairosvg.

Words of the prompt pick attributes (hair, skin, clothes, expression, glasses, beard ...);
what the prompt leaves open is drawn from a generator seeded by the prompt and the seed, so
the same prompt and seed give the same image. The result is an illustration, not a photo.
"""

from __future__ import annotations

import random
import re
from typing import Any

from vidkit.backends.imagegen import GeneratedImage, Progress
from vidkit.errors import BackendError
from vidkit.hints import install

__all__ = ["IllustratedImageGen", "attributes_for"]

# prompt word -> (attribute, enum member name). Checked in order; the first match wins.
_WORDS: tuple[tuple[str, str, str], ...] = (
    # skin
    (r"\b(pale|fair)\b", "skin_color", "PALE"),
    (r"\blight[- ]skinned|light skin\b", "skin_color", "LIGHT"),
    (r"\btanned|tan\b", "skin_color", "TANNED"),
    (r"\bdark[- ]skinned|dark skin|black skin\b", "skin_color", "DARK_BROWN"),
    (r"\bbrown skin|brown[- ]skinned\b", "skin_color", "BROWN"),
    # hair colour
    (r"\bblonde?\b", "hair_color", "BLONDE"),
    (r"\b(red|ginger|auburn)[- ]?(hair|haired|head)\b|\bredhead\b", "hair_color", "AUBURN"),
    (
        r"\b(grey|gray|silver|white)[- ]?(hair|haired)\b|\bold\b|\belderly\b",
        "hair_color",
        "SILVER_GRAY",
    ),
    (r"\bblack[- ]?(hair|haired)\b", "hair_color", "BLACK"),
    (r"\bbrown[- ]?(hair|haired)\b|\bbrunette\b", "hair_color", "BROWN_DARK"),
    (r"\bpink[- ]?(hair|haired)\b", "hair_color", "PASTEL_PINK"),
    # hair style
    (r"\bbald\b", "top", "NONE"),
    (r"\bcurly\b", "top", "CURLY"),
    (r"\b(long[- ]?hair(ed)?|woman|female|girl|she)\b", "top", "LONG_NOT_TOO_LONG"),
    (r"\bbun\b", "top", "BUN"),
    (r"\bdreads|dreadlocks\b", "top", "DREADS"),
    (r"\b(short[- ]?hair(ed)?|man|male|guy|he)\b", "top", "SHORT_FLAT"),
    (r"\bhijab\b", "top", "HIJAB"),
    (r"\bturban\b", "top", "TURBAN"),
    # clothes
    (r"\b(suit|blazer|formal|business|professional)\b", "clothing", "BLAZER_SHIRT"),
    (r"\bhoodie\b", "clothing", "HOODIE"),
    (r"\bsweater|jumper\b", "clothing", "COLLAR_SWEATER"),
    (r"\boveralls?\b", "clothing", "OVERALL"),
    (r"\b(t-?shirt|casual)\b", "clothing", "SHIRT_CREW_NECK"),
    # expression
    (r"\b(smil\w*|happy|cheerful|friendly)\b", "mouth", "SMILE"),
    (r"\b(serious|stern|neutral)\b", "mouth", "SERIOUS"),
    (r"\b(concerned|worried)\b", "mouth", "CONCERNED"),
    # glasses, beard
    (r"\bsunglasses\b", "accessory", "SUNGLASSES"),
    (r"\b(glasses|spectacles)\b", "accessory", "PRESCRIPTION_2"),
    (r"\bround glasses\b", "accessory", "ROUND"),
    (r"\bbeard(ed)?\b", "facial_hair", "BEARD_MEDIUM"),
    (r"\bmoustache|mustache\b", "facial_hair", "MOUSTACHE_FANCY"),
    # clothing colour
    (r"\b(blue)\b", "clothing_color", "BLUE_02"),
    (r"\b(red)\b(?![- ]?(hair|haired|head))", "clothing_color", "RED"),
    (r"\b(black)\b(?![- ]?(hair|haired|skin))", "clothing_color", "BLACK"),
    (r"\b(grey|gray)\b(?![- ]?(hair|haired))", "clothing_color", "GRAY_02"),
    (r"\b(white)\b(?![- ]?(hair|haired))", "clothing_color", "WHITE"),
    (r"\b(pink)\b(?![- ]?(hair|haired))", "clothing_color", "PINK"),
    (r"\b(green)\b", "clothing_color", "PASTEL_GREEN"),
)

# What seeds may pick where the prompt is silent: presenter-like choices only (open eyes, a
# calm mouth, everyday clothes), which also keeps the face detectable.
_OPEN: dict[str, tuple[str, ...]] = {
    "skin_color": ("TANNED", "YELLOW", "PALE", "LIGHT", "BROWN", "DARK_BROWN", "BLACK"),
    "hair_color": (
        "AUBURN",
        "BLACK",
        "BLONDE",
        "BLONDE_GOLDEN",
        "BROWN",
        "BROWN_DARK",
        "PLATINUM",
        "RED",
        "SILVER_GRAY",
    ),
    "top": (
        "SHORT_FLAT",
        "SHORT_WAVED",
        "SHORT_CURLY",
        "SIDES",
        "CAESAR",
        "LONG_NOT_TOO_LONG",
        "BOB",
        "BUN",
        "CURLY",
        "STRAIGHT_1",
        "STRAIGHT_2",
        "BIG_HAIR",
        "FRIZZLE",
    ),
    "clothing": (
        "BLAZER_SHIRT",
        "BLAZER_SWEATER",
        "COLLAR_SWEATER",
        "HOODIE",
        "SHIRT_CREW_NECK",
        "SHIRT_SCOOP_NECK",
        "SHIRT_V_NECK",
    ),
    "clothing_color": (
        "BLACK",
        "BLUE_01",
        "BLUE_02",
        "BLUE_03",
        "GRAY_01",
        "GRAY_02",
        "HEATHER",
        "PASTEL_BLUE",
        "PASTEL_GREEN",
        "RED",
        "WHITE",
    ),
    "mouth": ("DEFAULT", "SMILE", "TWINKLE", "SERIOUS"),
    "eyes": ("DEFAULT", "HAPPY", "SIDE", "SQUINT"),
    "eyebrows": ("DEFAULT", "DEFAULT_NATURAL", "FLAT_NATURAL", "RAISED_EXCITED_NATURAL"),
    "accessory": ("NONE",) * 6 + ("PRESCRIPTION_1", "PRESCRIPTION_2", "ROUND"),
    "facial_hair": ("NONE",) * 5 + ("BEARD_LIGHT", "BEARD_MEDIUM", "MOUSTACHE_FANCY"),
}


def attributes_for(prompt: str, seed: int) -> dict[str, str]:
    """The python_avatars attribute names (enum member names) for ``prompt`` and ``seed``."""
    text = prompt.lower()
    chosen: dict[str, str] = {}
    for pattern, attribute, member in _WORDS:
        if attribute not in chosen and re.search(pattern, text):
            chosen[attribute] = member
    rng = random.Random(f"{' '.join(text.split())}|{seed}")
    for attribute, options in _OPEN.items():
        pick = rng.choice(options)  # drawn even when fixed, so each attribute's draw is stable
        chosen.setdefault(attribute, pick)
    return chosen


def _enums(pa: Any) -> dict[str, Any]:
    top = {**{m.name: m for m in pa.HairType}, **{m.name: m for m in pa.HatType}}
    return {
        "skin_color": pa.SkinColor,
        "hair_color": pa.HairColor,
        "top": top,
        "clothing": pa.ClothingType,
        "clothing_color": pa.ClothingColor,
        "mouth": pa.MouthType,
        "eyes": pa.EyeType,
        "eyebrows": pa.EyebrowType,
        "accessory": pa.AccessoryType,
        "facial_hair": pa.FacialHairType,
    }


class IllustratedImageGen:
    """python_avatars + cairosvg, ``size`` pixels square, on a plain light background."""

    name = "illustrated"

    def __init__(self, size: int = 512, background: str = "#F2F4F7") -> None:
        self.size = size
        self.background = background

    def fingerprint(self) -> str:
        return f"illustrated:python_avatars-1.4.1:{self.size}:{self.background}"

    def generate(
        self, prompt: str, seed: int, *, progress: Progress | None = None
    ) -> GeneratedImage:
        pa, cairosvg = _vendor()
        enums = _enums(pa)
        attrs = attributes_for(prompt, seed)
        kwargs: dict[str, Any] = {}
        for attribute, member in attrs.items():
            enum = enums[attribute]
            kwargs[attribute] = enum[member]
        kwargs["facial_hair_color"] = kwargs["hair_color"]
        avatar = pa.Avatar(style=pa.AvatarStyle.TRANSPARENT, **kwargs)
        svg = avatar.render()
        png = cairosvg.svg2png(
            bytestring=svg.encode("utf-8"),
            output_width=self.size,
            output_height=self.size,
            background_color=self.background,
        )
        if progress is not None:
            progress(1.0)
        return GeneratedImage(bytes(png), self.name, prompt, seed, illustration=True)


def _vendor() -> tuple[Any, Any]:
    try:
        import python_avatars as pa
    except ImportError as exc:
        raise BackendError(
            "the illustrated avatar generator needs python-avatars",
            hint=install("python-avatars", "python-avatars==1.4.1"),
        ) from exc
    try:
        import cairosvg
    except (ImportError, OSError) as exc:
        raise BackendError(
            f"the illustrated avatar generator needs cairosvg and the cairo library ({exc})",
            hint=install(
                "cairosvg and the cairo library",
                "cairosvg==2.9.1",
                more=" and install cairo (macOS: `brew install cairo`; Debian/Ubuntu: "
                "`apt install libcairo2`)",
            ),
        ) from exc
    return pa, cairosvg
