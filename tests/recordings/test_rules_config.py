"""Every ``[tighten]`` config key has an effect (issue #11: "rules, all configurable"): on one
fixture that exercises every rule, changing any one rule key alone gives a different cut list,
and ``crossfade_ms`` reaches the join of a scene's own voice."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import vidkit
import vidkit.stages.tighten as tighten_stage
from tests.conftest import write_config
from vidkit.config import TightenConfig
from vidkit.cuts import CutList
from vidkit.pipeline.graph import SceneGraph
from vidkit.recordings.rules import plan_cuts, rules_from
from vidkit.stages.step import Step
from vidkit.timing import TranscribedWord as W

FPS = Fraction(30)

# A filler, a restart, a long pause over an idle screen, typing without talking, a sound with no
# words in it and a word that only a changed filler list names.
WORDS = [
    W("hello", 0, 500),
    W("um", 800, 1000),
    W("so", 1300, 1500),
    W("the", 1500, 1700),
    W("so", 1800, 2000),
    W("the", 2000, 2200),
    W("end", 2300, 2700),
    W("bye", 10000, 10400),
    W("like", 11500, 11800),
]
SPEECH = [(0, 2700), (10000, 10400), (10800, 11200), (11500, 11800)]
IDLE = [(0, 6000), (10000, 12000)]  # the screen changes (typing) from 6000 to 10000

#: Each key of ``[tighten]`` that the rules read, and a valid value other than its default.
CHANGES: dict[str, Any] = {
    "min_silence_ms": 5000,
    "keep_pause_ms": 800,
    "word_margin_ms": 150,
    "cut_fillers": False,
    "fillers": ("like",),
    "cut_unworded": False,
    "cut_restarts": False,
    "speed_typing": False,
    "typing_min_ms": 2000,
    "max_speed": 2.0,
}
#: Keys that are not the rules' (they tune the join of the kept audio, not what is cut).
NOT_RULES = {"crossfade_ms"}


def _plan(config: TightenConfig) -> CutList:
    return plan_cuts(fps=FPS, in_ms=0, out_ms=12000, words=WORDS, speech=SPEECH, idle=IDLE,
                     rules=rules_from(config))  # fmt: skip


def _summary(cuts: CutList) -> list[tuple[int, int, str, str, float]]:
    return [(s.start, s.end, s.action, s.reason, s.speed) for s in cuts.spans]


def test_every_config_key_is_covered() -> None:
    assert set(TightenConfig.model_fields) == set(CHANGES) | NOT_RULES


def test_the_fixture_exercises_every_rule() -> None:
    cuts = _plan(TightenConfig())
    reasons = [s.reason for s in cuts.spans if s.action == "cut"]
    assert {"filler", "restart", "silence"} <= set(reasons)
    assert reasons.count("filler") == 2  # the "um" and the sound with no words
    sped = [s for s in cuts.spans if s.action == "speed"]
    assert len(sped) == 1 and sped[0].reason == "typing" and 1 < sped[0].speed < 4


@pytest.mark.parametrize("key", sorted(CHANGES))
def test_a_changed_key_changes_the_plan(key: str) -> None:
    default = TightenConfig()
    changed = TightenConfig(**{key: CHANGES[key]})
    assert getattr(changed, key) != getattr(default, key)
    assert _summary(_plan(changed)) != _summary(_plan(default)), f"[tighten] {key} has no effect"


def _own_voice_step(
    folder: Path, extra: str, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> Step[Any]:
    """The join step the graph builds for a recorded scene in its own voice, under a config."""
    ws = vidkit.open(write_config(folder, extra))
    ws.create_project("cfg", "Config", width=160, height=120)
    scene = ws.add_scene("cfg", "Recorded")
    asset = ws.import_asset("cfg", clip, kind="screen_capture")
    ws.catalogue.save_scene_edit("cfg", scene.id, recording_id=asset.id, voice="own")
    built: list[Step[Any]] = []
    real = tighten_stage.tighten

    def capture(*args: Any, **kwargs: Any) -> Step[Any]:
        built.append(real(*args, **kwargs))
        return built[-1]

    with monkeypatch.context() as patch:
        patch.setattr(tighten_stage, "tighten", capture)
        SceneGraph(ws, "cfg").speech(scene)
    [step] = built
    return step


def test_crossfade_ms_reaches_the_join_of_the_kept_audio(
    tmp_path: Path, make_media: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = make_media("silent-video", 2.0)  # no sound: no transcriber is needed
    default = _own_voice_step(tmp_path / "a", "", clip, monkeypatch)
    changed = _own_voice_step(tmp_path / "b", "[tighten]\ncrossfade_ms = 40\n", clip, monkeypatch)
    assert default.params["crossfade_ms"] == TightenConfig().crossfade_ms
    assert changed.params["crossfade_ms"] == 40
    assert changed.key != default.key, "[tighten] crossfade_ms has no effect"
