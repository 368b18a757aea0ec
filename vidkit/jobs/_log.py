"""A job's progress log and its project's lock.

Every job appends JSON lines to its log (``<catalogue folder>/jobs/<project id>/<job id>.jsonl``):
the process that runs it (:mod:`vidkit.jobs.runner`) writes what it does, and whoever starts,
resumes or cancels it writes that. The log is the job's event stream: a record's number (its
line, from 1) is its event id, so a reader that comes back later asks for what came after the
last number it saw and gets nothing twice.

A job's process holds the project's lock (``job.lock``, ``flock``) in that folder for as long
as it runs: the kernel drops the lock of a process that ends, however it ends, so "is it still
running?" is asked by trying the lock; no pid files that go stale, no zombies mistaken for live
jobs. Whoever starts the process takes the lock first and hands it over (``pass_fds``), so it is
held without a gap.

Records (one JSON object a line, each with ``event`` and ``time``):

- ``launched``: job, kind, slug, scene_ids, positions — the job was created;
- ``resumed``: attempt — its process was started again after it stopped without an outcome;
- ``started``: pid, attempt — the process is up;
- ``plan``: scenes (position, scene_id, title), avatar, whole;
- ``progress``: stage, position, done, total, cached;
- ``scene``: position, scene_id, title, cached — a scene is done;
- ``finished``: the result (``final``, ``scenes``, ``files``, ``qc``, ``seconds``);
- ``failed``: message (with the studio's hint), detail (the plain message), hint;
- ``stopped``: message — the process was asked to stop (SIGTERM);
- ``cancelled``, ``interrupted``: message — written by whoever found it so.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

__all__ = ["LOCK_NAME", "TERMINAL", "JobLog", "append", "lock_held", "try_lock"]

#: The records that end a job (nothing follows them).
TERMINAL: Final = frozenset({"finished", "failed", "stopped", "cancelled", "interrupted"})
LOCK_NAME: Final = "job.lock"

_append_lock = threading.Lock()


def append(path: Path, event: str, **fields: Any) -> dict[str, Any]:
    """Append one record to the log at ``path`` (flushed at once); returns it."""
    record = {"event": event, "time": time.time(), **fields}
    line = json.dumps(record, default=str)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _append_lock, path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
    return record


@contextmanager
def try_lock(path: Path) -> Iterator[int | None]:
    """The lock file's descriptor, locked, for the block; None when another process (or
    another descriptor of this one) holds it."""
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


def lock_held(path: Path) -> bool:
    """True while a process holds the lock at ``path``."""
    with try_lock(path) as fd:
        return fd is None


@dataclass
class JobLog:
    """One job's log, read incrementally with :meth:`read`. Each record read gets ``seq``, its
    line number (from 1): the event id."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    _offset: int = 0
    _partial: str = ""
    _lines: int = 0

    @property
    def lock_path(self) -> Path:
        return self.path.parent / LOCK_NAME

    @property
    def error_path(self) -> Path:
        """Where the job's process writes what it prints (tracebacks included)."""
        return self.path.with_suffix(".err")

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
            self._lines += 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                record["seq"] = self._lines
                new.append(record)
        self.records.extend(new)
        return new

    def first(self, event: str) -> dict[str, Any] | None:
        return next((r for r in self.records if r.get("event") == event), None)

    def last(self, event: str) -> dict[str, Any] | None:
        return next((r for r in reversed(self.records) if r.get("event") == event), None)

    @property
    def outcome(self) -> dict[str, Any] | None:
        """The record that ended the job (finished, failed, stopped...), once there is one."""
        return next((r for r in reversed(self.records) if r.get("event") in TERMINAL), None)

    @property
    def positions(self) -> list[int] | None:
        """The scene positions the job was launched for (None: the whole project)."""
        launched = self.first("launched") or {}
        value = launched.get("positions")
        return [int(p) for p in value] if value else None

    def is_running(self) -> bool:
        """True while the job's process is alive (it holds the lock) and has not ended."""
        if self.process is not None:
            self.process.poll()  # reap it if it ended, in the process that started it
        if self.outcome is not None:
            return False
        return lock_held(self.lock_path)

    def wait_released(self, timeout: float) -> bool:
        """Wait until the job's process has let go of the project: it writes its outcome a
        moment before it exits, and another job can start only after. True once it has."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None:
                self.process.poll()
            if not lock_held(self.lock_path):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> bool:
        """Ask the job's process and everything it started (its process group) to stop;
        False when it is not running."""
        self.read()
        started = self.last("started")
        if started is None or not self.is_running():
            return False
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(int(started["pid"]), sig)
        return True
