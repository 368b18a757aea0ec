"""Keeping native libraries' start-up chatter (mediapipe's absl/TFLite logging) off the
terminal: they write straight to file descriptor 2, below Python's logging."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["quiet_native_stderr"]

_LOCK = threading.Lock()


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
