"""Recording a voice reference in the studio with a real browser microphone.

Chromium's fake capture device plays a Piper speech WAV as the microphone
(``--use-fake-device-for-media-stream`` with ``--use-file-for-fake-audio-capture=FILE``; the file
loops), and ``--use-fake-ui-for-media-stream`` answers the permission prompt with "allow". Without
the fake UI, headless Chromium refuses the microphone, which is the refused-permission case.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.support import (
    CHROMIUM_ARGS,
    Shots,
    assert_no_traceback,
    open_project,
    open_studio,
)
from tests.widgets.takes import SAID, spoken_wav
from vidkit.api import Workspace
from widgets.serve import StudioServer

pytestmark = pytest.mark.slow

FOLD = "Voice: the project's voice profiles and consent"
MESSAGE = ".vk-voice-panel .vk-message"


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


@pytest.fixture(scope="module")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real speech (Piper) as 48 kHz 16-bit mono WAV, the fake microphone's input."""
    import imageio_ffmpeg

    folder = tmp_path_factory.mktemp("fake-mic")
    spoken = spoken_wav(folder / "piper.wav")
    out = folder / "speech-48k.wav"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(spoken),
         "-ar", "48000", "-ac", "1", "-c:a", "pcm_s16le", str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    return out


def launch(playwright: Any, chromium_path: str, profile: Path, *extra: str) -> Any:
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium_path,
        args=[*CHROMIUM_ARGS, *extra],
        headless=True,
        viewport={"width": 1400, "height": 2200},
    )
    context.set_default_timeout(30_000)
    return context


@pytest.fixture
def microphone(
    playwright: Any, chromium_path: str, speech_wav: Path, tmp_path: Path
) -> Iterator[Any]:
    """Chromium whose microphone says :data:`SAID` over and over, allowed without asking."""
    context = launch(
        playwright, chromium_path, tmp_path / "profile",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={speech_wav}",
    )  # fmt: skip
    try:
        yield context
    finally:
        context.close()


def button(page: Any, name: str) -> Any:
    return page.locator(".vk-voice-panel").get_by_role("button", name=name, exact=True)


def open_voice_fold(page: Any, studio: StudioServer, slug: str) -> None:
    open_studio(page, studio.url)
    open_project(page, slug)
    page.get_by_text(FOLD).click()
    expect(page.locator(".vk-voice-panel")).to_be_visible()
    expect(page.locator(".vk-record-status")).to_have_text("Nothing recorded yet.")


def test_a_voice_recorded_in_the_browser_becomes_a_profile(
    studio: StudioServer, ws: Workspace, microphone: Any, shots: Shots
) -> None:
    slug = f"recorded-{uuid.uuid4().hex[:8]}"
    ws.create_project(slug, "Recorded voice")
    page = microphone.new_page()
    open_voice_fold(page, studio, slug)
    page.fill(".vk-voice-name input", "Ada")
    page.fill(".vk-voice-transcript textarea", SAID)
    page.fill(".vk-voice-consent textarea", "I agree to my voice being cloned for these videos")
    page.fill(".vk-voice-consent-by input", "Ada Lovelace")
    shots(page, "filled-in")

    record = button(page, "Record")
    expect(record).to_be_visible()
    record.click()
    stop = button(page, "Stop")
    expect(stop).to_be_visible()
    expect(page.locator(".vk-record-status")).to_contain_text("Recording")
    page.wait_for_timeout(5_500)
    expect(page.locator(".vk-record-time")).not_to_have_text("0 s")
    shots(page, "recording")
    stop.click()
    status = page.locator(".vk-record-status")
    expect(status).to_contain_text("Recorded", timeout=60_000)
    expect(button(page, "Record")).to_be_enabled()
    expect(page.locator(".vk-record-error")).to_have_text("")
    shots(page, "recorded")

    page.click(".vk-voice-add")
    expect(page.locator(MESSAGE)).to_contain_text(
        "Added the voice 'Ada' from your recording", timeout=120_000
    )
    expect(page.locator(".vk-voice-list")).to_contain_text("consent by Ada Lovelace")
    expect(status).to_have_text("Nothing recorded yet.")  # the take was used and let go
    assert_no_traceback(page)
    shots(page, "added")
    [voice] = ws.voices(slug)
    assert (voice.name, voice.consent_by, voice.transcript) == ("Ada", "Ada Lovelace", SAID)


def test_a_refused_microphone_is_a_plain_message(
    studio: StudioServer,
    ws: Workspace,
    playwright: Any,
    chromium_path: str,
    tmp_path: Path,
    shots: Shots,
) -> None:
    """A microphone is there but the browser answers the permission prompt with "block"."""
    slug = f"refused-{uuid.uuid4().hex[:8]}"
    ws.create_project(slug, "Refused microphone")
    context = launch(
        playwright, chromium_path, tmp_path / "profile", "--use-fake-device-for-media-stream"
    )
    try:
        page = context.new_page()
        open_voice_fold(page, studio, slug)
        button(page, "Record").click()
        problem = page.locator(".vk-record-error")
        expect(problem).to_contain_text(
            "The browser did not allow the microphone: allow it in the address bar"
        )
        expect(problem).to_have_attribute("role", "alert")
        expect(button(page, "Record")).to_be_enabled()
        assert_no_traceback(page)
        shots(page, "refused")
    finally:
        context.close()
    assert ws.voices(slug) == []
