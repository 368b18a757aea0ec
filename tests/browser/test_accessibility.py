"""The studio for keyboard and screen-reader users, in a real browser: axe-core finds no serious
or critical problem, every control shows a focus ring, the folds open by keyboard, the page
title names the project, and a whole video is made with the keyboard alone.

axe-core comes from npm (``tests/browser/a11y.py`` installs it once into the user's cache).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.a11y import (
    SERIOUS,
    axe_script,
    contrast,
    describe,
    focused,
    run_axe,
    tab_to,
)
from tests.browser.support import (
    ARTIFACTS,
    EDITOR_MESSAGE,
    Shots,
    assert_no_traceback,
    open_project,
    open_studio,
    wait_for_preview,
    wait_for_video,
)
from vidkit import editing
from vidkit.api import Workspace
from widgets.serve import StudioServer

pytestmark = pytest.mark.slow

RENDER_MS = 420_000
NARRATION = "Keyboards make videos too, one key at a time"  # its last word ends the stats


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


@pytest.fixture(scope="module")
def axe() -> Path:
    try:
        return axe_script()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


def slug_of(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def open_scene(page: Any, studio: StudioServer, ws: Workspace, stem: str) -> str:
    """A project with the example presenter and one scene, open in the studio."""
    slug = slug_of(stem)
    ws.create_project(slug, f"Accessible {slug}")
    editing.use_example_presenter(ws, slug)
    ws.add_scene(slug, "Opening", narration="Every control can be reached from the keyboard.")
    open_studio(page, studio.url)
    open_project(page, slug)
    expect(page.locator(".vk-scene-block")).to_have_count(1)
    wait_for_preview(page)
    return slug


def ring_pixels(page: Any, control: Any) -> float:
    """The share of the pixels along the four edges of ``control`` that are the ring's colour
    (dark blue, #0b3d91), from a screenshot of it."""
    import io

    from PIL import Image

    shot = Image.open(io.BytesIO(control.screenshot())).convert("RGB")
    w, h = shot.size
    edges = [(x, 1) for x in range(2, w - 2)] + [(x, h - 2) for x in range(2, w - 2)]
    edges += [(1, y) for y in range(2, h - 2)] + [(w - 2, y) for y in range(2, h - 2)]

    def ring(pixel: tuple[int, int, int]) -> bool:
        return all(abs(a - b) <= 40 for a, b in zip(pixel, (0x0B, 0x3D, 0x91), strict=True))

    return sum(ring(shot.getpixel(p)) for p in edges) / len(edges)


def test_axe_finds_no_serious_or_critical_problem_with_a_scene_open(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots, axe: Path
) -> None:
    page = browser.new_page()
    open_studio(page, studio.url)
    start = [v for v in run_axe(page, axe) if v["impact"] in SERIOUS]
    open_scene(page, studio, ws, "axe")
    shots(page, "scene-open")
    violations = run_axe(page, axe)
    (ARTIFACTS / "axe.json").write_text(json.dumps(violations, indent=1), encoding="utf-8")
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert not start, "on the project list:\n" + describe(start)
    assert not serious, "with a scene open:\n" + describe(serious)
    # what the rules above rest on, named
    alt = "Preview of the scene: a frame as it will render, with the presenter"
    expect(page.locator("img.vk-preview")).to_have_attribute("alt", alt)
    expect(page.get_by_label("Narration")).to_be_visible()
    # an upload button is named by its label alone: no file count, no icon character
    upload = page.locator(".vk-avatar-upload")
    expect(upload).to_have_accessible_name("Upload presenter photo")
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()


def test_the_page_title_names_the_open_project(
    studio: StudioServer, ws: Workspace, browser: Any
) -> None:
    slug = slug_of("title")
    ws.create_project(slug, "Loops,  explained")
    page = browser.new_page()
    open_studio(page, studio.url)
    expect(page).to_have_title("vidkit studio")
    open_project(page, slug)
    expect(page).to_have_title("vidkit studio — Loops, explained")
    page.click(".vk-back")
    expect(page).to_have_title("vidkit studio")


def test_every_control_shows_a_focus_ring_and_the_folds_open_by_keyboard(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots
) -> None:
    page = browser.new_page()
    open_scene(page, studio, ws, "focus")

    # The Script fold: reached with Tab, opened and closed with Enter and Space.
    header = page.locator(".vk-script-section .jupyter-widget-Collapse-header")
    tab_to(page, ".vk-script-section .jupyter-widget-Collapse-header")
    expect(header).to_have_attribute("role", "button")
    expect(header).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-expanded", "true")
    contents = page.locator(".vk-script-section .jupyter-widget-Collapse-contents").first
    expect(contents).to_be_visible()
    shots(page, "script-fold-opened")
    page.keyboard.press(" ")
    expect(header).to_have_attribute("aria-expanded", "false")

    # Tab through the whole page: every stop shows a ring of 2 px or more that stands out
    # from the white page (3:1, WCAG's rule for focus indicators).
    seen: list[dict[str, Any]] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:
            continue
        seen.append(now)
        where = f"{now['tag']}.{now['classes']} in {now['widget']}: {now['text']!r}"
        assert now["outlineStyle"] != "none", f"no focus ring on {where}"
        assert now["outlineWidth"] >= 2, f"a {now['outlineWidth']} px focus ring on {where}"
        ring = now["outlineColor"]
        assert contrast(ring) >= 3, f"a faint focus ring ({ring}) on {where}"
    kinds = {(s["tag"], "noUi-handle" in s["classes"]) for s in seen}
    assert {("button", False), ("input", False), ("textarea", False), ("select", False)} <= kinds
    assert ("div", True) in kinds, "the sliders' handles were never reached"
    # ... and it is drawn, not clipped by the panels around it: on the blue Save button too.
    save = page.locator(".vk-save-scene")
    save.focus()
    shots(page, "focus-ring-on-save")
    assert ring_pixels(page, save) >= 0.9, "the focus ring on Save is not drawn all round it"


def test_a_video_made_with_the_keyboard_alone(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots
) -> None:
    """From the project list to a rendered video with Tab, Shift+Tab, Enter, Space and typing:
    no click, no fill."""
    slug = slug_of("keys")
    page = browser.new_page()
    open_studio(page, studio.url)
    keys = page.keyboard

    # A person's pause after each field: ipywidgets holds keystrokes back while the kernel owes
    # it an answer but sends a click at once, so an instant Enter would create the project with
    # the title typed so far (neither field shows anything the kernel sends back).
    tab_to(page, ".vk-new-slug")
    keys.type(slug, delay=30)
    page.wait_for_timeout(1500)
    tab_to(page, ".vk-new-title")
    keys.type("Made with keys", delay=30)
    page.wait_for_timeout(1500)
    tab_to(page, ".vk-create-project")
    keys.press("Enter")
    expect(page.locator(".vk-timeline")).to_be_visible()
    expect(page).to_have_title("vidkit studio — Made with keys")
    shots(page, "created")

    tab_to(page, ".vk-add-scene")
    keys.press("Space")
    expect(page.locator(".vk-scene-block")).to_have_count(1)
    expect(page.locator(".vk-narration textarea")).to_be_visible()

    tab_to(page, ".vk-narration")
    keys.type(NARRATION, delay=15)
    expect(page.locator(".vk-narration-stats")).to_contain_text("9 words")
    tab_to(page, ".vk-save-scene")
    keys.press("Enter")
    expect(page.locator(EDITOR_MESSAGE)).to_contain_text("Scene saved")
    assert ws.scenes(slug)[0].narration == NARRATION
    shots(page, "saved")

    tab_to(page, ".vk-render-scene")
    keys.press("Enter")
    video = wait_for_video(page, RENDER_MS)
    assert video["duration"] > 1.0, video
    expect(page.locator(".vk-render-status")).to_contain_text("Finished.")
    assert_no_traceback(page)
    shots(page, "rendered")
