"""The pipeline runner: every scene's stage graph, run through the cache, in parallel.

Per scene: speak → (cutout → rig, once per project) → animate → compose (fit happens inside
compose; a presenter animated now is composed in the same pass, its frames piped to both the
stored animation and the compose run); per project: assemble (which keeps each scene's audio
between runs, so it re-encodes only the audio that changed). Each stage is content-keyed
(see :mod:`vidkit.stages.cache`), so a second render reuses everything, editing one scene
redoes that scene's stages only, and a render that was killed resumes where it stopped:
finished stages are reused, a stage that was cut short left a ``running`` job and no output,
and is simply done again.

Scenes render in parallel, one process each (``[render] workers``). Progress of everything is
reported through one callback taking an :class:`Event`.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from vidkit.workspace import Workspace
from vidkit.config import Config, load_config
from vidkit.errors import InvalidInput, VidkitError
from vidkit.model import Asset, Scene
from vidkit.stages.cache import NotCached, cache_only
from vidkit.timeline import head_and_shoulders

__all__ = ["Event", "Presenter", "RenderResult", "SceneResult", "backend", "presenter", "render"]

log = logging.getLogger("vidkit.pipeline")


@dataclass(frozen=True, slots=True)
class Event:
    """Progress: ``stage`` of scene ``position`` (None for project-wide work) is ``done`` of
    ``total`` units (chunks, frames); ``cached`` when its result came from the cache."""

    stage: str
    position: int | None
    done: int
    total: int
    cached: bool = False


Progress = Callable[[Event], None]


@dataclass(frozen=True)
class SceneResult:
    position: int
    scene_id: int
    title: str
    video: Asset
    report: dict[str, Any]
    cached: dict[str, bool]


@dataclass(frozen=True)
class RenderResult:
    project: str
    scenes: list[SceneResult]
    seconds: float
    final: Path | None = None
    sidecars: dict[str, Path] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def cache_hits(self) -> int:
        return sum(all(s.cached.values()) for s in self.scenes)


@dataclass(frozen=True)
class Presenter:
    """A project's presenter, ready to animate: its cut-out portrait and face rig (asset ids),
    the portrait's size and the head-and-shoulders crop shown in the video."""

    portrait: int  # asset ids, so they cross process boundaries
    rig: int
    width: int
    height: int
    crop: tuple[int, int, int, int]


def presenter(ws: Workspace, slug: str, config: Config, say: Progress) -> Presenter | None:
    """Cut out the project's avatar photo and rig its face (both cached); None when the project
    has no avatar photo (its video is rendered without a presenter)."""
    from vidkit.stages.cutout import cutout
    from vidkit.stages.rig import rig

    if not ws.assets(slug, kind="avatar_image"):
        log.warning("project %s has no avatar photo: rendering without a presenter", slug)
        return None
    portrait = cutout(ws, slug, backend(config, "matting"), max_side=config.avatar.max_side)
    say(Event("cutout", None, 1, 1, portrait.cached))
    face = rig(ws, slug, backend(config, "facerig"), portrait=portrait.portrait)
    say(Event("rig", None, 1, 1, face.cached))
    width, height = (
        int(portrait.portrait.metadata["width"]),
        int(portrait.portrait.metadata["height"]),
    )
    points = face.rig.landmarks[:, :2]
    box = (float(points[:, 0].min()), float(points[:, 1].min()),
           float(points[:, 0].max()), float(points[:, 1].max()))  # fmt: skip
    crop = head_and_shoulders(box, width, height)
    return Presenter(portrait.portrait.id, face.asset.id, width, height, crop)


@lru_cache(maxsize=16)
def backend(config: Config, role: str) -> Any:
    """One backend of each role per config and process: models load once, and fingerprints
    (which hash model files) are computed once, however many scenes are rendered."""
    from vidkit.backends import registry

    builders = {
        "tts": registry.build_tts,
        "animator": registry.build_animator,
        "matting": registry.build_matting,
        "facerig": registry.build_facerig,
    }
    return builders[role](config)


def render_scene(
    ws: Workspace, config: Config, slug: str, scene: Scene, avatar: Presenter | None, say: Progress
) -> SceneResult:
    """Run one scene's stages (each cached) and return its rendered MP4. A presenter that is
    animated now is composed in the same pass (:class:`~vidkit.stages.compose.LiveCompose`)."""
    from vidkit.backends.facerig import Rig
    from vidkit.stages.animate import animate
    from vidkit.stages.compose import LiveCompose, compose_scene
    from vidkit.stages.rig import RigResult
    from vidkit.stages.speak import speak

    pos = scene.position
    speech = speak(
        ws, slug, scene.id, backend(config, "tts"), chunk_chars=config.voice.chunk_chars,
        progress=lambda d, t: say(Event("speak", pos, d, t)),
    )  # fmt: skip
    say(Event("speak", pos, 1, 1, speech.cached))
    animation = None
    live = None
    box = (avatar.width, avatar.height, avatar.crop) if avatar else None
    if avatar is not None and box is not None:
        with ws.catalogue.session():
            portrait = ws.catalogue.asset(avatar.portrait)
            rig_asset = ws.catalogue.asset(avatar.rig)
            fps = ws.project(slug).fps
        rig = RigResult(rig_asset, Rig.from_json(ws.asset_path(rig_asset).read_text()))
        live = LiveCompose(
            ws, slug, scene.id, speech=speech, avatar_box=box, render=config.render,
            progress=lambda d, t: say(Event("compose", pos, d, t)),
        )  # fmt: skip
        animation = animate(
            ws, slug, scene.id, backend(config, "animator"), portrait=portrait, rig=rig,
            speech=speech, fps=fps, progress=lambda d, t: say(Event("animate", pos, d, t)),
            frames_to=live,
        )  # fmt: skip
        say(Event("animate", pos, 1, 1, animation.cached))
    composed = compose_scene(
        ws, slug, scene.id, speech=speech, animation=animation, avatar_box=box,
        render=config.render, progress=lambda d, t: say(Event("compose", pos, d, t)), live=live,
    )  # fmt: skip
    say(Event("compose", pos, 1, 1, composed.cached))
    cached = {"speak": speech.cached, "compose": composed.cached}
    if animation is not None:
        cached["animate"] = animation.cached
    return SceneResult(pos, scene.id, scene.title, composed.video, composed.report, cached)


