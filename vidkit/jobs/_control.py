"""Starting, following, resuming and cancelling jobs (see :mod:`vidkit.jobs`)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from vidkit.catalogue import ACTIVE_JOBS as ACTIVE
from vidkit.catalogue import JOB_KINDS as KINDS
from vidkit.catalogue import RenderJob
from vidkit.errors import ConfigError, Conflict, Hint, InvalidInput, VidkitError
from vidkit.jobs._log import LOCK_NAME, JobLog, append, lock_held, try_lock
from vidkit.workspace import Workspace

__all__ = [
    "MAX_ATTEMPTS",
    "cancel_job",
    "get_job",
    "job_log",
    "jobs_folder",
    "latest_run",
    "launch_job",
    "reap",
    "recover",
    "refresh",
    "runs_folder",
    "start_job",
    "start_render",
    "stop_project_jobs",
]

log = logging.getLogger("vidkit.jobs")

#: Processes started for one job at most: the first, and resumes after it stopped without an
#: outcome (the machine restarted, the process was killed). A job that dies as often is
#: marked ``interrupted``.
MAX_ATTEMPTS: Final = 3
#: How long a cancelled job's process gets to stop after SIGTERM, before SIGKILL.
STOP_WAIT_S: Final = 10.0

#: The status a job's last record gives it.
_STATUS_OF: Final = {
    "finished": "finished",
    "failed": "failed",
    "stopped": "cancelled",
    "cancelled": "cancelled",
    "interrupted": "interrupted",
}
_NOT_RESULT: Final = frozenset({"event", "time", "seq"})
_INTERRUPTED: Final = (
    "its process ended before the job finished (the machine restarted, or the process was "
    "killed) {times}; start it again to resume: the stages that finished are reused"
)


#: The job processes this process started and has not seen end yet (see :func:`reap`).
_children: dict[int, subprocess.Popen[bytes]] = {}
_children_lock = threading.Lock()


def reap() -> None:
    """Collect the job processes this process started that have ended, so none lingers as a
    zombie (a long-running server calls this now and then)."""
    with _children_lock:
        for pid, process in list(_children.items()):
            if process.poll() is not None:
                del _children[pid]


def jobs_folder(ws: Workspace, project_id: int) -> Path:
    """Where the logs and the lock of the jobs of project ``project_id`` live."""
    return ws.config.catalogue.path.parent / "jobs" / str(project_id)


def runs_folder(ws: Workspace, slug: str) -> Path:
    """Where the logs of project ``slug``'s jobs live."""
    return jobs_folder(ws, ws.project(slug).id)


def job_log(job: RenderJob) -> JobLog:
    """The job's log, read to its end so far."""
    found = JobLog(Path(job.log_path))
    found.read()
    return found


