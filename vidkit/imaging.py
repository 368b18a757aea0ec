"""Reading and writing still images: portraits in, RGBA cutouts out.

:func:`open_image` reads any picture Pillow understands and normalises it: EXIF orientation
applied, palette / greyscale / CMYK / 16-bit / float converted to 8-bit RGB, the longest side
scaled down to ``max_side`` with an area (box) filter, pictures under 64 pixels a side refused.
Transparency is kept apart as ``alpha``; :func:`load_image` composites it over white (the
backends expect an opaque photo) and :func:`read_rgba` keeps it.

Problems are :class:`~vidkit.errors.MediaError` (missing, unreadable, corrupt or truncated file)
or :class:`~vidkit.errors.InvalidInput` (a readable picture that is too small or too large);
messages name the picture and say what to do.
"""

from __future__ import annotations

import logging
import os
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from vidkit.errors import InvalidInput, MediaError

__all__ = [
    "MIN_SIDE",
    "Picture",
    "check_image",
    "check_rgb",
    "load_image",
    "open_image",
    "read_rgba",
    "save_png",
]

log = logging.getLogger(__name__)

MIN_SIDE = 64
_MAX_PIXELS = 150_000_000  # Pillow's own bomb guard trips at ~179 M; stop earlier, clearly
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)
_EXPORT = "export it again as PNG or JPEG"


@dataclass(frozen=True, slots=True)
class Picture:
    """A decoded picture: ``rgb`` (H x W x 3 uint8), ``alpha`` (H x W uint8, or None when
    the file has no transparency), the file's upright size and the ``scale`` applied to it."""

    rgb: npt.NDArray[np.uint8]
    alpha: npt.NDArray[np.uint8] | None
    original_size: tuple[int, int]  # (width, height), after EXIF orientation
    scale: float  # output side / original side; 1.0 when not scaled

    def rgba(self) -> npt.NDArray[np.uint8]:
        alpha = self.alpha if self.alpha is not None else np.full(self.rgb.shape[:2], 255, np.uint8)
        return np.dstack([self.rgb, alpha])

    def over(self, background: tuple[int, int, int]) -> npt.NDArray[np.uint8]:
        """The picture composited over a solid colour."""
        if self.alpha is None:
            return self.rgb
        a = self.alpha[..., None].astype(np.float32) / 255.0
        bg = np.asarray(background, np.float32)
        return (self.rgb * a + bg * (1.0 - a) + 0.5).astype(np.uint8)


def open_image(
    path: str | os.PathLike[str], *, max_side: int | None = 1024, name: str | None = None
) -> Picture:
    """Read the picture at ``path``; see the module docstring for what is normalised."""
    path = Path(path)
    label = name or str(path)
    if not path.is_file():
        what = "is a folder, not an image" if path.is_dir() else "does not exist"
        raise MediaError(f"{label} {what}; choose a PNG or JPEG file")
    try:
        with warnings.catch_warnings():
            # Pillow warns past ~89 megapixels; _check_pixels sets the limit instead.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            raw = Image.open(path)
        with raw:
            _check_pixels(raw.size, label)
            original = _upright(raw.size, raw.getexif().get(0x0112, 1))
            if max_side and raw.format == "JPEG" and max(raw.size) > max_side:
                # Decode at 1/2, 1/4 or 1/8 of the size, no smaller than the target.
                shrink = max_side / max(raw.size)
                raw.draft("RGB", (int(raw.size[0] * shrink), int(raw.size[1] * shrink)))
            raw.load()
            image = ImageOps.exif_transpose(raw)
    except Image.DecompressionBombError as exc:
        raise InvalidInput(
            f"{label} is too large to open ({exc}); scale it down below "
            f"{_MAX_PIXELS // 1_000_000} megapixels first",
            field="image",
        ) from exc
    except _DECODE_ERRORS as exc:
        raise _unreadable(label, exc) from exc
    _check_small(original, label)
    rgba = _to_rgba(image)
    scale = 1.0
    if max_side and max(original) > max_side:
        scale = max_side / max(original)
        size = (max(1, round(original[0] * scale)), max(1, round(original[1] * scale)))
        if rgba.size != size:  # a JPEG may already be decoded at this size
            rgba = rgba.resize(size, Image.Resampling.BOX)
        log.info("scaled %s from %dx%d to %dx%d (x%.3f)", label, *original, *size, scale)
    array = np.asarray(rgba, dtype=np.uint8)
    alpha = array[..., 3]
    has_alpha = bool((alpha < 255).any())
    return Picture(
        rgb=np.ascontiguousarray(array[..., :3]),
        alpha=np.ascontiguousarray(alpha) if has_alpha else None,
        original_size=original,
        scale=scale,
    )


