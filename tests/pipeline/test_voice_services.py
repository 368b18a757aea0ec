"""A render speaks in the project's voice profile on a cloning service: the stand-in server
receives the profile's reference recording with the narration."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.backends.clone_servers import CloneServer
from tests.conftest import write_config
from vidkit.config import load_config
from vidkit.editing.voices import use_voice
from vidkit.pipeline import render
from vidkit.workspace import Workspace

pytestmark = pytest.mark.slow

CONFIG = """
[voice]
backend = "chatterbox"
[services.tts]
url = "{url}"
[render]
preset = "ultrafast"
title_cards = false
"""


def test_a_render_sends_the_profiles_reference(
    tmp_path: Path, make_media: Callable[..., Path]
) -> None:
    sample = make_media("audio", 1.0)
    with CloneServer() as server:
        ws = Workspace(load_config(write_config(tmp_path, CONFIG.format(url=server.url()))))
        ws.create_project("v", "Voices", width=320, height=180, fps=25)
        ws.add_scene("v", "Hello", narration="Hello there, this is my own voice.")
        ws.add_voice(
            "v", "ada", sample, transcript="I am Ada.", consent="Ada agreed on 2026-12-01",
            consent_by="Ada",
        )  # fmt: skip
        render(ws, "v", workers=1)
        assert server.seen[-1].files == {}, "no profile chosen: the server's own voice"
        use_voice(ws, "v", "ada")
        render(ws, "v", workers=1)
        heard = server.seen[-1]
        assert heard.form["input"] == "Hello there, this is my own voice."
        assert heard.files["voice_file"] == [sample.read_bytes()]
        count = len(server.seen)
        render(ws, "v", workers=1)
        assert len(server.seen) == count, "cached: the same reference is not sent again"
