"""The frame decoder's keyframe index: the times of a video's keyframes, read from its packet
index (``-c copy -f framecrc``: no decoding) by ffmpeg in a background thread, so that a seek
can start at the keyframe before the frame wanted and reading on can be told from seeking again.
"""

from __future__ import annotations

import subprocess
import threading
from fractions import Fraction
from pathlib import Path

from vidkit.media import ffmpeg_exe

__all__ = ["KeyframeScan"]


class KeyframeScan:
    """Reads the packet index of ``path``'s first video stream in a background thread;
    ``keyframes`` holds the keyframe times (absolute seconds, sorted) once it is done."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.keyframes: list[float] | None = None

    def start(self) -> None:
        args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-copyts"]
        args += ["-i", str(self._path), "-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-"]
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._thread = threading.Thread(target=self._run, args=(self._proc,), daemon=True)
        self._thread.start()

    def _run(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        timebase, times = Fraction(1), []
        for raw in proc.stdout:
            line = raw.decode(errors="replace")
            if line.startswith("#tb 0:"):
                num, den = line.split(":", 1)[1].strip().split("/")
                timebase = Fraction(int(num), int(den))
            elif line.startswith("0,"):
                fields = [f.strip() for f in line.split(",")]
                flags = int(fields[6].split("=")[1], 16) if len(fields) > 6 else 1
                if flags & 1 and fields[2].lstrip("-").isdigit():
                    times.append(float(int(fields[2]) * timebase))
        if proc.wait() == 0:
            self.keyframes = sorted(times)

    def close(self) -> None:
        if self._proc is not None:
            _stop(self._proc, self._thread)


def _stop(proc: subprocess.Popen[bytes], thread: threading.Thread | None) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if thread is not None:
        thread.join(timeout=5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