def _lock_of(job: RenderJob) -> Path:
    return Path(job.log_path).parent / LOCK_NAME


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _when(record: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(float(record["time"]), UTC).replace(tzinfo=None)
    except (KeyError, TypeError, ValueError):
        return _now()


# starting ---------------------------------------------------------------------------------------


def _nothing_to_do(slug: str, what: str) -> InvalidInput:
    return InvalidInput(
        f"this project has no scenes yet, so there is nothing to {what}",
        field="scene_ids",
        hint=Hint(
            "add_scene",
            cli=f"add one with `vidkit scenes add {slug} --title ...`",
            studio="add one with “Add scene” above, then render",
        ),
    )


def _chosen(
    ws: Workspace,
    slug: str,
    kind: str,
    scene_ids: Sequence[int] | None,
    positions: Sequence[int] | None,
) -> tuple[int, ...] | None:
    """The scene ids a job is for (None: the whole project), checked: the project has scenes,
    each chosen one is the project's, and each suits the kind of job."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", field="kind")
    scenes = ws.scenes(slug)
    what = {"render": "render", "speak": "speak", "capture": "capture", "tighten": "tighten"}
    if not scenes:
        raise _nothing_to_do(slug, what[kind])
    ids: list[int] = []
    if positions:
        at = {s.position: s.id for s in scenes}
        for position in positions:
            if position not in at:
                raise InvalidInput(
                    f"there is no scene at position {position}: the project has "
                    f"{len(scenes)} scene(s)",
                    field="positions",
                )
            ids.append(at[position])
    if scene_ids:
        known = {s.id for s in scenes}
        for scene_id in scene_ids:
            if scene_id not in known:
                raise InvalidInput(
                    f"scene {scene_id} is not a scene of this project", field="scene_ids"
                )
            ids.append(scene_id)
    chosen = tuple(dict.fromkeys(ids)) or None
    if kind in ("capture", "tighten"):
        suitable = _suitable(ws, slug, kind)
        pick = chosen or tuple(s.id for s in scenes)
        if chosen is None and not (set(pick) & suitable):
            need = "a capture script" if kind == "capture" else "a recording"
            raise InvalidInput(
                f"no scene of this project has {need}, so there is nothing to {kind}",
                field="scene_ids",
            )
        for scene_id in chosen or ():
            if scene_id not in suitable:
                need = "has no capture script" if kind == "capture" else "uses no recording"
                raise InvalidInput(f"scene {scene_id} {need}", field="scene_ids")
    return chosen


def _suitable(ws: Workspace, slug: str, kind: str) -> set[int]:
    """The scenes a capture (those with a script) or a tighten (made from a recording) works
    on."""
    with ws.catalogue.session():
        scenes = ws.scenes(slug)
        if kind == "capture":
            scripts = ws.assets(slug, kind="capture_script")
            return {a.scene_id for a in scripts if a.scene_id is not None}
        return {s.id for s in scenes if ws.catalogue.scene_edit(slug, s.id) is not None}


def _log_path(ws: Workspace) -> Callable[[int, int], str]:
    return lambda project_id, job_id: str(jobs_folder(ws, project_id) / f"{job_id}.jsonl")


def _create(
    ws: Workspace,
    slug: str,
    kind: str,
    scene_ids: Sequence[int] | None,
    positions: Sequence[int] | None,
    options: dict[str, Any] | None,
) -> RenderJob:
    if ws.config.source is None:
        raise ConfigError(
            "jobs run in a process of their own, which reads the config from its file; open "
            "the workspace from a config file (vidkit.open(path))"
        )
    chosen = _chosen(ws, slug, kind, scene_ids, positions)
    for active in ws.catalogue.render_jobs(slug, statuses=tuple(ACTIVE)):
        refresh(ws, active)  # a job whose process is gone ends here, and frees the project
    job = ws.catalogue.add_render_job(
        slug, kind=kind, scene_ids=chosen, options=options or {}, log_path=_log_path(ws)
    )
    append(
        Path(job.log_path), "launched", job=job.id, kind=kind, slug=slug,
        scene_ids=list(chosen) if chosen else None,
        positions=list(positions) if positions else None,
    )  # fmt: skip
    return job


def start_job(
    ws: Workspace,
    slug: str,
    kind: str = "render",
    *,
    scene_ids: Sequence[int] | None = None,
    positions: Sequence[int] | None = None,
    options: dict[str, Any] | None = None,
    launch: bool = True,
) -> RenderJob:
    """Create a job of ``kind`` for project ``slug`` (the scenes ``scene_ids`` or at
    ``positions``; neither: the whole project) and, with ``launch``, start its process at once;
    otherwise it stays ``queued`` for :func:`launch_job`. Refused before anything is created:
    a project with nothing to do (:class:`InvalidInput`), or with another job that has not
    ended (:class:`Conflict`)."""
    job, _process = _start(ws, slug, kind, scene_ids, positions, options, launch)
    return job


def _start(
    ws: Workspace,
    slug: str,
    kind: str,
    scene_ids: Sequence[int] | None,
    positions: Sequence[int] | None,
    options: dict[str, Any] | None,
    launch: bool,
) -> tuple[RenderJob, subprocess.Popen[bytes] | None]:
    if launch:
        project = ws.project(slug)
        if lock_held(jobs_folder(ws, project.id) / LOCK_NAME):
            raise Conflict(
                f"a job of {slug} is already running (perhaps from another tab); wait for it "
                "to end or cancel it first"
            )
    job = _create(ws, slug, kind, scene_ids, positions, options)
    if not launch:
        return job, None
    process = launch_job(ws, job)
    if process is None:  # another process took the project between the check and here
        _end(ws, job, "cancelled", "another job of this project started first")
        raise Conflict(f"a job of {slug} is already running; wait for it to end")
    return ws.catalogue.render_job(job.id), process


def _environment() -> dict[str, str]:
    """The job process's environment: this one, with the folder vidkit was imported from
    first on the path (a source checkout works as well as an installed wheel)."""
    env = dict(os.environ)
    home = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [home, env.get("PYTHONPATH")]))
    return env


def launch_job(
    ws: Workspace, job: RenderJob, *, resume: bool = False
) -> subprocess.Popen[bytes] | None:
    """Start the process of a queued job (``resume``: start a running job's process again,
    after it ended without an outcome). None when that is no longer to be done: another
    process holds the project, or the job has moved on since ``job`` was read."""
    if ws.config.source is None:
        raise ConfigError("jobs run from a config file; open the workspace from one")
    path = Path(job.log_path)
    with try_lock(_lock_of(job)) as fd:
        if fd is None:
            return None
        # Everyone who starts a job's process takes the lock first, and the process keeps it:
        # so here nobody else is starting this job, and no process of it is alive.
        fresh = ws.catalogue.render_job(job.id)
        expected = "running" if resume else "queued"
        if fresh.status != expected or fresh.attempts != job.attempts:
            return None
        if job_log(fresh).outcome is not None:
            return None
        attempt = fresh.attempts + 1
        changes: dict[str, Any] = {"status": "running", "attempts": attempt, "pid": None}
        if fresh.started_at is None:
            changes["started_at"] = _now()
        if ws.catalogue.update_render_job(job.id, expect=(expected,), **changes) is None:
            return None
        if resume:
            append(path, "resumed", attempt=attempt)
        command = [
            sys.executable, "-m", "vidkit.jobs.runner", "--config", str(ws.config.source),
            "--job", str(job.id), "--lock-fd", str(fd),
        ]  # fmt: skip
        try:
            with path.with_suffix(".err").open("ab") as errors:
                process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors,
                    start_new_session=True, pass_fds=(fd,), env=_environment(),
                )  # fmt: skip
        except OSError as exc:
            message = f"could not start the job's process: {exc}"
            append(path, "failed", message=message, detail=message, hint=None)
            ws.catalogue.update_render_job(
                job.id, status="failed", error=message, finished_at=_now()
            )
            raise VidkitError(message) from exc
    with _children_lock:
        _children[process.pid] = process
    with suppress(VidkitError):
        ws.catalogue.update_render_job(job.id, expect=("running",), pid=process.pid)
    log.info("job %d (%s of %s) started, attempt %d", job.id, job.kind, job.slug, attempt)
    return process


# following --------------------------------------------------------------------------------------


def _end(ws: Workspace, job: RenderJob, status: str, message: str) -> RenderJob:
    """Write a job's end that no process wrote (its log and its row)."""
    append(Path(job.log_path), status, message=message)
    ended = ws.catalogue.update_render_job(
        job.id, expect=tuple(ACTIVE), status=status, error=message, finished_at=_now()
    )
    return ended or ws.catalogue.render_job(job.id)


def _settle(ws: Workspace, job: RenderJob, outcome: dict[str, Any]) -> RenderJob:
    """Bring the job's row in line with the record that ended its log."""
    event = str(outcome.get("event"))
    status = _STATUS_OF[event]
    changes: dict[str, Any] = {"status": status, "finished_at": _when(outcome)}
    if event == "finished":
        changes["result"] = {k: v for k, v in outcome.items() if k not in _NOT_RESULT}
    else:
        changes["error"] = str(outcome.get("detail") or outcome.get("message") or status)
        changes["hint"] = outcome.get("hint")
    settled = ws.catalogue.update_render_job(job.id, expect=tuple(ACTIVE), **changes)
    return settled or ws.catalogue.render_job(job.id)


def refresh(
    ws: Workspace, job: RenderJob, *, resume: bool = False, reader: JobLog | None = None
) -> RenderJob:
    """The job as it stands now. A job whose log has ended gets that status in its row; a
    running job whose process is gone without an outcome (it holds the project's lock no
    more) is started again with ``resume`` (its finished stages come from the cache), up to
    :data:`MAX_ATTEMPTS` processes in all, or else marked ``interrupted``. ``reader``: a reader
    of the job's log kept between calls (read on from where it stopped)."""
    if not job.active:
        return job
    found = reader if reader is not None else JobLog(Path(job.log_path))
    found.read()
    if found.outcome is None:
        if job.status == "queued":
            return job
        if lock_held(found.lock_path):
            return job
        found.read()  # the process writes its outcome just before it lets go of the lock
    if found.outcome is not None:
        return _settle(ws, job, found.outcome)
    if resume and job.attempts < MAX_ATTEMPTS:
        launch_job(ws, job, resume=True)
        return ws.catalogue.render_job(job.id)
    with try_lock(found.lock_path) as fd:
        if fd is None:  # someone resumed it meanwhile
            return ws.catalogue.render_job(job.id)
        times = f"{job.attempts} time(s)" if job.attempts > 1 else ""
        return _end(ws, job, "interrupted", _INTERRUPTED.format(times=times).replace("  ", " "))


def get_job(ws: Workspace, job_id: int, *, resume: bool = False) -> RenderJob:
    """A job, brought up to date (see :func:`refresh`)."""
    return refresh(ws, ws.catalogue.render_job(job_id), resume=resume)


def recover(ws: Workspace) -> list[RenderJob]:
    """Every job that has not ended, brought up to date: those whose process is gone resume
    (:func:`refresh`). What a server does when it starts."""
    return [refresh(ws, job, resume=True) for job in ws.catalogue.render_jobs(statuses=ACTIVE)]


# stopping ---------------------------------------------------------------------------------------


def cancel_job(ws: Workspace, job_id: int, *, wait_s: float = STOP_WAIT_S) -> RenderJob:
    """Cancel a job: a queued one never starts; a running one's process and everything it
    started get SIGTERM (SIGKILL after ``wait_s``). The stages it finished stay cached, so
    starting it again resumes. A job that has ended is a :class:`Conflict`."""
    job = ws.catalogue.render_job(job_id)
    if job.status == "queued":
        message = "cancelled before it started"
        cancelled = ws.catalogue.update_render_job(
            job.id, expect=("queued",), status="cancelled", error=message, finished_at=_now()
        )
        if cancelled is not None:
            append(Path(job.log_path), "cancelled", message=message)
            return cancelled
        job = ws.catalogue.render_job(job_id)  # it started meanwhile
    if not job.active:
        raise Conflict(f"job {job.id} has already ended: it is {job.status}")
    found = job_log(job)
    if found.outcome is None and lock_held(found.lock_path):
        started = found.last("started") or {}
        pid = started.get("pid") or job.pid
        if pid:
            for sig, wait in ((signal.SIGTERM, wait_s), (signal.SIGKILL, 5.0)):
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(int(pid), sig)
                if found.wait_released(wait):
                    break
    with try_lock(found.lock_path) as fd:
        if fd is None:
            raise VidkitError(f"job {job.id}'s process did not stop; try again in a moment")
        found.read()
        if found.outcome is None:
            message = "cancelled; start it again to resume: the stages that finished are reused"
            return _end(ws, job, "cancelled", message)
        return _settle(ws, job, found.outcome)


def stop_project_jobs(ws: Workspace, slug: str) -> list[RenderJob]:
    """Cancel every job of project ``slug`` that has not ended (before the project is
    deleted: a job's process would otherwise go on writing for a project that is gone)."""
    stopped: list[RenderJob] = []
    for job in ws.catalogue.render_jobs(slug, statuses=ACTIVE):
        try:
            stopped.append(cancel_job(ws, job.id))
        except Conflict:  # it ended meanwhile
            continue
    return stopped


# the studio's renders ---------------------------------------------------------------------------


def latest_run(ws: Workspace, slug: str) -> JobLog | None:
    """The log of project ``slug``'s most recent render, read to its end so far."""
    renders = [j for j in ws.catalogue.render_jobs(slug, limit=20) if j.kind == "render"]
    return job_log(renders[0]) if renders else None


def start_render(ws: Workspace, slug: str, positions: list[int] | None = None) -> JobLog:
    """Start rendering ``slug`` (only the scenes at ``positions``, or the whole video) in a
    process of its own, and return its log with the process; :class:`Conflict` while another
    job of the project runs, :class:`InvalidInput` for a project with nothing to render (no
    process is started)."""
    job, process = _start(ws, slug, "render", None, positions, None, True)
    run = JobLog(Path(job.log_path), process=process)
    run.read()
    return run
