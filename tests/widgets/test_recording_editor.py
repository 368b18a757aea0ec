"""The recording editor, driven as a user would: choose a recording for a scene, transcribe it,
click words, cut them, restore them, undo; and the strip drawn from the cut list.

The recording is made for real, once for the module: Piper speech (a greeting, a pause, a
spoken "um", a sentence, a pause, a last sentence) under a test picture that moves only in the
middle, transcribed by the configured whisper tiny.
"""

from __future__ import annotations

import io
import re
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.backends.tts_doubles import steady_piper
from tests.widgets.conftest import NARRATION, fast_workspace
from vidkit import editing
from vidkit.api import Workspace
from vidkit.audio import read_wav, write_wav
from vidkit.cuts import CutList
from vidkit.editing import RecordingView, TranscriptWord
from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe
from vidkit.model import SceneEdit
from widgets.recording import RecordingEditor
from widgets.recording_pictures import ACTIVITY, CUT, KEPT, LANE_PX, SPED_UP, frame_jpeg, x_of
from widgets.recording_words import (
    WORDS_PER_PAGE,
    WordPicker,
    cut_words,
    length_text,
    word_ranges,
)
from widgets.scene_editor import SceneEditor

SLUG = "rec"
SAID = [
    "Hello and welcome to this short session.",
    None,
    "Um",
    "The function returns a list of squares.",
    None,
    "Let us run it now.",
]


def _build_recording(folder: Path) -> Path:
    tts = steady_piper()
    pieces: list[np.ndarray[Any, Any]] = []
    rate = 22050
    for i, text in enumerate(SAID):
        if text is None:
            pieces.append(np.zeros(int(2.5 * rate), np.int16))
            continue
        wav = folder / f"part{i}.wav"
        tts.synthesize(text, wav)
        samples, rate = read_wav(wav)
        pieces += [samples, np.zeros(int(0.2 * rate), np.int16)]
    speech = np.concatenate(pieces)
    write_wav(folder / "speech.wav", speech, rate)
    seconds = len(speech) / rate
    video = folder / "session.mp4"
    picture = (
        f"testsrc2=s=640x360:r=25:d={seconds:.3f},"
        "drawbox=x=0:y=0:w=iw:h=ih:color=gray:t=fill:enable='not(between(t,4,7))'"
    )
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", picture,
         "-i", str(folder / "speech.wav"), "-c:v", "libx264", "-preset", "ultrafast",
         "-c:a", "aac", "-shortest", str(video)],
        check=True, timeout=120,
    )  # fmt: skip
    return video


@pytest.fixture(scope="module")
def studio_ws(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, int]:
    """A 640×360 project at 25 fps holding the recording; returns its asset id."""
    recording = _build_recording(tmp_path_factory.mktemp("recording"))
    ws = fast_workspace(tmp_path_factory.mktemp("ws"))
    ws.create_project(SLUG, "Recorded", width=640, height=360, fps=25)
    asset = ws.import_asset(SLUG, recording, kind="screen_capture")
    return ws, asset.id


def _scene(studio_ws: tuple[Workspace, int], *, recorded: bool = True) -> int:
    ws, recording_id = studio_ws
    scene = ws.add_scene(SLUG, "Session", narration=NARRATION)
    if recorded:
        editing.use_recording(ws, SLUG, scene.id, recording_id)
    return scene.id


def _editor(studio_ws: tuple[Workspace, int], *, tightened: bool = True) -> RecordingEditor:
    ws, _ = studio_ws
    editor = RecordingEditor(ws, SLUG, _scene(studio_ws), background=False)
    if tightened:
        assert editor.tighten(), editor.message.message
        assert not editor.message.is_error, editor.message.message
    return editor


