"""compose: a scene's :class:`~vidkit.timeline.Timeline` and caption cues → the scene's MP4.

The timeline (built by the pipeline's graph, :mod:`vidkit.pipeline.graph`) is rendered with one
ffmpeg run (:func:`vidkit.render.compose.compose`). The key is the whole timeline by content
(:func:`timeline_key`: the audio, the avatar video, the screen source, the layout, the cards)
plus the cues and every render setting, so editing one scene re-renders that scene only.

When the presenter is animated in the same render, :class:`LiveCompose` composes the scene
while the frames are made: the animate stage hands each RGBA frame both to the encoder of
its stored (cached) video and, through a pipe, to this compose run. The scene then never
decodes the stored video, which costs as much as encoding it (FFV1, about 13 ms a 512x512
frame here); see docs/rendering.md for the figures. A compose without a fresh animation
(a layout change, say) reads the stored video as before.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.config import RenderConfig
from vidkit.model import Asset
from vidkit.render.compose import compose as render_timeline
from vidkit.stages.step import Outputs, Progress, Step, Stored, text_hash
from vidkit.timeline import CodeSource, Timeline
from vidkit.workspace import Workspace

__all__ = ["STAGE", "VERSION", "ComposedScene", "Cue", "LiveCompose", "compose", "timeline_key"]

STAGE = "compose"
VERSION = 4  # 3: keyed by the whole timeline; 4: square pixels in every scene's headers

#: A caption cue: start and end (ms), text.
Cue = tuple[int, int, str]
Frame = npt.NDArray[np.uint8]

_SHA_NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]+)?$")

log = logging.getLogger("vidkit.stages")


@dataclass(frozen=True)
class ComposedScene:
    video: Asset  # kind composited_scene
    captions: Asset  # JSON cues in milliseconds, kind captions
    report: dict[str, Any]
    cached: bool = False


def compose(
    ws: Workspace,
    scene_id: int,
    timeline: Timeline,
    cues: Sequence[Cue],
    *,
    render: RenderConfig,
    report: dict[str, Any],
    progress: Progress | None = None,
    live: LiveCompose | None = None,
) -> Step[ComposedScene]:
    """Render the scene's ``timeline`` with its caption ``cues`` (ms) to an MP4. ``report``
    (the scene's facts) is stored with the video and completed by the render. ``live``: the
    scene was already composed while its presenter was animated; its files are taken instead
    of rendering again."""
    # where and on how many workers it runs changes nothing in the video
    where = {"output_dir", "workers", "executor"}
    params = {"render": render.model_dump(mode="json", exclude=where)}

    def work(folder: Path) -> Outputs:
        try:
            if live is not None and live.ready:
                report.update(live.notes)
                return live.move_to(folder)
            return _render(timeline, list(cues), folder, render, report, progress)
        finally:
            if live is not None:
                live.discard()

    def read(stored: Stored) -> ComposedScene:
        if live is not None:
            live.discard()
        return ComposedScene(
            stored.asset,
            stored.sidecars["captions"],
            dict(stored.asset.metadata.get("report", report)),
            stored.cached,
        )

    return Step(
        stage=STAGE,
        version=VERSION,
        fingerprint="ffmpeg-x264",
        inputs=[timeline_key(timeline), text_hash(json.dumps(list(cues), ensure_ascii=False))],
        params=params,
        work=work,
        read=read,
        scene_id=scene_id,
        metadata={"report": report},
    )


def timeline_key(timeline: Timeline) -> str:
    """A content hash of everything in ``timeline``: every layer and setting, and each file
    by its content (asset-store files are named by their sha256; other files by name, size
    and modification time)."""
    return text_hash(json.dumps(_plain(timeline), sort_keys=True))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"type": type(value).__name__, **out}
    if isinstance(value, Path):
        if _SHA_NAME.match(value.name):
            return value.name
        try:
            stat = value.stat()
        except OSError:
            return str(value)
        return f"{value}:{stat.st_size}:{stat.st_mtime_ns}"
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Fraction):
        return str(value)
    return value


def _render(
    timeline: Timeline,
    cues: list[Cue],
    folder: Path,
    render: RenderConfig,
    report: dict[str, Any],
    progress: Progress | None,
    avatar_frames: Iterable[Frame] | None = None,
) -> Outputs:
    """Render ``timeline`` into ``folder``: the scene MP4 and its caption cues (JSON)."""
    out = folder / "scene.mp4"
    ass = None
    if timeline.captions.burn_in and cues:
        from vidkit.render.caption_files import to_ass
        from vidkit.render.captions import CaptionCue

        ass = folder / "captions.ass"
        ass.write_text(
            to_ass([CaptionCue(s, e, t) for s, e, t in cues], timeline.width, timeline.height),
            encoding="utf-8",
        )
    screen_frames = None
    if timeline.screen is not None and isinstance(timeline.screen.source, CodeSource):
        from vidkit.screen.code import CodeTyping

        typing = CodeTyping(
            timeline.screen.source, timeline.width, timeline.height, timeline.fps,
            timeline.duration,
        )  # fmt: skip
        screen_frames = typing.frames()
        if typing.note:
            report["screen_note"] = typing.note
    render_timeline(
        timeline, out, screen_frames=screen_frames, avatar_frames=avatar_frames,
        captions_ass=ass, progress=progress, preset=render.preset, crf=render.crf,
    )  # fmt: skip
    cues_file = folder / "captions.json"
    cues_file.write_text(json.dumps(cues, ensure_ascii=False), encoding="utf-8")
    return {"scene": (out, "composited_scene"), "captions": (cues_file, "captions")}


class LiveCompose:
    """Composes a scene from its presenter's frames as the animate stage makes them: pass it
    as ``frames_to`` to :func:`~vidkit.stages.animate.animate`, then as ``live`` to
    :func:`compose`, whose work takes the result (or renders as usual if there is none).
    ``timeline`` is the scene's, with the presenter's frames to be piped in (no video yet).

    A failure here is not the animation's: it is logged, and the compose stage then renders
    from the stored animation, where a real problem fails (and is recorded) as usual."""

    def __init__(
        self,
        timeline: Timeline,
        cues: Sequence[Cue],
        *,
        render: RenderConfig,
        progress: Progress | None = None,
    ) -> None:
        self.timeline, self.cues, self.render = timeline, list(cues), render
        self.progress = progress
        self.notes: dict[str, Any] = {}
        self._folder: Path | None = None
        self._outputs: Outputs | None = None

    @property
    def ready(self) -> bool:
        return self._outputs is not None

    def __call__(self, frames: Iterable[Frame]) -> None:
        folder = Path(tempfile.mkdtemp(prefix="vidkit-compose-live-"))
        self._folder = folder
        try:
            self._outputs = _render(
                self.timeline, self.cues, folder, self.render, self.notes, self.progress,
                avatar_frames=frames,
            )  # fmt: skip
        except Exception as exc:
            log.warning(
                "composing %r while animating it failed (%s); composing it from the "
                "stored animation instead", self.timeline.title, exc,
            )  # fmt: skip
            self._outputs = None

    def move_to(self, folder: Path) -> Outputs:
        """The composed files, moved into ``folder`` (the compose stage's own)."""
        assert self._outputs is not None
        moved: Outputs = {}
        for role, (path, kind) in self._outputs.items():
            target = folder / path.name
            shutil.move(path, target)
            moved[role] = (target, kind)
        return moved

    def discard(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        self._outputs = None
