"""Scenes on Dask: one worker against two on the same project, and the coordinator's share.

Run: .venv/bin/python benchmarks/scale.py [--scenes 8] [--size 640x360] [--no-presenter]
     [--executors dask,local] [--pin] [--json out.json]

Each run renders a fresh copy of one project (``--scenes`` short narrated scenes with code on
screen and, unless ``--no-presenter``, the astronaut as presenter), so nothing is cached, on a
``LocalCluster`` of 1, then 2 worker processes (``[render] executor = "dask"``); with
``--executors dask,local`` the local executor's processes are measured the same way.

Reported per run: the whole render (T), the cluster's start, the scene phase (from the render's
start to its assembly, less the cluster's start), the assembly, the work the workers did (the
sum of the tasks' times, as each worker logs it) and the coordinator's own time on the tasks
(taking their rows, submitting them, writing their records, handing on progress). Then:

- parallel efficiency T1 / (2 T2), for the whole render and for the scene phase;
- the coordinator's overhead per scene: with one worker, the scene phase less the workers'
  work (the time the one worker waited on the coordinator), and the coordinator's own time,
  each divided by the number of scenes;
- how busy the workers were during the scene phase, and how much longer the same tasks took
  with 2 workers than with 1: above 1.00, the 2 workers did not have 2 cores to themselves.

The target is an efficiency of at least 0.8 on a machine with 2 free cores: the 2-core
development machine shares its cores with other work, so compare runs made together only.

``--pin`` (Linux, Dask only) starts the ``LocalCluster`` here and pins worker *i* to core *i*
(``sched_setaffinity``; ffmpeg and every other process a worker starts inherit it), then
renders with ``executor`` set to its address: each worker has one core of its own, as on a
cluster of one-core machines. Unpinned, one worker's ffmpeg already spreads over every core of
this machine, so on 2 cores a second worker cannot halve the time whatever the executor does;
pinned, the efficiency measures the executor (its scheduling, its coordinator, the shared
asset store), which is what the 0.8 target is about.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import write_config  # noqa: E402
from vidkit.api import Workspace  # noqa: E402
from vidkit.config import load_config  # noqa: E402
from vidkit.pipeline import Event, render  # noqa: E402

NARRATION = [
    "Here is a loop that builds a list of squares, one number at a time.",
    "A list comprehension says the same thing in a single line of code.",
    "The condition at the end keeps only the even numbers from the range.",
    "Nested loops read from left to right, just like the code they replace.",
    "A dictionary comprehension builds keys and values in one expression.",
    "Sets work the same way, and they drop every duplicate for free.",
    "A generator expression makes its values lazily, one at a time.",
    "Use a plain loop again when the logic no longer fits on one line.",
]
CODE = "squares = []\nfor n in range({n}):\n    squares.append(n * n)\nprint(squares)\n"


@dataclass
class Run:
    executor: str
    workers: int
    total_s: float
    cluster_start_s: float
    scene_phase_s: float
    assemble_s: float
    worker_work_s: float
    coordinator_s: float
    tasks: int
    load: float


class _Heard(logging.Handler):
    """The numbers the pipeline logs: a cluster's start, each task's time, the
    coordinator's time on the tasks."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.cluster_s = 0.0
        self.tasks: list[float] = []
        self.coordinator_s = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if found := re.match(r"started a local Dask cluster .* in ([\d.]+) s", text):
            self.cluster_s = float(found[1])
        elif found := re.match(r"\S+ took ([\d.]+) s on ", text):
            self.tasks.append(float(found[1]))
        elif found := re.search(r"the coordinator spent ([\d.]+) s", text):
            self.coordinator_s = float(found[1])


def project(folder: Path, scenes: int, size: str, presenter: bool) -> Workspace:
    from vidkit.example import load_project_file

    width, height = size.split("x")
    lines = [
        "[project]", 'slug = "scale"', 'title = "Comprehensions"', f"width = {width}",
        f"height = {height}", "fps = 25",
    ]  # fmt: skip
    if presenter:
        lines.append('avatar = "skimage:astronaut"')
    for k in range(scenes):
        (folder / f"s{k}.py").write_text(CODE.format(n=k + 3))
        text = NARRATION[k % len(NARRATION)]
        lines += ["", "[[scenes]]", f'title = "Part {k + 1}"', f'code = "s{k}.py"']
        lines.append(f'narration = "{text}"')
    (folder / "project.toml").write_text("\n".join(lines) + "\n")
    config = write_config(
        folder / "ws",
        '[avatar]\nmatting = "mediapipe"\nmax_side = 512\n[render]\npreset = "ultrafast"\n',
    )
    ws = Workspace(load_config(config))
    load_project_file(ws, folder / "project.toml")
    return ws