def check_image(path: str | os.PathLike[str], *, name: str | None = None) -> tuple[int, int]:
    """Decode the whole picture at ``path`` to be sure it is usable, and return its upright
    (width, height); the size limits of :func:`open_image` are checked from the header first,
    so a decompression bomb is refused without being decoded."""
    path = Path(path)
    label = name or str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            raw = Image.open(path)
        with raw:
            _check_pixels(raw.size, label)
            size = _upright(raw.size, raw.getexif().get(0x0112, 1))
            _check_small(size, label)
            if raw.format == "JPEG":
                # Every coefficient is still read, into a picture an eighth of the size.
                raw.draft(raw.mode, (max(1, raw.size[0] // 8), max(1, raw.size[1] // 8)))
            raw.load()
    except Image.DecompressionBombError as exc:
        raise InvalidInput(
            f"{label} has too many pixels to open safely; scale it down below "
            f"{_MAX_PIXELS // 1_000_000} megapixels first",
            field="image",
        ) from exc
    except _DECODE_ERRORS as exc:
        raise _unreadable(label, exc) from exc
    return size


def load_image(
    path: str | os.PathLike[str], *, max_side: int = 1024, name: str | None = None
) -> npt.NDArray[np.uint8]:
    """The picture as H x W x 3 uint8 RGB; transparent parts are composited over white."""
    return open_image(path, max_side=max_side, name=name).over((255, 255, 255))


def read_rgba(
    path: str | os.PathLike[str], *, max_side: int | None = None, name: str | None = None
) -> npt.NDArray[np.uint8]:
    """The picture as H x W x 4 uint8 RGBA (opaque where the file has no alpha)."""
    return open_image(path, max_side=max_side, name=name).rgba()


def save_png(image: npt.NDArray[np.uint8], path: str | os.PathLike[str]) -> Path:
    """Write an RGBA (or RGB) uint8 array as PNG: to a temporary name, then renamed into place."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise InvalidInput(
            f"save_png needs an H x W x 4 (or x 3) uint8 array, got {image.dtype} {image.shape}"
        )
    path = Path(path)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        Image.fromarray(np.ascontiguousarray(image)).save(partial, format="PNG", compress_level=3)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def _check_pixels(size: tuple[int, int], label: str) -> None:
    if size[0] * size[1] > _MAX_PIXELS:
        raise InvalidInput(
            f"{label} is {size[0]} x {size[1]} pixels, more than {_MAX_PIXELS // 1_000_000} "
            "megapixels; scale it down first",
            field="image",
        )


def _check_small(size: tuple[int, int], label: str) -> None:
    if min(size) < MIN_SIDE:
        raise InvalidInput(
            f"{label} is only {size[0]} x {size[1]} pixels; use a picture at least "
            f"{MIN_SIDE} pixels on each side (512 or more works best)",
            field="image",
        )


def _upright(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """A stored size turned as its EXIF orientation says (5 to 8 swap the sides)."""
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else (size[0], size[1])


def _to_rgba(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGBA."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        grey = _grey_to_8bit(np.asarray(image), sixteen=image.mode.startswith("I;16"))
        return Image.fromarray(grey).convert("RGBA")
    if image.mode == "P" and "transparency" in image.info:
        return image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return image.convert("RGBA")
    return image.convert("RGB").convert("RGBA")


def _grey_to_8bit(values: npt.NDArray[np.generic], *, sixteen: bool) -> npt.NDArray[np.uint8]:
    """16-bit, 32-bit or float greyscale to 0..255: by the range of its values, not clipped."""
    data = np.nan_to_num(values.astype(np.float64))
    peak = float(data.max(initial=0.0))
    if sixteen or peak > 255.0:
        top = 65535.0
    elif values.dtype.kind == "f" and peak <= 1.0:
        top = 1.0
    else:
        top = 255.0
    scaled = np.clip(data / top * 255.0 + 0.5, 0, 255)
    return scaled.astype(np.uint8)


def check_rgb(image: npt.NDArray[Any], name: str | None = None) -> npt.NDArray[np.uint8]:
    """``image`` as a C-contiguous H x W x 3 uint8 array, or an :class:`InvalidInput`."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        what = f"image {name!r}" if name else "image"
        raise InvalidInput(
            f"the {what} must be an H x W x 3 uint8 RGB array, got {image.dtype} "
            f"{image.shape}; load it with vidkit.imaging.load_image",
            field="image",
        )
    return np.ascontiguousarray(image)


def _unreadable(label: str, exc: BaseException) -> MediaError:
    """A picture Pillow cannot open: not one at all (``not_media``), or a damaged one."""
    kind = "not_media" if isinstance(exc, UnidentifiedImageError) else "unreadable"
    return MediaError(f"{label} is not a readable image ({_reason(exc)}); {_EXPORT}", reason=kind)


def _reason(exc: BaseException) -> str:
    """Pillow's reason without the file path it names (often a staging file the user never
    saw): "cannot identify image file '/…/x.part'" reads "cannot identify image file"."""
    return re.sub(r"\s*'[^']*'", "", str(exc)).strip() or type(exc).__name__
