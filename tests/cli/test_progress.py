"""The progress display of long commands: what a tally makes of a run's events, what each mode
shows, and what ``vidkit render`` prints on stderr when it is not a terminal."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import run_cli
from tests.conftest import write_config
from vidkit.cli._progress import (
    STAGE_WORDS,
    Display,
    ModelTally,
    StageTally,
    Step,
    mode_for,
    stage_words,
)
from vidkit.models import FetchStep


def feed(tally: StageTally, *steps: Step) -> list[str | None]:
    return [tally.add(step) for step in steps]


def test_stages_are_named_in_plain_words() -> None:
    assert [stage_words(s) for s in ("speak", "cutout", "rig", "animate", "compose")] == [
        "speaking",
        "cutting out the presenter",
        "finding the face",
        "animating the presenter",
        "composing",
    ]
    assert stage_words("assemble") == "joining the scenes"
    assert stage_words("new-stage") == "new-stage"
    assert set(STAGE_WORDS) == {
        "speak", "cutout", "rig", "animate", "compose", "assemble", "transcribe", "analyse",
        "capture", "qc",
    }  # fmt: skip
    assert stage_words("analyse") == "finding pauses and idle screen"


def test_a_whole_render_with_a_presenter() -> None:
    tally = StageTally(2, assemble=True)
    assert (tally.fraction, tally.activity) == (0.0, "starting")
    lines = feed(tally, Step("cutout", None, 1, 1, cached=True), Step("rig", None, 1, 1))
    assert lines == [
        "render:   0%  cutting out the presenter: cached",
        "render:   0%  finding the face: done",
    ]
    assert tally.activity == "finding the face: done"

    assert feed(tally, Step("speak", 1, 1, 2)) == [None]
    assert tally.activity == "scene 1 speaking"
    assert feed(tally, Step("speak", 2, 0, 3)) == [None]
    assert tally.activity == "scene 1 speaking, scene 2 speaking"
    assert tally.fraction == pytest.approx(0.15 * 0.5 / 2.5)

    lines = feed(
        tally,
        Step("speak", 1, 2, 2),
        Step("speak", 1, 1, 1),  # the stage's own "finished" event repeats the last chunk's
        Step("animate", 1, 10, 50),
        Step("compose", 1, 5, 50),
    )
    assert lines == ["render:   6%  scene 1 speaking: done", None, None, None]
    assert tally.activity == "scene 2 speaking, scene 1 animating the presenter + composing"
    assert tally.fraction == pytest.approx((0.15 + 0.25 * 0.2 + 0.6 * 0.1) / 2.5)

    before = tally.fraction
    feed(tally, Step("compose", 1, 1, 50))  # never goes back
    assert tally.fraction == before

    lines = feed(tally, Step("animate", 1, 50, 50), Step("compose", 1, 50, 50))
    assert lines == [
        "render:  18%  scene 1 animating the presenter: done",
        "render:  40%  scene 1 composing: done",
    ]
    assert tally.fraction == pytest.approx(1 / 2.5), "a composed scene is complete"

    for stage in ("speak", "animate", "compose"):
        tally.add(Step(stage, 2, 1, 1, cached=True))
    assert tally.fraction == pytest.approx(2 / 2.5)
    assert tally.activity == "scene 2 composing: cached"
    assert feed(tally, Step("assemble", None, 3, 4)) == [None]
    assert tally.activity == "joining the scenes"
    assert feed(tally, Step("assemble", None, 1, 1)) == ["render: 100%  joining the scenes: done"]
    assert tally.fraction == 1.0


def test_without_a_presenter_a_scene_is_speak_then_compose() -> None:
    tally = StageTally(1)
    assert tally.add(Step("speak", 1, 1, 1)) == "render:  20%  scene 1 speaking: done"
    tally.add(Step("compose", 1, 30, 60))
    assert tally.fraction == pytest.approx(0.2 + 0.8 * 0.5)
    assert tally.add(Step("compose", 1, 60, 60)) == "render: 100%  scene 1 composing: done"


def test_one_stage_alone() -> None:
    tally = StageTally(1, label="speak", weights={"speak": 1.0})
    tally.add(Step("speak", None, 1, 4))
    assert (tally.fraction, tally.activity) == (0.25, "speaking")
    assert tally.add(Step("speak", None, 1, 1)) == "speak: 100%  speaking: done"


def test_models_fetch_progress() -> None:
    tally = ModelTally(2)
    assert tally.add(FetchStep("u2netp", 1, 2, "present", "u2netp.onnx")) is None
    assert (tally.fraction, tally.activity) == (0.5, "u2netp: already present")
    line = tally.add(FetchStep("face", 2, 2, "downloading", "face-wheel"))
    assert line == "models: 2/2  face: downloading face-wheel"
    assert tally.fraction == 0.5
    tally.add(FetchStep("face", 2, 2, "verified", "face.task"))
    assert (tally.fraction, tally.activity) == (1.0, "face: verified face.task")


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_the_mode_follows_the_terminal_quiet_and_json() -> None:
    assert mode_for(stream=_Stream(True)) == "bar"
    assert mode_for(stream=_Stream(False)) == "lines"
    assert mode_for(stream=_Stream(False), lines=False) == "off"
    assert mode_for(stream=_Stream(True), quiet=True) == "off"
    assert mode_for(stream=_Stream(True), as_json=True) == "off"


def test_lines_mode_prints_finished_steps_and_a_reminder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = [0.0]
    with Display(StageTally(1), "lines", every=30, clock=lambda: now[0]) as show:
        show(Step("speak", 1, 1, 1))
        now[0] = 10.0
        show(Step("compose", 1, 1, 10))  # nothing to say yet
        now[0] = 45.0
        show(Step("compose", 1, 5, 10))  # 35 s of silence: a reminder
        now[0] = 50.0
        show(Step("compose", 1, 6, 10))
        show(Step("compose", 1, 10, 10))
    assert capsys.readouterr() == (
        "",
        "render:  20%  scene 1 speaking: done\n"
        "render:  60%  scene 1 composing\n"
        "render: 100%  scene 1 composing: done\n",
    )


def test_off_mode_shows_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    tally = StageTally(1)
    with Display(tally, "off") as show:
        show(Step("speak", 1, 1, 1))
    assert tally.fraction == pytest.approx(0.2)
    assert capsys.readouterr() == ("", "")


def test_bar_mode_draws_a_bar_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    with Display(StageTally(1), "bar") as show:
        show(Step("speak", 1, 1, 1))
        show(Step("compose", 1, 5, 10))
    out, err = capsys.readouterr()
    assert out == ""
    assert "render" in err and "60%" in err and "scene 1 composing" in err


def test_a_failure_stops_the_bar(capsys: pytest.CaptureFixture[str]) -> None:
    display = Display(StageTally(1), "bar")

    def run() -> Any:
        with display as show:
            show(Step("speak", 1, 1, 2))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run()
    assert display._bar is None
    assert "stopped" in capsys.readouterr().err


@pytest.mark.slow
def test_render_reports_progress_off_a_terminal(tmp_path: Path) -> None:
    config = write_config(tmp_path / "ws", '[render]\npreset = "ultrafast"\n')
    created = run_cli(
        "-c", config, "projects", "create", "--slug", "p", "--title", "P",
        "--width", "320", "--height", "180",
    )  # fmt: skip
    assert created.ok, created
    assert run_cli("-c", config, "scenes", "add", "p", "--title", "Hi", "--narration", "Hi.").ok

    first = run_cli("-c", config, "render", "p", "--scene", "1")
    assert first.ok, first
    lines = first.stderr.splitlines()
    assert "warning: project p has no avatar photo: rendering without a presenter" in lines
    assert "render:  20%  scene 1 speaking: done" in lines
    assert "render: 100%  scene 1 composing: done" in lines
    assert "scene 1  rendered" in first.stdout

    quiet = run_cli("-c", config, "-q", "render", "p", "--scene", "1")
    assert quiet.ok and quiet.stderr == "", quiet
    assert "scene 1  cached" in quiet.stdout

    as_json = run_cli("-c", config, "render", "p", "--scene", "1", "--json")
    assert as_json.json()["scenes"][0]["cached"]["compose"] is True
    assert "render:" not in as_json.stderr
