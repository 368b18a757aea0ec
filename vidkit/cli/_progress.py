"""Progress of long commands on stderr: a ``rich`` bar on a terminal, plain lines when stderr is
not a terminal (one per finished step, and a reminder during a long one), nothing with ``-q``
or ``--json``.

A *tally* turns updates into what is shown (pure, so it is tested without a terminal):
:class:`StageTally` for the pipeline's stage events (``vidkit render``, ``vidkit speak``),
:class:`ModelTally` for ``vidkit models fetch``. A :class:`Display` shows a tally.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from vidkit.models import FetchStep

__all__ = [
    "RENDER_WEIGHTS",
    "STAGE_WORDS",
    "Display",
    "Mode",
    "ModelTally",
    "StageTally",
    "Step",
    "mode_for",
    "percent",
    "stage_words",
]

#: How each stage is named on screen.
STAGE_WORDS: dict[str, str] = {
    "speak": "speaking",
    "cutout": "cutting out the presenter",
    "rig": "finding the face",
    "animate": "animating the presenter",
    "transcribe": "transcribing the recording",
    "analyse": "finding pauses and idle screen",
    "capture": "capturing the screen",
    "compose": "composing",
    "qc": "checking",
    "assemble": "joining the scenes",
}

#: A scene's stages and the share of its time each usually takes (animate only with a presenter).
RENDER_WEIGHTS: dict[str, float] = {"speak": 0.15, "animate": 0.25, "compose": 0.6}

#: Joining the scenes counts as this many scenes' work.
ASSEMBLE_WEIGHT = 0.5

Mode = Literal["bar", "lines", "off"]


def stage_words(stage: str) -> str:
    return STAGE_WORDS.get(stage, stage)


def percent(fraction: float) -> int:
    """Whole percent done, rounded down (0.2 shows as 20 %, not 19 % as floats might have it)."""
    return int(100 * fraction + 1e-6)


class Update(Protocol):
    """A pipeline progress event (:class:`vidkit.pipeline.Event` has these fields)."""

    @property
    def stage(self) -> str: ...
    @property
    def position(self) -> int | None: ...
    @property
    def done(self) -> int: ...
    @property
    def total(self) -> int: ...
    @property
    def cached(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class Step:
    """An update built by a command that runs one stage itself (``vidkit speak``)."""

    stage: str
    position: int | None
    done: int
    total: int
    cached: bool = False


class Tally(Protocol):
    label: str

    @property
    def fraction(self) -> float: ...
    @property
    def activity(self) -> str: ...
    def add(self, update: Any) -> str | None: ...


def _where(stage: str, position: int | None) -> str:
    words = stage_words(stage)
    return words if position is None else f"scene {position} {words}"


class StageTally:
    """Stage events over ``scenes`` scenes (plus joining them when ``assemble``) → one fraction
    and a description of what runs now. Each scene weighs the same; its stages weigh as
    ``weights`` say (``animate`` only counts once a presenter was cut out or rigged), and a
    scene whose last stage finished is complete."""

    def __init__(
        self,
        scenes: int,
        *,
        label: str = "render",
        weights: Mapping[str, float] = RENDER_WEIGHTS,
        assemble: bool = False,
    ) -> None:
        self.label = label
        self.scenes = max(1, scenes)
        self.weights = dict(weights)
        self.assemble = assemble
        self.presenter = False
        self.parts: dict[tuple[str, int | None], float] = {}
        self.running: dict[tuple[str, int | None], None] = {}  # ordered set
        self.finished: dict[tuple[str, int | None], bool] = {}  # → cached
        self.last: tuple[str, int | None] | None = None

    def _scene_weights(self) -> dict[str, float]:
        if self.presenter or len(self.weights) == 1:
            return self.weights
        return {stage: w for stage, w in self.weights.items() if stage != "animate"}

    @property
    def fraction(self) -> float:
        weights = self._scene_weights()
        last = list(weights)[-1]
        whole = sum(weights.values()) or 1.0
        positions = {pos for (stage, pos) in self.parts if stage in weights}
        done = 0.0
        for pos in positions:
            if (last, pos) in self.finished:
                done += 1.0
            else:
                done += sum(w * self.parts.get((s, pos), 0.0) for s, w in weights.items()) / whole
        units = float(self.scenes)
        if self.assemble:
            done += ASSEMBLE_WEIGHT * self.parts.get(("assemble", None), 0.0)
            units += ASSEMBLE_WEIGHT
        return min(1.0, done / units)

    @property
    def activity(self) -> str:
        """What runs now (``scene 2 animating the presenter + composing``), else what finished
        last (``joining the scenes: done``)."""
        if self.running:
            groups: dict[int | None, list[str]] = {}
            for stage, pos in self.running:
                groups.setdefault(pos, []).append(stage_words(stage))
            return ", ".join(
                " + ".join(words) if pos is None else f"scene {pos} " + " + ".join(words)
                for pos, words in groups.items()
            )
        if self.last is None:
            return "starting"
        return f"{_where(*self.last)}: {'cached' if self.finished.get(self.last) else 'done'}"

    def add(self, update: Update) -> str | None:
        """Take an update; returns a plain line to show when a step finished (each step once)."""
        key = (update.stage, update.position)
        if update.stage in ("cutout", "rig"):
            self.presenter = True
        if key in self.finished:
            return None
        share = 1.0 if update.total <= 0 else min(1.0, max(0, update.done) / update.total)
        self.parts[key] = max(self.parts.get(key, 0.0), share)
        self.last = key
        if share < 1.0:
            self.running[key] = None
            return None
        self.running.pop(key, None)
        self.finished[key] = update.cached
        state = "cached" if update.cached else "done"
        return f"{self.label}: {percent(self.fraction):3d}%  {_where(*key)}: {state}"


class ModelTally:
    """:class:`vidkit.models.FetchStep` updates over ``count`` models."""

    label = "models"

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self.ready = 0
        self.activity = "checking"

    @property
    def fraction(self) -> float:
        return min(1.0, self.ready / self.count)

    def add(self, update: FetchStep) -> str | None:
        self.activity = update.message
        if update.state == "downloading":
            return f"{self.label}: {update.index}/{update.count}  {update.message}"
        self.ready += 1
        return None


def mode_for(
    *, as_json: bool = False, quiet: bool = False, lines: bool = True, stream: Any = None
) -> Mode:
    """``off`` with ``--json`` or ``-q``; ``bar`` when stderr is a terminal; else ``lines``
    (``off`` for a command whose own output already says everything its lines would)."""
    if as_json or quiet:
        return "off"
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    if callable(isatty) and isatty():
        return "bar"
    return "lines" if lines else "off"


class Display:
    """Shows a tally while a command runs (a context manager; call it with each update).

    ``bar``: a rich progress bar on stderr (log records and stdout print above it); ``lines``:
    the tally's lines, plus the current activity when nothing was said for ``every`` seconds;
    ``off``: nothing.
    """

    def __init__(
        self,
        tally: Tally,
        mode: Mode,
        *,
        every: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tally = tally
        self.mode = mode
        self.every = every
        self.clock = clock
        self.said = clock()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Display:
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.fields[label]}"),
                BarColumn(bar_width=30),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
            )
            self._bar.start()
            self._task = self._bar.add_task(self.tally.activity, total=100, label=self.tally.label)
        return self

    def __call__(self, update: Any) -> None:
        line = self.tally.add(update)
        if self._bar is not None and self._task is not None:
            self._bar.update(
                self._task, completed=100 * self.tally.fraction, description=self.tally.activity
            )
        elif self.mode == "lines":
            now = self.clock()
            if line is None and now - self.said >= self.every:
                done = percent(self.tally.fraction)
                line = f"{self.tally.label}: {done:3d}%  {self.tally.activity}"
            if line is not None:
                self.said = now
                print(line, file=sys.stderr, flush=True)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None and self._task is not None:
            if kind is not None:
                self._bar.update(self._task, description="stopped")
            self._bar.stop()
            self._bar = None
