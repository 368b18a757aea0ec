"""Jobs: long work that outlives whoever asked for it — a render, speaking, capturing or
tightening scenes — asked for by the studio, the HTTP API or Python, and run by a process of
its own.

A job is a row in the catalogue (:class:`RenderJob`: what was asked and how it stands:
``queued`` → ``running`` → ``finished`` | ``failed`` | ``cancelled`` | ``interrupted``) and a
log of JSON lines that its process appends to (:class:`JobLog`; the records are listed in
:mod:`vidkit.jobs._log`). Its process (``python -m vidkit.jobs.runner``) runs in a session of
its own and holds its project's lock while it runs, so a job goes on when the studio tab, the
kernel or the server that started it goes away, and "is it still running?" is asked by trying
the lock.

- :func:`start_job` creates a job and starts its process (or leaves it ``queued`` for
  :func:`launch_job`); one job per project at a time.
- :func:`refresh` (:func:`get_job`) brings a job's row up to date from its log; a running job
  whose process is gone without an outcome is started again with ``resume=True`` — the stages
  it finished come from the cache, so it goes on where it stopped — or marked ``interrupted``.
  :func:`recover` does that for every job, as a server does when it starts.
- :func:`cancel_job` stops one (SIGTERM to its process group); :func:`stop_project_jobs`
  stops every one of a project, before it is deleted.
- :class:`JobProgress` sums a job's log into a share done, words and each scene's state;
  :data:`STAGE_WORDS` and :func:`doing` say a stage in words.
- For the studio's render panel: :func:`start_render`, :func:`latest_run`, :func:`runs_folder`.
"""

from __future__ import annotations

from vidkit.catalogue import ACTIVE_JOBS, JOB_KINDS, JOB_STATUSES, RenderJob
from vidkit.jobs._control import (
    MAX_ATTEMPTS,
    cancel_job,
    get_job,
    job_log,
    jobs_folder,
    latest_run,
    launch_job,
    reap,
    recover,
    refresh,
    runs_folder,
    start_job,
    start_render,
    stop_project_jobs,
)
from vidkit.jobs._log import LOCK_NAME, TERMINAL, JobLog, append, lock_held
from vidkit.jobs._progress import STAGE_WORDS, JobProgress, SceneProgress, doing, percent

__all__ = [
    "ACTIVE_JOBS",
    "JOB_KINDS",
    "JOB_STATUSES",
    "LOCK_NAME",
    "MAX_ATTEMPTS",
    "STAGE_WORDS",
    "TERMINAL",
    "JobLog",
    "JobProgress",
    "RenderJob",
    "SceneProgress",
    "append",
    "cancel_job",
    "doing",
    "get_job",
    "job_log",
    "jobs_folder",
    "latest_run",
    "launch_job",
    "lock_held",
    "percent",
    "reap",
    "recover",
    "refresh",
    "runs_folder",
    "start_job",
    "start_render",
    "stop_project_jobs",
]
