"""Terminal capture: a scripted shell session, run for real and rendered to an MP4.

>>> script = TerminalScript.from_toml('steps = [{ type = "echo hi" }, { wait = 300 }]')
>>> [step.describe() for step in script.steps]
['`echo hi`', 'wait 300 ms']

:func:`capture_terminal` starts bash (``--norc --noprofile``, or sh) in a pseudo-terminal in a
temporary folder, types each command as keystrokes at a human pace, feeds the real output into
a ``pyte`` screen and keeps one snapshot per frame slot (the last state before each frame), then
draws the frames in the editor view's theme and encodes them with the bundled ffmpeg. Only rows
that changed are redrawn, and unchanged frames reuse the previous picture.

Safety: every command runs in a fresh temporary folder (also ``$HOME``) that is deleted after,
a command that runs past ``timeout_s`` is killed and raises :class:`CaptureError` naming the
step, and a command's output past ``output_cap_bytes`` is dropped: the command is killed, a
visible ``[output cut at 1 MB]`` line is drawn and a warning is logged and returned in
:attr:`TerminalCapture.warnings` (the session goes on).
"""

from __future__ import annotations

import logging
import os
import random
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vidkit.capture._errors import CaptureError
from vidkit.capture.script import KEYS, Step, TerminalScript
from vidkit.errors import InvalidInput

__all__ = [
    "KEYS",
    "CaptureError",
    "Step",
    "StepTiming",
    "TerminalCapture",
    "TerminalScript",
    "capture_terminal",
]

log = logging.getLogger("vidkit.capture")

Progress = Callable[[str, float], None]

_MARK = b"\x1b]777;vidkit-ready\x07"  # an OSC sequence pyte ignores, at each prompt's start
# bash's prompt: the marker (non-printing), then "demo:folder$ " in green and blue
_BASH_PS1 = (
    "\\[\\e]777;vidkit-ready\\a\\]\\[\\e[1;32m\\]demo\\[\\e[0m\\]:\\[\\e[1;34m\\]\\W\\[\\e[0m\\]$ "
)
_STARTUP_S = 10.0


@dataclass(frozen=True, slots=True)
class StepTiming:
    index: int  # 1-based, as in messages
    step: Step
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class TerminalCapture:
    """What :func:`capture_terminal` made: the MP4, step timings (seconds from the video's start),
    warnings, the final screen text, and how long capturing and rendering took."""

    path: Path
    duration_s: float
    frames: int
    timings: tuple[StepTiming, ...]
    warnings: tuple[str, ...]
    screen: tuple[str, ...]
    capture_s: float
    render_s: float
    rendered_frames: int
    final: Any = field(repr=False, default=None)  # the last Snapshot (rows of pyte chars)

    @property
    def realtime_factor(self) -> float:
        return self.duration_s / self.render_s if self.render_s > 0 else float("inf")


# ---- the session ---------------------------------------------------------------------------


def _size_label(cap: int) -> str:
    for unit, size in (("MB", 1_000_000), ("kB", 1_000)):
        if cap >= size:
            return f"{cap / size:g} {unit}"
    return f"{cap} bytes"


