"""A render's stage events as MCP progress: a whole percentage that only rises, in words."""

from __future__ import annotations

from vidkit.mcp_server._progress import RenderProgress, words_for
from vidkit.pipeline import Event


def test_stages_in_words() -> None:
    assert words_for(Event("animate", 2, 1, 5)) == "scene 2: animating the presenter"
    assert words_for(Event("assemble", None, 0, 1)) == "putting the scenes together"
    assert words_for(Event("something-new", 1, 0, 1)) == "scene 1: working"


def test_progress_rises_to_100_and_says_each_percent_once() -> None:
    tally = RenderProgress(2, assemble=True)
    events = [Event("cutout", None, 1, 1, cached=True), Event("rig", None, 1, 1)]
    for position in (1, 2):
        events += [Event("speak", position, d, 4) for d in range(5)]
        events += [Event("animate", position, d, 100) for d in range(0, 101, 10)]
        events += [Event("compose", position, d, 300) for d in range(0, 301, 3)]
        events += [Event("compose", position, 150, 300)]  # late, smaller: never goes back
    events += [Event("assemble", None, d, 2) for d in range(3)]
    said = [s for s in map(tally.add, events) if s is not None]
    percents = [p for p, _ in said]
    assert percents == sorted(set(percents)) and percents[-1] == 100
    assert len(said) <= 100
    assert said[0][1] == "scene 1: speaking the narration"
    assert said[-1][1] == "putting the scenes together"


def test_cached_scenes_jump_to_done() -> None:
    tally = RenderProgress(1, assemble=False)
    said = [tally.add(Event(stage, 1, 1, 1, cached=True)) for stage in ("speak", "compose")]
    assert said == [(20, "scene 1: speaking the narration"), (100, "scene 1: composing the scene")]
