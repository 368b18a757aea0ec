"""The studio works with no network: no request leaves 127.0.0.1, and the page's JupyterLab
packages match (no "Unsatisfied version" warnings in the console).

The page was loading Font Awesome from a CDN (Voila's lab template links it, though Voila's own
bundle already carries it), and Voila 0.5.13 with jupyterlab_widgets 3.0.17 loaded widget
managers built against JupyterLab 4.5/4.6 into Voila's JupyterLab 4.2.5 core.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.support import Shots, open_project, open_studio, wait_for_preview
from tests.conftest import write_config
from vidkit import editing
from vidkit.api import Workspace
from widgets.serve import (
    JUPYTER_DATA,
    StudioServer,
    StudioSettings,
    prepare,
    server_env,
    voila_command,
)

pytestmark = pytest.mark.slow

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Schemes that never touch the network: the page's own images and inline data.
LOCAL_SCHEMES = {"blob", "data", "about"}
VERSION_WARNINGS = ("Unsatisfied version", "No satisfying version")


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


def use_the_studio(page: Any, studio: StudioServer, ws: Workspace) -> None:
    """The project list, then a project with a scene open and its preview shown."""
    slug = f"offline-{uuid.uuid4().hex[:8]}"
    ws.create_project(slug, "Offline")
    editing.use_example_presenter(ws, slug)
    ws.add_scene(slug, "Opening", narration="Nothing here needs the internet.")
    open_studio(page, studio.url)
    open_project(page, slug)
    expect(page.locator(".vk-scene-block")).to_have_count(1)
    wait_for_preview(page)
    page.click(".vk-script-section .jupyter-widget-Collapse-header")  # every fold's content
    page.click(".vk-voice-section .jupyter-widget-Collapse-header")
    page.click(".vk-avatar-section .jupyter-widget-Collapse-header")
    page.wait_for_load_state("networkidle")


def off_host(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


def test_no_request_leaves_the_machine(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots
) -> None:
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda socket: requests.append(socket.url))
    use_the_studio(page, studio, ws)
    shots(page, "studio-used")
    assert any(urlsplit(u).hostname == "127.0.0.1" for u in requests), requests  # it listened
    outside = sorted({u for u in requests if off_host(u)})
    assert not outside, "requests that leave the machine:\n" + "\n".join(outside)


def test_the_page_s_jupyterlab_packages_match(
    studio: StudioServer, ws: Workspace, browser: Any
) -> None:
    page = browser.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    use_the_studio(page, studio, ws)
    mismatched = [m for m in console if any(w in m for w in VERSION_WARNINGS)]
    assert not mismatched, "\n".join(mismatched)
    failed = [m for m in console if "Failed to load resource" in m]
    assert not failed, "\n".join(failed)


def test_the_studio_is_served_with_its_own_template_and_a_warm_kernel(tmp_path: Path) -> None:
    settings = prepare(StudioSettings(config=write_config(tmp_path), port=0))
    command = voila_command(settings)
    assert "--VoilaConfiguration.template=vidkit" in command
    assert "--VoilaConfiguration.preheat_kernel=True" in command
    assert "--VoilaConfiguration.default_pool_size=1" in command
    assert server_env(settings)["JUPYTER_PATH"].split(os.pathsep)[0] == str(JUPYTER_DATA)
    template = JUPYTER_DATA / "voila" / "templates" / "vidkit"
    assert {p.name for p in template.iterdir()} >= {"conf.json", "index.html.j2", "studio.css"}
    cold = StudioSettings(config=settings.config, port=0, preheat=False)
    assert "--VoilaConfiguration.preheat_kernel=False" in voila_command(prepare(cold))
