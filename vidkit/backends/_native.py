"""Native libraries without the noise: mediapipe's start-up chatter (absl/TFLite logging,
written straight to file descriptor 2, below Python's logging) kept off the terminal, and its
tasks closed before Python's exit makes closing them fail with tracebacks."""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vidkit.errors import BackendError

__all__ = ["close_with", "quiet_native_stderr", "refuse_inherited"]

_LOCK = threading.Lock()
_OPEN: set[weakref.finalize[Any, Any]] = set()
_OPEN_LOCK = threading.Lock()
_HOOKED = False


def close_with(owner: object, task: Any) -> weakref.finalize[Any, Any]:
    """Close a mediapipe ``task`` when ``owner`` goes away, when the returned finalizer is
    called, or at the latest when Python begins to exit.

    A task closes itself on a thread pool, and Python shuts thread pools down before ``atexit``
    callbacks and ``__del__`` run: a task still open then fails to close with two tracebacks
    ("cannot schedule new futures after shutdown"). So open tasks are closed in the first step
    of the exit, before the thread pools go.

    Only the process that opened the task closes it: a forked child inherits a copy of it but
    not the threads it runs on, and closing the copy would wait for them forever (the child
    would never exit); using it would wait as well (see :func:`refuse_inherited`).
    """
    global _HOOKED
    closer = weakref.finalize(owner, _close_in_opener, task, os.getpid())
    with _OPEN_LOCK:
        if not _HOOKED:
            # runs before concurrent.futures' own hook (registered earlier, run later)
            register = getattr(threading, "_register_atexit", None)
            if register is not None:
                register(_close_open_tasks)
                _HOOKED = True
        if _HOOKED:  # else atexit closes it: late, but better than never
            closer.atexit = False
            _OPEN.difference_update([c for c in _OPEN if not c.alive])
            _OPEN.add(closer)
    return closer


def refuse_inherited(closer: weakref.finalize[Any, Any] | None, what: str) -> None:
    """Refuse to use a task that a parent process opened before it forked this one: its
    threads did not come along, so it would wait forever (mediapipe cannot be set up again in
    such a child either)."""
    found = closer.peek() if closer is not None else None
    if found is not None and found[2][1] != os.getpid():
        raise BackendError(
            f"the {what} was loaded before this process was forked from its parent, and "
            "mediapipe cannot run in a forked copy: start worker processes with "
            "multiprocessing's 'spawn' method (as vidkit's renderer does)"
        )


def _close_in_opener(task: Any, pid: int) -> None:
    if os.getpid() == pid:
        task.close()


def _close_open_tasks() -> None:
    with _OPEN_LOCK:
        closers = list(_OPEN)
        _OPEN.clear()
    for closer in closers:
        closer()


@contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Send fd 2 to /dev/null for the block (Python exceptions still propagate normally).
    Set ``VIDKIT_NATIVE_LOGS=1`` to see the native logs when debugging."""
    if os.environ.get("VIDKIT_NATIVE_LOGS") == "1":
        yield
        return
    with _LOCK:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)
