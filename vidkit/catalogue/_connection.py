"""Short-lived DuckDB connections that wait politely for the file lock.

DuckDB lets one process hold a database file and fails every other process at once. The
catalogue is shared by notebook kernels, Voila kernels, the CLI and the HTTP server, so each unit
of work opens the file, runs one transaction and closes it again. Opening means attaching the
file to one in-memory DuckDB instance that the process keeps (``ATTACH``/``USE``, then
``DETACH``, which releases DuckDB's lock): starting a DuckDB instance for every unit of work cost
~15 ms of the ~25 ms, attaching to a warm one costs a few.

Waiting is done on an advisory lock file beside the catalogue (``<file>.lock``, ``flock``), which
costs nothing to poll: a failed DuckDB open costs ~15 ms of CPU, and on a 2-core machine eight
processes retrying DuckDB directly slowed the holder down. The kernel drops the lock of a killed
process. A program that opens the DuckDB file without the lock file (the DuckDB CLI, say) is
still handled by retrying the open. Either wait ends after ``lock_timeout_s`` with
:class:`CatalogueLocked`. Threads of one process are serialised by a per-file thread lock.
"""

from __future__ import annotations

import fcntl
import itertools
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

from vidkit.catalogue._backup import backups, backups_folder
from vidkit.errors import CatalogueError, CatalogueLocked, Hint
from vidkit.hints import SETUP

__all__ = ["Connector", "is_damage"]

log = logging.getLogger("vidkit.catalogue")

_THREAD_LOCKS: dict[Path, threading.RLock] = {}
_THREAD_LOCKS_GUARD = threading.Lock()
_PID_RE = re.compile(r"\(PID (\d+)\)")

_INSTANCE: duckdb.DuckDBPyConnection | None = None
_INSTANCE_GUARD = threading.Lock()
_FORK_HOOKED = False
_ALIASES = itertools.count()


def _instance() -> duckdb.DuckDBPyConnection:
    """This process's in-memory DuckDB instance, which catalogue files are attached to."""
    global _INSTANCE, _FORK_HOOKED
    with _INSTANCE_GUARD:
        if _INSTANCE is None:
            if not _FORK_HOOKED:
                os.register_at_fork(
                    before=_before_fork,
                    after_in_parent=_INSTANCE_GUARD.release,
                    after_in_child=_INSTANCE_GUARD.release,
                )
                _FORK_HOOKED = True
            _INSTANCE = duckdb.connect(":memory:")
        return _INSTANCE


def _before_fork() -> None:
    """A forked child must not inherit the instance: its threads stay behind in the parent, and
    destroying it in the child would wait for them forever. Both sides make a new one on use
    (a unit of work in flight in another thread finishes on the old one, which it holds)."""
    global _INSTANCE
    _INSTANCE_GUARD.acquire()
    _INSTANCE = None


def _detach(instance: duckdb.DuckDBPyConnection, alias: str) -> None:
    """Close an attached catalogue, which releases DuckDB's lock on its file."""
    cursor = instance.cursor()
    try:
        cursor.execute(f"DETACH {alias}")
    finally:
        cursor.close()


def _forget_instance(instance: duckdb.DuckDBPyConnection) -> None:
    """Drop this process's instance after a fatal error invalidated it (DuckDB then refuses
    every later statement until it is restarted); the next unit of work makes a new one."""
    global _INSTANCE
    with _INSTANCE_GUARD:
        if _INSTANCE is instance:
            _INSTANCE = None


_DAMAGE_CLASSES = (
    duckdb.IOException,
    duckdb.InternalError,
    duckdb.FatalException,
    duckdb.PermissionException,
)
_DAMAGE_WORDS = ("invalidated", "Corrupt database", "checksum", "Could not read", "WAL")


def is_damage(exc: BaseException) -> bool:
    """Whether a DuckDB error says the catalogue file cannot be read or written (I/O, a corrupt
    block, an invalidated database), rather than a refused statement (a constraint, a type)."""
    if not isinstance(exc, duckdb.Error):
        return False
    if isinstance(exc, _DAMAGE_CLASSES) or type(exc) in (duckdb.Error, duckdb.DatabaseError):
        return True
    text = str(exc)
    return any(word in text for word in _DAMAGE_WORDS)


