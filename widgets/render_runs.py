"""Renders that outlive the browser tab: each one runs in its own process (``python -m
widgets.runner``, in a new session) and appends its progress as JSON lines to a log under
``<catalogue folder>/studio/renders/<slug>/``. Whoever opens the project later — the same tab,
a new tab, another kernel — reads that log to follow the render or show its result.

A render holds ``render.lock`` (``flock``) in that folder for as long as it runs; the kernel
drops the lock of a process that ends, however it ends, so "is it still running?" is asked by
trying the lock — no pid files that go stale, no zombies mistaken for live renders.

Log records (one JSON object a line, each with ``time``):

- ``launched``: slug, positions (None: the whole video) — written by the launcher;
- ``started``: pid — the runner is up;
- ``plan``: scenes (position, title), avatar (bool), whole (bool);
- ``progress``: stage, position, done, total, cached;
- ``finished``: final (the whole video's path or None), scenes (position, title, video,
  cached), seconds;
- ``failed``: message;  ``stopped``: message.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidkit import Workspace
from vidkit.errors import ConfigError, Conflict, Hint, InvalidInput, VidkitError

__all__ = ["RenderRun", "latest_run", "runs_folder", "start_render"]

TERMINAL = frozenset({"finished", "failed", "stopped"})
LOCK_NAME = "render.lock"


def runs_folder(ws: Workspace, slug: str) -> Path:
    """Where the render logs of project ``slug`` live."""
    return ws.config.catalogue.path.parent / "studio" / "renders" / slug


@contextmanager
def _try_lock(path: Path) -> Iterator[int | None]:
    """The lock file's descriptor, locked; None when someone else holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            yield None
            return
        yield fd
    finally:
        os.close(fd)


@dataclass
class RenderRun:
    """One render's log, read incrementally with :meth:`read`."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    _offset: int = 0
    _partial: str = ""

    @property
    def lock_path(self) -> Path:
        return self.path.parent / LOCK_NAME

    def read(self) -> list[dict[str, Any]]:
        """Records appended since the last call (a half-written last line waits)."""
        try:
            with self.path.open("rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        self._offset += len(chunk)
        text = self._partial + chunk.decode("utf-8", errors="replace")
        lines = text.split("\n")
        self._partial = lines.pop()
        new = []
        for line in lines:
            if line.strip():
                try:
                    new.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        self.records.extend(new)
        return new

    def first(self, event: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r.get("event") == event), None)

    @property
    def outcome(self) -> dict[str, Any] | None:
        """The finished, failed or stopped record, once there is one."""
        return next((r for r in reversed(self.records) if r.get("event") in TERMINAL), None)

    @property
    def positions(self) -> list[int] | None:
        launched = self.first("launched") or {}
        value = launched.get("positions")
        return [int(p) for p in value] if value else None

    def is_running(self) -> bool:
        """True while the render's process is alive (it holds the lock)."""
        if self.process is not None:
            self.process.poll()  # reap it if it ended, in the kernel that started it
        if self.outcome is not None:
            return False
        with _try_lock(self.lock_path) as fd:
            return fd is None

    def wait_released(self, timeout: float) -> bool:
        """Wait until the render's process has let go of the project: it writes its outcome a
        moment before it exits, and another render can start only after. True once it has."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None:
                self.process.poll()
            with _try_lock(self.lock_path) as fd:
                if fd is not None:
                    return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the render and everything it started (its process group)."""
        started = self.first("started")
        if started is None or not self.is_running():
            return
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(int(started["pid"]), signal.SIGTERM)


def _logs(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def latest_run(ws: Workspace, slug: str) -> RenderRun | None:
    """The project's most recent render, read to the end of its log so far."""
    logs = _logs(runs_folder(ws, slug))
    if not logs:
        return None
    run = RenderRun(logs[-1])
    run.read()
    return run


def start_render(ws: Workspace, slug: str, positions: list[int] | None = None) -> RenderRun:
    """Start rendering ``slug`` (only the scenes at ``positions``, or the whole video) in a
    process of its own; raises :class:`Conflict` while another render of it runs, and
    :class:`InvalidInput` for a project with nothing to render (no process is started)."""
    if ws.config.source is None:
        raise ConfigError("the studio renders from a config file; open the workspace from one")
    ws.project(slug)  # a clear NotFound before starting anything
    if not ws.scenes(slug):
        raise InvalidInput(
            "this project has no scenes yet, so there is nothing to render",
            field="scenes",
            hint=Hint("add_scene", studio="add one with “Add scene” above, then render"),
        )
    folder = runs_folder(ws, slug)
    with _try_lock(folder / LOCK_NAME) as fd:
        if fd is None:
            raise Conflict(
                f"a render of {slug} is already running (perhaps from another tab); "
                "its progress is shown here"
            )
        stamp = time.strftime("%Y%m%d-%H%M%S")
        log = folder / f"{stamp}-{uuid.uuid4().hex[:6]}.jsonl"
        record = {"event": "launched", "time": time.time(), "slug": slug, "positions": positions}
        log.write_text(json.dumps(record) + "\n", encoding="utf-8")
        command = [
            sys.executable, "-m", "widgets.runner", "--config", str(ws.config.source),
            "--slug", slug, "--log", str(log), "--lock-fd", str(fd),
        ]  # fmt: skip
        for position in positions or []:
            command += ["--scene", str(position)]
        with log.with_suffix(".err").open("wb") as errors:
            try:
                process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=errors, stderr=errors,
                    start_new_session=True, pass_fds=(fd,), cwd=str(_repo_root()),
                )  # fmt: skip
            except OSError as exc:
                raise VidkitError(f"could not start the render process: {exc}") from exc
    run = RenderRun(log, process=process)
    run.read()
    return run


def _repo_root() -> Path:
    """A working folder from which ``widgets`` imports (the repository, for a source install)."""
    return Path(__file__).resolve().parents[1]
