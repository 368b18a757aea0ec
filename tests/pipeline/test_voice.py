"""The project's chosen voice profile reaches the speech stage of every render."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.backends.tts_doubles import shared_server
from tests.conftest import write_config
from vidkit.config import load_config
from vidkit.errors import BackendError
from vidkit.pipeline import render
from vidkit.workspace import Workspace

pytestmark = pytest.mark.slow

CLONING = """
[voice]
backend = "openai"
[services.tts]
url = "{url}"
api_key_env = "VIDKIT_TEST_SPEECH_KEY"
voice = "alloy"
[render]
preset = "ultrafast"
title_cards = false
"""


def _project(ws: Workspace, sample: Path) -> int:
    ws.create_project("v", "Voices", width=320, height=180, fps=25)
    scene = ws.add_scene("v", "Hello", narration="Hello there, this is my own voice.")
    ws.add_voice(
        "v", "ada", sample, transcript="I am Ada.", consent="Ada agreed on 2026-12-01, courses"
    )
    return scene.id


def test_a_render_speaks_in_the_projects_voice(
    tmp_path: Path, make_media: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDKIT_TEST_SPEECH_KEY", "test-key")
    server = shared_server()
    ws = Workspace(load_config(write_config(tmp_path, CLONING.format(url=server.url()))))
    _project(ws, make_media("audio", 1.0))

    def voices_heard() -> list[object]:
        before = len(server.requests)
        render(ws, "v", workers=1)
        return [r["voice"] for r in server.requests[before:]]

    assert voices_heard() == ["alloy"], "no profile chosen: the service's own voice"
    ws.update_project("v", voice="ada")
    assert voices_heard() == ["ada"], "the profile is a new input of the speech: spoken again"
    assert voices_heard() == [], "and cached like any other"
    ws.update_project("v", voice="")
    assert voices_heard() == [], "back to the service's voice: that speech is still cached"


def test_a_voice_the_backend_cannot_clone_is_a_clear_error(
    tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    ws = Workspace(load_config(write_config(tmp_path)))  # the embedded Piper voice
    _project(ws, make_media("audio", 1.0))
    ws.update_project("v", voice="ada")
    with pytest.raises(BackendError, match="cannot clone the voice 'ada'"):
        render(ws, "v", workers=1)
    assert ws.assets("v", kind="tts_audio") == []
