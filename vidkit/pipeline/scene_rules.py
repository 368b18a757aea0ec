"""The rules that turn a scene into its :class:`~vidkit.timeline.Timeline`, part of the scene
graph (:mod:`vidkit.pipeline.graph`, which runs the stages): the presenter's crop, its layer,
the title cards, the captions (made from the word timings, with the scene's caption edits),
the screen fitted to the speech (:mod:`vidkit.pipeline.sources`), the audio; and what the
quality checks need of a timeline. :func:`scene_timeline` is the one function that builds a
scene's timeline, for the render and for every preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.config import RenderConfig
from vidkit.model import Asset, Layout, Project, Scene
from vidkit.pipeline.sources import Recorded, recorded_layer, screen_asset, screen_layer
from vidkit.timeline import (
    AudioLayer,
    AvatarLayer,
    Caption,
    CaptionLayer,
    CardLayer,
    RecordingSource,
    Timeline,
    head_and_shoulders,
    ms_to_frames,
)
from vidkit.timing import Timings
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    from vidkit.qc import SceneFacts
    from vidkit.stages.capture import CapturedScreen
    from vidkit.stages.qc import Checked

__all__ = [
    "Cue",
    "Presenter",
    "avatar_layer",
    "presenter_crop",
    "qc_facts",
    "qc_summary",
    "scene_timeline",
    "title_cards",
]

#: A caption cue: start and end (ms), text.
Cue = tuple[int, int, str]


@dataclass(frozen=True)
class Presenter:
    """A project's presenter, ready to animate: its cut-out portrait and face rig (asset ids,
    so it crosses process boundaries), the portrait's size and the head-and-shoulders crop
    shown in the video."""

    portrait: int
    rig: int
    width: int
    height: int
    crop: tuple[int, int, int, int]


def presenter_crop(width: int, height: int, landmarks: Any | None) -> tuple[int, int, int, int]:
    """The crop rule: head and shoulders around the face's landmarks (x, y columns), or the
    whole portrait when no face was found yet."""
    if landmarks is None:
        return 0, 0, width, height
    points = landmarks[:, :2]
    box = (float(points[:, 0].min()), float(points[:, 1].min()),
           float(points[:, 0].max()), float(points[:, 1].max()))  # fmt: skip
    return head_and_shoulders(box, width, height)


def avatar_layer(presenter: Presenter, layout: Layout, video: Path | None = None) -> AvatarLayer:
    """The presenter as a timeline layer: placed by ``layout``, cropped by the crop rule;
    ``video`` None when its frames are piped in (a live compose) or it is a still preview."""
    return AvatarLayer(presenter.width, presenter.height, layout, video=video, crop=presenter.crop)


def title_cards(
    project: Project, scene: Scene, duration: int, render: RenderConfig
) -> tuple[CardLayer, ...]:
    """The card rule: the first scene opens with the project's title and subtitle (up to a
    third of the scene, at most 3 s); every other scene with its own title (a quarter, 2 s)."""
    if not render.title_cards:
        return ()
    fps = project.fps
    if scene.position == 1:
        return (CardLayer(project.title, project.subtitle, 0, min(duration // 3, round(3 * fps))),)
    return (CardLayer(scene.title, "", 0, min(duration // 4, round(2 * fps))),)


def qc_facts(timeline: Timeline, screen: str, render: RenderConfig) -> SceneFacts:
    """What the quality checks need of a scene's timeline: its frame rate, the box the
    presenter is drawn in, what the screen is, and a recording's fit against the speed cap."""
    from vidkit.qc import Fit, SceneFacts

    box = None
    if timeline.avatar is not None and timeline.avatar.video is not None:
        box = timeline.avatar.placement(timeline.width, timeline.height)
    fit = None
    layer = timeline.screen
    if layer is not None and isinstance(layer.source, RecordingSource):
        fit = Fit(
            layer.source.playing_ms, layer.fit.speed, layer.fit.mode, render.min_speed,
            render.max_speed, cut_list=layer.source.cuts is not None,
        )  # fmt: skip
    return SceneFacts(float(timeline.fps), box, screen, fit)


def qc_summary(checked: Checked) -> dict[str, Any]:
    """A scene's QC in a render's report: the worst status, the report's asset, and each
    amber or red item (its check, status and sentence)."""
    return {
        "status": checked.report.status,
        "report_asset_id": checked.asset.id,
        "flagged": [
            {"check": i.check, "status": i.status, "sentence": i.sentence}
            for i in checked.report.flagged()
        ],
    }


def scene_timeline(
    ws: Workspace,
    project: Project,
    scene: Scene,
    timings: Timings,
    *,
    audio: Path | None,
    avatar: AvatarLayer | None,
    render: RenderConfig,
    narration: str | None = None,
    screen: bool = True,
    recorded: Recorded | None = None,
    captured: CapturedScreen | None = None,
) -> tuple[Timeline, list[Cue], Asset | None]:
    """The scene's timeline, its caption cues (ms) and the screen asset it shows, for speech
    with these ``timings`` (``audio``: its WAV; None for a preview before it is spoken, whose
    timings are estimated). ``narration`` overrides the scene's text for the captions;
    ``screen=False`` leaves the screen out (a preview of a scene whose source is unusable).
    A ``recorded`` scene shows its recording as its cut list plays it, captioned by the words
    kept from its transcript. A scene whose screen is a capture script shows ``captured``
    (its captured screen, the asset it shows; None: not captured, no screen)."""
    from vidkit.render.caption_edits import edit_cues
    from vidkit.render.captions import captions_from_timings

    fps = project.fps
    duration = ms_to_frames(timings.duration_ms, fps)
    if recorded is not None:
        shown = recorded.recording if screen else None
        layer = recorded_layer(ws, recorded, timings.duration_ms, render) if screen else None
        narration = recorded.kept_text if narration is None else narration
    else:
        shown = screen_asset(ws, project.slug, scene.id) if screen else None
        layer = screen_layer(ws, shown, timings.duration_ms, render, captured=captured)
        if shown is not None and shown.kind == "capture_script":
            shown = captured.video if captured is not None else None
    found = edit_cues(
        captions_from_timings(
            timings,
            text=scene.narration if narration is None else narration,
            end_ms=round(duration * 1000 / fps),
        ),
        {e.was: e.text for e in scene.caption_edits},
    )
    cues = [(c.start_ms, c.end_ms, c.text) for c in found]
    captions = CaptionLayer(
        tuple(Caption(ms_to_frames(s, fps), ms_to_frames(e, fps), t) for s, e, t in cues),
        burn_in=render.burn_captions and scene.layout.captions,
    )
    sound = None
    if audio is not None:
        music = ws.assets(project.slug, kind="music")
        sound = AudioLayer(audio, music=ws.asset_path(music[-1]) if music else None)
    timeline = Timeline(
        project.width, project.height, fps, duration, screen=layer, avatar=avatar,
        captions=captions, cards=title_cards(project, scene, duration, render), audio=sound,
        title=scene.title,
    )  # fmt: skip
    return timeline, cues, shown
