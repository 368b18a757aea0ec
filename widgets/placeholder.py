"""A plain "Loading…" picture for an image widget whose real picture is not made yet (an empty
``ipywidgets.Image`` shows the browser's broken-image icon)."""

from __future__ import annotations

import io
from functools import cache

__all__ = ["LOADING_TEXT", "loading_jpeg"]

LOADING_TEXT = "Loading…"


@cache
def loading_jpeg(size: tuple[int, int]) -> bytes:
    """A light grey JPEG of ``size`` with "Loading…" in its middle (made once per size)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    image = Image.new("RGB", size, (224, 224, 224))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(12, height // 12))
    draw.text((width / 2, height / 2), LOADING_TEXT, fill=(90, 90, 90), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
