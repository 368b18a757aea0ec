"""The microphone recorder (widgets.recorder): a take from the browser becomes a 48 kHz mono
16-bit WAV; a broken one is a plain message; the front end loads nothing from the network."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import pytest

from tests.widgets.takes import spoken_wav, webm_take
from vidkit.errors import MediaError
from widgets.recorder import AudioRecorder, to_wav


def test_a_browser_take_becomes_a_48_khz_mono_wav(tmp_path: Path) -> None:
    source = spoken_wav(tmp_path / "ada.wav")
    with wave.open(str(source)) as original:
        seconds = original.getnframes() / original.getframerate()
    recorder = AudioRecorder()
    assert not recorder.has_take and recorder.take_name == "recording-1.wav"
    recorder.recording = webm_take(source)
    recorder.mime = "audio/webm;codecs=opus"
    assert recorder.has_take and recorder.takes == 1

    out = recorder.save_wav(tmp_path / recorder.take_name)
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (48_000, 1, 2)
        assert wav.getnframes() / 48_000 == pytest.approx(seconds, abs=0.1)

    recorder.recording = webm_take(source, seconds=1.0)
    assert recorder.take_name == "recording-2.wav"
    recorder.clear()
    assert not recorder.has_take and recorder.mime == "" and recorder.takes == 2


def test_a_broken_or_empty_take_is_a_plain_message(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="record it again, or upload a recording instead"):
        to_wav(b"\x1a\x45\xdf\xa3 not really webm", "audio/webm", tmp_path / "a.wav")
    with pytest.raises(MediaError, match="nothing was recorded"):
        to_wav(b"", "", tmp_path / "b.wav")


def test_the_front_end_is_inline_and_offline() -> None:
    recorder = AudioRecorder()
    esm = str(recorder._esm)
    assert "export default" in esm and "getUserMedia" in esm and "MediaRecorder" in esm
    assert not re.search(r"https?://|\bimport\s*[(\"'{*]", esm), "no network, no imports"
    assert "aria-live" in esm and '"button"' in esm
    assert "did not allow the microphone" in esm
    # the bytes come back as one binary buffer, not base64 text
    assert "new DataView(" in esm
