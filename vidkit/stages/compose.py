"""compose: a scene's speech, presenter, screen source and layout → the scene's MP4.

Builds the scene's :class:`~vidkit.timeline.Timeline` from the catalogue and renders it with one
ffmpeg run (:func:`vidkit.render.compose.compose`). The output is cached by content: the audio,
the avatar video, the screen source, the layout and every render setting are in the key, so
editing one scene re-renders that scene only.

When the presenter is animated in the same render, :class:`LiveCompose` composes the scene
while the frames are made: the animate stage hands each RGBA frame both to the encoder of
its stored (cached) video and, through a pipe, to this compose run. The scene then never
decodes the stored video, which costs as much as encoding it (FFV1, about 13 ms a 512x512
frame here); see docs/rendering.md for the figures. A compose without a fresh animation
(a layout change, say) reads the stored video as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.workspace import Workspace
from vidkit.config import RenderConfig
from vidkit.model import Asset, Project, Scene
from vidkit.render.compose import compose
from vidkit.stages.animate import Animation
from vidkit.stages.cache import Outputs, run_cached
from vidkit.stages.speak import Speech
from vidkit.timeline import (
    AudioLayer,
    AvatarLayer,
    Caption,
    CaptionLayer,
    CardLayer,
    CodeSource,
    FitPlan,
    ImageSource,
    RecordingSource,
    ScreenLayer,
    Timeline,
    ms_to_frames,
)

__all__ = [
    "STAGE",
    "VERSION",
    "ComposedScene",
    "LiveCompose",
    "compose_scene",
    "scene_timeline",
    "screen_asset",
    "screen_layer",
]

STAGE = "compose"
VERSION = 2  # 2: title cards under the presenter

Progress = Callable[[int, int], None]
Frame = npt.NDArray[np.uint8]

log = logging.getLogger("vidkit.stages")


@dataclass(frozen=True)
class ComposedScene:
    video: Asset  # kind composited_scene
    captions: Asset  # JSON cues in milliseconds, kind captions
    report: dict[str, Any]
    cached: bool = False


def screen_asset(ws: Workspace, slug: str, scene_id: int) -> Asset | None:
    """What the scene shows: its newest recording, else code file, else image (None: none)."""
    for kind in ("screen_capture", "code_file", "image"):
        found = ws.assets(slug, scene_id=scene_id, kind=kind)
        if found:
            return found[-1]
    return None


def screen_layer(
    ws: Workspace, asset: Asset | None, target_ms: int, render: RenderConfig
) -> ScreenLayer | None:
    """The screen layer for ``asset``; a recording is fitted to ``target_ms`` of narration
    within ``render``'s speed limits (raises :class:`MediaError` for one with no video)."""
    if asset is None:
        return None
    path = ws.asset_path(asset)
    if asset.kind == "code_file":
        code = path.read_text(encoding="utf-8", errors="replace")
        return ScreenLayer(
            CodeSource(code, filename=str(asset.metadata.get("filename", path.name)))
        )
    if asset.kind == "image":
        return ScreenLayer(ImageSource(path))
    from vidkit.render.fit import plan_fit

    if not asset.metadata.get("has_video"):
        from vidkit.errors import MediaError

        raise MediaError(
            f"{asset.metadata.get('filename', path.name)} has no video stream; import a screen "
            "recording with video, or use a code file or image for this scene"
        )
    source_ms = int(asset.duration_ms or 0)
    plan: FitPlan = plan_fit(
        source_ms, target_ms, min_speed=render.min_speed, max_speed=render.max_speed,
        beyond=render.beyond,
    )  # fmt: skip
    width, height = int(asset.metadata.get("width", 0)), int(asset.metadata.get("height", 0))
    return ScreenLayer(RecordingSource(path, source_ms, width, height), fit=plan)


