"""The Dask executor: a render's tasks on a ``dask.distributed`` cluster.

``[render] executor`` is ``"dask"`` for a ``LocalCluster`` of ``[render] workers`` processes
on this machine (one thread each), or the address of a running scheduler
(``tcp://host:8786``), whose workers may be other machines. The render follows the same
:class:`~vidkit.pipeline.schedule.Plan` as local worker processes; only where the work runs
and who writes the catalogue differ:

- a task gets everything as arguments: the :class:`~vidkit.pipeline.schedule.Task` (its
  scene and presenter), the config, the catalogue rows it reads
  (:func:`~vidkit.pipeline.detached.rows_for`, taken when it is submitted, so it sees what
  earlier tasks made), and the identity of the asset store;
- on the worker, the scene graph runs unchanged against those rows
  (:class:`~vidkit.pipeline.detached.DetachedCatalogue`) and writes its files into the
  shared asset store, which every worker must see at the same path (or at
  ``$VIDKIT_ASSETS_ROOT``): a worker that does not see the store the coordinator uses
  refuses the task;
- what the worker would have written to the catalogue (jobs started and ended, assets
  added), its progress events and its log records go back, in order, through one Dask
  ``Queue``, sent at once for each job started or ended (so a stage that finished is
  recorded even if the render is stopped before its scene is) and at most every
  :data:`FLUSH_S` for progress; the coordinator asks for them every :data:`POLL_S`;
- the coordinating process writes those records into the catalogue
  (:class:`~vidkit.pipeline.detached.Recorder`) before it takes the task's result: DuckDB's
  single writer is the coordinator, wherever the workers are.
"""

from __future__ import annotations

import copy
import itertools
import logging
import os
import pickle
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.config import Config
from vidkit.errors import AssetError, BackendError, Hint
from vidkit.hints import SETUP, install
from vidkit.pipeline.detached import (
    Added,
    DetachedCatalogue,
    Ended,
    Record,
    Recorder,
    Started,
    rows_for,
)
from vidkit.pipeline.events import Event, Progress
from vidkit.pipeline.graph import Presenter, SceneGraph
from vidkit.pipeline.schedule import Task
from vidkit.workspace import Workspace

if TYPE_CHECKING:
    from distributed import Client, Queue

    from vidkit.pipeline.detached import Rows

__all__ = [
    "ASSETS_ENV",
    "CONNECT_TIMEOUT_S",
    "DASK",
    "FLUSH_S",
    "POLL_S",
    "DaskPool",
    "dask_pool",
]

log = logging.getLogger("vidkit.pipeline")

#: What to install for the Dask executor (also the ``scale`` extra of vidkit).
DASK = "dask[distributed]==2026.8.0"
#: How long a scheduler address may take to answer, and a scheduler to have a worker.
CONNECT_TIMEOUT_S = 5.0
#: Progress is sent from a worker at most this often (records at once) ...
FLUSH_S = 0.2
#: ... and the coordinator asks for it at most this often (and when a task ends), so it
#: holds the catalogue a few times a second however many workers report.
POLL_S = 0.5
#: Where a worker finds the shared asset store when it is mounted at another path.
ASSETS_ENV = "VIDKIT_ASSETS_ROOT"
#: The file in the asset store's root that names it, so a worker can tell it sees the same.
_STORE_ID = ".vidkit-store-id"

#: What goes back from a worker: a record, a progress event or a log record.
Item = Record | Event | logging.LogRecord


# The cluster -------------------------------------------------------------------------------


def _start_hint(address: str) -> Hint:
    return Hint(
        "start_dask_scheduler",
        cli=(
            f"start one with `dask scheduler` and a worker on each machine with "
            f"`dask worker {address} --nthreads 1` (see docs/scaling.md), or set "
            '[render] executor = "dask" for workers on this machine'
        ),
        studio=f"{SETUP} start the Dask scheduler at {address}",
    )


