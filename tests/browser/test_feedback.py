"""Plain-language feedback in a real browser (#15): rendering a project with no scenes, the
"Show the real presenter" button while it works, a photo uploaded again, a text file uploaded
as a photo. Each step's screenshot is under test-artifacts/browser/<test>/."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.support import (
    EDITOR_MESSAGE,
    PANEL_MESSAGE,
    Shots,
    assert_no_traceback,
    open_project,
    open_studio,
    wait_for_preview,
)
from tests.test_errors import COMMAND
from tests.widgets.conftest import catalogue_held
from vidkit import editing
from vidkit.api import Workspace
from widgets.render_runs import runs_folder
from widgets.serve import StudioServer

pytestmark = pytest.mark.slow

NARRATION = "Plain words for every mistake."


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


@pytest.fixture
def new_slug() -> Callable[[str], str]:
    return lambda stem: f"{stem}-{uuid.uuid4().hex[:8]}"


def _with_scene(ws: Workspace, slug: str, *, photo_of_its_own: bool = False) -> None:
    ws.create_project(slug, f"Project {slug}")
    if photo_of_its_own:
        # Cut-outs are cached by content: the example photo, cut out by an earlier test in this
        # worker, would leave nothing to do. One changed pixel makes a photo never seen before.
        from PIL import Image
        from skimage import data

        pixels = data.astronaut().copy()
        pixels[0, 0] = (int(uuid.uuid4().int % 256), 7, 11)
        buffer = io.BytesIO()
        Image.fromarray(pixels).save(buffer, format="PNG")
        buffer.seek(0)
        ws.import_stream(slug, buffer, filename="astronaut.png", kind="avatar_image")
    else:
        editing.use_example_presenter(ws, slug)
    ws.add_scene(slug, "Opening", narration=NARRATION)


def _choose_file(page: Any, button: str, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.click(button)
    chooser.value.set_files(str(path))


def test_rendering_a_project_with_no_scenes_says_so_and_starts_nothing(
    studio: StudioServer,
    ws: Workspace,
    browser: Any,
    shots: Shots,
    new_slug: Callable[[str], str],
) -> None:
    slug = new_slug("empty-one")
    ws.create_project(slug, "Nothing here yet")
    page = browser.new_page()
    open_studio(page, studio.url)
    open_project(page, slug)
    render = page.locator(".vk-render-project")
    expect(render).to_be_enabled()
    render.click()
    error = page.locator(PANEL_MESSAGE).locator(".vk-error")
    expect(error).to_contain_text("no scenes yet")
    shots(page, "empty-project-render")
    text = error.inner_text()
    assert "“Add scene”" in text and not COMMAND.search(text), text
    assert "vidkit" not in text and "`" not in text, text
    panel = page.inner_text(".vk-render-panel")
    assert "Render again" not in panel and "Failed" not in panel, panel
    expect(page.locator(".vk-stop-render")).to_be_hidden()
    expect(render).to_be_enabled()
    assert not list(runs_folder(ws, slug).glob("*.jsonl"))  # no render was started
    assert_no_traceback(page)


def test_the_presenter_button_shows_progress_and_is_off_while_working(
    studio: StudioServer,
    ws: Workspace,
    browser: Any,
    shots: Shots,
    new_slug: Callable[[str], str],
) -> None:
    slug = new_slug("presenter")
    _with_scene(ws, slug, photo_of_its_own=True)
    page = browser.new_page()
    open_studio(page, studio.url)
    open_project(page, slug)
    wait_for_preview(page)
    button = page.locator(".vk-prepare-presenter")
    expect(button).to_be_visible()
    expect(button).to_be_enabled()
    # The project has finished loading (the render buttons come back then) and its scenes'
    # statuses are read: the kernel is idle.
    expect(page.locator(".vk-render-project")).to_be_enabled()
    expect(page.locator(".vk-render-panel .vk-scene-status")).to_have_count(1)
    # A busy machine: the cut-out waits for the catalogue another program holds. The button
    # says it is working at once, and stays off until the work is done.
    with catalogue_held(ws):
        button.click()
        expect(button).to_be_disabled()
        expect(button).to_contain_text("Cutting out the presenter…")
        expect(page.locator(EDITOR_MESSAGE)).to_contain_text("Cutting out the presenter…")
        expect(page.locator(".vk-avatar-upload")).to_be_disabled()
        shots(page, "cutting-out")
        page.wait_for_timeout(1500)  # still working: nothing cleared the message meanwhile
        expect(button).to_be_disabled()
        expect(page.locator(EDITOR_MESSAGE)).to_contain_text("Cutting out the presenter…")
    expect(page.locator(EDITOR_MESSAGE)).to_contain_text(
        "Done: the preview shows the real presenter now.", timeout=120_000
    )
    expect(button).to_be_hidden()  # the preview has the real presenter: nothing left to do
    expect(page.locator(EDITOR_MESSAGE).locator(".vk-error")).to_have_count(0)
    shots(page, "presenter-shown")
    assert_no_traceback(page)


def test_the_same_photo_uploaded_again_keeps_one_name(
    studio: StudioServer,
    ws: Workspace,
    browser: Any,
    shots: Shots,
    new_slug: Callable[[str], str],
    tmp_path: Path,
) -> None:
    slug = new_slug("same-photo")
    _with_scene(ws, slug)
    [photo] = ws.assets(slug, kind="avatar_image")
    again = tmp_path / "my-portrait.png"
    again.write_bytes(ws.asset_path(photo).read_bytes())
    page = browser.new_page()
    open_studio(page, studio.url)
    open_project(page, slug)
    wait_for_preview(page)
    expect(page.locator(".vk-avatar-photo")).to_have_text("Photo: astronaut.png")
    upload = page.locator(".vk-avatar-upload")
    # The button reads as its label: ipywidgets' "(0)" is not drawn.
    drawn = upload.evaluate(
        """(el) => ({size: getComputedStyle(el).fontSize,
                     label: getComputedStyle(el, '::after').content})"""
    )
    assert drawn == {"size": "0px", "label": '"Upload presenter photo"'}, drawn
    _choose_file(page, ".vk-avatar-upload", again)
    message = page.locator(EDITOR_MESSAGE)
    expect(message).to_contain_text("the photo stays astronaut.png", timeout=120_000)
    shots(page, "same-photo-again")
    expect(page.locator(".vk-avatar-photo")).to_have_text("Photo: astronaut.png")
    names = set(re.findall(r"[\w-]+\.png", message.inner_text()))
    assert names == {"my-portrait.png", "astronaut.png"}, names
    assert "my-portrait.png is the presenter photo" not in message.inner_text()
    assert ws.assets(slug, kind="avatar_image") == [photo]
    assert_no_traceback(page)


def test_a_text_file_uploaded_as_a_photo_gets_a_plain_sentence(
    studio: StudioServer,
    ws: Workspace,
    browser: Any,
    shots: Shots,
    new_slug: Callable[[str], str],
    tmp_path: Path,
) -> None:
    slug = new_slug("not-a-photo")
    _with_scene(ws, slug)
    notes = tmp_path / "notes.txt"
    notes.write_text("these are my notes, not a photo\n" * 20, encoding="utf-8")
    page = browser.new_page()
    open_studio(page, studio.url)
    open_project(page, slug)
    wait_for_preview(page)
    _choose_file(page, ".vk-avatar-upload", notes)
    error = page.locator(EDITOR_MESSAGE).locator(".vk-error")
    expect(error).to_have_text("notes.txt is not a picture: choose a PNG or JPEG photo")
    shots(page, "text-file-as-photo")
    expect(page.locator(".vk-avatar-photo")).to_have_text("Photo: astronaut.png")
    assert len(ws.assets(slug, kind="avatar_image")) == 1
    assert_no_traceback(page)
