"""A talking-head service behind the :class:`~vidkit.backends.animator.Animator` protocol: a
job protocol (upload the portrait and the narration, poll, download an MP4) spoken in one of
the dialects of :mod:`~vidkit.backends.animator.duix` or :mod:`~vidkit.backends.animator.heygen`.

Narration longer than the service's ``max_seconds`` is split at sentence ends (else at the
longest pause) and each piece is one job; the pieces' frames follow each other with no frame
lost or added. The returned video is decoded at the portrait's size and frame rate, and its
alpha comes from a :class:`~vidkit.backends.matting.Matting` backend run on every frame, as
for :class:`~vidkit.backends.animator.command.CommandAnimator`.
"""

from __future__ import annotations

import itertools
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from vidkit.backends.animator import frame_count
from vidkit.backends.animator._video import decode, opaque, write_png
from vidkit.backends.facerig import Rig
from vidkit.backends.matting import Matting
from vidkit.errors import BackendError, InvalidInput
from vidkit.media import ffmpeg_exe
from vidkit.timing import Timings

__all__ = ["Dialect", "ServiceAnimator", "split_points"]

VERSION = 1
SECTION = "[services.lipsync]"
Image = npt.NDArray[np.uint8]
_SENTENCE_END = (".", "!", "?", "…", ";")


class Dialect(Protocol):
    """One service's wire format: ``render`` runs a job and returns the local video file."""

    def fingerprint(self) -> str: ...

    def render(self, image: Path, audio: Path, work: Path, wait: Callable[[], None]) -> Path: ...

    def capability(self) -> str: ...


def split_points(timings: Timings, max_ms: int) -> list[int]:
    """Cut times (ms) so that no piece is longer than ``max_ms``: in the pause after the last
    sentence end that fits, else in the longest pause that fits, else at ``max_ms``."""
    cuts: list[int] = []
    start = 0
    words = sorted(timings.words, key=lambda w: w.start_ms)
    while timings.duration_ms - start > max_ms:
        limit = start + max_ms
        gaps = [
            (a, b)
            for a, b in itertools.pairwise(words)
            if a.end_ms > start and b.start_ms <= limit and a.end_ms <= b.start_ms
        ]
        ends = [g for g in gaps if g[0].word.rstrip("\"')”’ ").endswith(_SENTENCE_END)]
        if ends:
            a, b = ends[-1]
        elif gaps:
            a, b = max(gaps, key=lambda g: g[1].start_ms - g[0].end_ms)
        else:
            cuts.append(limit)
            start = limit
            continue
        cut = (a.end_ms + b.start_ms) // 2
        if cut <= start:
            cut = limit
        cuts.append(cut)
        start = cut
    return cuts


