"""The screen-source rules: what a scene shows, and how that is fitted to its narration.

A scene made from a recording (it has a recording edit, :class:`Recorded`) shows that
recording as its cut list plays it. Any other scene shows :func:`screen_asset`, the first of
these it has (the newest of that kind):

1. a **capture script** (``capture_script``): the screen the script captures, run by the
   graph's capture stage after the speech (its steps may be tied to the narration's words);
2. a **recording** (``screen_capture``);
3. a **code file** (``code_file``), typed out in an editor view;
4. an **image** (``image``), shown still;

and none of them: no screen. :func:`screen_layer` makes the timeline's screen layer. A
recording is fitted to the narration by the ``[render]`` speed rules (:func:`plan_fit`); so is
a captured screen none of whose steps is tied to the narration. A capture with tied steps runs
on the narration's own clock, so it plays as captured: its last frame is held when it ends
before the narration, and what runs on past the narration is cut (:func:`capture_fit`).

The graph (:mod:`vidkit.pipeline.graph`) wires these rules into the stages; they live here so
that module stays the one place that knows the stages.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from vidkit.config import RenderConfig
from vidkit.cuts import CutList
from vidkit.errors import MediaError
from vidkit.model import Asset, SceneEdit
from vidkit.timeline import CodeSource, FitPlan, ImageSource, RecordingSource, ScreenLayer
from vidkit.timing import Transcript
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    from vidkit.stages.capture import CapturedScreen

__all__ = [
    "SCREEN_KINDS",
    "Recorded",
    "capture_fit",
    "capture_script_asset",
    "latest_capture",
    "recorded_cuts",
    "recorded_layer",
    "screen_asset",
    "screen_layer",
    "stills_folder",
]

#: The kinds of asset a scene's screen comes from, first found first.
SCREEN_KINDS = ("capture_script", "screen_capture", "code_file", "image")


def screen_asset(ws: Workspace, slug: str, scene_id: int) -> Asset | None:
    """What the scene shows: its newest capture script, else recording, else code file, else
    image (None: none)."""
    for kind in SCREEN_KINDS:
        found = ws.assets(slug, scene_id=scene_id, kind=kind)
        if found:
            return found[-1]
    return None


def capture_script_asset(ws: Workspace, slug: str, scene_id: int) -> Asset | None:
    """The scene's capture script (its newest), or None."""
    found = ws.assets(slug, scene_id=scene_id, kind="capture_script")
    return found[-1] if found else None


def latest_capture(ws: Workspace, slug: str, scene_id: int) -> CapturedScreen | None:
    """The newest screen captured from the scene's current capture script (by its content),
    from the asset store alone: what a preview shows when the capture for the narration as
    it is now is not made yet. None without a script or a capture of it."""
    from vidkit.stages.capture import captured_screen

    script = capture_script_asset(ws, slug, scene_id)
    if script is None:
        return None
    for asset in reversed(ws.assets(slug, scene_id=scene_id, kind="captured_screen")):
        meta = asset.metadata.get("capture")
        if isinstance(meta, dict) and meta.get("script_sha256") == script.sha256:
            return captured_screen(asset, cached=True)
    return None


def stills_folder(ws: Workspace, slug: str, scene_id: int) -> Path:
    """Where a scene's capture saves a still of the page when a step fails."""
    return ws.config.catalogue.path.parent / "captures" / slug / f"scene-{scene_id}"


def capture_fit(source_ms: int, target_ms: int, render: RenderConfig, *, tied: bool) -> FitPlan:
    """How a captured screen lasts the narration: fitted like a recording, or, when its steps
    are tied to the narration's words, played as captured (held or cut at the end)."""
    from vidkit.render.fit import plan_fit

    if not tied:
        return plan_fit(
            source_ms, target_ms, min_speed=render.min_speed, max_speed=render.max_speed,
            beyond=render.beyond,
        )  # fmt: skip
    plan = plan_fit(source_ms, target_ms, min_speed=1.0, max_speed=1.0, beyond="auto")
    gap = abs(target_ms - source_ms) / 1000
    if gap < 0.05:
        return FitPlan(1.0, plan.mode, "plays as captured (tied to the narration)")
    what = "held its last frame" if plan.mode == "freeze" else "cut the last"
    note = f"plays as captured (tied to the narration); {what} {gap:.1f} s"
    return FitPlan(1.0, plan.mode, note)


