"""A draft of a scene for fast previews while it is edited, before anything is rendered.

A draft is the render's own timeline (built by :func:`vidkit.pipeline.graph.scene_timeline`)
over whatever the stage cache holds: the spoken narration when it exists, else an estimated
length with the words spread evenly as captions; the presenter's animation, else the still
cut-out, else a grey placeholder of the same framing; a capture script's captured screen
when one was made (for the narration as it is, else the newest of the same script), else no
screen. Nothing is made here: no capture runs.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from vidkit.editing.captions import SceneCaptions, caption_rows
from vidkit.editing.narration import MAX_WORDS, NarrationWords, estimated_words, spread_words
from vidkit.editing.stats import estimated_ms, speaking_rate
from vidkit.editing.status import cached_presenter, quiet_lookups
from vidkit.errors import MediaError
from vidkit.imaging import read_rgba
from vidkit.model import CaptionEdit, Layout, Project, Scene
from vidkit.pipeline.graph import (
    Recorded,
    SceneGraph,
    avatar_layer,
    peek_scene,
    scene_timeline,
)
from vidkit.pipeline.sources import capture_script_asset, latest_capture
from vidkit.timeline import AvatarLayer, Caption, Timeline, ms_to_frames
from vidkit.timing import Timings
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vidkit.render.preview import Previewer
    from vidkit.stages.capture import CapturedScreen

__all__ = ["PREVIEW_SIZE", "AvatarKind", "SceneDraft", "draft", "nearest_corner", "placed_at"]

PREVIEW_SIZE: Final = (960, 540)
#: Draft captions are laid out for at most this many words (a preview, not the render).
_DRAFT_CAPTION_WORDS: Final = MAX_WORDS

AvatarKind = Literal["animated", "still", "placeholder", "none"]


@dataclass
class SceneDraft:
    """A scene as it will look, ready for fast previews while it is edited.

    ``timeline`` is the final render's timeline when the narration has been spoken (cached
    speech), else a draft: duration estimated from the words, captions spread evenly. The
    presenter is its animation when cached (``avatar == "animated"``), the still cut-out of the
    photo when only that is cached (``"still"``), a grey placeholder of the same framing before
    the first render (``"placeholder"``). Frames come from one warm
    :class:`~vidkit.render.preview.Previewer`: a layout edit costs a few milliseconds.
    ``words`` is the narration word by word on the scene's clock, as spoken or estimated
    (:func:`~vidkit.editing.narration.narration_words`).
    """

    project: Project
    scene: Scene
    timeline: Timeline
    spoken: bool
    avatar: AvatarKind
    notes: tuple[str, ...] = ()
    has_photo: bool = True
    burn_captions: bool = True
    _still: Any = field(default=None, repr=False)
    _previewer: Previewer | None = field(default=None, repr=False)
    _cues: tuple[str, tuple[Caption, ...]] | None = field(default=None, repr=False)
    words: NarrationWords = field(default=NarrationWords((), 0, spoken=False), repr=False)
    #: What the captions are made from: the timings and the narration as written.
    _basis: tuple[Timings, str] | None = field(default=None, repr=False)

    @property
    def captions(self) -> SceneCaptions:
        """The scene's captions one by one, as this draft shows them (with the scene's
        caption edits), and the edits that match no caption any more."""
        timings, text = self._basis or (Timings(self.timeline.duration_ms), "")
        return caption_rows(
            timings, text, end_ms=self.timeline.duration_ms, edits=self.scene.caption_edits,
            spoken=self.spoken,
        )  # fmt: skip

    @property
    def duration_s(self) -> float:
        return self.timeline.duration_ms / 1000

    @property
    def fps(self) -> float:
        return float(self.timeline.fps)

    def edited(
        self,
        *,
        layout: Layout | None = None,
        title: str | None = None,
        narration: str | None = None,
    ) -> Timeline:
        """The timeline with the editor's unsaved layout, title and narration applied (edited
        narration: its words spread over the scene as captions, until it is spoken)."""
        tl = self.timeline
        if narration is not None and narration != self.scene.narration:
            tl = replace(tl, captions=replace(tl.captions, cues=self._draft_cues(narration)))
        if layout is not None:
            if tl.avatar is not None:
                tl = replace(tl, avatar=replace(tl.avatar, layout=layout))
            burn = self.burn_captions and layout.captions
            if burn != tl.captions.burn_in:
                tl = replace(tl, captions=replace(tl.captions, burn_in=burn))
        if title is not None and title.strip() and self.scene.position != 1 and tl.cards:
            tl = replace(tl, cards=(replace(tl.cards[0], title=title.strip()), *tl.cards[1:]))
        return tl

    def _draft_cues(self, narration: str) -> tuple[Caption, ...]:
        if self._cues is None or self._cues[0] != narration:
            tl = self.timeline
            cues = _spread_cues(narration, tl.duration_ms, tl.fps, self.scene.caption_edits)
            self._cues = (narration, cues)
        return self._cues[1]

    def frame(
        self,
        at: float,
        *,
        layout: Layout | None = None,
        title: str | None = None,
        narration: str | None = None,
        size: tuple[int, int] = PREVIEW_SIZE,
    ) -> npt.NDArray[np.uint8]:
        """The preview at ``at`` seconds, ``size`` (width, height) RGB."""
        from vidkit.render.preview import Previewer

        if self._previewer is None:
            self._previewer = Previewer(self.timeline)
        previewer = self._previewer
        previewer.avatar_frames = self._avatar_frames()
        previewer.timeline = self.edited(layout=layout, title=title, narration=narration)
        return previewer.frame(max(0.0, float(at)), size)

    def image(
        self,
        at: float,
        *,
        layout: Layout | None = None,
        title: str | None = None,
        narration: str | None = None,
        size: tuple[int, int] = PREVIEW_SIZE,
        format: Literal["jpeg", "png"] = "jpeg",
        quality: int = 85,
    ) -> bytes:
        """:meth:`frame` encoded as JPEG (~5 ms at 960×540) or PNG."""
        from PIL import Image

        pixels = self.frame(at, layout=layout, title=title, narration=narration, size=size)
        buffer = io.BytesIO()
        if format == "png":
            Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
        else:
            Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality)
        return buffer.getvalue()

    def avatar_box(
        self, layout: Layout | None = None, size: tuple[int, int] = PREVIEW_SIZE
    ) -> tuple[int, int, int, int] | None:
        """(x, y, w, h) of the presenter in a preview of ``size``, or None without one."""
        tl = self.edited(layout=layout)
        if tl.avatar is None:
            return None
        x, y, w, h = tl.avatar.placement(tl.width, tl.height)
        sx, sy = size[0] / tl.width, size[1] / tl.height
        return round(x * sx), round(y * sy), max(2, round(w * sx)), max(2, round(h * sy))

    def _avatar_frames(self) -> Any:
        if self._still is None:
            return None
        still = self._still
        return lambda _i: still


def placed_at(layout: Layout, x: float, y: float) -> Layout:
    """``layout`` with the presenter's centre at (``x``, ``y``), fractions of the frame."""
    return replace(
        layout, corner=None, x=round(min(1.0, max(0.0, x)), 4), y=round(min(1.0, max(0.0, y)), 4)
    )


