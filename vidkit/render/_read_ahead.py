"""The frame decoder's read-ahead: a daemon thread that keeps the decoder's live ffmpeg reading
ahead of the last frame asked for, so that playing forward finds frames already decoded.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

__all__ = ["ReadAhead"]


class ReadAhead:
    """Calls ``step(goal, near)`` (one frame read, one lock hold; False when there is nothing
    to do) while the last frame asked for is ahead of what was read. It rests while frames are
    asked for backwards. ``step`` is a bound method, held weakly: the thread ends with its
    object."""

    def __init__(self, step: Callable[[float, float], bool]) -> None:
        self._step = weakref.WeakMethod(step)
        self._wake = threading.Condition()
        self._goal: tuple[float, float] | None = None  # (near, goal) in seconds
        self._thread: threading.Thread | None = None
        self._last = -1.0
        self.stopped = False

    def want(self, at: float, span: float) -> None:
        with self._wake:
            backwards, self._last = at < self._last, at
            if self.stopped or backwards:
                self._goal = None
                return
            self._goal = (at - span, at + span)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._goal is None and not self.stopped:
                    self._wake.wait()
                if self.stopped:
                    return
                near, goal = self._goal or (0.0, 0.0)
            step = self._step()
            if step is None:
                return
            busy = step(goal, near)
            del step
            if not busy:
                with self._wake:
                    if self._goal == (near, goal):
                        self._goal = None

    def stop(self) -> None:
        """Ask the thread to end (``step`` checks ``stopped`` before every read)."""
        with self._wake:
            self.stopped = True
            self._wake.notify()