def _plain(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _index(editor: RecordingEditor, word: str) -> int:
    assert editor.view is not None
    found = [w.index for w in editor.view.words if _plain(w.text) == word]
    assert found, [w.text for w in editor.view.words]
    return found[0]


def _button(editor: RecordingEditor, index: int) -> Any:
    return editor.words.buttons[index]


def _struck(button: Any) -> bool:
    return bool(
        button.style.text_decoration == "line-through" and "vk-word-cut" in button._dom_classes
    )


def test_choosing_a_recording_shows_the_recording_editor(
    studio_ws: tuple[Workspace, int],
) -> None:
    ws, recording_id = studio_ws
    scene_id = _scene(studio_ws, recorded=False)
    editor = SceneEditor(ws, background=False)
    editor.load(SLUG, scene_id)
    sources, recording = editor.sources, editor.recording
    assert recording in editor.children and not recording.shown
    labels = {v: k for k, v in sources.recording_choice.options}
    assert "session.mp4" in labels[recording_id] and "s)" in labels[recording_id]

    sources.recording_choice.value = recording_id  # the user picks it
    assert not editor.message.is_error, editor.message.message
    assert recording.shown and "session.mp4" in recording.heading.value
    assert "own voice" in recording.heading.value
    assert "the recording session.mp4" in sources.summary.value
    assert "Not transcribed yet" in recording.lengths.value
    assert not recording.transcribe_button.disabled and not recording.tighten_button.disabled
    assert recording.delete_button.disabled and recording.undo_button.disabled

    sources.recording_choice.value = 0  # back to the narration
    assert not recording.shown and ws.catalogue.scene_edit(SLUG, scene_id) is None
    sources.recording_choice.value = recording_id
    assert recording.shown
    sources.use_code("print('hi')\n", "hi.py")  # another screen ends the recording
    assert not recording.shown and ws.catalogue.scene_edit(SLUG, scene_id) is None
    assert "code file hi.py" in sources.summary.value
    assert ws.assets(SLUG, kind="screen_capture")[0].id == recording_id  # still in the project


def test_a_damaged_recording_is_refused_in_one_line_and_nothing_changes(
    studio_ws: tuple[Workspace, int], tmp_path: Path
) -> None:
    ws, recording_id = studio_ws
    original = ws.asset_path(ws.assets(SLUG, kind="screen_capture")[0])
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(original), "-t", "3", "-c", "copy",
         str(clip)],
        check=True, timeout=60,
    )  # fmt: skip
    damaged = ws.import_asset(SLUG, clip, kind="screen_capture")
    stored = ws.asset_path(damaged)
    stored.chmod(0o644)
    stored.write_bytes(stored.read_bytes()[: stored.stat().st_size // 3])  # cut short on disk
    scene_id = _scene(studio_ws)
    editor = SceneEditor(ws, background=False)
    editor.load(SLUG, scene_id)
    editor.sources.recording_choice.value = damaged.id
    assert editor.message.is_error and "clip.mp4" in editor.message.message
    assert "\n" not in editor.message.message and "Traceback" not in editor.message.message
    edit = ws.catalogue.scene_edit(SLUG, scene_id)
    assert edit is not None and edit.recording_id == recording_id  # unchanged
    assert editor.sources.recording_choice.value == recording_id and editor.recording.shown
    ws.delete_asset(SLUG, damaged.id)


def test_transcribing_shows_working_then_words_strip_and_lengths(
    studio_ws: tuple[Workspace, int],
) -> None:
    ws, _ = studio_ws
    editor = RecordingEditor(ws, SLUG, _scene(studio_ws), background=True)
    disabled: list[bool] = []
    statuses: list[str] = []
    editor.tighten_button.observe(lambda c: disabled.append(c["new"]), names="disabled")
    editor.status.observe(lambda c: statuses.append(c["new"]), names="value")
    editor.transcribe_button.click()
    assert editor.wait(300)
    assert disabled[0] is True and disabled[-1] is False  # disabled while it ran
    assert any("Working: transcribing" in s for s in statuses) and editor.status.value == ""
    assert not editor.message.is_error, editor.message.message
    assert "Tighten would make it" in editor.message.message

    assert editor.view is not None and len(editor.view.words) >= 15
    said = [_plain(w.text) for w in editor.view.words]
    assert "squares" in said and "welcome" in said
    buttons = editor.words.box.children
    assert [b.description for b in buttons] == [w.text for w in editor.view.words]
    assert not any(_struck(b) for b in buttons)  # nothing cut yet
    assert editor.words.pager.layout.display == "none"  # fewer than a page of words
    assert editor.strip.value[:4] == b"\x89PNG" and editor.strip.layout.display == ""
    assert "nothing cut yet" in editor.lengths.value
    assert editor.transcribe_button.disabled  # done once; Tighten is next


def test_clicking_a_word_selects_it_and_shows_the_recording_there(
    studio_ws: tuple[Workspace, int],
) -> None:
    editor = _editor(studio_ws, tightened=False)
    editor.transcribe()
    index = _index(editor, "squares")
    button = _button(editor, index)
    before = editor.strip.value
    button.click()
    assert editor.selected == {index} and "vk-word-selected" in button._dom_classes
    assert button.style.button_color
    assert editor.frame.value[:2] == b"\xff\xd8"  # a JPEG of the recording at that word
    assert Image.open(io.BytesIO(editor.frame.value)).size == (320, 180)
    assert "squares" in editor.frame_info.value and "kept" in editor.frame_info.value
    assert editor.strip.value != before  # the strip marks where the word is
    button.click()
    assert editor.selected == set() and "vk-word-selected" not in button._dom_classes


def test_tightening_strikes_the_filler_with_its_reason_and_restore_brings_it_back(
    studio_ws: tuple[Workspace, int],
) -> None:
    editor = _editor(studio_ws)
    assert editor.view is not None
    assert "Tightened" in editor.message.message
    assert "after:" in editor.lengths.value and "shorter" in editor.lengths.value
    filler = next(i for i, why in editor.cut.items() if why == "filler")
    button = _button(editor, filler)
    assert _struck(button) and button.tooltip.startswith("Cut: a filler word")
    assert not _struck(_button(editor, _index(editor, "squares")))
    after = editor.view.cuts.output_ms

    button.click()
    editor.restore_button.click()
    assert not editor.message.is_error, editor.message.message
    assert filler not in editor.cut and not _struck(_button(editor, filler))
    assert editor.view.cuts.output_ms > after and editor.selected == set()


def test_deleting_words_strikes_them_and_undo_brings_them_back(
    studio_ws: tuple[Workspace, int],
) -> None:
    ws, _ = studio_ws
    editor = _editor(studio_ws)
    assert editor.view is not None
    first, last = _index(editor, "list"), _index(editor, "squares")
    before = editor.view.cuts.output_ms
    version = editor.edit.version if editor.edit else 0
    for index in range(first, last + 1):  # "list of squares."
        _button(editor, index).click()
    editor.delete_button.click()
    assert not editor.message.is_error, editor.message.message
    assert "Cut 3 words" in editor.message.message
    for index in range(first, last + 1):
        button = _button(editor, index)
        assert _struck(button) and "deleted in the transcript" in button.tooltip
    assert editor.view.cuts.output_ms < before - 300
    assert length_text(editor.view.cuts.output_ms) in editor.lengths.value
    stored = editing.transcript(ws, SLUG, editor.scene_id or 0)
    assert set(range(first, last + 1)) <= set(cut_words(stored))  # in the catalogue too

    editor.undo_button.click()
    assert not editor.message.is_error, editor.message.message
    assert editor.edit is not None and editor.edit.version == version
    assert not any(_struck(_button(editor, i)) for i in range(first, last + 1))
    assert editor.view.cuts.output_ms == before


def test_the_strip_has_cut_bands_where_the_cut_list_says(
    studio_ws: tuple[Workspace, int],
) -> None:
    editor = _editor(studio_ws)
    view = editor.view
    assert view is not None and view.analysis is not None
    pixels = np.asarray(Image.open(io.BytesIO(editor.strip.value)).convert("RGB"))
    width = pixels.shape[1]
    colours = {"keep": KEPT, "cut": CUT, "speed": SPED_UP}
    checked = 0
    for span in view.cuts.spans:
        a = x_of(view, view.cuts.ms(span.start), width)
        b = x_of(view, view.cuts.ms(span.end), width)
        if b - a < 4:
            continue
        lane = pixels[LANE_PX // 2, a + 2 : b - 1]
        assert (lane == colours[span.action]).all(), (span, lane[:3])
        checked += 1
    assert checked >= 3 and any(s.action == "cut" for s in view.cuts.spans)
    assert (pixels[LANE_PX:] == ACTIVITY).all(axis=-1).any()  # the activity curve is drawn
    # the sound: most of the waveform's columns lie inside the kept bands where speech is
    body = pixels[LANE_PX:]
    assert ((body[..., 2] > 150) & (body[..., 0] < 100)).any()


def test_failures_are_one_plain_line(studio_ws: tuple[Workspace, int], tmp_path: Path) -> None:
    editor = _editor(studio_ws, tightened=False)
    assert editor.undo() is True
    assert editor.message.is_error and "no edit of this scene to undo" in editor.message.message
    editor.delete_selected()
    assert editor.message.is_error and editor.message.message.startswith("Click the words")
    editor.restore_selected()
    assert "struck-through" in editor.message.message
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 1000)
    with pytest.raises(MediaError) as failed:
        frame_jpeg(broken, 1000, name="broken.mp4")
    text = str(failed.value)
    assert text.startswith("broken.mp4 could not be shown at 1.0 s")
    assert "ffmpeg" not in text and "-ss" not in text and "\n" not in text


def test_a_long_transcript_shows_a_page_of_words_at_a_time() -> None:
    count = 2 * WORDS_PER_PAGE + 50
    words = tuple(
        TranscriptWord(i, f"w{i}", i * 300, i * 300 + 200, 0.9, True) for i in range(count)
    )
    fps = Fraction(25)
    cuts = CutList.whole(0, CutList.frame_at(count * 300, fps), fps)
    view = RecordingView(1, SceneEdit(scene_id=1, version=1, recording_id=1), cuts, words)
    clicked: list[int] = []
    picker = WordPicker(clicked.append)
    picker.show(view)
    assert len(picker.box.children) == WORDS_PER_PAGE and picker.pager.layout.display == ""
    assert f"words 1–{WORDS_PER_PAGE} of {count}" in picker.page_info.value
    assert picker.earlier.disabled and not picker.later.disabled
    picker.later.click()
    picker.later.click()
    assert picker.box.children[0].description == f"w{2 * WORDS_PER_PAGE}"
    assert len(picker.box.children) == 50 and picker.later.disabled
    picker.buttons[count - 1].click()  # the callback gets the index on any page
    assert clicked == [count - 1]


def test_word_ranges_and_lengths() -> None:
    assert word_ranges([9, 3, 4, 5, 4]) == [(3, 5), (9, 9)]
    assert word_ranges([]) == []
    assert length_text(12_840) == "12.8 s" and length_text(602_000) == "10:02"


def test_the_voice_can_change_and_the_cuts_stay(studio_ws: tuple[Workspace, int]) -> None:
    editor = _editor(studio_ws)
    assert editor.view is not None and editor.voice.value == "own"
    cuts = editor.view.cuts
    editor.voice.value = "project"
    assert not editor.message.is_error, editor.message.message
    assert editor.edit is not None and editor.edit.voice == "project"
    assert editor.edit.cuts == cuts and "project's voice" in editor.heading.value
    editor.undo_button.click()
    assert editor.edit is not None and editor.edit.voice == "own" and editor.voice.value == "own"
