"""The runner: which scenes to render, the work scheduled over workers, resume.

A render first asks the graph, lookup-only, what is already made (a second render of an
unchanged project does no work at all); what is left is scheduled as a whole
(:mod:`vidkit.pipeline.schedule`) over ``[render] workers`` processes on this machine
(:mod:`vidkit.pipeline.processes`), or over a Dask cluster when ``[render] executor`` names
one (:mod:`vidkit.pipeline.cluster`), each worker building its backends once:

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
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from vidkit.errors import InvalidInput
from vidkit.model import Scene, check_narration
from vidkit.pipeline.cache import NotCached
from vidkit.pipeline.events import Event, Progress, RenderResult, SceneResult, serialised
from vidkit.pipeline.graph import Presenter, SceneGraph
from vidkit.pipeline.schedule import MISSING, Missing, Plan, follow
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
    if todo and config.render.executor != "local":
        done.update(_on_dask(ws, slug, todo, presenter, workers, say))
    elif todo and (count <= 1 or config.source is None):
        graph = SceneGraph(ws, slug, progress=say)
        made = graph.presenter() if isinstance(presenter, Missing) else presenter
        for scene in todo:
            done[scene.id] = graph.scene(scene, made)
    elif todo:
        done.update(_in_workers(ws, slug, todo, presenter, count, say))
    results = [done[s.id] for s in scenes]
    if positions:
        return RenderResult(slug, results, time.perf_counter() - started)
    final, sidecars, report = _assemble(ws, slug, results, say)
    return RenderResult(slug, results, time.perf_counter() - started, final, sidecars, report)


def _already_made(
    ws: Workspace, slug: str, scenes: list[Scene], say: Progress
) -> tuple[Presenter | Missing | None, dict[int, SceneResult]]:
    """The presenter and every scene that the cache already holds for the current content."""
    graph = SceneGraph(ws, slug, lookup_only=True, progress=say)
    done: dict[int, SceneResult] = {}
    try:
        presenter = graph.presenter()
    except NotCached:
        return MISSING, done
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


def _in_workers(
    ws: Workspace,
    slug: str,
    scenes: list[Scene],
    presenter: Any,
    workers: int,
    say: Progress,
) -> dict[int, SceneResult]:
    """Render ``scenes`` over ``workers`` worker processes."""
    from vidkit.pipeline.processes import process_pool

    plan = Plan({s.id: s for s in scenes}, presenter, sources=_sources(ws, slug, scenes))
    with process_pool(ws.config, slug, workers, say) as pool:
        return follow(plan, pool, workers, say)


def _on_dask(
    ws: Workspace,
    slug: str,
    scenes: list[Scene],
    presenter: Any,
    workers: int | None,
    say: Progress,
) -> dict[int, SceneResult]:
    """Render ``scenes`` on the Dask cluster of ``[render] executor``."""
    from vidkit.pipeline.cluster import dask_pool

    plan = Plan({s.id: s for s in scenes}, presenter, sources=_sources(ws, slug, scenes))
    with dask_pool(ws, slug, workers, len(scenes)) as (pool, slots):
        return follow(plan, pool, slots, say)


def _sources(ws: Workspace, slug: str, scenes: list[Scene]) -> dict[int, int]:
    """The recording each recorded scene is cut from."""
    with ws.catalogue.session():
        return {s.id: e.recording_id for s in scenes if (e := ws.catalogue.scene_edit(slug, s.id))}
