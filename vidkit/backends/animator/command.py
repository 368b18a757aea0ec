"""An external talking-head or lip-sync tool (SadTalker, Wav2Lip, LivePortrait, MuseTalk ...)
run as a command line, its video decoded back into RGBA frames.

The command template names the portrait, the narration and the video to write with the
placeholders ``{image}``, ``{audio}`` and ``{out}``::

    python inference.py --source_image {image} --driven_audio {audio} --result {out}

It is split like a shell would (:func:`shlex.split`) but run without one, so paths with spaces
are safe and nothing else is interpreted. The portrait goes to the tool as an opaque RGB PNG
(over white where it is transparent), the narration as the WAV it is. The tool's video is
decoded by ffmpeg at the portrait's size and the requested frame rate; its alpha comes from a
:class:`~vidkit.backends.matting.Matting` backend run on every frame when one is given (the
tool may move the head), else from the portrait's own alpha.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.backends.animator import frame_count
from vidkit.backends.animator._video import decode as _decode
from vidkit.backends.animator._video import opaque as _opaque
from vidkit.backends.animator._video import tail as _tail
from vidkit.backends.animator._video import write_png as _write_png
from vidkit.backends.facerig import Rig
from vidkit.backends.matting import Matting
from vidkit.errors import BackendError, InvalidInput
from vidkit.timing import Timings

__all__ = ["CommandAnimator"]

VERSION = 1
PLACEHOLDERS = ("{image}", "{audio}", "{out}")
Image = npt.NDArray[np.uint8]


class CommandAnimator:
    """:class:`~vidkit.backends.animator.Animator` that runs an external tool.

    ``template`` is the command line (see the module's docs); ``out_name`` the file name the
    tool is told to write (its extension picks the container); ``timeout_s`` bounds the tool's
    run.
    """

    def __init__(
        self,
        template: str,
        matting: Matting | None = None,
        *,
        timeout_s: float = 1800.0,
        out_name: str = "out.mp4",
    ) -> None:
        missing = [p for p in PLACEHOLDERS if p not in template]
        if missing:
            raise InvalidInput(
                f"the animator command needs the placeholder(s) {' '.join(missing)}: it is "
                f"given the portrait as {{image}}, the narration as {{audio}} and writes the "
                f"video to {{out}}",
                field="command",
            )
        try:
            self._argv = shlex.split(template)
        except ValueError as exc:
            raise InvalidInput(
                f"the animator command cannot be split: {exc}", field="command"
            ) from exc
        if timeout_s <= 0:
            raise InvalidInput("timeout_s must be positive", field="timeout_s")
        self.template = template
        self.matting = matting
        self.timeout_s = timeout_s
        self.out_name = out_name

    def fingerprint(self) -> str:
        matting = self.matting.fingerprint() if self.matting is not None else "portrait-alpha"
        return f"command-animator:v{VERSION}:{self.template}:out={self.out_name}:alpha={matting}"

    def frames(
        self,
        portrait: Image,
        rig: Rig,
        wav: Path,
        timings: Timings,
        fps: Fraction,
    ) -> Iterator[Image]:
        """Runs the tool when the first frame is asked for, then yields its frames one by one."""
        if portrait.dtype != np.uint8 or portrait.ndim != 3 or portrait.shape[2] not in (3, 4):
            raise InvalidInput(
                f"the portrait must be an H x W x 4 (RGBA) uint8 array, got {portrait.dtype} "
                f"{portrait.shape}",
                field="portrait",
            )
        wav = Path(wav)
        if not wav.is_file():
            raise InvalidInput(f"the narration {wav} does not exist", field="wav")
        return self._frames(portrait, wav, frame_count(timings.duration_ms, fps), fps)

    def _frames(self, portrait: Image, wav: Path, count: int, fps: Fraction) -> Iterator[Image]:
        height, width = portrait.shape[:2]
        alpha = (
            portrait[..., 3].copy()
            if portrait.shape[2] == 4
            else np.full((height, width), 255, dtype=np.uint8)
        )
        with tempfile.TemporaryDirectory(prefix="vidkit-animate-") as folder:
            work = Path(folder)
            image, audio, out = (
                work / "portrait.png",
                work / f"audio{wav.suffix}",
                work / self.out_name,
            )
            _write_png(image, _opaque(portrait))
            shutil.copyfile(wav, audio)
            self._run(image, audio, out, work)
            last: Image | None = None
            produced = 0
            for rgb in _decode(out, width, height, fps, self.timeout_s):
                if produced == count:
                    break
                last = self._with_alpha(rgb, alpha)
                produced += 1
                yield last
            if last is None:
                raise BackendError(
                    f"the animator command wrote {out.name} but ffmpeg found no video frames in "
                    f"it; check that the tool writes a video to {{out}}"
                )
            for _ in range(count - produced):  # a video shorter than the narration: hold
                yield last.copy()

    def _run(self, image: Path, audio: Path, out: Path, cwd: Path) -> None:
        values = {"{image}": str(image), "{audio}": str(audio), "{out}": str(out)}
        argv = []
        for arg in self._argv:
            for key, value in values.items():
                arg = arg.replace(key, value)
            argv.append(arg)
        program = argv[0] if argv else ""
        try:
            done = subprocess.run(
                argv,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except FileNotFoundError as exc:
            raise BackendError(
                f"the animator command's program {program!r} was not found: install it or fix "
                "[avatar] command in the config (use a full path if it is not on PATH)"
            ) from exc
        except PermissionError as exc:
            raise BackendError(
                f"the animator command's program {program!r} cannot be run: {exc}"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise BackendError(
                f"the animator command {program!r} ran for over {self.timeout_s:g} s and was "
                f"stopped{_tail(exc.stderr)}; raise its timeout or check the tool"
            ) from exc
        if done.returncode != 0:
            raise BackendError(
                f"the animator command {program!r} failed with exit status "
                f"{done.returncode}{_tail(done.stderr)}"
            )
        if not out.is_file() or out.stat().st_size == 0:
            raise BackendError(
                f"the animator command {program!r} finished but wrote no video to {{out}} "
                f"({out.name}){_tail(done.stderr)}; check where the tool writes its result"
            )

    def _with_alpha(self, rgb: Image, alpha: Image) -> Image:
        if self.matting is not None:
            alpha = np.asarray(self.matting.mask(rgb))
            if alpha.shape != rgb.shape[:2] or alpha.dtype != np.uint8:
                raise BackendError(
                    f"the matting backend returned a {alpha.dtype} {alpha.shape} mask for a "
                    f"{rgb.shape[1]} x {rgb.shape[0]} frame; expected H x W uint8"
                )
        return np.dstack([rgb, alpha])
