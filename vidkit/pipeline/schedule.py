"""What a render does next, over any pool of workers: the plan and the loop that follows it.

A :class:`Plan` holds what is left of a render and picks the most useful :class:`Task` to
start: the presenter (cutout → rig, once per project), then each scene's speech in scene order
(cheap, and all that the scenes' lengths need), then the longest spoken scene whose presenter
is ready (animate + compose), so the last scene to finish is a short one and no worker idles
at the end.

:func:`follow` runs a plan on a :class:`Pool` — worker processes on this machine
(:mod:`vidkit.pipeline.processes`) or a Dask cluster (:mod:`vidkit.pipeline.cluster`) — with
the same order, the same progress and the same handling of failures: when a task fails, no new
one starts, the running ones end (their work is kept) and the first error is raised, naming
its scene.
"""

from __future__ import annotations

import copy
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any, Protocol

from vidkit.errors import VidkitError
from vidkit.model import Scene
from vidkit.pipeline.events import Progress, SceneResult

__all__ = ["MISSING", "Missing", "Plan", "Pool", "Task", "follow"]


class Missing:
    """The presenter is not made yet (None means: the project has none)."""


MISSING: Any = Missing()


@dataclass(frozen=True, slots=True)
class Task:
    """One piece of a render for a worker: ``kind`` is ``presenter``, ``speak`` or ``scene``;
    ``scene_id`` None for the presenter; ``presenter`` is what a scene is animated with."""

    kind: str
    scene_id: int | None = None
    presenter: Any = None

    @property
    def scene(self) -> int:
        """The id of the scene a ``speak`` or ``scene`` task works on."""
        if self.scene_id is None:
            raise ValueError(f"a {self.kind} task has no scene")
        return self.scene_id

    @property
    def name(self) -> str:
        return self.kind if self.scene_id is None else f"{self.kind}:{self.scene_id}"


@dataclass
class Plan:
    """What is left to run, and what the finished tasks told."""

    scenes: dict[int, Scene]
    presenter: Any
    spoken_ms: dict[int, int] = field(default_factory=dict)
    results: dict[int, SceneResult] = field(default_factory=dict)
    #: The recording each recorded scene is cut from: two scenes of one recording are not
    #: spoken at once (the first transcribes it, the second then finds it in the cache).
    sources: dict[int, int] = field(default_factory=dict)

    def next_task(self, running: set[str]) -> Task | None:
        """The most useful task to start now (``running``: the names of those running): the
        presenter, then speech in scene order, then the longest spoken scene whose presenter
        is ready."""
        if self.presenter is MISSING and "presenter" not in running:
            return Task("presenter")
        busy = {
            self.sources.get(int(n.partition(":")[2])) for n in running if n.startswith("speak:")
        }
        for scene_id in self.scenes:
            if scene_id in self.sources and self.sources[scene_id] in busy:
                continue
            if scene_id not in self.spoken_ms and f"speak:{scene_id}" not in running:
                return Task("speak", scene_id)
        if self.presenter is MISSING:
            return None
        ready = [
            sid for sid in self.spoken_ms
            if sid not in self.results and f"scene:{sid}" not in running
        ]  # fmt: skip
        if not ready:
            return None
        longest = max(ready, key=lambda sid: (self.spoken_ms[sid], -sid))
        return Task("scene", longest, self.presenter)

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


class Pool(Protocol):
    """Workers that run a render's tasks: ``submit`` starts one; ``drain`` hands on what the
    workers reported meanwhile (progress, log records; a pool whose workers do not write the
    catalogue records their results here), ``result`` is a finished task's value as the
    coordinator must know it."""

    def submit(self, task: Task) -> Future[Any]: ...

    def drain(self, say: Progress) -> None: ...

    def result(self, task: Task, future: Future[Any]) -> Any: ...


def follow(plan: Plan, pool: Pool, workers: int, say: Progress) -> dict[int, SceneResult]:
    """Run ``plan`` on ``pool`` with at most ``workers`` tasks at once; the scenes' results."""
    failures: list[tuple[str, BaseException]] = []
    running: dict[Future[Any], Task] = {}
    while not plan.finished and not failures:
        while len(running) < workers:
            task = plan.next_task({t.name for t in running.values()})
            if task is None:
                break
            running[pool.submit(task)] = task
        if not running:  # pragma: no cover - every plan has a next task until done
            raise RuntimeError("the render plan is stuck")
        _settle(plan, pool, running, say, failures)
    while running:  # let the running ones end: their work is kept
        _settle(plan, pool, running, say, failures)
    pool.drain(say)
    if failures:
        _raise(failures, plan)
    return plan.results


def _settle(
    plan: Plan,
    pool: Pool,
    running: dict[Future[Any], Task],
    say: Progress,
    failures: list[tuple[str, BaseException]],
) -> None:
    """Wait a moment for tasks to finish, hand on what the workers reported (before the
    results: a finished task's reports are all in by then), and take the finished ones."""
    finished, _ = wait(running, timeout=0.05, return_when=FIRST_COMPLETED)
    pool.drain(say)
    for future in finished:
        task = running.pop(future)
        try:
            plan.take(task.name, pool.result(task, future))
        except BaseException as exc:
            failures.append((task.name, exc))


def _raise(failures: list[tuple[str, BaseException]], plan: Plan) -> None:
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
