"""Fitting a screen recording to its narration: a speed within a cap, then freeze or cut.

:func:`plan_fit` decides; :func:`fit_filter` turns the decision into the ffmpeg video filter
chain that :mod:`vidkit.render.compose` applies to the (letterboxed) recording, and the preview
(:mod:`vidkit.render.sources`) reproduces the same frame choice without running it.

The rule, with ``ratio = source / target`` and the speed cap ``min_speed..max_speed``:

* within the cap: play at ``speed = ratio``; the recording lasts exactly the narration;
* too short even at ``min_speed``: play at ``min_speed``, then hold (freeze) the last frame;
* too long even at ``max_speed``: play at ``max_speed``, then cut what is left.

``beyond`` says which of those two remedies may be used past the cap. ``"auto"`` (the default)
allows both, as above. ``"freeze"`` never cuts: a recording too long for the cap is sped past
``max_speed`` so that all of it is shown. ``"cut"`` never freezes: a recording too short for the
cap is slowed past ``min_speed`` so that it fills the scene. The note says when that happens.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from vidkit.errors import InvalidInput, MediaError
from vidkit.timeline import FitPlan

__all__ = ["Beyond", "fit_filter", "plan_fit"]

Beyond = Literal["auto", "freeze", "cut"]

_SAME = 0.005  # |speed - 1| below this reads as "plays as recorded"


def _times(speed: float) -> str:
    text = f"{speed:.2f}".rstrip("0").rstrip(".")
    return f"{text}×"


def _seconds(ms: float) -> str:
    if ms >= 10_000:
        return f"{round(ms / 1000)} s"
    text = f"{ms / 1000:.1f}".rstrip("0").rstrip(".")
    return f"{text} s"


def _speed_note(speed: float) -> str:
    if abs(speed - 1.0) < _SAME:
        return "plays as recorded"
    return f"sped up {_times(speed)}" if speed > 1.0 else f"slowed to {_times(speed)}"


def plan_fit(
    source_ms: int,
    target_ms: int,
    *,
    min_speed: float = 0.5,
    max_speed: float = 2.0,
    beyond: Beyond = "auto",
) -> FitPlan:
    """How to make a ``source_ms`` recording last ``target_ms`` (see the module docstring)."""
    if source_ms <= 0:
        raise MediaError("the recording has no length (0 ms of video); record or export it again")
    if target_ms <= 0:
        raise InvalidInput(f"a scene must last more than 0 ms (got {target_ms} ms)", field="target")
    if not 0.0 < min_speed <= 1.0 <= max_speed:
        raise InvalidInput(
            f"the speed cap must satisfy 0 < min_speed <= 1 <= max_speed "
            f"(got {min_speed} and {max_speed})",
            field="min_speed",
        )
    if beyond not in ("auto", "freeze", "cut"):
        raise InvalidInput(f"beyond must be auto, freeze or cut, not {beyond!r}", field="beyond")
    ratio = source_ms / target_ms
    if ratio < min_speed and beyond != "cut":
        frozen = target_ms - source_ms / min_speed
        note = f"slowed to {_times(min_speed)} and froze the last frame for {_seconds(frozen)}"
        return FitPlan(speed=min_speed, mode="freeze", note=note)
    if ratio > max_speed and beyond != "freeze":
        cut = source_ms - target_ms * max_speed
        return FitPlan(
            speed=max_speed,
            mode="cut",
            note=f"played at {_times(max_speed)} and cut the last {_seconds(cut)}",
        )
    note = _speed_note(ratio)
    if ratio < min_speed:
        note += f" (past the {_times(min_speed)} cap, so that nothing freezes)"
    elif ratio > max_speed:
        note += f" (past the {_times(max_speed)} cap, so that nothing is cut)"
    return FitPlan(speed=ratio, mode="exact", note=note)


def fit_filter(plan: FitPlan, fps: Fraction, target_frames: int) -> str:
    """The ffmpeg video filter chain that plays a recording as ``plan`` says and yields exactly
    ``target_frames`` frames at constant ``fps``.

    ``setpts`` starts the recording at 0 and applies the speed; ``fps`` makes it constant-rate
    (each output frame shows the latest input frame whose time rounds to it or earlier);
    ``tpad`` clones the last frame (the freeze, and a safety margin in every mode, so that a
    container that over-states its duration still gives a full scene); ``trim`` stops at the
    frame count (the cut)."""
    if not plan.speed > 0:
        raise InvalidInput(f"a fit speed must be positive, not {plan.speed}", field="speed")
    if fps <= 0 or target_frames < 1:
        raise InvalidInput(f"a fitted scene needs fps > 0 and >= 1 frame ({fps}, {target_frames})")
    rate = f"{fps.numerator}/{fps.denominator}"
    pad = f"{float(Fraction(target_frames + 1) / fps):.6f}"
    return (
        f"setpts=(PTS-STARTPTS)/{plan.speed!r},fps={rate},"
        f"tpad=stop_mode=clone:stop_duration={pad},trim=end_frame={target_frames}"
    )
