"""capture: a scene's capture script (browser or terminal) → the captured screen, an MP4.

The script runs for real (:func:`vidkit.capture.capture`): local Chromium through Playwright or
a Playwright MCP server, or a shell in a pseudo-terminal, at the project's size and frame rate,
its tied steps acting when the narration says their words.

The key holds what the video depends on: the script's content, the size, the frame rate and
the tie times actually used (the start of each tied step's words in the speech). Re-timing the
narration so that no tied word moves keeps the capture; how it ran (MCP or local Chromium) is
not in the key, as both give the same scene.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidkit.capture import CaptureOptions, CaptureScript, capture
from vidkit.model import Asset
from vidkit.stages.step import Outputs, Progress, Step, Stored
from vidkit.timing import WordTiming

__all__ = ["STAGE", "VERSION", "CapturedScreen", "capture_screen", "captured_screen"]

STAGE = "capture"
VERSION = 1

#: How the work's progress is counted: capturing then rendering, each half of it.
_UNITS = 1000


@dataclass(frozen=True)
class CapturedScreen:
    """A scene's captured screen: the video (kind ``captured_screen``), when each step ran
    (``(index, start_s, end_s)``, seconds of video), whether any step is tied to the narration,
    warnings, and what drove it (``playwright``, ``mcp <url>``, ``shell``)."""

    video: Asset
    steps: tuple[tuple[int, float, float], ...]
    tied: bool
    warnings: tuple[str, ...] = ()
    via: str = ""
    cached: bool = False


def capture_screen(
    scene_id: int,
    script_asset: Asset,
    script: CaptureScript,
    *,
    size: tuple[int, int],
    fps: int,
    ties: Sequence[int | None],
    words: Sequence[WordTiming],
    options: Callable[[], CaptureOptions],
    progress: Progress | None = None,
) -> Step[CapturedScreen]:
    """Capture ``script`` (the text of ``script_asset``) at ``size`` and ``fps``; ``ties`` are
    its steps' times in the narration (:func:`vidkit.capture.tie_times` of ``words``).
    ``options`` is called only when the capture runs (it may read a server key)."""
    tied = any(t is not None for t in ties)
    info: dict[str, Any] = {"script_sha256": script_asset.sha256, "tied": tied}

    def work(folder: Path) -> Outputs:
        out = folder / "screen.mp4"
        found = capture(
            script, out, size=size, fps=fps, words=words, options=options(),
            progress=_progress(progress),
        )  # fmt: skip
        info.update(
            kind=found.kind,
            steps=[list(s) for s in found.steps],
            warnings=list(found.warnings),
            via=found.via,
            frames=found.frames,
        )
        return {"video": (out, "captured_screen")}

    def read(stored: Stored) -> CapturedScreen:
        return captured_screen(stored.asset, cached=stored.cached)

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint="vidkit-capture",
        inputs=[script_asset.sha256],
        params={"size": list(size), "fps": fps, "ties": list(ties)},
        work=work,
        read=read,
        scene_id=scene_id,
        metadata={"capture": info},
    )


def captured_screen(video: Asset, *, cached: bool = False) -> CapturedScreen:
    """A stored ``captured_screen`` asset as a :class:`CapturedScreen` (from its metadata)."""
    meta = video.metadata.get("capture")
    meta = meta if isinstance(meta, dict) else {}
    steps = tuple((int(i), float(a), float(b)) for i, a, b in meta.get("steps", ()))
    return CapturedScreen(
        video, steps, bool(meta.get("tied", False)),
        tuple(str(w) for w in meta.get("warnings", ())), str(meta.get("via", "")), cached,
    )  # fmt: skip


def _progress(progress: Progress | None) -> Callable[[str, float], None] | None:
    """The capture's ``(phase, fraction)`` as units of the whole: capturing, then rendering."""
    if progress is None:
        return None
    say = progress

    def report(phase: str, fraction: float) -> None:
        half = _UNITS // 2
        start = half if phase == "render" else 0
        say(start + round(min(1.0, max(0.0, fraction)) * half), _UNITS)

    return report