def nearest_corner(layout: Layout) -> str:
    """The corner nearest to a freely placed presenter (its corner if pinned)."""
    if layout.x is None or layout.y is None:
        return layout.corner or "bottom-right"
    return f"{'top' if layout.y < 0.5 else 'bottom'}-{'left' if layout.x < 0.5 else 'right'}"


@lru_cache(maxsize=4)
def _placeholder(width: int, height: int) -> Any:
    """A grey head-and-shoulders silhouette, RGBA, for a presenter not cut out yet."""
    import numpy as np

    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    cx = width / 2
    head = ((xx - cx) / (width * 0.2)) ** 2 + ((yy - height * 0.36) / (height * 0.2)) ** 2 <= 1
    body = ((xx - cx) / (width * 0.48)) ** 2 + ((yy - height * 1.02) / (height * 0.42)) ** 2 <= 1
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., :3] = (150, 160, 178)
    rgba[..., 3] = 70
    rgba[head | body, :3] = (205, 212, 224)
    rgba[head | body, 3] = 235
    border = 3
    frame = np.zeros((height, width), bool)
    frame[:border], frame[-border:], frame[:, :border], frame[:, -border:] = True, True, True, True
    rgba[frame] = (235, 238, 245, 255)
    return rgba


def draft(
    ws: Workspace, slug: str, scene_id: int, *, reuse: SceneDraft | None = None
) -> SceneDraft:
    """The scene's :class:`SceneDraft`, from the catalogue and the stage cache (looked up
    through the pipeline's graph, which builds the same timeline a render does). Pass the
    previous draft of the same scene as ``reuse`` to keep its decoded frames warm."""
    config = ws.config
    notes: list[str] = []
    with ws.catalogue.session(), quiet_lookups():
        project, scene = ws.project(slug), ws.scene(slug, scene_id)
        photo = bool(ws.assets(slug, kind="avatar_image"))
        presenter, ready, problem = cached_presenter(ws, slug)
        if problem:
            notes.append(f"presenter: {problem}")
        peek = peek_scene(ws, slug, scene, presenter, whole=ready)
        if peek.problem and scene.narration.strip():
            notes.append(f"voice: {peek.problem}")
        speech, animation = peek.speech, peek.animation
        narration = None
        recorded = SceneGraph(ws, slug, lookup_only=True).recorded(scene, project)
        if speech is not None:
            timings, audio = speech.timings, ws.asset_path(speech.audio)
            words = NarrationWords(
                timings.words, timings.duration_ms, True, audio, speech.audio.sha256
            )
        elif recorded is not None:
            duration_ms = recorded.cuts.output_ms
            timings, audio, narration = Timings(duration_ms), None, recorded.kept_text
            words = estimated_words(recorded.kept_text, duration_ms)
            notes.append(
                "the recording's sound is not prepared yet: it is joined when the scene renders"
            )
        else:
            wpm = speaking_rate(ws, slug)
            duration_ms = estimated_ms(scene, wpm)
            words = estimated_words(scene.narration, duration_ms)
            timings, audio = Timings(duration_ms, words.words), None
            narration = " ".join(w.word for w in words.words)
            notes.append(
                f"not spoken yet: the length ({duration_ms / 1000:.1f} s) is estimated at "
                f"{wpm:.0f} words a minute"
            )
        avatar = None
        if presenter is not None:
            video = ws.asset_path(animation.video) if animation is not None else None
            avatar = avatar_layer(presenter, scene.layout, video)
        captured = None
        if recorded is None and capture_script_asset(ws, slug, scene.id) is not None:
            captured = peek.captured or latest_capture(ws, slug, scene.id)
            if captured is None:
                notes.append(
                    "screen: not captured yet: the capture script runs when the scene renders"
                )
        timeline = _timeline(
            ws, project, scene, timings, audio, avatar, narration, notes, recorded, captured
        )
        portrait = ws.catalogue.asset(presenter.portrait) if presenter is not None else None
    still: Any = None
    kind: AvatarKind
    if animation is not None:
        kind = "animated"
    elif portrait is not None:
        still = read_rgba(ws.asset_path(portrait))
        kind = "still"
    else:
        still = _placeholder(256, 320)
        timeline = replace(timeline, avatar=AvatarLayer(256, 320, scene.layout))
        kind = "placeholder"
        notes.append(
            "presenter: a placeholder until the first render cuts out the photo"
            if photo
            else "no presenter photo: upload one, or the video has no presenter"
        )
    previewer = reuse._previewer if reuse is not None and reuse.scene.id == scene.id else None
    return SceneDraft(
        project, scene, timeline, speech is not None, kind, tuple(notes), photo,
        config.render.burn_captions, still, previewer, words=words,
        _basis=(timings, _caption_text(scene, narration, recorded)),
    )  # fmt: skip