class _Session:
    """A shell in a pseudo-terminal, its pyte screen and the snapshots taken so far."""

    def __init__(self, shell: str, cwd: Path, cols: int, rows: int, fps: int, cap: int) -> None:
        import fcntl
        import struct
        import termios

        import pyte

        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.fps, self.cap = fps, cap
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        try:
            self.proc = subprocess.Popen(
                _argv(shell), stdin=slave, stdout=slave, stderr=slave, cwd=cwd,
                env=_env(shell, cwd, cols, rows), start_new_session=True,
                preexec_fn=_take_terminal, close_fds=True,
            )  # fmt: skip
        except BaseException:
            os.close(self.master)
            raise
        finally:
            os.close(slave)
        os.set_blocking(self.master, False)
        self.t0 = time.monotonic()
        self.snaps: list[tuple[float, Any]] = []
        self._rows: list[Any] = [None] * rows
        self._tail = b""
        self.step_bytes = 0
        self.cut = False
        self.warnings: list[str] = []
        self.label = "the shell"
        self.snapshot()

    def now(self) -> float:
        return time.monotonic() - self.t0

    def snapshot(self) -> None:
        from vidkit.capture._render import Cursor, Snapshot

        screen = self.screen
        for y in screen.dirty if self._rows[0] is not None else range(screen.lines):
            line = screen.buffer[y]
            self._rows[y] = tuple(line[x] for x in range(screen.columns))
        screen.dirty.clear()
        cursor = Cursor(screen.cursor.x, screen.cursor.y, not screen.cursor.hidden)
        snap = Snapshot(tuple(self._rows), cursor)
        t = self.now()
        if self.snaps and int(self.snaps[-1][0] * self.fps) == int(t * self.fps):
            self.snaps[-1] = (self.snaps[-1][0], snap)
        elif not self.snaps or self.snaps[-1][1] != snap:
            self.snaps.append((t, snap))

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def pump(self, until: float) -> bool:
        """Read output until ``until`` (session seconds) or a prompt appears; True on a prompt."""
        while True:
            left = until - self.now()
            if left <= 0:
                return False
            ready, _, _ = select.select([self.master], [], [], left)
            if ready and self._read():
                return True

    def _read(self) -> bool:
        try:
            data = os.read(self.master, 65536)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:  # EIO: the shell exited
            raise CaptureError("the shell exited during the session") from None
        seen = self._tail + data
        at = seen.rfind(_MARK)
        self._tail = seen[-len(_MARK) :]
        if at < 0:
            self._feed(data)
            return False
        if self.cut:  # the command was stopped: show the prompt that follows it
            data = seen[at:]
        self.step_bytes, self.cut = 0, False
        self._feed(data)
        return True

    def _feed(self, data: bytes) -> None:
        if self.cut:
            return
        room = self.cap - self.step_bytes
        self.step_bytes += len(data)
        if len(data) > room:
            self.stream.feed(data[: max(0, room)])
            self._cut()
        else:
            self.stream.feed(data)
        self.snapshot()

    def _cut(self) -> None:
        self.cut = True
        label = _size_label(self.cap)
        self.warnings.append(
            f"{self.label} printed more than {label}: the rest was cut and the command stopped"
        )
        self.stream.feed(f"\x1b[0m\r\n\x1b[1;33m[output cut at {label}]\x1b[0m\r\n".encode())
        self.snapshot()
        self.kill_foreground()

    def kill_foreground(self) -> None:
        with suppress(OSError):
            group = os.tcgetpgrp(self.master)
            if group != self.proc.pid:
                os.killpg(group, signal.SIGKILL)

    def new_step(self, label: str) -> None:
        self.step_bytes, self.cut, self.label = 0, False, label

    def close(self) -> None:
        self.kill_foreground()
        with suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        os.close(self.master)


def _take_terminal() -> None:  # runs in the child: make the pty its controlling terminal
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def _argv(shell: str) -> list[str]:
    found = shutil.which(shell)
    if found is None:
        other = ' or set shell = "sh" in the script' if shell == "bash" else ""
        raise CaptureError(f"{shell} was not found on PATH: install {shell}{other}")
    return [found, "--norc", "--noprofile", "-i"] if shell == "bash" else [found, "-i"]


def _env(shell: str, cwd: Path, cols: int, rows: int) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(cwd),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "COLUMNS": str(cols),
        "LINES": str(rows),
        "HISTFILE": "/dev/null",
    }
    if shell == "bash":
        env["PS1"] = _BASH_PS1
    else:
        env["PS1"] = _MARK.decode() + "$ "
    return env


# ---- running the script --------------------------------------------------------------------


def _type(session: _Session, text: str, cps: float, rng: random.Random) -> None:
    for ch in text:
        session.send(ch.encode())
        session.pump(session.now() + rng.uniform(0.6, 1.4) / cps)


def _run_step(
    session: _Session, index: int, step: Step, script: TerminalScript, timeout_s: float
) -> None:
    session.new_step(f"step {index} ({step.describe()})")
    rng = random.Random(script.seed * 1000 + index)
    if step.kind == "wait":
        session.pump(session.now() + step.ms / 1000)
        return
    if step.kind == "type":
        _type(session, step.text, step.chars_per_s or script.chars_per_s, rng)
        if step.enter:
            session.pump(session.now() + 0.25)  # a beat before Enter
            session.send(KEYS["Enter"])
    else:
        session.send(KEYS[step.text])
    if step.waits_for_prompt and not session.pump(session.now() + timeout_s):
        session.kill_foreground()
        raise CaptureError(
            f"step {index} ({step.describe()}) ran past {timeout_s:g} s; it was stopped. "
            "Shorten the command or raise timeout_s"
        )
    if not step.waits_for_prompt:
        session.pump(session.now() + 0.05)