def screen_layer(
    ws: Workspace,
    asset: Asset | None,
    target_ms: int,
    render: RenderConfig,
    *,
    captured: CapturedScreen | None = None,
) -> ScreenLayer | None:
    """The screen layer for ``asset``; a recording is fitted to ``target_ms`` of narration
    within ``render``'s speed limits (raises :class:`MediaError` for one with no video). A
    capture script shows ``captured``, its captured screen (None: not captured: no screen)."""
    if asset is None:
        return None
    if asset.kind == "capture_script":
        if captured is None:
            return None
        video = captured.video
        source_ms = int(video.duration_ms or 0)
        plan = capture_fit(source_ms, target_ms, render, tied=captured.tied)
        return ScreenLayer(_recording_source(ws, video), fit=plan)
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
        raise MediaError(
            f"{asset.metadata.get('filename', path.name)} has no video stream; import a screen "
            "recording with video, or use a code file or image for this scene"
        )
    source_ms = int(asset.duration_ms or 0)
    plan = plan_fit(
        source_ms, target_ms, min_speed=render.min_speed, max_speed=render.max_speed,
        beyond=render.beyond,
    )  # fmt: skip
    return ScreenLayer(_recording_source(ws, asset), fit=plan)


def _recording_source(ws: Workspace, asset: Asset) -> RecordingSource:
    width, height = int(asset.metadata.get("width", 0)), int(asset.metadata.get("height", 0))
    return RecordingSource(ws.asset_path(asset), int(asset.duration_ms or 0), width, height)


@dataclass(frozen=True)
class Recorded:
    """A scene made from a recording: its edit, the recording, the cut list that plays (the
    edit's, or the whole in..out window before any tightening) and the transcript (None
    until it is made)."""

    edit: SceneEdit
    recording: Asset
    cuts: CutList
    transcript: Transcript | None = None

    @property
    def kept_text(self) -> str:
        """The words that play, as the narration a re-voicing speaks."""
        if self.transcript is None:
            return ""
        from vidkit.recordings.join import kept_words

        return " ".join(w.text for w in kept_words(self.transcript.words, self.cuts))


def recorded_cuts(edit: SceneEdit, recording: Asset, fps: Fraction) -> CutList:
    """The rule for what a recorded scene plays: its edit's cut list, or, before it is
    tightened, the whole in..out window."""
    if edit.cuts is not None:
        return edit.cuts
    end_ms = edit.out_ms if edit.out_ms is not None else int(recording.duration_ms or 0)
    start = CutList.frame_at(edit.in_ms, fps)
    return CutList.whole(start, max(start + 1, CutList.frame_at(end_ms, fps)), fps)


def recorded_layer(
    ws: Workspace, recorded: Recorded, target_ms: int, render: RenderConfig
) -> ScreenLayer:
    """A recorded scene's screen: the recording as its cut list plays it; in the speaker's
    own voice it lasts exactly as long as the speech, re-voiced it is fitted to the new
    narration by the fit rules."""
    from vidkit.render.fit import plan_fit

    asset = recorded.recording
    if not asset.metadata.get("has_video"):
        raise MediaError(
            f"{asset.metadata.get('filename', asset.path)} has no video stream; import a screen "
            "recording with video for this scene"
        )
    width, height = int(asset.metadata.get("width", 0)), int(asset.metadata.get("height", 0))
    source = RecordingSource(
        ws.asset_path(asset), int(asset.duration_ms or 0), width, height, cuts=recorded.cuts
    )
    if recorded.edit.voice == "own":
        return ScreenLayer(source, FitPlan(note="tightened" if recorded.edit.cuts else ""))
    plan = plan_fit(
        source.playing_ms, target_ms, min_speed=render.min_speed, max_speed=render.max_speed,
        beyond=render.beyond,
    )  # fmt: skip
    return ScreenLayer(source, fit=plan)
