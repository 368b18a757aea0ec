"""The runner's schedule: the presenter and speech first, then scenes longest first."""

from __future__ import annotations

from vidkit.model import Scene
from vidkit.pipeline.schedule import MISSING, Plan


def _plan(presenter: object = MISSING) -> Plan:
    scenes = {i: Scene(id=i, project_id=1, position=i, title=f"s{i}") for i in (1, 2, 3)}
    return Plan(scenes, presenter)


def _names(plan: Plan, running: set[str]) -> str | None:
    task = plan.next_task(running)
    return task.name if task else None


def test_presenter_then_speech_in_order_then_the_longest_scene() -> None:
    plan = _plan()
    assert _names(plan, set()) == "presenter"
    assert _names(plan, {"presenter"}) == "speak:1"
    assert _names(plan, {"presenter", "speak:1"}) == "speak:2"
    plan.take("speak:1", 4000)
    plan.take("speak:2", 9000)
    plan.take("speak:3", 6000)
    assert _names(plan, {"presenter"}) is None, "scenes wait for the presenter"
    plan.take("presenter", None)  # the project has no presenter: scenes go on without
    assert _names(plan, set()) == "scene:2"
    assert _names(plan, {"scene:2"}) == "scene:3"
    assert _names(plan, {"scene:2", "scene:3"}) == "scene:1"


def test_a_made_presenter_goes_straight_to_speech_and_scenes_finish_the_plan() -> None:
    plan = _plan(presenter=None)
    assert _names(plan, set()) == "speak:1"
    for sid in (1, 2, 3):
        plan.take(f"speak:{sid}", 1000 * sid)
    for sid in (3, 2, 1):
        assert _names(plan, set()) == f"scene:{sid}"
        plan.take(f"scene:{sid}", object())
    assert plan.finished and _names(plan, set()) is None


def test_scenes_cut_from_one_recording_are_not_spoken_at_once() -> None:
    plan = _plan(presenter=None)
    plan.sources.update({1: 7, 2: 7})  # scenes 1 and 2 share recording 7; scene 3 is narrated
    assert _names(plan, set()) == "speak:1"
    assert _names(plan, {"speak:1"}) == "speak:3", "scene 2 waits for the transcription"
    plan.take("speak:1", 5000)
    assert _names(plan, {"speak:3"}) == "speak:2"
