"""The studio's voice panel: upload a reference with transcript and consent, see the
profile and its consent record, choose it as the project's voice; bad input is a message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.backends.tts_doubles import shared_piper
from tests.widgets.conftest import upload
from vidkit.api import Workspace
from widgets.voices_panel import VoicePanel

SAID = "Hello, my name is Ada, and this is a sample of my voice for the course videos."


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
    panel.consent.value = "I agree to my voice being cloned for these course videos"
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
