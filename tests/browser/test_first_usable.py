"""The studio is usable soon after navigation: Voila hands each new tab a kernel that has already
run the app (pre-heated), and that app reads the project list again when the tab shows it.
``benchmarks/studio_latency.py`` measures the same first-usable time over more loads."""

from __future__ import annotations

import json
import statistics
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.support import (
    ARTIFACTS,
    first_usable_ms,
    kernel_id,
    open_studio,
    wait_for_quiet_server,
)
from vidkit.api import Workspace
from widgets.serve import StudioServer

pytestmark = pytest.mark.slow

TARGET_MS = 3000
# A loaded 2-core test machine (two test workers, Chromium, two kernels) is slower than a
# person's computer: the bound here is looser than the target the benchmark is held to.
BOUND_MS = 2 * TARGET_MS


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


def test_a_tab_gets_a_pre_heated_kernel_that_lists_projects_made_since(
    studio: StudioServer, ws: Workspace, browser: Any
) -> None:
    wait_for_quiet_server(studio.process.pid)  # the waiting kernel has built the app
    slug = f"since-{uuid.uuid4().hex[:8]}"
    ws.create_project(slug, "Made after the kernel was ready")
    page = browser.new_page()
    open_studio(page, studio.url)
    assert f"Using pre-heated kernel: {kernel_id(page)}" in studio.log()
    expect(page.locator(".vk-project-row", has_text=slug)).to_contain_text("Made after")


def test_the_studio_is_usable_within_seconds_of_navigation(
    studio: StudioServer, browser: Any
) -> None:
    samples = []
    for _ in range(3):
        wait_for_quiet_server(studio.process.pid)
        samples.append(first_usable_ms(browser, studio.url))
    median = statistics.median(samples)
    path = ARTIFACTS / "first-usable.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"samples_ms": [round(s) for s in samples], "median_ms": round(median)}),
        encoding="utf-8",
    )
    print(f"\nfirst usable: median {median:.0f} ms of {[round(s) for s in samples]}")
    assert median <= BOUND_MS, f"first usable after {median:.0f} ms (target {TARGET_MS} ms)"