# Worker processes ---------------------------------------------------------------------------

_QUEUE: Any = None


def _init_worker(queue: Any) -> None:
    global _QUEUE
    _QUEUE = queue


def _scene_in_worker(
    config_path: str, slug: str, scene_id: int, avatar: Presenter | None
) -> SceneResult:
    config = load_config(config_path)
    ws = Workspace(config)
    scene = ws.scene(slug, scene_id)
    return render_scene(ws, config, slug, scene, avatar, lambda e: _QUEUE.put(e))


def _select(ws: Workspace, slug: str, positions: list[int] | None) -> list[Scene]:
    scenes = ws.scenes(slug)
    if not scenes:
        raise InvalidInput(
            f"project {slug!r} has no scenes; add one with `vidkit scenes add {slug} --title ...`",
            field="scenes",
        )
    if positions:
        by_pos = {s.position: s for s in scenes}
        missing = [p for p in positions if p not in by_pos]
        if missing:
            raise InvalidInput(
                f"project {slug!r} has scenes 1..{len(scenes)}; there is no scene {missing[0]}",
                field="scene",
            )
        scenes = [by_pos[p] for p in positions]
    silent = [f"{s.position} ({s.title!r})" for s in scenes if not s.narration.strip()]
    if silent:
        raise InvalidInput(
            f"scene {', '.join(silent)} has no narration; write what the presenter says with "
            f"`vidkit scenes update {slug} ID --narration ...`",
            field="narration",
        )
    return scenes


def _run_scenes(
    ws: Workspace, config: Config, slug: str, scenes: list[Scene], avatar: Presenter | None,
    workers: int, say: Progress,
) -> list[SceneResult]:  # fmt: skip
    done: dict[int, SceneResult] = {}
    with ws.catalogue.session():  # fully rendered scenes need no worker process
        for scene in scenes:
            try:
                with cache_only():
                    done[scene.id] = render_scene(ws, config, slug, scene, avatar, say)
            except NotCached:
                pass
    todo = [s for s in scenes if s.id not in done]
    if workers <= 1 or len(todo) <= 1 or config.source is None:
        for scene in todo:
            done[scene.id] = render_scene(ws, config, slug, scene, avatar, say)
        return [done[s.id] for s in scenes]
    done.update(_in_workers(config, slug, todo, avatar, workers, say))
    return [done[s.id] for s in scenes]


def _in_workers(
    config: Config, slug: str, scenes: list[Scene], avatar: Presenter | None, workers: int,
    say: Progress,
) -> dict[int, SceneResult]:  # fmt: skip
    context = multiprocessing.get_context("spawn")
    results: dict[int, SceneResult] = {}
    failures: list[tuple[Scene, BaseException]] = []
    with context.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(
            max_workers=min(workers, len(scenes)), mp_context=context,
            initializer=_init_worker, initargs=(queue,),
        ) as pool:  # fmt: skip
            futures: dict[Future[SceneResult], Scene] = {
                pool.submit(_scene_in_worker, str(config.source), slug, s.id, avatar): s
                for s in scenes
            }
            pending = set(futures)
            while pending:
                while not queue.empty():
                    say(queue.get())
                for future in [f for f in pending if f.done()]:
                    pending.discard(future)
                    try:
                        results[futures[future].id] = future.result()
                    except BaseException as exc:
                        failures.append((futures[future], exc))
                time.sleep(0.05)
        while not queue.empty():
            say(queue.get())
    if failures:
        scene, error = failures[0]
        others = f" ({len(failures) - 1} more scene(s) failed too)" if len(failures) > 1 else ""
        if isinstance(error, VidkitError):
            raise type(error)(
                f"scene {scene.position} ({scene.title!r}): {error}{others}"
            ) from error
        raise error
    return results


def _serialised(progress: Progress | None) -> Progress:
    """``progress``, called by one thread at a time (a scene's animate and compose report
    from two threads while they run together)."""
    if progress is None:
        return lambda _e: None
    lock = threading.Lock()

    def say(event: Event) -> None:
        with lock:
            progress(event)

    return say


def render(
    ws: Workspace,
    slug: str,
    *,
    positions: list[int] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> RenderResult:
    """Render a project (or only the scenes at ``positions``). The whole project ends in an
    assembled video copied to ``[render] output_dir``; chosen scenes end in their scene MP4s."""
    say = _serialised(progress)
    config = ws.config
    started = time.perf_counter()
    with ws.catalogue.session():  # lookups share one connection; work happens outside
        scenes = _select(ws, slug, positions)
        try:
            with cache_only():
                avatar = presenter(ws, slug, config, say)
        except NotCached:
            avatar = None
            cutout_needed = True
        else:
            cutout_needed = False
    if cutout_needed:
        avatar = presenter(ws, slug, config, say)
    results = _run_scenes(ws, config, slug, scenes, avatar, workers or config.render.workers, say)
    if positions:
        return RenderResult(slug, results, time.perf_counter() - started)
    from vidkit.stages.assemble import assemble_project

    final, sidecars, report = assemble_project(ws, slug, results, config, say)
    return RenderResult(slug, results, time.perf_counter() - started, final, sidecars, report)
