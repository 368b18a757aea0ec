"""Voice per scene reaches the presenter (issue #11): the animation of a recorded scene is fed,
and keyed by, the speech the scene plays — the project voice's re-voicing of the kept words, or
the recording's own kept audio — never the other one."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import vidkit.stages.animate as animate_stage
from tests.backends.tts_doubles import ToneTTS
from vidkit.api import Workspace
from vidkit.backends.facerig import Rig
from vidkit.cuts import CutList
from vidkit.editing.recording import set_cuts
from vidkit.pipeline.graph import Presenter, SceneGraph
from vidkit.stages.speak import Speech
from vidkit.stages.step import Step
from vidkit.timing import TranscribedWord as W
from vidkit.timing import Transcript

SLUG = "voiced"
REAL_ANIMATE = animate_stage.animate
WORDS = (W("hello", 200, 600), W("there", 700, 1100), W("friends", 1800, 2400))


class _Transcriber:
    def fingerprint(self) -> str:
        return "fixed-words:v1"

    def transcribe(self, wav: Path, *, language: str | None = None) -> Transcript:
        return Transcript(3000, "en", WORDS)


class _Animator:
    def fingerprint(self) -> str:
        return "animator:v1"


class _Stop(Exception):
    """Raised once the animate step is built: the test looks at it, nothing is rendered."""


Setup = tuple[Workspace, int, SceneGraph, ToneTTS]


@pytest.fixture
def setup(workspace: Workspace, make_media: Callable[..., Path]) -> Setup:
    workspace.create_project(SLUG, "Voiced", width=160, height=120)
    scene = workspace.add_scene(SLUG, "Recorded")
    recording = workspace.import_asset(SLUG, make_media("video", 3.0), kind="screen_capture")
    assert recording.metadata.get("has_audio")
    workspace.catalogue.save_scene_edit(SLUG, scene.id, recording_id=recording.id, voice="own")
    tts = ToneTTS()
    backends = {"tts": tts, "transcriber": _Transcriber(), "animator": _Animator()}
    return workspace, scene.id, SceneGraph(workspace, SLUG, backends=backends), tts


def _animate_step(
    ws: Workspace, scene_id: int, graph: SceneGraph, monkeypatch: pytest.MonkeyPatch
) -> tuple[Speech, Step[Any], dict[str, Any]]:
    """The scene's speech as the graph makes it, and the animate step the graph builds from it."""
    scene = next(s for s in ws.scenes(SLUG) if s.id == scene_id)
    project = ws.project(SLUG)
    speech = graph.speech(scene, project)
    seen: dict[str, Any] = {}

    def capture(*args: Any, **kwargs: Any) -> Step[Any]:
        seen.update(kwargs)
        seen["step"] = REAL_ANIMATE(*args, **kwargs)
        raise _Stop

    monkeypatch.setattr(animate_stage, "animate", capture)
    monkeypatch.setattr(Rig, "from_json", classmethod(lambda cls, text: None))
    # Any stored text asset will do for the portrait and the rig: the step is never run.
    asset = ws.assets(SLUG, kind="transcript")[0].id
    presenter = Presenter(asset, asset, 160, 120, (0, 0, 160, 120))
    with pytest.raises(_Stop):
        graph.animation(project, scene, speech, presenter, compose_live=False)
    return speech, seen["step"], seen


def test_re_voiced_scene_animates_the_project_voice(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, scene_id, graph, tts = setup
    ws.catalogue.save_scene_edit(SLUG, scene_id, voice="project")
    speech, step, seen = _animate_step(ws, scene_id, graph, monkeypatch)
    assert tts.calls == ["hello there friends"], "the kept words are re-voiced"
    assert speech.audio.kind == "tts_audio"
    assert seen["speech"] is speech
    assert speech.audio.sha256 in step.inputs
    edit = ws.catalogue.scene_edit(SLUG, scene_id)
    assert edit is not None
    assert ws.catalogue.asset(edit.recording_id).sha256 not in step.inputs
    assert not ws.assets(SLUG, kind="recording_audio"), "the own voice was not made at all"


def test_own_voice_scene_animates_the_recordings_kept_audio(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, scene_id, graph, tts = setup
    speech, step, seen = _animate_step(ws, scene_id, graph, monkeypatch)
    assert not tts.calls, "nothing is re-voiced"
    assert speech.audio.kind == "recording_audio"
    assert seen["speech"] is speech and speech.audio.sha256 in step.inputs
    assert [w.word for w in speech.timings.words] == ["hello", "there", "friends"]
    whole_key = step.key
    # Cutting part of the recording changes the kept audio, so the animation with it.
    cuts = CutList.whole(0, 88, Fraction(30)).with_action(36, 50, "cut", "manual")
    set_cuts(ws, SLUG, scene_id, cuts)
    tightened, step2, _ = _animate_step(ws, scene_id, graph, monkeypatch)
    assert tightened.audio.kind == "recording_audio"
    assert tightened.audio.sha256 != speech.audio.sha256
    assert tightened.timings.duration_ms == cuts.output_ms
    assert tightened.audio.sha256 in step2.inputs and step2.key != whole_key


def test_the_two_voices_animate_under_different_keys(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, scene_id, graph, _ = setup
    own, own_step, _ = _animate_step(ws, scene_id, graph, monkeypatch)
    ws.catalogue.save_scene_edit(SLUG, scene_id, voice="project")
    revoiced, step, _ = _animate_step(ws, scene_id, graph, monkeypatch)
    assert own.audio.sha256 != revoiced.audio.sha256
    assert own_step.key != step.key
