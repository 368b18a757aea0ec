"""The local executor: a render's tasks in worker processes on this machine.

Each worker process builds its backends once and runs whole stages of the scene graph
(:class:`~vidkit.pipeline.graph.SceneGraph`) against the catalogue itself: the catalogue's
connections are short and wait for its lock file (:mod:`vidkit.catalogue._connection`), so
these writers on one machine take turns. Progress events and log records come back to the
parent through one queue, so they reach the handlers the parent set up (the CLI's format, its
log file).
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from vidkit.config import Config, load_config
from vidkit.pipeline.events import Progress, SceneResult
from vidkit.pipeline.graph import Presenter, SceneGraph
from vidkit.pipeline.schedule import Task
from vidkit.workspace import Workspace

__all__ = ["ProcessPool", "process_pool"]

_QUEUE: Any = None


def _init_worker(queue: Any, level: int) -> None:
    """A worker reports progress and hands its log records to the parent through ``queue``."""
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


def _drain(queue: Any, say: Progress) -> None:
    while not queue.empty():
        item = queue.get()
        if isinstance(item, logging.LogRecord):
            logging.getLogger(item.name).handle(item)
        else:
            say(item)


class ProcessPool:
    """A :class:`~vidkit.pipeline.schedule.Pool` of worker processes for one render."""

    def __init__(self, pool: ProcessPoolExecutor, queue: Any, config_path: str, slug: str):
        self.pool, self.queue = pool, queue
        self.config_path, self.slug = config_path, slug

    def submit(self, task: Task) -> Future[Any]:
        where = (self.config_path, self.slug)
        if task.kind == "presenter":
            return self.pool.submit(_presenter_task, *where)
        if task.kind == "speak":
            return self.pool.submit(_speak_task, *where, task.scene)
        return self.pool.submit(_scene_task, *where, task.scene, task.presenter)

    def drain(self, say: Progress) -> None:
        _drain(self.queue, say)

    def result(self, task: Task, future: Future[Any]) -> Any:
        return future.result()


@contextmanager
def process_pool(config: Config, slug: str, workers: int, say: Progress) -> Iterator[ProcessPool]:
    """``workers`` processes for a render of ``slug`` (the config must come from a file,
    which each worker reads). On the way out the running tasks end first: their work is kept;
    what they reported last is handed on."""
    context = multiprocessing.get_context("spawn")
    level = logging.getLogger("vidkit").getEffectiveLevel()
    with context.Manager() as manager:
        queue = manager.Queue()
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_init_worker,
            initargs=(queue, level),
        ) as pool:  # fmt: skip
            yield ProcessPool(pool, queue, str(config.source), slug)
        _drain(queue, say)
