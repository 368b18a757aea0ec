"""Files that look like media but cannot be used: a download cut short, a picture with the
wrong name, pictures too small or too large (a decompression bomb), and a way to record such
a file directly in the catalogue, as one written before imports were checked could hold."""

from __future__ import annotations

import struct
import subprocess
import zlib
from pathlib import Path

from PIL import Image

from vidkit.api import Workspace
from vidkit.media import ffmpeg_exe
from vidkit.model import Asset


def truncated_faststart_mp4(folder: Path, name: str = "cut.mp4") -> Path:
    """The first 10 kB of a 4-second MP4 whose index (moov) is at the front: its header
    promises 4 s, its data holds a fraction of the first frame."""
    whole = folder / f"whole-{name}"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error",
         "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:d=4",
         "-f", "lavfi", "-i", "sine=frequency=440:d=4",
         "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
         "-movflags", "+faststart", str(whole)],
        check=True, timeout=60,
    )  # fmt: skip
    out = folder / name
    out.write_bytes(whole.read_bytes()[:10_000])
    return out


def png(folder: Path, width: int, height: int, name: str = "picture.png") -> Path:
    """A real PNG of ``width`` x ``height``; a huge one is built row by row as a 1-bit
    picture of zeros, so it is small on disk (a decompression bomb) and cheap to make."""
    out = folder / name
    if width * height <= 4_000_000:
        Image.new("RGB", (width, height), (200, 120, 40)).save(out)
        return out

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    out.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
    return out


def record_unchecked(
    ws: Workspace, slug: str, path: Path, *, kind: str, scene_id: int | None = None
) -> Asset:
    """Place ``path`` in the store and record it as ``kind`` without the import's checks, as
    a catalogue written by an older vidkit could hold it."""
    staged = ws.store.stage_file(path)
    return ws.catalogue.add_asset(
        slug,
        kind=kind,
        path=staged.relpath,
        sha256=staged.sha256,
        size_bytes=staged.size_bytes,
        scene_id=scene_id,
        metadata={"filename": path.name},
        place=lambda: ws.store.place(staged),
    )
