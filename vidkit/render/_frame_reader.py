"""The ffmpeg process behind the frame decoder: raw frames of a video's first stream from a seek
point, on a pipe, each with its own pts.

:func:`frame_command` builds the command (``-ss`` before ``-i``: ffmpeg jumps to the keyframe
before and decodes forward; ``-copyts`` keeps timestamps absolute; a ``showinfo`` filter prints
each frame's pts), and :class:`FrameReader` runs it: frames are read from stdout one at a time,
matched with the pts a thread parses from stderr, so the process can be left paused on its pipe
and read on later.
"""

from __future__ import annotations

import re
import subprocess
import threading
from fractions import Fraction
from math import ceil
from pathlib import Path
from queue import Empty, SimpleQueue

from vidkit.media import ffmpeg_exe

__all__ = ["FrameReader", "Item", "frame_command"]

_SHOWINFO = re.compile(r"\bn:\s*\d+\s+pts:\s*(-?\d+)")
_TIMEBASE = re.compile(r"config in time_base: (\d+)/(\d+)")
_START = re.compile(r"Duration: .*?, start: (-?\d+\.\d+)")
_PTS_WAIT_S = 30.0

Item = tuple[int, bytes]
"""A frame read: its pts and its raw pixels."""


def frame_command(
    path: Path,
    start: float,
    *,
    size: tuple[int, int],
    scale: bool,
    alpha: bool,
    premultiplied: bool,
    frames: int | None = None,
) -> list[str]:
    """ffmpeg writing ``path``'s first video stream as raw RGB (RGBA with ``alpha``) frames of
    ``size`` (``scale``: resized to it, else as stored) to stdout, from ``start`` seconds after
    the container's start (exact to the µs, rounded up so that a keyframe asked for is the first
    frame out); timestamps stay absolute."""
    w, h = size
    chain = "showinfo"
    if premultiplied:
        chain += ",format=rgba,premultiply=inplace=1"
    if scale:
        chain += f",scale={w}:{h}:flags=bilinear"
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "info", "-copyts"]
    if start > 0:  # from the container's start, which ffmpeg adds (and trims by)
        args += ["-ss", f"{ceil(start * 1e6) / 1e6:.6f}"]
    args += ["-i", str(path), "-map", "0:v:0", "-an", "-sn", "-vf", chain]
    args += ["-fps_mode", "passthrough", "-f", "rawvideo"]
    args += ["-pix_fmt", "rgba" if alpha else "rgb24"]
    if frames is not None:
        args += ["-frames:v", str(frames)]
    return [*args, "pipe:1"]


class FrameReader:
    """One running ffmpeg writing raw frames from a seek point; pts come from ``showinfo``.

    ``lock`` serialises reading; frames read by the read-ahead thread wait in ``pending``
    (with the pts of the frame before) until the decoder, under its own lock, files them."""

    def __init__(self, args: list[str], frame_bytes: int) -> None:
        self.frame_bytes = frame_bytes
        self.lock = threading.Lock()
        self.pending: list[tuple[int | None, Item | None]] = []
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.timebase: Fraction | None = None
        self.start = 0.0  # the container's start time (seconds)
        self.last: int | None = None  # pts of the last frame read
        self.skipped: Item | None = None  # the last frame read but not kept
        self.done = False
        self._pts: SimpleQueue[int | None] = SimpleQueue()
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._parse, daemon=True)
        self._thread.start()

    def _parse(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            if (m := _SHOWINFO.search(line)) is not None:
                self._pts.put(int(m.group(1)))
            elif (m := _TIMEBASE.search(line)) is not None:
                self.timebase = Fraction(int(m.group(1)), int(m.group(2)))
            elif (m := _START.search(line)) is not None:
                self.start = float(m.group(1))
            elif "Parsed_showinfo" not in line and line.strip():
                self.errors = [*self.errors[-4:], line.strip()]
        self._pts.put(None)

    def read(self) -> Item | None:
        """The next frame and its pts, or None at the end (call with ``lock`` held)."""
        assert self.proc.stdout is not None
        if self.done:
            return None
        data = self.proc.stdout.read(self.frame_bytes)
        if len(data) < self.frame_bytes:
            self.done = True
            return None
        try:
            pts = self._pts.get(timeout=_PTS_WAIT_S)
        except Empty:
            pts = None
        if pts is None:
            self.done = True
            return None
        self.last = pts
        return pts, data

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # also ends a read in progress in another thread
        self.proc.wait()
        self._thread.join(timeout=5)
        with self.lock:
            self.done = True
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()
