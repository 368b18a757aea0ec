"""Video helpers the animators that run an outside tool or service share: the portrait as an
opaque PNG, a video decoded into RGB frames through a pipe, a tool's stderr tail."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.errors import BackendError
from vidkit.media import ffmpeg_exe

__all__ = ["decode", "opaque", "tail", "write_png"]

Image = npt.NDArray[np.uint8]
_STDERR_LINES = 12


def tail(stderr: bytes | str | None) -> str:
    """The last lines the tool wrote to stderr, ready to append to a message."""
    if not stderr:
        return ""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return ":\n" + "\n".join(lines[-_STDERR_LINES:]) if lines else ""


def opaque(portrait: Image) -> Image:
    """The portrait as RGB, composited over white where it is transparent."""
    if portrait.shape[2] == 3:
        return portrait
    alpha = portrait[..., 3:4].astype(np.float32) / 255.0
    rgb = portrait[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.asarray(np.clip(rgb + 0.5, 0, 255), dtype=np.uint8)


def write_png(path: Path, rgb: Image) -> None:
    import cv2

    if not cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1])):
        raise BackendError(f"could not write the portrait to {path}")


def decode(
    video: Path, width: int, height: int, fps: Fraction, timeout_s: float
) -> Iterator[Image]:
    """Frames of ``video`` as RGB at ``width`` x ``height`` and ``fps``, read from a pipe."""
    size = width * height * 3
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [
                ffmpeg_exe(),
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-i",
                str(video),
                "-an",
                "-vf",
                f"fps={fps.numerator}/{fps.denominator},scale={width}:{height}:flags=bicubic",
                "-pix_fmt",
                "rgb24",
                "-f",
                "rawvideo",
                "pipe:1",
            ],
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
        )
        assert process.stdout is not None
        try:
            while True:
                data = process.stdout.read(size)
                if len(data) < size:
                    break
                yield np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3).copy()
        finally:
            process.stdout.close()
            if process.poll() is None:
                process.kill()
            process.wait(timeout=timeout_s)
        if process.returncode not in (0, None) and process.returncode > 0:
            errors.seek(0)
            raise BackendError(
                f"ffmpeg could not decode the animator's video {video.name}{tail(errors.read())}"
            )
