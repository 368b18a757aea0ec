"""Renders that outlive the browser tab, for the render panel: they are jobs of
:mod:`vidkit.jobs` (a catalogue row, a process of their own, a log of JSON lines), the same
jobs the HTTP API starts and follows. Whoever opens the project later — the same tab, a new
tab, another kernel — reads the newest render's log to follow it or show its result."""

from __future__ import annotations

from vidkit.jobs import TERMINAL, JobLog, latest_run, runs_folder, start_render

__all__ = ["TERMINAL", "RenderRun", "latest_run", "runs_folder", "start_render"]

#: One render's log, read incrementally (a :class:`vidkit.jobs.JobLog`).
RenderRun = JobLog
