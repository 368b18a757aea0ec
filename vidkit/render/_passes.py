"""ffmpeg passes of an assembly: run in a work folder, progress read from ``-progress``, input
fed from Python where needed, errors taken from the log, and the seconds of each pass kept."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe

__all__ = ["Feed", "Progress", "Runner", "failure"]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)``."""

Feed = Callable[[], Iterable[bytes]]
"""What to write to ffmpeg's standard input (``-i pipe:0``), a block at a time."""


class Runner:
    """Runs the ffmpeg passes of one assembly. Progress goes to ``progress`` in units of
    ``total``, never backwards; ``steps`` holds (what, seconds) for each pass."""

    def __init__(self, folder: Path, progress: Progress | None, total: int) -> None:
        self.folder, self.progress, self.total = folder, progress, total
        self.steps: list[tuple[str, float]] = []
        self._reached = 0
        self._lock = threading.Lock()  # passes may run in parallel threads

    def report(self, done: int) -> None:
        """Say that ``done`` of ``total`` is done (ignored if less than said before)."""
        done = min(self.total, done)
        with self._lock:
            if self.progress is None or done < self._reached:
                return
            self._reached = done
            self.progress(done, self.total)

    def note(self, doing: str, began: float) -> None:
        """Record a step that was not an ffmpeg pass."""
        self.steps.append((doing, time.monotonic() - began))

    def run(
        self,
        args: list[str],
        doing: str,
        *,
        span: tuple[int, int] | None = None,
        feed: Feed | None = None,
        log: str = "ffmpeg.log",
        step: bool = True,
    ) -> str:
        """Run ffmpeg with ``args``; returns its log. ``span=(base, length)`` maps the output
        time (ms) of the pass onto progress from ``base``, at most ``length`` past it.
        Passes run in parallel need their own ``log`` file; ``step=False`` leaves the pass out
        of :attr:`steps` (the caller notes the whole)."""
        log_path = self.folder / log
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y"]
        cmd += ["-progress", "pipe:1", "-stats_period", "0.25", *args]
        began = time.monotonic()
        failures: list[BaseException] = []
        with log_path.open("w+b") as written:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=written,
            )
            feeder = None
            if feed is not None:
                assert proc.stdin is not None
                feeder = threading.Thread(
                    target=_write, args=(proc, proc.stdin, feed, failures), daemon=True
                )
                feeder.start()
            try:
                self._watch(proc, span)
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                if feeder is not None:
                    feeder.join()
            written.seek(0)
            text = written.read().decode(errors="replace")
        if failures:
            raise failures[0]
        if proc.returncode != 0:
            raise MediaError(failure(text, doing))
        if step:
            self.steps.append((doing, time.monotonic() - began))
        return text

    def _watch(self, proc: subprocess.Popen[bytes], span: tuple[int, int] | None) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            if span is None or key != "out_time_us":
                continue
            with contextlib.suppress(ValueError):
                self.report(span[0] + min(span[1], max(0, int(value) // 1000)))
        if span is not None:
            self.report(span[0] + span[1])


def _write(
    proc: subprocess.Popen[bytes], sink: IO[bytes], feed: Feed, failures: list[BaseException]
) -> None:
    try:
        with sink:
            for block in feed():
                sink.write(block)
    except (BrokenPipeError, ValueError):
        pass  # ffmpeg stopped reading (it failed, or was stopped): its exit status says which
    except BaseException as exc:
        failures.append(exc)
        proc.kill()


def failure(log: str, doing: str) -> str:
    """A one-line message for a failed pass, from its log."""
    lines = [ln.strip() for ln in log.splitlines() if ln.strip() and "=" not in ln[:20]]
    tail = " | ".join(lines[-3:]) or "no message"
    if "No space left on device" in log:
        return f"the disk is full while {doing}; free some space and assemble again"
    return f"ffmpeg failed while {doing}: {tail}"
