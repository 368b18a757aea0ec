"""Frames from timed snapshots, piped to the bundled ffmpeg as raw RGB and encoded as H.264.

Frame ``i`` shows the last snapshot taken at or before ``i / fps``. A frame is redrawn only when
its snapshot differs, and then only the rows that changed; an unchanged frame re-sends the same
buffer.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vidkit.capture._render import Painter, Pixels, Row, Snapshot

__all__ = ["Encoder", "Rendered", "Yuv", "render_mp4"]


@dataclass(frozen=True, slots=True)
class Rendered:
    frames: int
    painted: int  # frames that needed drawing
    seconds: float


def _command(out: Path, size: tuple[int, int], fps: int) -> list[str]:
    from vidkit.media import ffmpeg_exe

    return [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size[0]}x{size[1]}", "-r", str(fps),
        "-i", "-", "-c:v", "libx264", "-preset", "ultrafast",
        "-crf", "18", "-movflags", "+faststart", str(out),
    ]  # fmt: skip


class Encoder:
    """ffmpeg reading raw YUV 4:2:0 frames of ``size`` at ``fps`` from a pipe into ``out``
    (H.264). Use as a context manager; :meth:`write` one frame buffer at a time."""

    def __init__(self, out: Path, size: tuple[int, int], fps: int) -> None:
        self.out = out
        out.parent.mkdir(parents=True, exist_ok=True)
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
        self._proc = subprocess.Popen(
            _command(out, size, fps), stdin=subprocess.PIPE, stderr=self._errors
        )
        self.frames = 0

    def write(self, frame: Any) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(frame)
        self.frames += 1

    def __enter__(self) -> Encoder:
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        from vidkit.capture._errors import CaptureError

        failed = False
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        except BrokenPipeError:
            failed = True
        if exc is not None and not isinstance(exc, BrokenPipeError):
            self._proc.kill()
            self._proc.wait()
            self._errors.close()
            self.out.unlink(missing_ok=True)
            return
        code = self._proc.wait()
        self._errors.seek(0)
        message = self._errors.read().decode(errors="replace").strip()
        self._errors.close()
        if code != 0 or failed or exc is not None:
            self.out.unlink(missing_ok=True)
            raise CaptureError(f"ffmpeg could not encode {self.out.name}: {message[-500:] or code}")


def render_mp4(
    snaps: Sequence[tuple[float, Snapshot]],
    out: Path,
    size: tuple[int, int],
    fps: int,
    grid: tuple[int, int],
    end_s: float,
    look: tuple[str, str],
    progress: Callable[[str, float], None] | None = None,
) -> Rendered:
    """Encode ``snaps`` (time in seconds, snapshot) up to ``end_s`` into ``out``."""
    from vidkit.screen import editor_theme

    started = time.monotonic()
    theme, _note = editor_theme(look[0])
    painter = Painter(size[0], size[1], grid[0], grid[1], theme, look[1])
    frames = max(1, math.ceil(end_s * fps))
    with Encoder(out, size, fps) as encoder:
        painted = _write(encoder, painter, snaps, frames, fps, progress)
    return Rendered(frames, painted, time.monotonic() - started)


class Yuv:
    """The frame as planar YUV 4:2:0 (BT.601, limited range: what ffmpeg assumes for raw
    input), updated band by band from the RGB canvas."""

    def __init__(self, canvas: Pixels) -> None:
        h, w = canvas.shape[:2]
        self.h, self.w = h, w
        self.buffer = np.empty(h * w * 3 // 2, np.uint8)
        self.y = self.buffer[: h * w].reshape(h, w)
        self.u = self.buffer[h * w : h * w * 5 // 4].reshape(h // 2, w // 2)
        self.v = self.buffer[h * w * 5 // 4 :].reshape(h // 2, w // 2)
        self.update(canvas, 0, h)

    def update(self, canvas: Pixels, top: int, bottom: int) -> None:
        top, bottom = max(0, top - top % 2), min(self.h, bottom + bottom % 2)
        f = canvas[top:bottom].astype(np.float32)
        r, g, b = f[..., 0], f[..., 1], f[..., 2]
        self.y[top:bottom] = np.clip(16.5 + 0.257 * r + 0.504 * g + 0.098 * b, 0, 255)
        sub = (f[0::2, 0::2] + f[1::2, 0::2] + f[0::2, 1::2] + f[1::2, 1::2]) * 0.25
        r, g, b = sub[..., 0], sub[..., 1], sub[..., 2]
        half = slice(top // 2, bottom // 2)
        self.u[half] = np.clip(128.5 - 0.148 * r - 0.291 * g + 0.439 * b, 0, 255)
        self.v[half] = np.clip(128.5 + 0.439 * r - 0.368 * g - 0.071 * b, 0, 255)


def _write(
    pipe: Encoder,
    painter: Painter,
    snaps: Sequence[tuple[float, Snapshot]],
    frames: int,
    fps: int,
    progress: Callable[[str, float], None] | None,
) -> int:
    canvas = painter.base.copy()
    painted_rows: list[tuple[Row, int] | None] = [None] * painter.layout.rows
    k, shown, painted = 0, -1, 0
    yuv = Yuv(canvas)
    data = yuv.buffer.data
    for index in range(frames):
        t = index / fps
        while k + 1 < len(snaps) and snaps[k + 1][0] <= t:
            k += 1
        if k != shown:
            bands = painter.paint(canvas, snaps[k][1], painted_rows)
            for top, bottom in bands:
                yuv.update(canvas, top, bottom)
            painted += bool(bands)
            shown = k
        pipe.write(data)
        if progress is not None and index % fps == 0:
            progress("render", index / frames)
    return painted
