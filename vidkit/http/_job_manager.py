"""The server's side of jobs (:mod:`vidkit.jobs`): it starts the jobs asked for over HTTP,
at most :data:`AT_ONCE` at a time (the others wait ``queued``), follows them, and resumes
those whose process is gone.

When the server starts, a thread of its own brings every job that has not ended up to date
(:func:`vidkit.jobs.recover`: a job whose process ended without an outcome — the machine or the
job was killed — is started again, and its finished stages come from the cache), then every
:data:`EVERY_S` seconds checks the jobs it knows: a running job is checked by trying its
project's lock and reading its log, without touching the catalogue; only a change is written.
The jobs keep running when the server stops; the next server picks them up.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Final

from vidkit.catalogue import RenderJob
from vidkit.errors import VidkitError
from vidkit.jobs import (
    LOCK_NAME,
    JobLog,
    cancel_job,
    launch_job,
    lock_held,
    reap,
    recover,
    refresh,
    start_job,
)
from vidkit.workspace import Workspace

__all__ = ["AT_ONCE", "EVERY_S", "JobManager"]

log = logging.getLogger("vidkit.http")

#: Jobs started over HTTP that run at once (a render already uses every core it may).
AT_ONCE: Final = 1
#: How often the jobs are checked, in seconds.
EVERY_S: Final = 0.5


class JobManager:
    """Starts and follows the jobs of one server (see the module's documentation)."""

    def __init__(self, ws: Workspace, *, at_once: int = AT_ONCE, every_s: float = EVERY_S):
        self.ws = ws
        self.at_once = at_once
        self.every_s = every_s
        self._lock = threading.RLock()
        self._active: dict[int, RenderJob] = {}
        self._logs: dict[int, JobLog] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.recovered = threading.Event()

    # the thread -------------------------------------------------------------------------------

    def start(self) -> None:
        """Recover and follow the jobs in a thread of their own (once)."""
        with self._lock:
            if self._thread is not None:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="vidkit-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop following the jobs (they keep running)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(10)

    def _loop(self) -> None:
        try:
            self.recover()
        except VidkitError as exc:  # a locked or damaged catalogue: the requests say so too
            log.warning("could not bring the jobs up to date: %s", exc)
        except Exception:
            log.exception("could not bring the jobs up to date")
        finally:
            self.recovered.set()
        problem: str | None = None
        while not self._stop.wait(self.every_s):
            try:
                self.tick()
                problem = None
            except VidkitError as exc:  # said once, not on every look
                if str(exc) != problem:
                    log.warning("checking the jobs failed: %s", exc)
                problem = str(exc)
            except Exception:
                log.exception("checking the jobs failed")

    # the work ---------------------------------------------------------------------------------

    def recover(self) -> None:
        """Every job that has not ended, up to date (resumed where its process is gone)."""
        with self._lock:
            for job in recover(self.ws):
                self._track(job)
            self._dispatch()

    def tick(self) -> None:
        """One look at the jobs this server knows; starts queued ones when there is room."""
        with self._lock:
            reap()  # the job processes that ended: no zombies
            for job in list(self._active.values()):
                if job.status == "running":
                    self._track(refresh(self.ws, job, resume=True, reader=self._logs.get(job.id)))
            self._dispatch()

    def submit(
        self, slug: str, kind: str, scene_ids: list[int] | None, options: dict[str, str]
    ) -> RenderJob:
        """A new job, started at once when there is room, else queued."""
        job = start_job(self.ws, slug, kind, scene_ids=scene_ids, options=options, launch=False)
        with self._lock:
            self._track(job)
            self._dispatch()
            return self._active.get(job.id) or self.ws.catalogue.render_job(job.id)

    def get(self, job_id: int) -> RenderJob:
        """The job as it stands now (resumed if its process is gone)."""
        with self._lock:
            job = self.ws.catalogue.render_job(job_id)
            fresh = refresh(self.ws, job, resume=True, reader=self._logs.get(job_id))
            self._track(fresh)
            return fresh

    def cancel(self, job_id: int) -> RenderJob:
        """Cancel a job (waits for its process to stop; the manager goes on meanwhile)."""
        job = cancel_job(self.ws, job_id)
        with self._lock:
            self._track(job)
            self._dispatch()
        return job

    def _track(self, job: RenderJob) -> None:
        if job.active:
            self._active[job.id] = job
            if job.id not in self._logs:
                self._logs[job.id] = JobLog(Path(job.log_path))
        else:
            self._active.pop(job.id, None)
            self._logs.pop(job.id, None)

    def _dispatch(self) -> None:
        """Start queued jobs, oldest first, while fewer than :attr:`at_once` run."""
        running = sum(1 for j in self._active.values() if j.status == "running")
        for job in sorted(self._active.values(), key=lambda j: j.id):
            if running >= self.at_once:
                return
            if job.status != "queued":
                continue
            try:
                process = launch_job(self.ws, job)
            except VidkitError as exc:
                log.error("job %d could not start: %s", job.id, exc)
                process = None
            if process is None and lock_held(Path(job.log_path).parent / LOCK_NAME):
                continue  # its project is busy with a job started elsewhere (the studio)
            fresh = self.ws.catalogue.render_job(job.id)  # started, or it moved on
            self._track(fresh)
            if fresh.status == "running":
                running += 1
