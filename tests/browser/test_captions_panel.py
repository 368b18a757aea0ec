"""Editing a caption in a real browser: the Captions panel lists each caption with its times,
a caption typed over and saved shows in the preview at once (the picture at that moment
changes), its times stay, and "Back to the words" undoes it. Found by the studio's CSS classes
and ARIA names; a screenshot of every step lands under test-artifacts/browser/<test>/."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.support import (
    PREVIEW_IMG,
    Shots,
    assert_no_traceback,
    open_project,
    open_studio,
    wait_for_preview,
)
from vidkit.api import Workspace
from widgets.serve import StudioServer

pytestmark = pytest.mark.slow

NARRATION = "We keep the orders in a table. Then we read them back whenever a customer asks."
EDITED = "Orders live in one table."
ROW = ".vk-captions-panel .vk-caption-row"


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


def test_a_caption_is_edited_shown_in_the_preview_and_put_back(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots
) -> None:
    slug = f"captions-{uuid.uuid4().hex[:8]}"
    ws.create_project(slug, "Captions demo")
    scene = ws.add_scene(slug, "Orders", narration=NARRATION)
    page = browser.new_page()
    open_studio(page, studio.url)
    open_project(page, slug)
    wait_for_preview(page)
    rows = page.locator(ROW)
    expect(rows.first).to_be_visible()
    first = rows.first.locator("input")
    expect(first).to_have_value("We keep the orders in a table.")
    expect(page.get_by_label("Caption 1", exact=True)).to_be_visible()

    # the caption's times seek the preview to it
    rows.first.locator(".vk-caption-time").click()
    before = wait_for_preview(page)
    shots(page, "caption-listed")

    first.fill(EDITED)
    first.press("Tab")  # the box sends its value when it loses focus
    page.click(".vk-captions-save")
    expect(page.locator(".vk-captions-message")).to_contain_text("Saved 1 caption(s)")
    expect(page.locator(PREVIEW_IMG)).not_to_have_attribute("src", before)
    edited = wait_for_preview(page)
    (edit,) = ws.scene(slug, scene.id).caption_edits
    assert edit.text == EDITED
    expect(rows.first.locator(".vk-caption-undo")).to_be_visible()
    expect(rows.first.locator(".vk-caption-note")).to_contain_text("edited")
    shots(page, "caption-edited")

    rows.first.locator(".vk-caption-undo").click()
    expect(page.locator(".vk-captions-message")).to_contain_text("reads as it is made from")
    expect(rows.first.locator("input")).to_have_value("We keep the orders in a table.")
    expect(page.locator(PREVIEW_IMG)).not_to_have_attribute("src", edited)
    assert ws.scene(slug, scene.id).caption_edits == ()
    shots(page, "caption-back")
    assert_no_traceback(page)
