"""What interactive editors need beyond the CRUD API: narration statistics, a draft preview of a
scene before it has been spoken, which scenes are already rendered, and a project's last render.

Used by the studio widgets and notebooks; no UI imports. Everything here reads the catalogue and
the stage cache and never renders: a draft uses the cached speech, presenter cut-out and
animation when they exist (looked up with :func:`~vidkit.stages.cache.cache_only`) and otherwise
an estimate, so the editor can show and move the presenter from the first keystroke.

>>> narration_stats("Here is a loop you have probably written.").words
8
"""

from __future__ import annotations

import io
import json
import logging
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from vidkit.workspace import Workspace
from vidkit.errors import InvalidInput, VidkitError
from vidkit.model import TEXT_MAX, Layout, Project, Scene
from vidkit.timeline import (
    AvatarLayer,
    Caption,
    CaptionLayer,
    CardLayer,
    Timeline,
    frames_to_ms,
    ms_to_frames,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from vidkit.render.preview import Previewer

__all__ = [
    "DEFAULT_WPM",
    "PREVIEW_SIZE",
    "LastRender",
    "NarrationStats",
    "ProjectSummary",
    "SceneDraft",
    "SceneStatus",
    "draft",
    "last_render",
    "narration_stats",
    "prepare_presenter",
    "project_summaries",
    "scene_statuses",
    "speaking_rate",
    "use_example_presenter",
]

log = logging.getLogger("vidkit.editing")

#: Words per minute assumed before any narration of the project has been spoken.
DEFAULT_WPM: Final = 150.0
PREVIEW_SIZE: Final = (960, 540)
#: Draft captions are laid out for at most this many words (a preview, not the render).
_DRAFT_CAPTION_WORDS: Final = 4000
_EMPTY_SCENE_MS: Final = 3000
_MIN_SCENE_MS: Final = 1000
_COUNT_EXACT_CHARS: Final = 200_000

AvatarKind = Literal["animated", "still", "placeholder", "none"]


# Narration ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NarrationStats:
    """Size of a narration and how long it takes to say at ``wpm`` words per minute.
    ``problem`` says what stops it being saved (too long), or is None."""

    characters: int
    words: int
    seconds: float
    wpm: float
    exact: bool = True
    problem: str | None = None

    def summary(self) -> str:
        about = "" if self.exact else "about "
        return (
            f"{about}{self.words:,} word{'s' if self.words != 1 else ''} · "
            f"about {_say_seconds(self.seconds)} spoken at {self.wpm:.0f} words a minute"
        )


def narration_stats(text: str, *, wpm: float = DEFAULT_WPM) -> NarrationStats:
    """Word count and estimated spoken length, cheap enough to run on every keystroke: exact
    up to 200,000 characters, estimated from the spaces beyond (a 5 MB paste takes ~5 ms)."""
    if wpm <= 0:
        raise InvalidInput("wpm must be positive", field="wpm")
    characters = len(text)
    if characters <= _COUNT_EXACT_CHARS:
        words, exact = len(text.split()), True
    else:
        words = text.count(" ") + text.count("\n") + text.count("\t") + 1
        exact = False
    problem = None
    if characters > TEXT_MAX:
        problem = (
            f"the narration has {characters:,} characters; the limit is {TEXT_MAX:,}. "
            "Split it over several scenes"
        )
    return NarrationStats(characters, words, words / wpm * 60.0, wpm, exact, problem)


def speaking_rate(ws: Workspace, slug: str) -> float:
    """Words per minute of the project's voice, measured on narration it has already spoken
    (its cached speech timings), else :data:`DEFAULT_WPM`."""
    rates = []
    for asset in ws.assets(slug, kind="timings")[-8:]:
        try:
            raw = json.loads(ws.asset_path(asset).read_text(encoding="utf-8"))
            words, duration_ms = len(raw["words"]), int(raw["duration_ms"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if words >= 5 and duration_ms > 0:
            rates.append(words / duration_ms * 60_000)
    if not rates:
        return DEFAULT_WPM
    return float(min(250.0, max(80.0, statistics.median(rates))))


def _say_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 90:
        return f"{minutes} min {rest:02d} s"
    return f"{minutes / 60:.1f} h"


def estimated_ms(scene: Scene, wpm: float = DEFAULT_WPM) -> int:
    """How long the scene will last before it is spoken: its words at ``wpm``."""
    if not scene.narration.strip():
        return _EMPTY_SCENE_MS
    words = len(scene.narration.split())
    return max(_MIN_SCENE_MS, round(words / wpm * 60_000))


# Render status -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SceneStatus:
    """A scene as the timeline and render panel show it. ``spoken``: the duration is that of
    its cached speech; ``cached``: its video for the current content is already rendered."""

    scene: Scene
    duration_ms: int
    spoken: bool = False
    cached: bool = False
    video: Path | None = None
    problem: str | None = None


_QUIET_LOCK = threading.Lock()
_QUIET: dict[str, Any] = {"depth": 0, "levels": []}


@contextmanager
def _quiet_cache_log() -> Iterator[None]:
    """Cache lookups log every hit, and the pipeline warns about a missing photo: fine for a
    render, noise for a status check run after every edit. Safe across threads (the levels
    are restored when the last block ends)."""
    loggers = [logging.getLogger(name) for name in ("vidkit.stages", "vidkit.pipeline")]
    with _QUIET_LOCK:
        if _QUIET["depth"] == 0:
            _QUIET["levels"] = [logger.level for logger in loggers]
            for logger in loggers:
                logger.setLevel(logging.ERROR)
        _QUIET["depth"] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET["depth"] -= 1
            if _QUIET["depth"] == 0:
                for logger, level in zip(loggers, _QUIET["levels"], strict=True):
                    logger.setLevel(level)


def scene_statuses(ws: Workspace, slug: str) -> list[SceneStatus]:
    """Every scene's duration and whether it is already rendered, from the stage cache (no
    work is done). About 50 ms a scene once the backends are built (first call: ~1 s)."""
    from vidkit.pipeline import presenter, render_scene
    from vidkit.stages.cache import NotCached, cache_only

    config = ws.config
    wpm = speaking_rate(ws, slug)
    out: list[SceneStatus] = []
    with ws.catalogue.session(), _quiet_cache_log():
        scenes = ws.scenes(slug)
        avatar: Any = None
        avatar_ready = True
        try:
            with cache_only():
                avatar = presenter(ws, slug, config, lambda _e: None)
        except NotCached:
            avatar_ready = False
        except VidkitError as exc:
            log.info("presenter of %s is not usable yet: %s", slug, exc)
            avatar_ready = False
        for scene in scenes:
            out.append(_status(ws, slug, scene, avatar, avatar_ready, wpm, render_scene))
    return out


def _status(
    ws: Workspace,
    slug: str,
    scene: Scene,
    avatar: Any,
    avatar_ready: bool,
    wpm: float,
    render_scene: Any,
) -> SceneStatus:
    from vidkit.stages.cache import NotCached, cache_only

    guess = estimated_ms(scene, wpm)
    if not scene.narration.strip():
        return SceneStatus(scene, guess, problem="no narration yet")
    try:
        if avatar_ready:
            with cache_only():
                result = render_scene(ws, ws.config, slug, scene, avatar, lambda _e: None)
            duration = int(result.report.get("duration_ms") or guess)
            return SceneStatus(scene, duration, True, True, ws.asset_path(result.video))
    except NotCached:
        pass
    except VidkitError as exc:
        return SceneStatus(scene, guess, problem=str(exc))
    try:
        speech = _cached_speech(ws, slug, scene)
    except VidkitError as exc:
        return SceneStatus(scene, guess, problem=str(exc))
    if speech is not None:
        return SceneStatus(scene, speech.timings.duration_ms, spoken=True)
    return SceneStatus(scene, guess)


def _cached_speech(ws: Workspace, slug: str, scene: Scene) -> Any:
    """The scene's cached :class:`~vidkit.stages.speak.Speech`, or None."""
    from vidkit.pipeline import backend
    from vidkit.stages.cache import NotCached, cache_only
    from vidkit.stages.speak import speak

    if not scene.narration.strip():
        return None
    try:
        with cache_only(), _quiet_cache_log():
            return speak(
                ws,
                slug,
                scene.id,
                backend(ws.config, "tts"),
                chunk_chars=ws.config.voice.chunk_chars,
            )
    except NotCached:
        return None


# Last render -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LastRender:
    """When the project was last rendered: the whole video (``final`` is its file) or a
    scene."""

    finished_at: datetime
    what: str
    final: Path | None = None

    def summary(self) -> str:
        return f"{self.what}, {self.finished_at.astimezone().strftime('%Y-%m-%d %H:%M')}"


def last_render(ws: Workspace, slug: str) -> LastRender | None:
    """The project's latest render: its finished video in ``[render] output_dir``, or the
    latest scene rendered, whichever is newer; None if it was never rendered."""
    candidates: list[LastRender] = []
    final = ws.config.render.output_dir / f"{slug}.mp4"
    if final.is_file():
        stamp = datetime.fromtimestamp(final.stat().st_mtime, UTC)
        candidates.append(LastRender(stamp, "whole video", final))
    scenes = {s.id: s.position for s in ws.scenes(slug)}
    for job in ws.jobs(slug):
        if job.stage == "compose" and job.status == "done" and job.finished_at is not None:
            when = job.finished_at
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            position = scenes.get(job.scene_id or 0)
            what = f"scene {position}" if position else "a scene since deleted"
            candidates.append(LastRender(when, what))
    return max(candidates, key=lambda c: c.finished_at) if candidates else None


@dataclass(frozen=True, slots=True)
class ProjectSummary:
    project: Project
    last_render: LastRender | None


def project_summaries(ws: Workspace) -> list[ProjectSummary]:
    """Every project with its last render, in one hold of the catalogue."""
    with ws.catalogue.session():
        return [ProjectSummary(p, last_render(ws, p.slug)) for p in ws.projects()]


def use_example_presenter(ws: Workspace, slug: str) -> None:
    """Give a project the example presenter photo (NASA's public-domain portrait of Eileen
    Collins, bundled with scikit-image), so a new project has a presenter from the start."""
    from PIL import Image
    from skimage import data

    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, format="PNG")  # type: ignore[no-untyped-call]
    buffer.seek(0)
    ws.import_stream(slug, buffer, filename="astronaut.png", kind="avatar_image")


def prepare_presenter(ws: Workspace, slug: str) -> None:
    """Cut out the project's presenter photo and find its face now — the first steps of the
    first render, cached the same way — so drafts show the real presenter (a few seconds)."""
    from vidkit.pipeline import presenter
    from vidkit.stages.cutout import avatar_image

    avatar_image(ws, slug)  # a NotFound that says how to add a photo
    presenter(ws, slug, ws.config, lambda _e: None)


# Draft preview -----------------------------------------------------------------------------


@dataclass
class SceneDraft:
    """A scene as it will look, ready for fast previews while it is edited.

    ``timeline`` is the final render's timeline when the narration has been spoken (cached
    speech), else a draft: duration estimated from the words, captions spread evenly. The
    presenter is its animation when cached (``avatar == "animated"``), the still cut-out of the
    photo when only that is cached (``"still"``), a grey placeholder of the same framing before
    the first render (``"placeholder"``). Frames come from one warm
    :class:`~vidkit.render.preview.Previewer`: a layout edit costs a few milliseconds.
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
            self._cues = (narration, _spread_cues(narration, tl.duration_ms, tl.fps))
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
    """The scene's :class:`SceneDraft`, from the catalogue and the stage cache. Pass the
    previous draft of the same scene as ``reuse`` to keep its decoded frames warm."""
    from vidkit.pipeline import backend
    from vidkit.stages.cache import NotCached, cache_only
    from vidkit.stages.compose import scene_timeline, screen_asset, screen_layer

    config = ws.config
    with ws.catalogue.session(), _quiet_cache_log():
        project, scene = ws.project(slug), ws.scene(slug, scene_id)
        notes: list[str] = []
        try:
            speech = _cached_speech(ws, slug, scene)
        except VidkitError as exc:  # the voice cannot be built: the draft still works
            speech = None
            notes.append(f"voice: {exc}")
        photo = bool(ws.assets(slug, kind="avatar_image"))
        portrait = rig = animation = None
        if photo:
            try:
                with cache_only():
                    portrait, rig = _portrait_and_rig(ws, slug, config, backend)
            except NotCached:
                pass
            except VidkitError as exc:
                notes.append(f"presenter: {exc}")
        if speech is not None and portrait is not None and rig is not None:
            from vidkit.stages.animate import animate

            try:
                with cache_only():
                    animation = animate(
                        ws, slug, scene.id, backend(config, "animator"), portrait=portrait,
                        rig=rig, speech=speech, fps=project.fps,
                    )  # fmt: skip
            except NotCached:
                animation = None
        box = _avatar_box(portrait, rig)
        if speech is not None:
            timeline, _cues, _screen = scene_timeline(
                ws, project, scene, speech, animation, box if animation else None, config.render
            )
        else:
            wpm = speaking_rate(ws, slug)
            duration_ms = estimated_ms(scene, wpm)
            try:
                screen = screen_layer(
                    ws, screen_asset(ws, slug, scene.id), duration_ms, config.render
                )
            except VidkitError as exc:
                notes.append(f"screen: {exc}")
                screen = None
            timeline = _draft_timeline(project, scene, duration_ms, screen, config.render)
            notes.append(
                f"not spoken yet: the length ({duration_ms / 1000:.1f} s) is estimated at "
                f"{wpm:.0f} words a minute"
            )
    still: Any = None
    kind: AvatarKind
    if animation is not None:
        kind = "animated"
    elif portrait is not None:
        from vidkit.imaging import read_rgba

        still = read_rgba(ws.asset_path(portrait))
        width, height, crop = box if box else (still.shape[1], still.shape[0], None)
        timeline = replace(timeline, avatar=AvatarLayer(width, height, scene.layout, crop=crop))
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
        config.render.burn_captions, still, previewer,
    )  # fmt: skip


def _portrait_and_rig(ws: Workspace, slug: str, config: Any, built: Any) -> tuple[Any, Any]:
    from vidkit.stages.cutout import cutout
    from vidkit.stages.rig import rig

    portrait = cutout(ws, slug, built(config, "matting"), max_side=config.avatar.max_side)
    face = rig(ws, slug, built(config, "facerig"), portrait=portrait.portrait)
    return portrait.portrait, face


def _avatar_box(portrait: Any, rig: Any) -> tuple[int, int, tuple[int, int, int, int]] | None:
    if portrait is None:
        return None
    from vidkit.timeline import head_and_shoulders

    width, height = int(portrait.metadata["width"]), int(portrait.metadata["height"])
    if rig is None:
        return width, height, (0, 0, width, height)
    points = rig.rig.landmarks[:, :2]
    face = (float(points[:, 0].min()), float(points[:, 1].min()),
            float(points[:, 0].max()), float(points[:, 1].max()))  # fmt: skip
    return width, height, head_and_shoulders(face, width, height)


def _draft_timeline(
    project: Project, scene: Scene, duration_ms: int, screen: Any, render: Any
) -> Timeline:
    """The timeline of a scene not spoken yet: what :func:`scene_timeline` builds, with the
    words spread evenly over the estimated length for captions."""
    fps = project.fps
    duration = ms_to_frames(duration_ms, fps)
    captions = CaptionLayer(
        _spread_cues(scene.narration, frames_to_ms(duration, fps), fps),
        burn_in=render.burn_captions and scene.layout.captions,
    )
    cards: tuple[CardLayer, ...] = ()
    if render.title_cards:
        if scene.position == 1:
            card = CardLayer(project.title, project.subtitle, 0, min(duration // 3, round(3 * fps)))
        else:
            card = CardLayer(scene.title, "", 0, min(duration // 4, round(2 * fps)))
        cards = (card,)
    return Timeline(
        project.width, project.height, fps, duration, screen=screen, captions=captions,
        cards=cards, title=scene.title,
    )  # fmt: skip


def _spread_cues(narration: str, duration_ms: int, fps: Fraction) -> tuple[Caption, ...]:
    """Caption cues for ``narration`` with its words spread evenly over ``duration_ms``."""
    from vidkit.render.captions import captions_from_timings
    from vidkit.timing import Timings

    words = narration.split(maxsplit=_DRAFT_CAPTION_WORDS)[:_DRAFT_CAPTION_WORDS]
    timings = Timings(duration_ms, _spread(words, duration_ms))
    cues = captions_from_timings(timings, text=" ".join(words), end_ms=duration_ms)
    return tuple(
        Caption(ms_to_frames(c.start_ms, fps), ms_to_frames(c.end_ms, fps), c.text) for c in cues
    )


def _spread(words: list[str], duration_ms: int) -> tuple[Any, ...]:
    from vidkit.timing import WordTiming

    if not words:
        return ()
    weights = [len(w) + 2 for w in words]
    total = sum(weights)
    out, start = [], 0.0
    for word, weight in zip(words, weights, strict=True):
        length = duration_ms * weight / total
        out.append(WordTiming(word, round(start), round(start + length * 0.9)))
        start += length
    return tuple(out)