@contextmanager
def _client(config: Config, workers: int) -> Iterator[tuple[Client, int]]:
    """A client of the configured cluster and how many tasks to keep running on it: a
    ``LocalCluster`` of ``workers`` processes for ``"dask"``; for a scheduler address, its
    workers' threads (or ``workers`` when the caller chose how many)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise BackendError(
            f"[render] executor = {config.render.executor!r} needs Dask, which is not installed",
            hint=install("Dask", f"'{DASK}'"),
        ) from exc
    address = config.render.executor
    if address == "dask":
        started = time.perf_counter()
        with (
            _quiet() as closing,
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # its status pages, on a free port
            ) as cluster,
            Client(cluster) as client,
        ):  # fmt: skip
            log.info(
                "started a local Dask cluster of %d worker process(es) in %.1f s",
                workers, time.perf_counter() - started,
            )  # fmt: skip
            try:
                yield client, workers
            finally:
                closing()
        return
    with _quiet():
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
        except OSError as exc:  # TimeoutError included
            raise BackendError(
                f"no Dask scheduler answers at {address} (waited {CONNECT_TIMEOUT_S:g} s)",
                hint=_start_hint(address),
            ) from exc
        with client:
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
            except TimeoutError as exc:
                raise BackendError(
                    f"the Dask scheduler at {address} has no workers", hint=_start_hint(address)
                ) from exc
            yield client, sum(client.nthreads().values())


@contextmanager
def _quiet() -> Iterator[Callable[[], None]]:
    """Dask's own log records below a warning (its cluster starting, stopping) stay out of
    vidkit's log unless vidkit logs debug lines; the context's value, called, keeps its
    warnings out too (as a local cluster closes: a busy worker process is killed after
    4 s, which it says, and which is nothing to act on)."""
    logger = logging.getLogger("distributed")
    before = logger.level
    chatty = logging.getLogger("vidkit").getEffectiveLevel() <= logging.DEBUG

    def closing() -> None:
        if not chatty:
            logger.setLevel(logging.ERROR)

    if not chatty:
        logger.setLevel(logging.WARNING)
    try:
        yield closing
    finally:
        logger.setLevel(before)


@contextmanager
def dask_pool(
    ws: Workspace, slug: str, workers: int | None, todo: int
) -> Iterator[tuple[DaskPool, int]]:
    """A :class:`DaskPool` for a render of ``slug`` with ``todo`` scenes to make, and how many
    tasks to keep submitted: one more than run at once (``workers``, else the cluster's
    size), so that a worker that finishes a task starts the next one at once, while the
    coordinator records the first and takes the rows of another. Leaving it with an error
    stops what is still running or waiting; what finished, and what was reported as finished
    meanwhile, is recorded."""
    asked = workers or ws.config.render.workers
    with _client(ws.config, min(asked, todo)) as (client, size):
        pool = DaskPool(client, ws, slug)
        try:
            yield pool, min(workers or size, todo) + 1
        except BaseException:
            pool.stop()
            raise
        finally:
            pool.close()


# The coordinator's side --------------------------------------------------------------------


def store_id(root: Path) -> str:
    """The identity of the asset store at ``root`` (made the first time it is asked)."""
    path = root / _STORE_ID
    if not path.is_file():
        root.mkdir(parents=True, exist_ok=True)
        part = root / f".{_STORE_ID}.{uuid.uuid4().hex}.part"
        part.write_text(uuid.uuid4().hex, encoding="utf-8")
        try:
            os.link(part, path)  # the first one to get there names the store
        except FileExistsError:
            pass
        finally:
            part.unlink()
    return path.read_text(encoding="utf-8").strip()


class DaskPool:
    """A :class:`~vidkit.pipeline.schedule.Pool` on a Dask cluster (see the module docs).
    ``spent`` is the time the coordinator spent on the tasks, by part: taking their rows,
    submitting them, receiving what they sent, writing their records, taking results."""

    def __init__(self, client: Client, ws: Workspace, slug: str) -> None:
        from distributed import Queue

        self.ws, self.slug = ws, slug
        self.executor = client.get_executor(pure=False)
        self.queue: Queue = Queue(f"vidkit-render-{uuid.uuid4().hex}", client=client)
        self.recorder = Recorder(ws.catalogue, slug)
        self.store = store_id(ws.store.root)
        self.level = logging.getLogger("vidkit").getEffectiveLevel()
        self.tokens: dict[Future[Any], int] = {}
        self.backlog: deque[tuple[int, Item]] = deque()
        self.spent = dict.fromkeys(("rows", "submit", "receive", "records", "results"), 0.0)
        self.tasks = 0
        self._next = itertools.count(1)
        self._received = 0.0

    @contextmanager
    def _timed(self, part: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spent[part] += time.perf_counter() - started

    def submit(self, task: Task) -> Future[Any]:
        token = next(self._next)
        also: tuple[int, ...] = ()
        if isinstance(task.presenter, Presenter):
            also = (task.presenter.portrait, task.presenter.rig)
        with self._timed("rows"):
            rows = rows_for(self.ws.catalogue, self.slug, task.scene_id, also=also)
        with self._timed("submit"):
            future: Future[Any] = self.executor.submit(
                _work, task, token, rows, self.ws.config, self.store, self.queue.name, self.level
            )
        self.tokens[future] = token
        self.tasks += 1
        return future

    def drain(self, say: Progress) -> None:
        if time.monotonic() - self._received >= POLL_S:
            self._receive()
        self._record()
        self._hand_on(say)

    def result(self, task: Task, future: Future[Any]) -> Any:
        value = future.result()
        token = self.tokens.pop(future)
        self._receive()  # all the task sent is in by now: its records are written first
        self._record()
        with self._timed("results"):
            if task.kind == "presenter" and isinstance(value, Presenter):
                return replace(
                    value,
                    portrait=self.recorder.asset_id(token, value.portrait),
                    rig=self.recorder.asset_id(token, value.rig),
                )
            if task.kind == "scene":
                return replace(
                    value,
                    video=self.recorder.asset(token, value.video),
                    captions=self.recorder.asset(token, value.captions),
                    report=self.recorder.remap(token, value.report),
                )
            return value

    def stop(self) -> None:
        """Cancel what has not finished; record what was reported finished until now."""
        for future in self.tokens:
            future.cancel()
        self._receive()
        self._record()

    def close(self) -> None:
        self.executor.shutdown(wait=False)
        self.queue.close()
        parts = ", ".join(f"{part} {seconds:.2f} s" for part, seconds in self.spent.items())
        log.info(
            "Dask: %d task(s); the coordinator spent %.2f s on them (%s)",
            self.tasks, sum(self.spent.values()), parts,
        )  # fmt: skip

    def _receive(self) -> None:
        with self._timed("receive"):
            for blob in self.queue.get(batch=True):
                self.backlog.extend(pickle.loads(blob))
        self._received = time.monotonic()

    def _record(self) -> None:
        """Write the records received, in one hold of the catalogue (before the events that
        came after them are handed on)."""
        records = [(t, i) for t, i in self.backlog if isinstance(i, Started | Added | Ended)]
        if not records:
            return
        with self._timed("records"):
            self.recorder.write(records)
        kept = [(t, i) for t, i in self.backlog if not isinstance(i, Started | Added | Ended)]
        self.backlog = deque(kept)

    def _hand_on(self, say: Progress) -> None:
        """Hand on the events and log records received, in order."""
        while self.backlog:
            _token, item = self.backlog.popleft()
            if isinstance(item, logging.LogRecord):
                logging.getLogger(item.name).handle(item)
            elif isinstance(item, Event):
                say(item)


# The worker's side -------------------------------------------------------------------------


class _Outbox:
    """What a task sends back, in order, through the render's queue."""

    def __init__(self, queue: Queue, token: int) -> None:
        self.queue, self.token = queue, token
        self.items: list[tuple[int, Item]] = []
        self.lock = threading.Lock()
        self.sent = time.monotonic()

    def put(self, item: Item) -> None:
        with self.lock:
            self.items.append((self.token, item))
            urgent = isinstance(item, Started | Ended)
            if urgent or time.monotonic() - self.sent >= FLUSH_S:
                self._send()

    def flush(self) -> None:
        with self.lock:
            self._send()

    def _send(self) -> None:
        if self.items:
            self.queue.put(pickle.dumps(self.items))
            self.items = []
        self.sent = time.monotonic()


