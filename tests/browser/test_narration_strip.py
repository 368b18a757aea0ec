"""The narration's words under the preview, in a real browser: a click on a word, and Enter on
a word reached with Tab and the arrow keys, move the scrubber to that word and change the
preview; before the narration is spoken the words are marked as estimated, once it is spoken
its waveform is drawn and the words sit at their spoken times.

Found only by the studio's CSS classes (``vk-...``), visible text and ARIA roles, as the other
browser tests do; a screenshot of every step lands under test-artifacts/browser/<test>/.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

import vidkit
from tests.browser.a11y import tab_to
from tests.browser.support import (
    PREVIEW_IMG,
    Shots,
    assert_no_traceback,
    open_project,
    open_studio,
    wait_for_preview,
)
from vidkit import editing
from vidkit.api import Workspace
from vidkit.pipeline.graph import SceneGraph
from vidkit.timing import WordTiming
from widgets.serve import StudioServer

pytestmark = pytest.mark.slow

NARRATION = "Loops repeat the same steps for every item in a list of numbers"
WORD = ".vk-narration-strip .vk-narration-word"
READOUT = ".vk-scrubber .widget-readout"
CURRENT = re.compile(r"\bvk-narration-word-current\b")


@pytest.fixture(scope="module")
def ws(studio_workspace: Path) -> Workspace:
    return vidkit.open(studio_workspace)


def seeks_to(page: Any, words: Sequence[WordTiming], index: int, before: str) -> str:
    """After a seek to word ``index``: the scrubber shows the first 0.1 s step at or after
    its start, the word at that time is the current one (marked) and the preview changed;
    returns the new preview's src."""
    at = math.ceil(words[index].start_ms / 100 - 1e-9) / 10
    current = max(i for i, w in enumerate(words) if w.start_ms <= round(at * 1000))
    assert current in (index, index + 1)  # the next word only when it starts within 0.1 s
    expect(page.locator(WORD).nth(current)).to_have_class(CURRENT)
    expect(page.locator(f"{WORD}.vk-narration-word-current")).to_have_count(1)
    expect(page.locator(READOUT)).to_have_text(f"{at:.1f}")
    expect(page.locator(PREVIEW_IMG)).not_to_have_attribute("src", before)
    return wait_for_preview(page)


def test_a_word_clicked_or_entered_seeks_the_scrubber_and_the_preview(
    studio: StudioServer, ws: Workspace, browser: Any, shots: Shots
) -> None:
    slug = f"words-{uuid.uuid4().hex[:8]}"
    ws.create_project(slug, "Words demo")
    scene = ws.add_scene(slug, "Loops", narration=NARRATION)
    estimated = editing.narration_words(ws, slug, scene.id)
    assert not estimated.spoken
    page = browser.new_page()
    open_studio(page, studio.url)
    open_project(page, slug)
    before = wait_for_preview(page)

    # 1. before it is spoken: the words, marked as estimated, no waveform
    words = page.locator(WORD)
    expect(words).to_have_count(len(NARRATION.split()))
    assert words.all_inner_texts() == NARRATION.split()
    expect(page.locator(".vk-narration-strip .vk-words-note")).to_have_text(
        "estimated — the words are placed exactly once the narration is spoken"
    )
    expect(page.locator(".vk-narration-strip svg.vk-waveform")).to_be_hidden()
    expect(page.get_by_role("toolbar", name="Words spoken in the scene")).to_be_visible()
    expect(page.locator(".vk-narration-strip .vk-words-marker")).to_be_visible()
    shots(page, "estimated-words")

    # 2. a click on "list" seeks there
    index = NARRATION.split().index("list")
    words.nth(index).click()
    before = seeks_to(page, estimated.words, index, before)
    shots(page, "clicked-list")

    # 3. the keyboard: Tab reaches the word at the marker (one Tab stop for all the words),
    # ← / Home / → move between words, Enter seeks
    page.locator(".vk-scrubber .noUi-handle").first.focus()
    tab_to(page, WORD)
    focused = page.locator(f"{WORD}:focus")
    expect(focused).to_have_text("list")
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
    )
    assert ring[0] != "none" and ring[1] >= 2, f"no visible focus ring: {ring}"
    page.keyboard.press("Home")
    expect(focused).to_have_text("Loops")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(focused).to_have_text("the")
    page.keyboard.press("Enter")
    before = seeks_to(page, estimated.words, 2, before)
    expect(focused).to_have_text("the")  # the focus stays where it was
    shots(page, "entered-the")

    # 4. spoken (as a render speaks it), then Reload: the waveform and the spoken times
    speech = SceneGraph(ws, slug).speech(ws.scene(slug, scene.id))
    page.click(".vk-reload-scene")
    expect(page.locator(".vk-narration-strip svg.vk-waveform")).to_be_visible()
    expect(page.locator(".vk-narration-strip .vk-words-note")).to_be_hidden()
    path = page.locator(".vk-narration-strip svg.vk-waveform path").get_attribute("d") or ""
    assert path.count("L") > 300, path[:200]
    spoken = speech.timings.words
    expect(words).to_have_count(len(spoken))
    last = len(spoken) - 1
    words.nth(last).click()
    seeks_to(page, spoken, last, before)
    shots(page, "spoken-clicked-last")
    assert_no_traceback(page)
