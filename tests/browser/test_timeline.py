"""The visual timeline in a real browser: blocks as wide as their scenes are long, with a
thumbnail and a status in words; a scene dragged before another, and one moved with the
keyboard alone, change the order on the page and in the catalogue.

Found only by the studio's CSS classes (``vk-...``), visible text and ARIA labels, as the other
browser tests do; a screenshot of every step lands under test-artifacts/browser/<test>/.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.support import Shots, assert_no_traceback, open_project, open_studio
from vidkit import editing
from vidkit.api import Workspace
from widgets.serve import StudioServer

pytestmark = pytest.mark.slow

BLOCK = ".vk-scene-strip .vk-scene-block"
NAMES = ".vk-scene-strip .vk-scene-name"
TITLE_INPUT = ".vk-scene-title input"


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


def three_scenes(ws: Workspace) -> str:
    """A project whose scenes last about 4, 16 and 8 s (estimated from their words)."""
    slug = f"timeline-{uuid.uuid4().hex[:8]}"
    ws.create_project(slug, "Timeline demo")
    editing.use_example_presenter(ws, slug)
    lengths = (("Intro", "hello", 10), ("Middle", "lists", 40), ("Ending", "bye", 20))
    for title, word, count in lengths:
        ws.add_scene(slug, title, narration=" ".join([word] * count))
    return slug


def page_order(page: Any) -> list[str]:
    return [t.split(". ", 1)[1] for t in page.locator(NAMES).all_inner_texts()]


def titles(ws: Workspace, slug: str) -> list[str]:
    return [s.title for s in ws.scenes(slug)]


def open_timeline(page: Any, url: str, slug: str) -> None:
    open_studio(page, url)
    open_project(page, slug)
    expect(page.locator(BLOCK)).to_have_count(3)
    # the statuses and thumbnails arrive from a background thread
    expect(
        page.locator(".vk-scene-strip img.vk-scene-thumb[src^='data:image/jpeg']")
    ).to_have_count(3, timeout=120_000)


def test_blocks_show_length_thumbnail_status_and_drag_to_reorder(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots
) -> None:
    slug = three_scenes(ws)
    page = browser.new_page()
    open_timeline(page, studio.url, slug)
    assert page_order(page) == ["Intro", "Middle", "Ending"]
    shots(page, "timeline")

    # widths follow the lengths; each says its length and status in words
    items = page.locator(".vk-scene-strip .vk-strip-item")
    widths = [items.nth(i).bounding_box()["width"] for i in range(3)]
    lengths = [int(items.nth(i).get_attribute("data-ms")) for i in range(3)]
    assert lengths[1] == 4 * lengths[0] and lengths[2] == 2 * lengths[0], lengths
    for width, ms in zip(widths, lengths, strict=True):
        assert width / widths[0] == pytest.approx(ms / lengths[0], rel=0.08), (widths, lengths)
    middle = page.locator(BLOCK).nth(1)
    expect(middle).to_have_attribute(
        "aria-label",
        "2. Middle ≈16 s Needs rendering: Scene 2 of 3: Middle, about 16 seconds, needs rendering",
    )
    expect(middle.locator(".vk-scene-status")).to_have_text("Needs rendering")
    expect(middle.locator(".vk-scene-length")).to_have_text("≈16 s")
    expect(page.locator(".vk-scene-strip .vk-status-needs-rendering")).to_have_count(3)
    expect(page.locator(f"{BLOCK}.vk-selected")).to_have_attribute("aria-current", "true")

    # drag the second scene onto the first: it takes its place
    page.locator(BLOCK).nth(1).drag_to(page.locator(BLOCK).nth(0))
    expect(page.locator(NAMES).first).to_have_text("1. Middle")
    assert page_order(page) == ["Middle", "Intro", "Ending"]
    assert titles(ws, slug) == ["Middle", "Intro", "Ending"]
    expect(page.locator(".vk-scene-strip .vk-strip-live")).to_have_text(
        "Moved “Middle” to place 1 of 3."
    )
    # the thumbnails travel with their scenes
    expect(
        page.locator(".vk-scene-strip img.vk-scene-thumb[src^='data:image/jpeg']")
    ).to_have_count(3)
    shots(page, "dragged-middle-first")

    # the last one dragged onto the first, then the first onto the last
    page.locator(BLOCK).nth(2).drag_to(page.locator(BLOCK).nth(0))
    expect(page.locator(NAMES).first).to_have_text("1. Ending")
    assert titles(ws, slug) == ["Ending", "Middle", "Intro"]
    page.locator(BLOCK).nth(0).drag_to(page.locator(BLOCK).nth(2))
    expect(page.locator(NAMES).last).to_have_text("3. Ending")
    assert titles(ws, slug) == ["Middle", "Intro", "Ending"]

    # a click opens the scene in the editor
    page.locator(BLOCK, has_text="Ending").click()
    expect(page.locator(TITLE_INPUT)).to_have_value("Ending")
    expect(page.locator(f"{BLOCK}.vk-selected")).to_contain_text("Ending")
    assert_no_traceback(page)
    shots(page, "opened-by-click")


def test_a_scene_is_moved_and_opened_with_the_keyboard_alone(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots
) -> None:
    slug = three_scenes(ws)
    page = browser.new_page()
    open_timeline(page, studio.url, slug)
    url = page.url

    # Tab from the top of the page until a scene block has the focus
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('.vk-scene-block')"):
            break
    else:
        pytest.fail("Tab never reached a scene block")
    focused = page.locator(f"{BLOCK}:focus")
    expect(focused).to_contain_text("Intro")
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert ring[0] != "none" and ring[1] >= 2, f"no visible focus ring: {ring}"
    shots(page, "focused-first-block")

    # → moves the focus; Ctrl+← moves the scene one place earlier and keeps the focus on it
    page.keyboard.press("ArrowRight")
    expect(focused).to_contain_text("Middle")
    page.keyboard.press("Control+ArrowLeft")
    expect(page.locator(NAMES).first).to_have_text("1. Middle")
    assert titles(ws, slug) == ["Middle", "Intro", "Ending"]
    expect(focused).to_contain_text("Middle")
    expect(focused).to_have_attribute(
        "aria-label",
        "1. Middle ≈16 s Needs rendering: Scene 1 of 3: Middle, about 16 seconds, needs rendering",
    )
    shots(page, "moved-earlier-with-ctrl-left")

    # Alt+→ twice: to the end (and the browser does not go back a page)
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator(NAMES).nth(1)).to_have_text("2. Middle")
    expect(focused).to_contain_text("Middle")
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator(NAMES).last).to_have_text("3. Middle")
    assert titles(ws, slug) == ["Intro", "Ending", "Middle"]
    page.keyboard.press("Control+ArrowRight")  # already last: nothing happens
    page.keyboard.press("Alt+ArrowLeft")
    expect(page.locator(NAMES).nth(1)).to_have_text("2. Middle")
    assert titles(ws, slug) == ["Intro", "Middle", "Ending"]
    assert page.url == url
    expect(focused).to_contain_text("Middle")
    shots(page, "moved-with-alt-arrows")

    # Enter opens the focused scene
    page.keyboard.press("Home")
    expect(focused).to_contain_text("Intro")
    page.keyboard.press("End")
    expect(focused).to_contain_text("Ending")
    page.keyboard.press("Enter")
    expect(page.locator(TITLE_INPUT)).to_have_value("Ending")
    expect(page.locator(f"{BLOCK}.vk-selected")).to_contain_text("Ending")
    assert_no_traceback(page)
    shots(page, "opened-with-enter")