class _Forward(logging.Handler):
    """Sends log records back, formatted (their arguments may not travel)."""

    def __init__(self, outbox: _Outbox) -> None:
        super().__init__()
        self.outbox = outbox

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
            sent = copy.copy(record)
            sent.message = sent.msg = message
            sent.args = sent.exc_info = sent.exc_text = sent.stack_info = None
            self.outbox.put(sent)
        except Exception:
            self.handleError(record)


@contextmanager
def _logs_to(outbox: _Outbox, level: int) -> Iterator[None]:
    """Send vidkit's log records of this task back, at the coordinator's level."""
    logger = logging.getLogger("vidkit")
    handler = _Forward(outbox)
    before = logger.level
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(before)


def _workspace(config: Config, rows: Rows, store: str, outbox: _Outbox) -> Workspace:
    """The task's workspace: the shared asset store (checked to be the coordinator's) and
    the task's rows for a catalogue."""
    mounted = os.environ.get(ASSETS_ENV)
    if mounted:
        assets = config.assets.model_copy(update={"root": Path(mounted)})
        config = config.model_copy(update={"assets": assets})
    root = config.assets.root
    try:
        seen = (root / _STORE_ID).read_text(encoding="utf-8").strip()
    except OSError:
        seen = None
    if seen != store:
        raise AssetError(
            f"the Dask worker on {socket.gethostname()} does not see the render's asset store "
            f"at {root}: mount the shared assets folder there on every worker, or set "
            f"{ASSETS_ENV} to where it is mounted"
        )
    ws = Workspace(config)
    ws.catalogue = DetachedCatalogue(rows, record=outbox.put)
    return ws


def _work(
    task: Task, token: int, rows: Rows, config: Config, store: str, channel: str, level: int
) -> Any:
    """One task, on a worker: the presenter, a scene's speech (its length, ms) or a whole
    scene (its :class:`~vidkit.pipeline.events.SceneResult`, with provisional ids)."""
    from distributed import Queue

    started = time.perf_counter()
    queue = Queue(channel)
    outbox = _Outbox(queue, token)
    try:
        with _logs_to(outbox, level):
            ws = _workspace(config, rows, store, outbox)
            value = _run(SceneGraph(ws, rows.project.slug, progress=outbox.put), task)
            log.info(
                "%s took %.2f s on %s", task.name, time.perf_counter() - started,
                socket.gethostname(),
            )  # fmt: skip
            return value
    finally:
        outbox.flush()
        queue.close()


def _run(graph: SceneGraph, task: Task) -> Any:
    if task.kind == "presenter":
        return graph.presenter()
    scene = graph.ws.scene(graph.slug, task.scene)
    if task.kind == "speak":
        return int(graph.speech(scene).timings.duration_ms)
    return graph.scene(scene, task.presenter)
