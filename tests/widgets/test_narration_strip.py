"""The narration strip under the scene editor's preview: the words and times the page gets,
estimated before the narration is spoken and the speech's own after; a click (a message from
the page) seeks the scrubber and the preview; the waveform's envelope is read once."""

from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest

import vidkit.audio
import vidkit.editing.narration
from tests.widgets.conftest import NARRATION
from vidkit import editing
from vidkit.api import Workspace
from vidkit.pipeline.graph import SceneGraph
from widgets.narration_strip import (
    ESTIMATED_NOTE,
    HINT,
    UNSAVED_NOTE,
    NarrationStrip,
    parse_message,
)
from widgets.scene_editor import SceneEditor


def from_page(strip: NarrationStrip, **content: Any) -> None:
    """A custom message as the page's ``model.send(content)`` delivers it to the kernel."""
    strip._handle_custom_msg(content, [])


def _times(editor: SceneEditor) -> list[tuple[str, int, int]]:
    return [(w["text"], w["start_ms"], w["end_ms"]) for w in editor.word_strip.words]


def step_at(ms: int) -> float:
    """The scrubber's first 0.1 s step at or after ``ms``: where a seek to ``ms`` puts it (the
    page's slider holds whole steps only)."""
    return math.ceil(ms / 100 - 1e-9) / 10


def _editor(demo: tuple[Workspace, int]) -> SceneEditor:
    ws, scene_id = demo
    editor = SceneEditor(ws)
    editor.load("demo", scene_id)
    return editor


def test_before_it_is_spoken_the_estimated_words_show_with_a_note(
    demo: tuple[Workspace, int],
) -> None:
    editor = _editor(demo)
    strip = editor.word_strip
    assert strip in editor.body.children[0].children  # in the preview's column
    assert "vk-narration-strip" in strip._dom_classes
    assert editor.draft is not None
    expected = [(w.word, w.start_ms, w.end_ms) for w in editor.draft.words.words]
    assert _times(editor) == expected and [t for t, _, _ in expected] == NARRATION.split()
    assert expected == [
        (w.word, w.start_ms, w.end_ms)
        for w in editing.narration_words(demo[0], "demo", demo[1]).words
    ]
    assert not strip.spoken and strip.waveform == [] and strip.duration_ms == 5200
    assert strip.note == ESTIMATED_NOTE and strip.hint == HINT and strip.unsaved == ""
    assert strip.position_ms == 2600  # the scrubber starts in the middle


def test_a_click_on_a_word_seeks_the_scrubber_and_the_preview(
    demo: tuple[Workspace, int],
) -> None:
    editor = _editor(demo)
    strip = editor.word_strip
    before = editor.preview.value
    word = strip.words[3]  # "loop"
    from_page(strip, event="seek", index=3)
    assert editor.scrubber.value == pytest.approx(step_at(word["start_ms"]))
    assert word["start_ms"] <= strip.position_ms < word["start_ms"] + 100
    assert strip.position_ms < word["end_ms"]  # the preview shows the word being said
    assert editor.preview.value != before and editor.preview.value[:2] == b"\xff\xd8"
    assert not editor.is_dirty  # seeking is no edit
    # dragging the scrubber moves the marker
    editor.scrubber.value = 4.0
    assert strip.position_ms == 4000
    # what the page may not ask is ignored
    for bad in (
        {"event": "seek", "index": len(strip.words)}, {"event": "seek", "index": -1},
        {"event": "seek", "index": True}, {"event": "seek", "index": "2"},
        {"event": "open", "index": 2}, {"event": "seek"},
    ):  # fmt: skip
        from_page(strip, **bad)
        assert editor.scrubber.value == 4.0
    assert parse_message({"event": "seek", "index": 2}, 3) == {"event": "seek", "index": 2}
    assert parse_message(["seek", 2], 3) is None


def test_typing_marks_the_words_unsaved_and_saving_places_them_again(
    demo: tuple[Workspace, int],
) -> None:
    editor = _editor(demo)
    strip = editor.word_strip
    words = strip.words
    editor.narration.value = "Short and new."
    assert strip.words == words  # the words are not laid out again at every keystroke
    assert strip.unsaved == UNSAVED_NOTE
    editor.narration.value = NARRATION
    assert strip.unsaved == ""
    editor.narration.value = "Short and new."
    assert editor.save()
    assert [w["text"] for w in strip.words] == ["Short", "and", "new."]
    assert strip.unsaved == "" and strip.note == ESTIMATED_NOTE
    editor.load("demo", None)
    assert strip.words == [] and strip.note == ""


@pytest.mark.slow
def test_once_spoken_the_speech_timings_and_waveform_show_and_the_envelope_is_read_once(
    demo: tuple[Workspace, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, scene_id = demo
    editor = _editor(demo)
    strip = editor.word_strip
    assert not strip.spoken
    speech = SceneGraph(ws, "demo").speech(ws.scene("demo", scene_id))  # Piper: seconds
    reads: list[Path] = []
    real = vidkit.audio.read_wav

    def counted(path: Path) -> Any:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(vidkit.audio, "read_wav", counted)
    # an empty cache: Piper speaks the same words to the same WAV in every test
    monkeypatch.setattr(vidkit.editing.narration, "_CACHE", OrderedDict())
    editor.refresh_draft()  # what the studio does after a render spoke it
    timings = speech.timings
    assert _times(editor) == [(w.word, w.start_ms, w.end_ms) for w in timings.words]
    assert strip.spoken and strip.duration_ms == timings.duration_ms and strip.note == ""
    assert 200 <= len(strip.waveform) <= 2400 and max(strip.waveform) > 100
    assert reads == [ws.asset_path(speech.audio)]
    # shown again (another refresh, the scene opened again): the envelope is not read again
    waveform = strip.waveform
    editor.refresh_draft()
    editor.load("demo", scene_id)
    assert strip.waveform == waveform and len(reads) == 1
    # a click seeks to the spoken word's start
    before = editor.preview.value
    from_page(strip, event="seek", index=5)
    assert editor.scrubber.value == pytest.approx(step_at(timings.words[5].start_ms))
    assert editor.preview.value != before
    # the narration edited and saved: no longer spoken, estimated again, no waveform
    editor.narration.value = NARRATION + " Once more."
    assert editor.save()
    assert not strip.spoken and strip.waveform == [] and strip.note == ESTIMATED_NOTE
    assert strip.words[-1]["text"] == "more."