@contextmanager
def _folder(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="vidkit-terminal-") as folder:
        demo = Path(folder) / "demo"
        demo.mkdir()
        yield demo


def _record(
    script: TerminalScript,
    session: _Session,
    timeout_s: float,
    progress: Progress | None,
    ties: Sequence[int | None] = (),
) -> list[StepTiming]:
    if not session.pump(session.now() + _STARTUP_S):
        raise CaptureError(f"the shell showed no prompt within {_STARTUP_S:g} s")
    timings = []
    for index, step in enumerate(script.steps, 1):
        tie = ties[index - 1] if index <= len(ties) else None
        if tie is not None:
            late = session.now() - tie / 1000
            if late > 0.5 / session.fps:
                session.warnings.append(
                    f"terminal step {index} ({step.describe()}) starts {late:.1f} s after its "
                    f"words {step.at!r}: the commands before it take longer than the narration "
                    "gives them"
                )
            while session.now() < tie / 1000:
                session.pump(tie / 1000)
        start = session.now()
        _run_step(session, index, step, script, timeout_s)
        timings.append(StepTiming(index, step, start, session.now()))
        if progress is not None:
            progress("capture", index / len(script.steps))
    session.pump(session.now() + script.hold_ms / 1000)
    return timings


def capture_terminal(
    script: TerminalScript,
    out_mp4: Path | str,
    *,
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    cols: int = 100,
    rows: int = 30,
    timeout_s: float = 20.0,
    output_cap_bytes: int = 1_000_000,
    workdir: Path | None = None,
    progress: Progress | None = None,
    ties: Sequence[int | None] = (),
) -> TerminalCapture:
    """Run ``script`` in a real shell and render it to ``out_mp4`` (H.264, ``size``, ``fps``).

    Commands run in ``workdir`` (default: a new temporary folder, deleted after). ``ties``
    gives, per step, the video time (ms) it starts at (None: right after the step before). Raises
    :class:`CaptureError` when the shell is missing, a step runs past ``timeout_s`` or ffmpeg
    fails; output past ``output_cap_bytes`` per step is cut with a warning.
    """
    _check_args(size, fps, cols, rows, timeout_s, output_cap_bytes)
    out = Path(out_mp4)
    started = time.monotonic()
    with _folder(workdir) as folder:
        session = _Session(script.shell, folder, cols, rows, fps, output_cap_bytes)
        try:
            timings = _record(script, session, timeout_s, progress, ties)
        finally:
            session.close()
    warnings = tuple(session.warnings)
    for warning in warnings:
        log.warning("%s", warning)
    capture_s = time.monotonic() - started
    end = session.now() if not timings else timings[-1].end_s + script.hold_ms / 1000
    from vidkit.capture._encode import render_mp4

    render = render_mp4(
        session.snaps, out, size, fps, (cols, rows), end, (script.theme, script.title), progress
    )
    return TerminalCapture(
        path=out,
        duration_s=render.frames / fps,
        frames=render.frames,
        timings=tuple(timings),
        warnings=warnings,
        screen=tuple(session.screen.display),
        capture_s=capture_s,
        render_s=render.seconds,
        rendered_frames=render.painted,
        final=session.snaps[-1][1],
    )


def _check_args(
    size: tuple[int, int], fps: int, cols: int, rows: int, timeout_s: float, cap: int
) -> None:
    if size[0] < 64 or size[1] < 64 or size[0] % 2 or size[1] % 2:
        raise InvalidInput(f"a terminal video needs an even size of at least 64x64, not {size}")
    if not 1 <= fps <= 120 or not 10 <= cols <= 400 or not 3 <= rows <= 200:
        raise InvalidInput(f"fps 1..120, cols 10..400, rows 3..200 (got {fps}, {cols}, {rows})")
    if timeout_s <= 0 or cap < 1:
        raise InvalidInput("timeout_s and output_cap_bytes must be positive")
