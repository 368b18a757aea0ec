"""vidkit.editing's narration word by word: estimated before it is spoken (as the draft's
captions place the words), the speech's own timings and WAV after; its waveform, cached by the
WAV's content hash."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import vidkit.audio
from vidkit import editing
from vidkit.api import Workspace
from vidkit.audio import write_wav
from vidkit.editing import NarrationWords
from vidkit.editing.narration import estimated_words, spread_words
from vidkit.pipeline.graph import SceneGraph
from vidkit.timing import WordTiming

NARRATION = "Here is a loop you have probably written a hundred times before today."


def test_before_it_is_spoken_the_words_are_estimated_as_the_draft_places_them(
    workspace: Workspace,
) -> None:
    workspace.create_project("demo", "Demo")
    scene = workspace.add_scene("demo", "First", narration=NARRATION)
    found = editing.narration_words(workspace, "demo", scene.id)
    assert not found.spoken and found.audio is None and found.audio_sha256 is None
    assert [w.word for w in found.words] == NARRATION.split()
    assert found.duration_ms == 5200  # 13 words at the default rate
    starts = [w.start_ms for w in found.words]
    assert starts[0] == 0 and starts == sorted(starts) and found.words[-1].end_ms < 5200
    assert all(w.start_ms < w.end_ms for w in found.words)
    draft = editing.draft(workspace, "demo", scene.id)
    assert draft.words == found
    assert round(draft.duration_s * 1000) == found.duration_ms
    assert editing.narration_waveform(found) == ()


def test_an_empty_narration_has_no_words(workspace: Workspace) -> None:
    workspace.create_project("demo", "Demo")
    scene = workspace.add_scene("demo", "Silent")
    found = editing.narration_words(workspace, "demo", scene.id)
    assert found.words == () and not found.spoken and found.duration_ms > 0


def test_words_are_spread_by_their_length() -> None:
    words = spread_words(["a", "longer", "word"], 1000)
    assert [w.word for w in words] == ["a", "longer", "word"]
    # weights 3, 8 and 6 of 17; each word takes 90 % of its share
    assert [(w.start_ms, w.end_ms) for w in words] == [(0, 159), (176, 600), (647, 965)]
    assert spread_words([], 1000) == ()
    many = estimated_words("word " * 5000, 60_000)
    assert len(many.words) == 4000 and many.words[-1].end_ms <= 60_000


@pytest.mark.slow
def test_once_spoken_the_words_are_the_speech_timings_and_its_wav(workspace: Workspace) -> None:
    workspace.create_project("demo", "Demo")
    scene = workspace.add_scene("demo", "First", narration=NARRATION)
    speech = SceneGraph(workspace, "demo").speech(scene)  # Piper, offline: a few seconds
    found = editing.narration_words(workspace, "demo", scene.id)
    assert found.spoken and found.words == speech.timings.words
    assert found.duration_ms == speech.timings.duration_ms
    assert found.audio == workspace.asset_path(speech.audio) and found.audio.is_file()
    assert found.audio_sha256 == speech.audio.sha256
    assert editing.draft(workspace, "demo", scene.id).words == found
    peaks = editing.narration_waveform(found)
    assert len(peaks) == 200 and max(peaks) > 100  # at least 200 points; speech is loud
    # edited narration is not spoken yet: estimated again
    workspace.update_scene("demo", scene.id, narration=NARRATION + " Again.")
    assert not editing.narration_words(workspace, "demo", scene.id).spoken


def _tone_then_silence(path: Path) -> NarrationWords:
    rate = 16_000
    t = np.arange(rate) / rate
    tone = (np.sin(2 * np.pi * 220 * t) * 16_000).astype(np.int16)
    write_wav(path, np.concatenate([tone, np.zeros(rate, np.int16)]), rate)
    return NarrationWords(
        (WordTiming("loud", 0, 1000), WordTiming("quiet", 1000, 2000)), 2000, True, path,
        f"sha-of-{path.name}-{uuid.uuid4().hex}",
    )  # fmt: skip


def test_the_waveform_is_a_few_hundred_peaks_and_cached_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[Path] = []
    real = vidkit.audio.read_wav

    def counted(path: Path) -> tuple[np.ndarray, int]:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(vidkit.audio, "read_wav", counted)
    words = _tone_then_silence(tmp_path / "speech.wav")
    peaks = editing.narration_waveform(words)
    assert len(peaks) == 200  # 2 s: 80 points at 40 a second, raised to the 200 fewest
    # a tone at half of full scale: sqrt(0.49) of 255 = 178; silence: 0
    assert set(peaks[:95]) == {178} and set(peaks[105:]) == {0}
    assert len(editing.narration_waveform(words, 50)) == 50
    assert editing.narration_waveform(words) == peaks
    assert len(reads) == 2  # 200 and 50 points; the same 200 again came from the cache
    other = _tone_then_silence(tmp_path / "other.wav")  # another hash: read
    assert editing.narration_waveform(other) == peaks and len(reads) == 3
    moved = replace(words, audio=tmp_path / "missing.wav")  # the same content: not read
    assert editing.narration_waveform(moved) == peaks and len(reads) == 3
    estimated = NarrationWords(words.words, 2000, False)
    assert editing.narration_waveform(estimated) == () and len(reads) == 3
