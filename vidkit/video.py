"""Streaming raw RGBA frames into and out of ffmpeg, one frame at a time.

Avatar animation is stored losslessly with its alpha channel (FFV1, yuva444p, in Matroska:
full-resolution colour, so no background colour bleeds into the edges):
about 170 frames/s to encode at 512x512 on this machine class, a few hundred kB per second of
portrait video. Frames are piped, never collected: memory stays at a frame or two.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe

__all__ = ["RgbaVideoWriter", "read_rgba_frames"]

Frame = npt.NDArray[np.uint8]


class RgbaVideoWriter:
    """Write RGBA frames of one size to ``path`` (``.mkv``); the file appears only when the
    writer closes successfully (it is written under a temporary name, then renamed)."""

    def __init__(self, path: Path, width: int, height: int, fps: Fraction) -> None:
        self.path = Path(path)
        self.width, self.height = width, height
        self.frames = 0
        self._partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.part.mkv")
        cmd = [
            ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}",
            "-r", f"{fps.numerator}/{fps.denominator}", "-i", "pipe:0",
            "-an", "-c:v", "ffv1", "-level", "3", "-pix_fmt", "yuva444p", str(self._partial),
        ]  # fmt: skip
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)

    def write(self, frame: Frame) -> None:
        if frame.shape != (self.height, self.width, 4) or frame.dtype != np.uint8:
            raise MediaError(
                f"frame {self.frames} is {frame.dtype} {frame.shape}, expected uint8 "
                f"{(self.height, self.width, 4)}"
            )
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError:
            raise MediaError(
                f"ffmpeg stopped while writing {self.path.name}: {self._error()}"
            ) from None
        self.frames += 1

    def close(self) -> Path:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        code = self._proc.wait()
        if code != 0 or self.frames == 0:
            self._partial.unlink(missing_ok=True)
            raise MediaError(f"could not write {self.path.name}: {self._error() or 'no frames'}")
        os.replace(self._partial, self.path)
        return self.path

    def abort(self) -> None:
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        self._proc.kill()
        self._proc.wait()
        self._partial.unlink(missing_ok=True)

    def _error(self) -> str:
        assert self._proc.stderr is not None
        if self._proc.poll() is None:
            return ""
        lines = self._proc.stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {self._proc.returncode}"

    def __enter__(self) -> RgbaVideoWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def read_rgba_frames(path: Path, width: int, height: int) -> Iterator[Frame]:
    """Decode a video's frames as RGBA arrays of ``width`` x ``height``, one at a time."""
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(path),
        "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "pipe:1",
    ]  # fmt: skip
    size = width * height * 4
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        while True:
            data = proc.stdout.read(size)
            if len(data) < size:
                break
            yield np.frombuffer(data, np.uint8).reshape(height, width, 4)
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        err = proc.stderr.read().decode(errors="replace").strip()
        proc.stderr.close()
    if proc.returncode not in (0, -9) and err:
        raise MediaError(f"could not read {Path(path).name}: {err.splitlines()[-1]}")