class ServiceAnimator:
    """:class:`~vidkit.backends.animator.Animator` backed by a talking-head service."""

    def __init__(
        self,
        dialect: Dialect,
        matting: Matting | None = None,
        *,
        max_seconds: float = 60.0,
        poll_s: float = 2.0,
        timeout_s: float = 600.0,
    ) -> None:
        if max_seconds <= 1 or poll_s <= 0 or timeout_s <= 0:
            raise InvalidInput(
                "max_seconds must be over 1, poll_s and timeout_s positive", field="lipsync"
            )
        self.dialect = dialect
        self.matting = matting
        self.max_seconds = max_seconds
        self.poll_s = poll_s
        self.timeout_s = timeout_s

    def fingerprint(self) -> str:
        matting = self.matting.fingerprint() if self.matting is not None else "portrait-alpha"
        return (
            f"service-animator:v{VERSION}:{self.dialect.fingerprint()}:"
            f"max={self.max_seconds:g}:alpha={matting}"
        )

    def capability(self) -> str:
        return self.dialect.capability()

    def frames(
        self,
        portrait: Image,
        rig: Rig,
        wav: Path,
        timings: Timings,
        fps: Fraction,
    ) -> Iterator[Image]:
        if portrait.dtype != np.uint8 or portrait.ndim != 3 or portrait.shape[2] not in (3, 4):
            raise InvalidInput(
                f"the portrait must be an H x W x 4 (RGBA) uint8 array, got {portrait.dtype} "
                f"{portrait.shape}",
                field="portrait",
            )
        wav = Path(wav)
        if not wav.is_file():
            raise InvalidInput(f"the narration {wav} does not exist", field="wav")
        return self._frames(portrait, wav, timings, fps)

    def _frames(
        self, portrait: Image, wav: Path, timings: Timings, fps: Fraction
    ) -> Iterator[Image]:
        height, width = portrait.shape[:2]
        alpha = (
            portrait[..., 3].copy()
            if portrait.shape[2] == 4
            else np.full((height, width), 255, dtype=np.uint8)
        )
        total = frame_count(timings.duration_ms, fps)
        cuts = split_points(timings, int(self.max_seconds * 1000))
        bounds_ms = [0, *cuts, timings.duration_ms]
        bounds = [min(total, int(ms * fps / 1000)) for ms in bounds_ms[:-1]] + [total]
        with tempfile.TemporaryDirectory(prefix="vidkit-lipsync-") as folder:
            work = Path(folder)
            image = work / "portrait.png"
            write_png(image, opaque(portrait))
            for index in range(len(bounds_ms) - 1):
                count = bounds[index + 1] - bounds[index]
                if count <= 0:
                    continue
                piece = work / f"piece-{index}.wav"
                _cut(wav, piece, bounds_ms[index], bounds_ms[index + 1])
                deadline = time.monotonic() + self.timeout_s
                video = self.dialect.render(image, piece, work, self._waiter(deadline))
                _check_video(video)
                yield from self._decoded(video, alpha, width, height, fps, count)

    def _waiter(self, deadline: float) -> Callable[[], None]:
        def wait() -> None:
            if time.monotonic() + self.poll_s > deadline:
                raise BackendError(
                    f"the lip-sync service did not finish a clip in {self.timeout_s:g} s; "
                    f"raise {SECTION} timeout_s, or lower max_seconds for shorter jobs"
                )
            time.sleep(self.poll_s)

        return wait

    def _decoded(
        self, video: Path, alpha: Image, width: int, height: int, fps: Fraction, count: int
    ) -> Iterator[Image]:
        last: Image | None = None
        produced = 0
        for rgb in decode(video, width, height, fps, 60.0):
            if produced == count:
                break
            last = self._with_alpha(rgb, alpha)
            produced += 1
            yield last
        if last is None:
            raise BackendError(
                f"the lip-sync service's video {video.name} has no frames ffmpeg can decode"
            )
        for _ in range(count - produced):  # a clip shorter than its narration: hold
            yield last.copy()

    def _with_alpha(self, rgb: Image, alpha: Image) -> Image:
        if self.matting is not None:
            alpha = np.asarray(self.matting.mask(rgb))
            if alpha.shape != rgb.shape[:2] or alpha.dtype != np.uint8:
                raise BackendError(
                    f"the matting backend returned a {alpha.dtype} {alpha.shape} mask for a "
                    f"{rgb.shape[1]} x {rgb.shape[0]} frame; expected H x W uint8"
                )
        return np.dstack([rgb, alpha])


def _cut(wav: Path, out: Path, start_ms: int, end_ms: int) -> None:
    """``wav`` from ``start_ms`` to ``end_ms`` as a 16-bit WAV."""
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-i", str(wav), "-ss", f"{start_ms / 1000:.3f}", "-t",
            f"{(end_ms - start_ms) / 1000:.3f}", "-c:a", "pcm_s16le", str(out),
        ],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    if done.returncode != 0 or not out.is_file():
        raise BackendError(f"ffmpeg could not cut the narration {wav.name}: {done.stderr[-300:]!r}")


def _check_video(video: Path) -> None:
    """An MP4/MOV (``ftyp``) or WebM/Matroska file, else a message saying what came back."""
    head = video.read_bytes()[:16] if video.is_file() else b""
    if head[4:8] == b"ftyp" or head[:4] == b"\x1a\x45\xdf\xa3":
        return
    raise BackendError(
        f"the lip-sync service sent back something that is not a video "
        f"({len(video.read_bytes()) if video.is_file() else 0} bytes, starting {head[:12]!r}); "
        "check the service's log"
    )


def make_face_video(image: Path, out: Path, seconds: float = 2.0) -> None:
    """A still video of ``image`` (for services that take a face video, such as Duix)."""
    done = subprocess.run(
        [
            ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-loop", "1", "-i", str(image), "-t", f"{seconds:g}", "-r", "25",
            "-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-pix_fmt", "yuv420p", str(out),
        ],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    if done.returncode != 0:
        raise BackendError(f"ffmpeg could not make the face video: {done.stderr[-300:]!r}")
