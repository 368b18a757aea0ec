"""Short-lived DuckDB connections that wait politely for the file lock.

DuckDB lets one process hold a database file and fails every other process at once. The
catalogue is shared by notebook kernels, Voila kernels, the CLI and the HTTP server, so each unit
of work opens the file, runs one transaction and closes it again (~20 ms).

Waiting is done on an advisory lock file beside the catalogue (``<file>.lock``, ``flock``), which
costs nothing to poll: a failed DuckDB open costs ~15 ms of CPU, and on a 2-core machine eight
processes retrying DuckDB directly slowed the holder down. The kernel drops the lock of a killed
process. A program that opens the DuckDB file without the lock file (the DuckDB CLI, say) is
still handled by retrying the open. Either wait ends after ``lock_timeout_s`` with
:class:`CatalogueLocked`. Threads of one process are serialised by a per-file thread lock.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from vidkit.errors import CatalogueError, CatalogueLocked

__all__ = ["Connector"]

log = logging.getLogger("vidkit.catalogue")

_THREAD_LOCKS: dict[Path, threading.RLock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()
_PID_RE = re.compile(r"\(PID (\d+)\)")


def _thread_lock(path: Path) -> threading.RLock:
    with _THREAD_LOCKS_GUARD:
        return _THREAD_LOCKS.setdefault(path, threading.RLock())


def _is_lock_conflict(exc: BaseException) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


class Connector:
    """Opens the catalogue file for one unit of work at a time."""

    def __init__(self, path: Path, *, lock_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s
        self._thread_lock = _thread_lock(self.path.resolve())

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the catalogue for the duration of the ``with`` block."""
        with self._thread_lock:
            deadline = time.monotonic() + self.lock_timeout_s
            with self._file_lock(deadline):
                conn = self._open(deadline)
                try:
                    yield conn
                finally:
                    conn.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: committed if the block succeeds, rolled back if it raises."""
        with self.connect() as conn:
            conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _file_lock(self, deadline: float) -> Iterator[None]:
        self._make_folder()
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            yield  # a read-only folder: fall back to retrying DuckDB's own lock
            return
        try:
            delay = 0.001
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise CatalogueLocked(
                            f"the catalogue {self.path} stayed locked by another vidkit process "
                            f"for more than {self.lock_timeout_s:g} s; close the program holding "
                            "it, or raise [catalogue] lock_timeout_s in the config"
                        ) from None
                    time.sleep(delay * random.uniform(0.5, 1.5))
                    delay = min(delay * 2, 0.02)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _make_folder(self) -> None:
        if self.path.is_dir():
            raise CatalogueError(
                f"catalogue path {self.path} is a folder; point [catalogue] path in the config "
                "at a file such as var/catalogue.duckdb"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogueError(
                f"cannot create the catalogue folder {self.path.parent}: {exc}"
            ) from exc

    def _open(self, deadline: float) -> duckdb.DuckDBPyConnection:
        delay = 0.005
        attempts = 0
        while True:
            attempts += 1
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException as exc:
                if not _is_lock_conflict(exc):
                    raise self._damaged(exc) from exc
                if time.monotonic() >= deadline:
                    raise self._locked(exc, attempts) from exc
            except duckdb.Error as exc:
                raise self._damaged(exc) from exc
            time.sleep(min(delay * random.uniform(0.5, 1.5), max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 0.25)

    def _locked(self, exc: BaseException, attempts: int) -> CatalogueLocked:
        match = _PID_RE.search(str(exc))
        holder = f" by process {match.group(1)}" if match else ""
        return CatalogueLocked(
            f"the catalogue {self.path} stayed locked{holder} for more than "
            f"{self.lock_timeout_s:g} s ({attempts} attempts); close the program holding it, or "
            "raise [catalogue] lock_timeout_s in the config"
        )

    def _damaged(self, exc: BaseException) -> CatalogueError:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return CatalogueError(
            f"cannot open the catalogue {self.path}: {first_line}. If the file is not a vidkit "
            "catalogue, point [catalogue] path in the config at another file; nothing was changed"
        )
