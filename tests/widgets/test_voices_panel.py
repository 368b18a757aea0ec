"""The studio's voice panel: upload or record a reference with transcript and consent, see
the profile and its consent record, choose it as the project's voice; bad input is a message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.backends.tts_doubles import shared_piper
from tests.widgets.conftest import upload
from tests.widgets.takes import spoken_wav, webm_take
from vidkit.api import Workspace
from widgets.voices_panel import VoicePanel

SAID = "Hello, my name is Ada, and this is a sample of my voice for the course videos."
CONSENT = "I agree to my voice being cloned for these course videos"


def test_add_and_choose_a_voice(
    fast_ws: Workspace, tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    fast_ws.create_project("demo", "Demo")
    panel = VoicePanel(fast_ws)
    panel.show_project("demo")
    assert "No voice profiles yet" in panel.listing.value
    panel.add.click()
    assert "Upload at least one reference" in panel.message.message

    panel.upload.value = upload("short.wav", make_media("audio", 1.0).read_bytes())
    panel.name.value = "Ada"
    panel.transcript.value = SAID
    panel.consent.value = CONSENT
    panel.consent_by.value = "Ada Lovelace"
    panel.add.click()
    assert panel.message.is_error
    assert "short.wav lasts 1.0 s" in panel.message.message
    assert fast_ws.voices("demo") == []

    ref = tmp_path / "ada.wav"
    shared_piper().synthesize(SAID, ref)
    panel.upload.value = upload("ada.wav", ref.read_bytes())
    panel.add.click()
    assert not panel.message.is_error, panel.message.message
    assert "Added the voice 'Ada'" in panel.message.message
    assert "consent by Ada Lovelace" in panel.listing.value
    assert [v.consent_by for v in fast_ws.voices("demo")] == ["Ada Lovelace"]

    panel.choice.value = "Ada"
    panel.use.click()
    assert fast_ws.project("demo").voice == "Ada"
    assert "(in use)" in panel.listing.value


def test_add_a_voice_recorded_in_the_browser(fast_ws: Workspace, tmp_path: Path) -> None:
    fast_ws.create_project("demo", "Demo")
    panel = VoicePanel(fast_ws)
    panel.show_project("demo")
    panel.name.value = "Grace"
    panel.transcript.value = SAID
    panel.consent.value = CONSENT
    panel.consent_by.value = "Grace Hopper"
    speech = spoken_wav(tmp_path / "grace.wav")

    # a 1-second take: the same message an upload gets, nothing stored, the take kept
    panel.recorder.recording = webm_take(speech, seconds=1.0)
    panel.recorder.mime = "audio/webm;codecs=opus"
    panel.add.click()
    assert panel.message.is_error
    assert "recording-1.wav lasts 1.0 s" in panel.message.message, panel.message.message
    assert "at least 3 s" in panel.message.message
    assert fast_ws.voices("demo") == []

    # the whole sentence, as Chrome's MediaRecorder sends it
    panel.recorder.recording = webm_take(speech)
    panel.recorder.mime = "audio/webm;codecs=opus"
    panel.add.click()
    assert not panel.message.is_error, panel.message.message
    assert "Added the voice 'Grace' from your recording" in panel.message.message
    assert not panel.recorder.has_take
    [voice] = fast_ws.voices("demo")
    assert voice.consent_by == "Grace Hopper" and voice.transcript == SAID
    assert "consent by Grace Hopper" in panel.listing.value


def test_an_upload_wins_over_a_recorded_take(fast_ws: Workspace, tmp_path: Path) -> None:
    fast_ws.create_project("demo", "Demo")
    panel = VoicePanel(fast_ws)
    panel.show_project("demo")
    speech = spoken_wav(tmp_path / "ada.wav")
    panel.recorder.recording = webm_take(speech, seconds=1.0)
    panel.recorder.mime = "audio/webm"
    panel.upload.value = upload("ada.wav", speech.read_bytes())
    panel.name.value, panel.transcript.value = "Ada", SAID
    panel.consent.value, panel.consent_by.value = CONSENT, "Ada Lovelace"
    panel.add.click()
    assert "Added the voice 'Ada' from the upload" in panel.message.message
    assert panel.recorder.has_take  # the take was not used, so it is kept
