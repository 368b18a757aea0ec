"""The runner: which scenes to render, the work scheduled over worker processes, resume.

A render first asks the graph, lookup-only, what is already made (a second render of an
unchanged project does no work at all); what is left is scheduled as a whole over
``[render] workers`` processes, each of which builds its backends once:

1. the presenter (cutout → rig, once per project) and every scene's speech — cheap, and all
   that the scenes' lengths need — go first, the presenter ahead of the speech;
2. each scene's animate + compose (the expensive part) then runs longest scene first, so the
   last scene to finish is a short one and no core idles at the end;
3. the project's assembly joins the scenes and the finished video is copied to
   ``[render] output_dir``.

Each stage is content-keyed (see :mod:`vidkit.pipeline.cache`), so editing one scene redoes
that scene's stages only, and a render that was killed resumes where it stopped: finished
stages are reused, a stage that was cut short left a ``running`` job and no output, and is
simply done again.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import logging.handlers
import multiprocessing
import os
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidkit.config import Config, load_config
from vidkit.errors import InvalidInput, VidkitError
from vidkit.model import Scene, check_narration
from vidkit.pipeline.cache import NotCached
from vidkit.pipeline.events import Event, Progress, RenderResult, SceneResult, serialised
from vidkit.pipeline.graph import Presenter, SceneGraph
from vidkit.workspace import Workspace

__all__ = ["render", "select"]

log = logging.getLogger("vidkit.pipeline")


def select(ws: Workspace, slug: str, positions: list[int] | None) -> list[Scene]:
    """The scenes to render (all, or those at ``positions``), each with narration to speak."""
    scenes = ws.scenes(slug)
    if not scenes:
        raise InvalidInput(f"project {slug!r} has no scenes yet: add one first", field="scenes")
    if positions:
        by_pos = {s.position: s for s in scenes}
        missing = [p for p in positions if p not in by_pos]
        if missing:
            raise InvalidInput(
                f"project {slug!r} has scenes 1..{len(scenes)}; there is no scene {missing[0]}",
                field="scene",
            )
        scenes = [by_pos[p] for p in positions]
    for scene in scenes:
        if ws.catalogue.scene_edit(slug, scene.id) is None:  # a recording speaks for itself
            check_narration(scene.narration, spoken=True, where=f"scene {scene.position}")
    return scenes


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
    say = serialised(progress)
    config = ws.config
    started = time.perf_counter()
    with ws.catalogue.session():  # lookups share one connection; work happens outside
        scenes = select(ws, slug, positions)
        presenter, done = _already_made(ws, slug, scenes, say)
    todo = [s for s in scenes if s.id not in done]
    count = min(workers or config.render.workers, len(todo))
    if todo and (count <= 1 or config.source is None):
        graph = SceneGraph(ws, slug, progress=say)
        made = graph.presenter() if isinstance(presenter, _Missing) else presenter
        for scene in todo:
            done[scene.id] = graph.scene(scene, made)
    elif todo:
        with ws.catalogue.session():
            sources = {
                s.id: e.recording_id for s in todo if (e := ws.catalogue.scene_edit(slug, s.id))
            }
        done.update(_in_workers(config, slug, todo, presenter, count, say, sources))
    results = [done[s.id] for s in scenes]
    if positions:
        return RenderResult(slug, results, time.perf_counter() - started)
    final, sidecars, report = _assemble(ws, slug, results, say)
    return RenderResult(slug, results, time.perf_counter() - started, final, sidecars, report)


class _Missing:
    """The presenter is not made yet (None means: the project has none)."""


_MISSING: Any = _Missing()


def _already_made(
    ws: Workspace, slug: str, scenes: list[Scene], say: Progress
) -> tuple[Presenter | _Missing | None, dict[int, SceneResult]]:
    """The presenter and every scene that the cache already holds for the current content."""
    graph = SceneGraph(ws, slug, lookup_only=True, progress=say)
    done: dict[int, SceneResult] = {}
    try:
        presenter = graph.presenter()
    except NotCached:
        return _MISSING, done
    if presenter is None:
        log.warning("project %s has no avatar photo: rendering without a presenter", slug)
    for scene in scenes:
        with contextlib.suppress(NotCached):
            done[scene.id] = graph.scene(scene, presenter)
    return presenter, done


def _assemble(
    ws: Workspace, slug: str, results: list[SceneResult], say: Progress
) -> tuple[Path, dict[str, Path], dict[str, Any]]:
    from vidkit.pipeline.cache import run
    from vidkit.stages.assemble import SIDECARS, assemble

    with ws.catalogue.session():
        title = ws.project(slug).title
        scenes = [(r.title, r.video, r.captions) for r in results]
    step = assemble(
        ws, slug, title, scenes, progress=lambda d, t: say(Event("assemble", None, d, t))
    )
    joined = run(ws, slug, step)
    say(Event("assemble", None, 1, 1, joined.cached))
    folder = ws.config.render.output_dir
    folder.mkdir(parents=True, exist_ok=True)
    final = _publish(ws.asset_path(joined.asset), folder / f"{slug}.mp4")
    sidecars = {
        role: _publish(ws.asset_path(asset), folder / f"{slug}{SIDECARS[role]}")
        for role, asset in joined.sidecars.items()
    }
    return final, sidecars, joined.report


def _publish(source: Path, target: Path) -> Path:
    """Copy a stored file to where users look for it (atomically)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    shutil.copyfile(source, partial)
    os.replace(partial, target)
    return target


# Worker processes ---------------------------------------------------------------------------

