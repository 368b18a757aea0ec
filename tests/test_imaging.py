"""Loading portraits: formats, orientation, scaling and the errors users see."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from vidkit.errors import InvalidInput, MediaError
from vidkit.imaging import load_image, open_image, read_rgba, save_png


def _write(image: Image.Image, path: Path, **params: Any) -> Path:
    image.save(path, **params)
    return path


def test_png_round_trip_is_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (70, 90, 4), dtype=np.uint8)
    out = save_png(rgba, tmp_path / "cut.png")
    np.testing.assert_array_equal(read_rgba(out), rgba)
    assert [p.name for p in tmp_path.iterdir()] == ["cut.png"]


def test_save_png_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_png(np.zeros((64, 64, 4), np.uint8), tmp_path / "cut.png")
    before = path.read_bytes()

    def broken_save(self: Image.Image, fp: Path, *args: object, **kwargs: object) -> None:
        Path(fp).write_bytes(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_png(np.full((64, 64, 4), 255, np.uint8), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["cut.png"]


def test_save_png_refuses_other_arrays(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="uint8"):
        save_png(np.zeros((64, 64, 4), np.float32), tmp_path / "x.png")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match=r"face\.png does not exist"):
        load_image(tmp_path / "face.png")
    with pytest.raises(MediaError, match="is a folder"):
        load_image(tmp_path, name="portrait")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file_is_a_media_error(tmp_path: Path, fmt: str) -> None:
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (200, 200, 3), dtype=np.uint8))
    whole = _write(noise, tmp_path / f"whole.{fmt.lower()}", format=fmt)
    cut = tmp_path / f"cut.{fmt.lower()}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(MediaError, match=r"^me\.img is not a readable image \(.+\); export it"):
        load_image(cut, name="me.img")


def test_not_an_image_at_all(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("hello, not a picture")
    with pytest.raises(MediaError, match="not a readable image") as info:
        load_image(path, name="me.png")  # as an import names its staging file
    assert str(tmp_path) not in str(info.value), "the message names no (staging) path"


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    stored = np.zeros((100, 200, 3), np.uint8)
    stored[:10, :10] = (255, 0, 0)  # red in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = 6  # display = stored turned 90 degrees clockwise
    path = _write(Image.fromarray(stored), tmp_path / "turned.png", exif=exif)
    picture = open_image(path)
    assert picture.rgb.shape == (200, 100, 3)
    assert picture.original_size == (100, 200)
    assert tuple(picture.rgb[5, 95]) == (255, 0, 0)  # now in the top-right corner


def test_palette_greyscale_and_cmyk_become_rgb(tmp_path: Path) -> None:
    palette = Image.new("P", (64, 64), 1)
    palette.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    assert tuple(load_image(_write(palette, tmp_path / "p.png"))[0, 0]) == (10, 200, 30)
    grey = Image.new("L", (64, 64), 77)
    assert tuple(load_image(_write(grey, tmp_path / "l.png"))[0, 0]) == (77, 77, 77)
    cyan = Image.new("CMYK", (64, 64), (255, 0, 0, 0))
    rgb = load_image(_write(cyan, tmp_path / "c.jpg", quality=95))
    assert np.abs(rgb[32, 32].astype(int) - (0, 255, 255)).max() <= 3


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path) -> None:
    values = np.full((64, 64), 32768, np.uint16)
    path = _write(Image.fromarray(values), tmp_path / "deep.png")
    assert Image.open(path).mode.startswith("I")
    assert tuple(load_image(path)[0, 0]) == (128, 128, 128)


def test_alpha_over_white_or_kept(tmp_path: Path) -> None:
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[..., 3] = 128  # half-transparent red
    rgba[:, :32, 3] = 0  # left half fully transparent
    path = save_png(rgba, tmp_path / "glass.png")
    assert tuple(load_image(path)[0, 50]) == (255, 127, 127)
    assert tuple(load_image(path)[0, 0]) == (255, 255, 255)
    np.testing.assert_array_equal(read_rgba(path), rgba)
    assert open_image(path).alpha is not None
    assert open_image(_write(Image.new("RGB", (64, 64)), tmp_path / "opaque.png")).alpha is None
    palette = Image.new("P", (64, 64), 0)
    palette.info["transparency"] = 0
    assert read_rgba(_write(palette, tmp_path / "pt.png", transparency=0))[0, 0, 3] == 0


def test_big_photo_is_scaled_down_with_an_area_filter(tmp_path: Path) -> None:
    big = np.zeros((4000, 6000, 3), np.uint8)
    big[::2, ::2] = big[1::2, 1::2] = 255  # 1-pixel checkerboard: any area filter gives grey
    picture = open_image(_write(Image.fromarray(big), tmp_path / "big.png", compress_level=1))
    assert picture.rgb.shape == (683, 1024, 3)
    assert picture.scale == pytest.approx(1024 / 6000)
    assert picture.original_size == (6000, 4000)
    assert np.abs(picture.rgb.astype(int) - 128).max() <= 12
    assert open_image(tmp_path / "big.png", max_side=None).rgb.shape == (4000, 6000, 3)


def test_big_jpeg_decodes_reduced_to_the_same_size(tmp_path: Path) -> None:
    big = Image.fromarray(np.full((3000, 4500, 3), 90, np.uint8))
    picture = open_image(_write(big, tmp_path / "big.jpg"), max_side=800)
    assert picture.rgb.shape == (533, 800, 3)
    assert picture.original_size == (4500, 3000)
    exact = open_image(tmp_path / "big.jpg", max_side=1125)  # decoded at 1/4: no resize left
    assert exact.rgb.shape == (750, 1125, 3)
    assert exact.scale == 0.25


def test_tiny_picture_is_refused(tmp_path: Path) -> None:
    path = _write(Image.new("RGB", (40, 30)), tmp_path / "icon.png")
    with pytest.raises(InvalidInput, match=r"icon\.png is only 40 x 30 pixels"):
        load_image(path, name="icon.png")


def _header_only_png(path: Path, width: int, height: int) -> Path:
    """A PNG that claims a size and holds no pixels: cheap to make, fails if decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    return path


def test_enormous_picture_is_refused_before_decoding(tmp_path: Path) -> None:
    path = _header_only_png(tmp_path / "huge.png", 13000, 12000)
    with pytest.raises(InvalidInput, match="13000 x 12000 pixels, more than 150 megapixels"):
        load_image(path)
    path = _header_only_png(tmp_path / "bomb.png", 20000, 10000)
    with pytest.raises(InvalidInput, match=r"too large to open .+ below 150 megapixels"):
        load_image(path)
