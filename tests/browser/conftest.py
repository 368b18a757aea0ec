"""Browser-test fixtures: a workspace, the studio served by Voila through ``widgets.serve`` on a
free loopback port, and Chromium driven by Playwright with a fresh profile for every test.

No Chromium is a failure that says how to install it, never a silent skip.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    NO_CHROMIUM,
    Shots,
    find_chromium,
    slug_for,
)
from tests.conftest import write_config
from widgets.serve import StudioServer, StudioSettings, running_studio


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    # Every step waits on a kernel round trip; a loaded 2-core machine needs more than 5 s.
    expect.set_options(timeout=30_000)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium_path(playwright: Any) -> str:
    try:
        bundled: str | None = playwright.chromium.executable_path
    except Exception:
        bundled = None
    found = find_chromium(bundled)
    if found is None:
        pytest.fail(NO_CHROMIUM, pytrace=False)
    return found


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    """``shots(page, "step")`` saves test-artifacts/browser/<test>/NN-step.png."""
    return Shots(ARTIFACTS / slug_for(request.node.nodeid))


@pytest.fixture
def browser(playwright: Any, chromium_path: str, tmp_path: Path) -> Iterator[Any]:
    """A Chromium browser context with a fresh user-data dir; pages are its tabs."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=chromium_path,
        args=list(CHROMIUM_ARGS),
        headless=True,
        viewport={"width": 1400, "height": 2200},
        accept_downloads=True,
    )
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def studio_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The config of a fresh workspace the studio serves (shared by the session's tests)."""
    return write_config(tmp_path_factory.mktemp("studio-ws"))


@pytest.fixture(scope="session")
def studio(studio_workspace: Path) -> Iterator[StudioServer]:
    """The real studio app, served on a free 127.0.0.1 port as `make studio` serves it."""
    log = studio_workspace.parent / "voila.log"
    settings = StudioSettings(config=studio_workspace, port=0)
    try:
        with running_studio(settings, log_path=log) as server:
            yield server
    finally:
        if log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, ARTIFACTS / "voila.log")
