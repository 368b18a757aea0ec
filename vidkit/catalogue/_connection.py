"""Short-lived DuckDB connections that wait politely for the file lock.

DuckDB lets one process hold a database file and fails every other process at once. The
catalogue is shared by notebook kernels, Voila kernels, the CLI and the HTTP server, so each unit
of work opens the file, runs one transaction and closes it again (~20 ms). A lock conflict is
retried with jittered exponential backoff until ``lock_timeout_s`` has passed; only then does
:class:`CatalogueLocked` reach the caller. Threads of one process are serialised by a per-file
lock, so they never compete for DuckDB's file lock among themselves.
"""

from __future__ import annotations

import logging
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
            conn = self._open()
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

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self.path.is_dir():
            raise CatalogueError(
                f"catalogue path {self.path} is a folder; point [catalogue] path in the config "
                "at a file such as var/catalogue.duckdb"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CatalogueError(f"cannot create the catalogue folder {self.path.parent}: {exc}") from exc
        deadline = time.monotonic() + self.lock_timeout_s
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
