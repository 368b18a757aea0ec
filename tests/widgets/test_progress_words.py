"""Progress in words: every stage the pipeline reports has words, with a percentage instead of
counters, in the render panel and the recording editor alike."""

from __future__ import annotations

import pytest

from vidkit.api import Workspace
from vidkit.cli._progress import STAGE_WORDS as CLI_STAGES
from vidkit.pipeline import Event
from widgets.progress_words import STAGE_WORDS, doing, percent
from widgets.recording import RecordingEditor
from widgets.render_panel import status_line


def test_stages_read_as_words_with_a_percentage() -> None:
    assert doing("animate", 2, 5) == "animating the presenter, 40%"
    assert doing("cutout", 1, 1) == "cutting out the presenter"
    assert doing("speak") == "speaking the narration"
    assert doing("capture", 3, 4) == "capturing the screen, 75%"
    assert doing("assemble", 4133, 16534) == "putting the scenes together, 24%"
    assert doing("no-such-stage", 1, 2) == "working, 50%"
    assert percent(16533, 16534) == 99 and percent(5, 5) == 100 and percent(0, 1) is None


def test_every_stage_the_pipeline_reports_has_words() -> None:
    assert set(CLI_STAGES) <= set(STAGE_WORDS)
    for words in STAGE_WORDS.values():
        assert words == words.lower() and "_" not in words


@pytest.mark.parametrize(
    ("record", "line"),
    [
        ({"event": "progress", "stage": "rig", "position": None, "done": 1, "total": 1},
         "Finding the presenter's face…"),
        ({"event": "progress", "stage": "assemble", "position": None, "done": 4133,
          "total": 16534}, "Putting the scenes together, 24%…"),
        ({"event": "progress", "stage": "animate", "position": 2, "done": 36, "total": 90},
         "Scene 2: animating the presenter, 40%…"),
        ({"event": "plan", "scenes": []}, "Starting the render…"),
    ],
)  # fmt: skip
def test_the_render_status_line_is_in_words(record: dict[str, object], line: str) -> None:
    assert status_line(record) == line


def test_the_recording_editor_uses_the_same_words(workspace: Workspace) -> None:
    editor = RecordingEditor(workspace)
    editor._progress(Event("transcribe", 1, 3, 10))
    assert "Working: transcribing what is said, 30%…" in editor.status.value