def _caption_text(scene: Scene, narration: str | None, recorded: Recorded | None) -> str:
    """What the captions are made from, as :func:`scene_timeline` chooses it: the narration
    given, else a recorded scene's kept words, else the scene's narration."""
    if narration is not None:
        return narration
    return recorded.kept_text if recorded is not None else scene.narration


def _timeline(
    ws: Workspace,
    project: Project,
    scene: Scene,
    timings: Timings,
    audio: Path | None,
    avatar: AvatarLayer | None,
    narration: str | None,
    notes: list[str],
    recorded: Recorded | None = None,
    captured: CapturedScreen | None = None,
) -> Timeline:
    """The render's own timeline for the scene; without its screen when that cannot be
    shown (a recording with no video), said in ``notes``. A capture script shows
    ``captured``, a capture made before if there is one (nothing is captured here)."""
    render = ws.config.render
    try:
        timeline, _, _ = scene_timeline(
            ws, project, scene, timings, audio=audio, avatar=avatar, render=render,
            narration=narration, recorded=recorded, captured=captured,
        )  # fmt: skip
    except MediaError as exc:
        notes.append(f"screen: {exc}")
        timeline, _, _ = scene_timeline(
            ws, project, scene, timings, audio=audio, avatar=avatar, render=render,
            narration=narration, screen=False, recorded=recorded,
        )  # fmt: skip
    return timeline


def _spread_cues(
    narration: str, duration_ms: int, fps: Fraction, edits: tuple[CaptionEdit, ...]
) -> tuple[Caption, ...]:
    """Caption cues for ``narration`` with its words spread evenly over ``duration_ms``, with
    the scene's caption ``edits``."""
    from vidkit.render.caption_edits import edit_cues
    from vidkit.render.captions import captions_from_timings

    words = narration.split(maxsplit=_DRAFT_CAPTION_WORDS)[:_DRAFT_CAPTION_WORDS]
    timings = Timings(duration_ms, spread_words(words, duration_ms))
    cues = edit_cues(
        captions_from_timings(timings, text=" ".join(words), end_ms=duration_ms),
        {e.was: e.text for e in edits},
    )
    return tuple(
        Caption(ms_to_frames(c.start_ms, fps), ms_to_frames(c.end_ms, fps), c.text) for c in cues
    )