_QUEUE: Any = None


def _init_worker(queue: Any, level: int) -> None:
    """A worker reports progress and hands its log records to the parent through ``queue``,
    so they reach the handlers the parent set up (the CLI's format, its log file)."""
    global _QUEUE
    _QUEUE = queue
    logger = logging.getLogger("vidkit")
    logger.handlers = [logging.handlers.QueueHandler(queue)]
    logger.setLevel(level)
    logger.propagate = False


def _graph_in_worker(config_path: str, slug: str) -> SceneGraph:
    ws = Workspace(load_config(config_path))
    return SceneGraph(ws, slug, progress=lambda e: _QUEUE.put(e))


def _presenter_task(config_path: str, slug: str) -> Presenter | None:
    return _graph_in_worker(config_path, slug).presenter()


def _speak_task(config_path: str, slug: str, scene_id: int) -> int:
    graph = _graph_in_worker(config_path, slug)
    speech = graph.speech(graph.ws.scene(slug, scene_id))
    return int(speech.timings.duration_ms)


def _scene_task(
    config_path: str, slug: str, scene_id: int, presenter: Presenter | None
) -> SceneResult:
    graph = _graph_in_worker(config_path, slug)
    return graph.scene(graph.ws.scene(slug, scene_id), presenter)


@dataclass
class _Plan:
    """What is left to run, and what the finished tasks told."""

    scenes: dict[int, Scene]
    presenter: Any
    spoken_ms: dict[int, int]
    results: dict[int, SceneResult]
    #: The recording each recorded scene is cut from: two scenes of one recording are not
    #: spoken at once (the first transcribes it, the second then finds it in the cache).
    sources: dict[int, int] = field(default_factory=dict)

    def next_task(self, config_path: str, slug: str, running: set[str]) -> tuple[str, Any] | None:
        """The most useful task to start now: the presenter, then speech in scene order, then
        the longest spoken scene whose presenter is ready."""
        if self.presenter is _MISSING and "presenter" not in running:
            return "presenter", (_presenter_task, config_path, slug)
        busy = {
            self.sources.get(int(n.partition(":")[2])) for n in running if n.startswith("speak:")
        }
        for scene_id in self.scenes:
            name = f"speak:{scene_id}"
            if scene_id in self.sources and self.sources[scene_id] in busy:
                continue
            if scene_id not in self.spoken_ms and name not in running:
                return name, (_speak_task, config_path, slug, scene_id)
        if self.presenter is _MISSING:
            return None
        ready = [
            sid for sid in self.spoken_ms
            if sid not in self.results and f"scene:{sid}" not in running
        ]  # fmt: skip
        if not ready:
            return None
        longest = max(ready, key=lambda sid: (self.spoken_ms[sid], -sid))
        return f"scene:{longest}", (_scene_task, config_path, slug, longest, self.presenter)

    def take(self, name: str, value: Any) -> None:
        kind, _, ident = name.partition(":")
        if kind == "presenter":
            self.presenter = value
        elif kind == "speak":
            self.spoken_ms[int(ident)] = value
        else:
            self.results[int(ident)] = value

    @property
    def finished(self) -> bool:
        return len(self.results) == len(self.scenes)


def _in_workers(
    config: Config,
    slug: str,
    scenes: list[Scene],
    presenter: Any,
    workers: int,
    say: Progress,
    sources: dict[int, int] | None = None,
) -> dict[int, SceneResult]:
    context = multiprocessing.get_context("spawn")
    plan = _Plan({s.id: s for s in scenes}, presenter, {}, {}, dict(sources or {}))
    failures: list[tuple[str, BaseException]] = []
    running: dict[Future[Any], str] = {}
    with context.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker,
            initargs=(queue, logging.getLogger("vidkit").getEffectiveLevel()),
        ) as pool:  # fmt: skip
            while not plan.finished and not failures:
                while len(running) < workers:
                    task = plan.next_task(str(config.source), slug, set(running.values()))
                    if task is None:
                        break
                    name, (fn, *args) = task
                    running[pool.submit(fn, *args)] = name
                if not running:  # pragma: no cover - every plan has a next task until done
                    raise RuntimeError("the render plan is stuck")
                finished, _ = wait(running, timeout=0.05, return_when=FIRST_COMPLETED)
                _drain(queue, say)
                for future in finished:
                    name = running.pop(future)
                    try:
                        plan.take(name, future.result())
                    except BaseException as exc:
                        failures.append((name, exc))
            for future in list(running):  # let the running ones end: their work is kept
                try:
                    plan.take(running.pop(future), future.result())
                except BaseException as exc:
                    failures.append(("", exc))
        _drain(queue, say)
    if failures:
        _raise(failures, plan)
    return plan.results


def _drain(queue: Any, say: Progress) -> None:
    while not queue.empty():
        item = queue.get()
        if isinstance(item, logging.LogRecord):
            logging.getLogger(item.name).handle(item)
        else:
            say(item)


def _raise(failures: list[tuple[str, BaseException]], plan: _Plan) -> None:
    name, error = failures[0]
    others = f" ({len(failures) - 1} more failed too)" if len(failures) > 1 else ""
    _kind, _, ident = name.partition(":")
    scene = plan.scenes.get(int(ident)) if ident else None
    if isinstance(error, VidkitError):
        where = f"scene {scene.position} ({scene.title!r}): " if scene else ""
        told = copy.copy(error)  # the same kind of error, with its fields, saying where
        told.args = (f"{where}{error}{others}",)
        raise told from error
    raise error
