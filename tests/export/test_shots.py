"""The clip arithmetic, without rendering: a cut list on the scene's clock (fitted, held, cut
at the end), and screen clips back into a cut list."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest

from vidkit.cuts import CutList
from vidkit.export.shots import Shot, recording_shots, sound_shots
from vidkit.export.trims import Played, Unmappable, cuts_from_clips, played_by
from vidkit.timeline import FitPlan, RecordingSource

FPS = Fraction(25)
CUTS = (
    CutList.whole(0, 200, FPS)
    .with_action(50, 80, "cut", "silence")
    .with_action(120, 160, "speed", "typing", 4.0)
)  # keep 0..50, cut, keep 80..120, speed 120..160 (10 frames), keep 160..200: 140 frames out


def source(cuts: CutList | None = CUTS) -> RecordingSource:
    return RecordingSource(Path("/r.mp4"), 8000, 640, 360, cuts=cuts)


def test_each_piece_is_a_shot_and_a_short_stream_holds_its_last_frame() -> None:
    shots = recording_shots(source(), FitPlan(), 142, FPS)
    assert shots == [
        Shot(0, 50, 0, Fraction(1), CUTS.spans[0]),
        Shot(50, 40, 80, Fraction(1), CUTS.spans[2]),
        Shot(90, 10, 120, Fraction(4), CUTS.spans[3]),
        Shot(100, 40, 160, Fraction(1), CUTS.spans[4]),
        Shot(140, 2, 199, Fraction(0), hold=True),
    ]
    assert sum(s.frames for s in shots) == 142
    assert [s.scalar for s in sound_shots(shots)] == [1, 1, 1, 1], "sound: first stretch, no hold"


def test_a_fitted_or_long_stream_is_scaled_and_cut_at_the_scenes_end() -> None:
    fast = recording_shots(source(), FitPlan(speed=2.0), 60, FPS)
    assert [(s.at, s.frames, s.scalar) for s in fast] == [
        (0, 25, 2), (25, 20, 2), (45, 5, 8), (50, 10, 2),
    ]  # fmt: skip
    whole = recording_shots(source(None), FitPlan(), 150, FPS)
    assert whole == [Shot(0, 150, 0, Fraction(1))], "an uncut 8 s recording cut at 6 s"


def clip(start: int, frames: int, meta: dict[str, Any], scalar: float = 1.0) -> Any:
    made = otio.schema.Clip(
        name=f"c{start}",
        source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(start, 25), otio.opentime.RationalTime(frames, 25)
        ),
    )
    if scalar != 1.0:
        made.effects.append(otio.schema.LinearTimeWarp(time_scalar=scalar))
    made.metadata["vidkit"] = meta
    return made


def exported(shot: Shot) -> dict[str, Any]:
    span = shot.span
    assert span is not None
    return {
        "scene_id": 1,
        "exported": [shot.source, shot.frames, str(shot.scalar)],
        "span": [span.start, span.end, span.action, span.speed, span.reason],
    }


def test_unchanged_clips_give_back_the_same_cut_list() -> None:
    shots = recording_shots(source(), FitPlan(), 140, FPS)
    played = [played_by(clip(s.source, s.frames, exported(s), float(s.scalar)), FPS, 1.0)
              for s in shots]  # fmt: skip
    found = [p for p in played if p is not None]
    assert cuts_from_clips(CUTS, found, names=["x"] * len(found)) == CUTS


def test_trims_cut_and_keep_the_old_reasons() -> None:
    shots = recording_shots(source(), FitPlan(), 140, FPS)
    first, second, fast, _last = (exported(s) for s in shots)
    played = [
        played_by(clip(10, 40, first), FPS, 1.0),  # 10 frames trimmed off the head
        played_by(clip(80, 40, second), FPS, 1.0),
        played_by(clip(120, 5, fast, 4.0), FPS, 1.0),  # the sped-up piece shortened
        # the last piece deleted
    ]
    found = [p for p in played if p is not None]
    assert found[2] == Played(120, 140, "speed", 4.0, "typing")
    cuts = cuts_from_clips(CUTS, found, names=["a", "b", "c"])
    assert [(s.start, s.end, s.action, s.reason) for s in cuts.spans] == [
        (0, 10, "cut", "manual"), (10, 50, "keep", ""), (50, 80, "cut", "silence"),
        (80, 120, "keep", ""), (120, 140, "speed", "typing"), (140, 200, "cut", "manual"),
    ]  # fmt: skip


def test_what_is_no_cut_list_is_refused_in_words() -> None:
    shots = recording_shots(source(), FitPlan(), 140, FPS)
    first = exported(shots[0])
    with pytest.raises(Unmappable, match="slowed down"):
        played_by(clip(0, 50, first, 0.5), FPS, 1.0)
    with pytest.raises(Unmappable, match="overlap or are out of order"):
        cuts_from_clips(CUTS, [Played(80, 120), Played(0, 50)], names=["b", "a"])
    with pytest.raises(Unmappable, match="reaches past the scene's stretch"):
        cuts_from_clips(CUTS, [Played(150, 220)], names=["late"])