def pinned_cluster(workers: int) -> Any:
    """A ``LocalCluster`` of ``workers`` one-thread worker processes, worker *i* pinned to core
    *i* (and whatever it starts with it)."""
    from dask.distributed import Client, LocalCluster, WorkerPlugin

    class Pin(WorkerPlugin):  # type: ignore[misc]
        def setup(self, worker: Any) -> None:
            index = int(worker.name) if str(worker.name).isdigit() else 0
            os.sched_setaffinity(0, {index % (os.cpu_count() or 1)})

    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    with Client(cluster) as client:
        client.register_plugin(Pin())
    return cluster


def measure(folder: Path, executor: str, workers: int, args: argparse.Namespace) -> Run:
    ws = project(folder, args.scenes, args.size, not args.no_presenter)
    source = ws.config.source
    assert source is not None  # the config file written above
    text = source.read_text()
    cluster, started_s = None, 0.0
    chosen = executor
    if args.pin and executor == "dask":
        began = time.perf_counter()
        cluster = pinned_cluster(workers)
        started_s = time.perf_counter() - began
        chosen = cluster.scheduler_address
    source.write_text(text + f'executor = "{chosen}"\nworkers = {workers}\n')
    ws = Workspace(load_config(source))
    try:
        run = _render(ws, executor, workers)
    finally:
        if cluster is not None:
            cluster.close()
    if cluster is not None:
        run.cluster_start_s = started_s
        run.total_s += started_s
    return run


def _render(ws: Workspace, executor: str, workers: int) -> Run:
    heard = _Heard()
    logger = logging.getLogger("vidkit")
    logger.addHandler(heard)
    logger.setLevel(logging.INFO)
    assembling: list[float] = []

    def progress(event: Event) -> None:
        if event.stage == "assemble" and not assembling:
            assembling.append(time.perf_counter())

    began = time.perf_counter()
    try:
        render(ws, "scale", workers=workers, progress=progress)
    finally:
        logger.removeHandler(heard)
    ended = time.perf_counter()
    scene_phase = assembling[0] - began - heard.cluster_s
    return Run(
        executor, workers, ended - began, heard.cluster_s, scene_phase, ended - assembling[0],
        sum(heard.tasks), heard.coordinator_s, len(heard.tasks), os.getloadavg()[0],
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenes", type=int, default=8)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--no-presenter", action="store_true")
    parser.add_argument("--executors", default="dask", help="dask, local or both: dask,local")
    parser.add_argument("--pin", action="store_true", help="pin each Dask worker to a core")
    parser.add_argument("--json", type=Path, help="write the runs here as JSON")
    args = parser.parse_args()
    logging.getLogger("vidkit").propagate = False  # the numbers, not the log, are printed
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        for executor in args.executors.split(","):
            for workers in (1, 2):
                folder = Path(tmp) / f"{executor}-{workers}"
                folder.mkdir()
                run = measure(folder, executor, workers, args)
                runs.append(run)
                print(
                    f"{executor:5} {workers} worker(s): {run.total_s:6.1f} s in all "
                    f"(cluster start {run.cluster_start_s:.1f} s, "
                    f"scenes {run.scene_phase_s:.1f} s, "
                    f"assembly {run.assemble_s:.1f} s); workers' work {run.worker_work_s:.1f} s "
                    f"in {run.tasks} tasks; coordinator {run.coordinator_s:.2f} s; "
                    f"load {run.load:.1f}",
                    flush=True,
                )
    for executor in args.executors.split(","):
        one, two = (r for r in runs if r.executor == executor)
        whole = one.total_s / (2 * two.total_s)
        scenes = one.scene_phase_s / (2 * two.scene_phase_s)
        print(f"{executor}: parallel efficiency T1/(2 T2) = {whole:.2f} (scene phase {scenes:.2f})")
        if executor == "dask":
            waited = (one.scene_phase_s - one.worker_work_s) / args.scenes
            own = one.coordinator_s / args.scenes
            print(
                f"dask: coordinator overhead per scene = {waited * 1000:.0f} ms the one worker "
                f"waited, {own * 1000:.0f} ms of the coordinator's own time"
            )
            busy = [r.worker_work_s / (r.workers * r.scene_phase_s) for r in (one, two)]
            print(
                f"dask: workers busy {busy[0]:.0%} (1) and {busy[1]:.0%} (2) of the scene "
                f"phase; the tasks took {two.worker_work_s / one.worker_work_s:.2f}x as long "
                "with 2 workers as with 1 (1.00 when 2 cores are free)"
            )
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2) + "\n")


if __name__ == "__main__":
    main()
