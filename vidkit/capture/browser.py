"""Browser capture: a script's steps run in a real browser, filmed on the script's own clock.

The engine keeps a clock of its own (milliseconds of video). Each step is scheduled on it: a
step tied to words of the narration (``at``) acts exactly when they start being said, every
other step right after the one before. The browser is asked to act, and a screenshot taken
after each action is stamped with the action's time: a click's effect is on screen from the
frame of the click, each typed character from its own keystroke's time. Waits and the moments
after an action (``settle_ms``) are filmed in real time, so what the page animates on its own
is kept. The wall time is about the capture's length or less, and the timing in the video is
exact whatever the machine's load.

Headless Chromium draws no mouse pointer: the engine draws one (an arrow moving along a gentle
curve to each target, with a ripple at each click), and optionally zooms towards the clicked
element and back, the way screen-recording tools for demos do. Highlights draw a box around an
element; ``zoom`` steps zoom into one.

The browser is a :class:`~vidkit.capture.driver.BrowserDriver`: local Playwright, or a browser
behind a Playwright MCP server. Both give the same frames for the same script.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.capture._errors import CaptureError
from vidkit.capture._frames import Film, Move, Painter, Zoom, render_film
from vidkit.capture.browser_script import BrowserScript, BrowserStep, Target
from vidkit.capture.driver import Box, BrowserDriver, DriverError

__all__ = ["BrowserCapture", "StepTiming", "capture_browser", "preview_browser"]

log = logging.getLogger("vidkit.capture")

Progress = Callable[[str, float], None]
Pixels = npt.NDArray[np.uint8]

_OPEN_MS = 800  # a page load is shown for this long before the next step
_ZOOM_MS = 450  # zooming in or out
_HIGHLIGHT_MS = 1500
_POLL_S = 0.1


@dataclass(frozen=True, slots=True)
class StepTiming:
    """When a step ran, in seconds of video: from its start (the pointer sets off) to its end;
    ``action_s`` is the moment it acts (the click lands, typing starts); ``point`` is where a
    click landed (viewport pixels)."""

    index: int
    step: BrowserStep
    start_s: float
    end_s: float
    action_s: float
    point: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class BrowserCapture:
    """What :func:`capture_browser` made: the MP4, its length and frames, each step's timing,
    warnings (a tied step that could not start in time, say), and the wall times."""

    path: Path
    duration_s: float
    frames: int
    timings: tuple[StepTiming, ...]
    warnings: tuple[str, ...]
    capture_s: float
    render_s: float
    via: str

    @property
    def wall_ratio(self) -> float:
        """Wall time (capture and render) per second of video."""
        return (self.capture_s + self.render_s) / self.duration_s if self.duration_s else 0.0


# ---- running the steps -----------------------------------------------------------------------


class _Run:
    def __init__(
        self,
        script: BrowserScript,
        driver: BrowserDriver,
        film: Film,
        ties: Sequence[int | None],
        stills: Path,
        progress: Progress | None = None,
    ) -> None:
        self.script, self.driver, self.film = script, driver, film
        self.progress = progress
        self.ties, self.stills = ties, stills
        self.t = 0.0  # ms of video
        self.timings: list[StepTiming] = []
        self.warnings: list[str] = []
        self.index = 0
        self.step: BrowserStep | None = None

    # the clock and the camera

    def snap(self, t: float) -> None:
        self.film.shot(t, self.driver.screenshot())

    def film_for(self, start: float, ms: float) -> None:
        """Film the page in real time for ``ms`` from video time ``start``."""
        began = time.monotonic()
        self.snap(start)
        while (elapsed := (time.monotonic() - began) * 1000) < ms:
            time.sleep(min(_POLL_S / 2, (ms - elapsed) / 1000))
            self.snap(start + min(ms, (time.monotonic() - began) * 1000))
            self.check_dialog()

    def fail(self, reason: str, *, still: bool = True) -> CaptureError:
        step = self.step
        label = f"browser step {self.index}" if self.index else "browser script (url)"
        label += f" ({step.describe()})" if step and self.index else ""
        message = f"{label}: {reason}"
        if still:
            try:
                png = self.driver.screenshot()
            except CaptureError:
                png = b""
            if png:
                self.stills.mkdir(parents=True, exist_ok=True)
                path = self.stills / f"step-{self.index}.png"
                path.write_bytes(png)
                message += f"; the page at that moment is in {path}"
        return CaptureError(message)

    def check_dialog(self) -> None:
        message = self.driver.dialog()
        if message is not None:
            raise self.fail(
                f"the page opened a dialog saying {message!r}; a capture cannot answer "
                "dialogs: change the page, or script around what opens it"
            )

    def act(self, action: Callable[[], None], *, still: bool = True) -> None:
        try:
            action()
        except DriverError as exc:
            raise self.fail(str(exc), still=still) from None
        self.check_dialog()

    def locate(self, target: Target) -> Box:
        deadline = time.monotonic() + self.script.timeout_ms / 1000
        while True:
            try:
                box = self.driver.find(target)
            except DriverError as exc:
                raise self.fail(str(exc)) from None
            if box is not None:
                return box
            if time.monotonic() >= deadline:
                raise self.fail(
                    f"nothing on the page matches {target.describe()} after "
                    f"{self.script.timeout_ms / 1000:g} s"
                )
            time.sleep(_POLL_S)

    def start_at(self, natural: float, earliest: float | None = None) -> float:
        """When the current step acts: at its words when tied (if it can be ready by then,
        ``earliest``), else ``natural``."""
        tie = self.ties[self.index - 1] if 0 < self.index <= len(self.ties) else None
        if tie is None:
            return natural
        if tie + 1000 / 120 < (natural if earliest is None else earliest):
            step = self.step
            assert step is not None
            late = (natural - tie) / 1000
            self.warnings.append(
                f"browser step {self.index} ({step.describe()}) acts {late:.1f} s after its "
                f"words {step.at!r} start: the steps before it take longer than the narration "
                "gives them"
            )
            return natural
        return float(tie)

    # the steps

    def run(self, until: int | None = None) -> None:
        steps = self.script.steps
        if self.script.url:
            self.index = 0
            self.step = None
            self.act(lambda: self.driver.open(self.script.url), still=False)
            self.snap(0.0)
        for self.index, self.step in enumerate(steps, 1):
            if until is not None and self.index > until:
                break
            started = self.t
            action, point = self.run_step(self.step)
            if self.progress is not None:
                self.progress("capture", self.index / len(steps))
            self.t += self.step.hold
            times = (started / 1000, self.t / 1000, action / 1000)
            self.timings.append(StepTiming(self.index, self.step, *times, point))

    def run_step(self, step: BrowserStep) -> tuple[float, tuple[float, float] | None]:
        kind = step.kind
        settle = self.script.settle_ms
        if kind == "open":
            at = self.start_at(self.t)
            self.act(lambda: self.driver.open(step.text), still=False)
            self.film_for(at, settle)
            self.t = at + max(_OPEN_MS, settle)
            return at, None
        if kind in ("click", "type") and (kind == "click" or step.target is not None):
            assert step.target is not None
            at, point = self.click(step, step.target)
            if kind == "click":
                return at, point
            self.t = at + 150
            typed = self.type(step, self.t)
            self.film_for(typed, settle)
            self.t = typed + settle
            return at, point
        if kind == "type":
            at = self.start_at(self.t)
            typed = self.type(step, at)
            self.film_for(typed, settle)
            self.t = typed + settle
            return at, None
        if kind == "press":
            at = self.start_at(self.t)
            self.act(lambda: self.driver.press(step.text))
            self.film_for(at, settle)
            self.t = at + settle
            return at, None
        if kind == "scroll":
            return self.scroll(step)
        if kind == "wait":
            at = self.start_at(self.t)
            if step.target is None:
                self.film_for(at, step.ms)
                self.t = at + step.ms
                return at, None
            began = time.monotonic()
            self.locate(step.target)
            waited = (time.monotonic() - began) * 1000
            self.film_for(at, max(settle, waited))
            self.t = at + max(settle, waited)
            return at, None
        assert step.target is not None
        box = self.locate(step.target)
        at = self.start_at(self.t)
        self.snap(at)  # finding it may have scrolled it into view
        ms = step.hold or _HIGHLIGHT_MS
        if kind == "highlight":
            self.film.boxes.append((at, at + ms, box))
        else:
            ramp = min(_ZOOM_MS, ms / 3)
            self.film.zooms.append(
                Zoom(at, at + ramp, at + ms - ramp, at + ms, box.centre, step.scale)
            )
        self.t = at + ms
        return at, box.centre

    def click(self, step: BrowserStep, target: Target) -> tuple[float, tuple[float, float]]:
        box = self.locate(target)
        self.snap(self.t)  # the target may have been scrolled into view
        point = box.centre
        start = self.film.pointer
        distance = math.dist(start, point)
        travel = min(700.0, max(250.0, 200.0 + distance * 0.5))
        at = self.start_at(self.t + travel, earliest=self.t + min(travel, 150.0))
        travel = min(travel, at - self.t)
        self.film.moves.append(Move(at - travel, at, start, point))
        self.film.pointer = point
        zoom = step.zoom or self.script.zoom
        if zoom > 1.0:
            hold = self.script.settle_ms + step.hold + (len(step.text) * 1000 / self._cps(step))
            self.film.zooms.append(
                Zoom(at - travel, at, at + hold, at + hold + _ZOOM_MS, point, zoom)
            )
        self.act(lambda: self.driver.click(*point))
        self.film.clicks.append((at, point))
        if step.kind == "click":
            self.film_for(at, self.script.settle_ms)
            self.t = at + self.script.settle_ms
        else:
            self.snap(at)
        return at, point

    def _cps(self, step: BrowserStep) -> float:
        return step.chars_per_s or self.script.chars_per_s

    def type(self, step: BrowserStep, at: float) -> float:
        gap = 1000 / self._cps(step)
        t = at
        for ch in step.text:
            self.act(lambda ch=ch: self.driver.type(ch))  # type: ignore[misc]
            self.snap(t)
            t += gap
        return t

    def scroll(self, step: BrowserStep) -> tuple[float, tuple[float, float] | None]:
        at = self.start_at(self.t)
        if step.target is not None:
            self.locate(step.target)  # scrolls it into view
            self.film_for(at, self.script.settle_ms)
            self.t = at + self.script.settle_ms
            return at, None
        parts = 6
        for i in range(parts):
            share = step.pixels * (i + 1) // parts - step.pixels * i // parts
            self.act(lambda share=share: self.driver.scroll(share))  # type: ignore[misc]
            self.snap(at + i * 60)
        self.film_for(at + parts * 60, self.script.settle_ms)
        self.t = at + parts * 60 + self.script.settle_ms
        return at, None


# ---- the calls -------------------------------------------------------------------------------


def _check(size: tuple[int, int], fps: int) -> None:
    from vidkit.errors import InvalidInput

    if size[0] < 64 or size[1] < 64 or size[0] % 2 or size[1] % 2 or max(size) > 4096:
        raise InvalidInput(f"a browser capture needs an even size from 64 to 4096, not {size}")
    if not 1 <= fps <= 120:
        raise InvalidInput(f"fps must be 1..120, got {fps}")


def _record(
    script: BrowserScript,
    driver: BrowserDriver,
    size: tuple[int, int],
    ties: Sequence[int | None],
    stills: Path,
    until: int | None,
    progress: Progress | None,
) -> _Run:
    film = Film(size[0], size[1], pointer=(size[0] * 0.55, size[1] * 0.6))
    run = _Run(script, driver, film, ties, stills, progress)
    try:
        driver.start(*size)
    except BaseException as exc:
        driver.close()
        if isinstance(exc, DriverError):
            raise CaptureError(f"the browser did not start: {exc}") from None
        raise
    try:
        run.run(until)
    finally:
        driver.close()
    if not film.shots:
        raise CaptureError("the browser showed nothing: the script opened no page")
    return run


def capture_browser(
    script: BrowserScript,
    out_mp4: Path | str,
    *,
    driver: BrowserDriver,
    size: tuple[int, int] = (1280, 720),
    fps: int = 30,
    ties: Sequence[int | None] = (),
    stills_dir: Path | None = None,
    progress: Progress | None = None,
) -> BrowserCapture:
    """Run ``script`` in ``driver``'s browser and render it to ``out_mp4`` (H.264, ``size``,
    ``fps``). ``ties`` gives, per step, the video time (ms) it must act at (None: free).

    Raises :class:`CaptureError` naming the step when a page cannot be opened, a target is
    not found within the script's ``timeout_ms`` or the page opens a dialog; a still of the
    page then is saved in ``stills_dir`` (default: next to ``out_mp4``) and named in the
    message. Nothing is written to ``out_mp4`` unless the whole capture succeeds.
    """
    _check(size, fps)
    out = Path(out_mp4)
    began = time.monotonic()
    run = _record(script, driver, size, ties, stills_dir or out.parent, None, progress)
    capture_s = time.monotonic() - began
    end = run.t + script.hold_ms
    for warning in run.warnings:
        log.warning("%s", warning)
    began = time.monotonic()
    frames = render_film(run.film, out, fps, end, script.pointer, progress)
    return BrowserCapture(
        out, frames / fps, frames, tuple(run.timings), tuple(run.warnings), capture_s,
        time.monotonic() - began, driver.name,
    )  # fmt: skip


def preview_browser(
    script: BrowserScript,
    step: int,
    out_png: Path | str,
    *,
    driver: BrowserDriver,
    size: tuple[int, int] = (1280, 720),
    stills_dir: Path | None = None,
) -> Path:
    """A still of the page right after step ``step`` (1-based) has run, pointer and all."""
    from vidkit.errors import InvalidInput

    _check(size, 30)
    if not 1 <= step <= len(script.steps):
        raise InvalidInput(f"the script has steps 1..{len(script.steps)}, not {step}")
    out = Path(out_png)
    run = _record(script, driver, size, (), stills_dir or out.parent, step, None)
    film = run.film
    painter = Painter(film, script.pointer)
    t = max(run.t, film.shots[-1][0])
    out.parent.mkdir(parents=True, exist_ok=True)
    painter.frame(len(film.shots) - 1, t).save(out, format="PNG")
    return out