def _is_fatal(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.FatalException) or "invalidated" in str(exc)


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
                instance, conn, alias = self._open(deadline)
                try:
                    try:
                        yield conn
                    finally:
                        conn.close()  # rolls back a transaction left open
                        _detach(instance, alias)
                except duckdb.Error as exc:
                    # Reading or writing a damaged file: one message, not DuckDB's traceback.
                    # Refused statements (constraints, types) go on as they are.
                    if not is_damage(exc):
                        raise
                    if _is_fatal(exc):
                        _forget_instance(instance)
                    raise self._broken(exc) from exc

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold the catalogue's locks without opening it (to replace the file)."""
        with self._thread_lock:
            deadline = time.monotonic() + self.lock_timeout_s
            with self._file_lock(deadline):
                yield

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: committed if the block succeeds, rolled back if it raises."""
        with self.connect() as conn:
            conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
            except BaseException:
                rollback(conn)
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

    def _open(
        self, deadline: float
    ) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection, str]:
        """The instance, a connection whose default database is the attached catalogue, and
        the catalogue's alias."""
        delay = 0.005
        attempts = 0
        quoted = str(self.path).replace("'", "''")
        while True:
            attempts += 1
            alias = f"vidkit_catalogue_{next(_ALIASES)}"
            instance = _instance()
            conn = instance.cursor()
            try:
                conn.execute(f"ATTACH '{quoted}' AS {alias}")
            except duckdb.IOException as exc:
                conn.close()
                if not _is_lock_conflict(exc):
                    raise self._damaged(exc) from exc
                if time.monotonic() >= deadline:
                    raise self._locked(exc, attempts) from exc
            except duckdb.Error as exc:
                conn.close()
                if _is_fatal(exc):
                    _forget_instance(instance)
                raise self._damaged(exc) from exc
            else:
                try:
                    conn.execute(f"USE {alias}")
                except BaseException:
                    conn.close()
                    _detach(instance, alias)
                    raise
                return instance, conn, alias
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
        advice = (
            f"if it is a damaged vidkit catalogue, {restore_advice(self.path)}; if it is not "
            "a vidkit catalogue, point [catalogue] path in the config at another file"
        )
        return CatalogueError(
            f"cannot open the catalogue {self.path}: {_first_line(exc)}; nothing was changed",
            hint=restore_hint(self.path, advice),
        )

    def _broken(self, exc: BaseException) -> CatalogueError:
        return CatalogueError(
            f"the catalogue {self.path} is damaged and cannot be read or written "
            f"({_first_line(exc)})",
            hint=restore_hint(self.path),
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(". ") if text else type(exc).__name__


def rollback(conn: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failed block. A rollback that fails itself (the file is damaged, the
    database invalidated) is logged, so the error that made the block fail is the one raised;
    closing the connection drops the transaction anyway."""
    try:
        conn.execute("ROLLBACK")
    except duckdb.Error as exc:
        log.debug("rollback failed: %s", exc)


def restore_hint(path: Path, advice: str | None = None) -> Hint:
    """The hint of a damaged catalogue: the CLI's ``advice`` (default: :func:`restore_advice`)."""
    return Hint(
        "restore_catalogue",
        cli=advice or restore_advice(path),
        studio=f"{SETUP} restore the catalogue from its newest backup",
    )


def restore_advice(path: Path) -> str:
    """What to do with a damaged catalogue: restore the newest backup, else a copy."""
    found = backups(path)
    if found:
        return (
            f"restore the newest backup with `vidkit catalogue restore {found[0]}` "
            "(`vidkit catalogue backups` lists them all; `vidkit doctor` checks the result)"
        )
    return (
        f"no backup of it was found in {backups_folder(path)}: restore the file from a copy, "
        "or move it aside to start an empty catalogue (`vidkit doctor` checks the result)"
    )