def scene_timeline(
    ws: Workspace,
    project: Project,
    scene: Scene,
    speech: Speech,
    animation: Animation | None,
    avatar_box: tuple[int, int, tuple[int, int, int, int] | None] | None,
    render: RenderConfig,
    *,
    live_avatar: bool = False,
) -> tuple[Timeline, list[tuple[int, int, str]], Asset | None]:
    """The scene's timeline, its caption cues (ms) and the screen asset it shows.
    ``live_avatar``: the presenter's frames will be piped in (no ``animation`` yet)."""
    fps = project.fps
    duration = ms_to_frames(speech.timings.duration_ms, fps)
    shown = screen_asset(ws, project.slug, scene.id)
    screen = screen_layer(ws, shown, speech.timings.duration_ms, render)
    from vidkit.render.captions import captions_from_timings

    found = captions_from_timings(
        speech.timings, text=scene.narration, end_ms=round(duration * 1000 / fps)
    )
    cues = [(c.start_ms, c.end_ms, c.text) for c in found]
    captions = CaptionLayer(
        tuple(Caption(ms_to_frames(s, fps), ms_to_frames(e, fps), t) for s, e, t in cues),
        burn_in=render.burn_captions and scene.layout.captions,
    )
    avatar = None
    if (animation is not None or live_avatar) and avatar_box is not None:
        width, height, crop = avatar_box
        video = ws.asset_path(animation.video) if animation is not None else None
        avatar = AvatarLayer(width, height, scene.layout, video=video, crop=crop)
    cards: tuple[CardLayer, ...] = ()
    if render.title_cards:
        if scene.position == 1:
            card = CardLayer(project.title, project.subtitle, 0, min(duration // 3, round(3 * fps)))
        else:
            card = CardLayer(scene.title, "", 0, min(duration // 4, round(2 * fps)))
        cards = (card,)
    music = ws.assets(project.slug, kind="music")
    audio = AudioLayer(
        ws.asset_path(speech.audio), music=ws.asset_path(music[-1]) if music else None
    )
    timeline = Timeline(
        project.width, project.height, fps, duration, screen=screen, avatar=avatar,
        captions=captions, cards=cards, audio=audio, title=scene.title,
    )  # fmt: skip
    return timeline, cues, shown


def compose_scene(
    ws: Workspace,
    slug: str,
    scene_id: int,
    *,
    speech: Speech,
    animation: Animation | None,
    avatar_box: tuple[int, int, tuple[int, int, int, int] | None] | None,
    render: RenderConfig,
    progress: Progress | None = None,
    live: LiveCompose | None = None,
) -> ComposedScene:
    """Render one scene to an MP4 asset (cached by content). ``live``: the scene was already
    composed while its presenter was animated; its files are taken instead of rendering."""
    with ws.catalogue.session():  # one connection for the lookups
        project, scene = ws.project(slug), ws.scene(slug, scene_id)
        timeline, cues, shown = scene_timeline(
            ws, project, scene, speech, animation, avatar_box, render
        )
    music = timeline.audio.music if timeline.audio else None
    inputs = [
        speech.audio.sha256,
        hashlib.sha256(speech.timings.to_json().encode()).hexdigest(),
        animation.video.sha256 if animation else "-",
        shown.sha256 if shown else "-",
        music.name if music else "-",
    ]
    fit = timeline.screen.fit if timeline.screen else FitPlan()
    report = {
        "scene_id": scene.id,
        "position": scene.position,
        "title": scene.title,
        "duration_ms": timeline.duration_ms,
        "frames": timeline.duration,
        "screen": shown.kind if shown else "none",
        "fit": fit.note or "exact",
        "captions": len(cues),
    }
    params = {
        "size": [timeline.width, timeline.height],
        "fps": str(timeline.fps),
        "layout": scene.to_dict() | {"narration": None, "notes": None, "updated_at": None},
        "avatar_crop": list(timeline.avatar.crop or ()) if timeline.avatar else None,
        "cards": [[c.title, c.subtitle, c.start, c.duration] for c in timeline.cards],
        "render": render.model_dump(mode="json", exclude={"output_dir", "workers"}),
    }

    def work(folder: Path) -> Outputs:
        if live is not None and live.ready:
            report.update(live.notes)
            return live.move_to(folder)
        return _render(timeline, cues, folder, render, report, progress)

    try:
        result = run_cached(
            ws, slug, stage=STAGE, version=VERSION, fingerprint="ffmpeg-x264",
            inputs=inputs, params=params, work=work, scene_id=scene_id,
            metadata={"report": report},
        )  # fmt: skip
    finally:
        if live is not None:
            live.discard()
    return ComposedScene(
        result.asset,
        result.sidecars["captions"],
        dict(result.asset.metadata.get("report", report)),
        result.cached,
    )


def _render(
    timeline: Timeline,
    cues: list[tuple[int, int, str]],
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
        from vidkit.render.captions import CaptionCue, to_ass

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
    compose(
        timeline, out, screen_frames=screen_frames, avatar_frames=avatar_frames,
        captions_ass=ass, progress=progress, preset=render.preset, crf=render.crf,
    )  # fmt: skip
    cues_file = folder / "captions.json"
    cues_file.write_text(json.dumps(cues, ensure_ascii=False), encoding="utf-8")
    return {"scene": (out, "composited_scene"), "captions": (cues_file, "captions")}


class LiveCompose:
    """Composes a scene from its presenter's frames as the animate stage makes them: pass it
    as ``frames_to`` to :func:`~vidkit.stages.animate.animate`, then as ``live`` to
    :func:`compose_scene`, which takes the result (or renders as usual if there is none).

    A failure here is not the animation's: it is logged, and the compose stage then renders
    from the stored animation, where a real problem fails (and is recorded) as usual."""

    def __init__(
        self,
        ws: Workspace,
        slug: str,
        scene_id: int,
        *,
        speech: Speech,
        avatar_box: tuple[int, int, tuple[int, int, int, int] | None],
        render: RenderConfig,
        progress: Progress | None = None,
    ) -> None:
        self.ws, self.slug, self.scene_id = ws, slug, scene_id
        self.speech, self.avatar_box, self.render = speech, avatar_box, render
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
            with self.ws.catalogue.session():
                project, scene = self.ws.project(self.slug), self.ws.scene(self.slug, self.scene_id)
                timeline, cues, _ = scene_timeline(
                    self.ws, project, scene, self.speech, None, self.avatar_box, self.render,
                    live_avatar=True,
                )  # fmt: skip
            self._outputs = _render(
                timeline, cues, folder, self.render, self.notes, self.progress,
                avatar_frames=frames,
            )  # fmt: skip
        except Exception as exc:
            log.warning(
                "composing scene %s while animating it failed (%s); composing it from the "
                "stored animation instead", self.scene_id, exc,
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
