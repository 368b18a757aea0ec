"""Browser-test support: finding and launching Chromium, screenshots of each step, waiting for a
Voila page, and measuring preview latency inside the page.

Used by the fixtures in ``conftest.py`` and by ``benchmarks/studio_latency.py``, so the test and
the benchmark measure the same thing the same way.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import shutil
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import REPO
from vidkit.capture.local import find_chromium as find_chromium  # one finder, vidkit's

ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
NO_CHROMIUM = (
    "no Chromium found for the browser tests (looked for /usr/bin/chromium, chromium and "
    "chromium-browser on PATH, and Playwright's own build): run `make chromium` to install it"
)
# A fresh kernel imports vidkit and the widgets and builds the app; on a loaded 2-core machine
# that can take a while.
PAGE_READY_MS = 180_000
# The root element of ipywidgets.Image carries the class itself (<img class="... vk-preview">);
# the second form covers an Image wrapped in a box with the class.
PREVIEW_IMG = "img.vk-preview, .vk-preview img"


def slug_for(nodeid: str) -> str:
    """A folder name for a test id."""
    name = nodeid.split("::")[-1]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")[:80] or "test"


@dataclass
class Shots:
    """Screenshots of every step of one test, numbered in order, under ``folder``."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Any, step: str) -> Path:
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", step).strip("-")
        path = self.folder / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


def open_studio(page: Any, url: str, *, root: str = ".vk-studio") -> None:
    """Load the app and wait until the kernel has built it (Voila shows a spinner until then)."""
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(root, state="visible", timeout=PAGE_READY_MS)
    assert_no_traceback(page)


def assert_no_traceback(page: Any) -> None:
    """Errors must reach the user as messages in the widgets, never as a dumped traceback."""
    text = page.inner_text("body")
    for marker in ("Traceback (most recent call last)", "There was an error when executing"):
        assert marker not in text, f"the page shows a traceback or cell error:\n{text[-3000:]}"
    stderr = page.locator("[data-mime-type='application/vnd.jupyter.stderr']")
    assert stderr.count() == 0, f"the page shows stderr output: {stderr.first.inner_text()}"


def kernel_id(page: Any) -> str:
    """The id of the kernel Voila started for this page."""
    value = page.evaluate(
        "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId"
    )
    assert isinstance(value, str) and value, value
    return value


# --- latency -------------------------------------------------------------------------------

# Installed once per page: timestamps (performance.now(), ms) of the user's input events, taken
# in the capture phase before any widget code sees them, and of every change of the preview's
# src (ipywidgets sets a new blob: URL for each new image).
_RECORDER = """(selector) => {
  const img = document.querySelector(selector);
  if (!img) throw new Error('no preview image matches ' + selector);
  const rec = window.__vkLatency = {inputs: [], srcs: []};
  const types = ['keydown', 'mousedown', 'mousemove', 'mouseup', 'input', 'change'];
  for (const type of types) {
    document.addEventListener(type, (e) => {
      if (type === 'mousemove' && !(e.buttons & 1)) return;  // only moves while dragging
      rec.inputs.push([type, performance.now()]);
    }, true);
  }
  new MutationObserver(() => rec.srcs.push([performance.now(), img.getAttribute('src')]))
    .observe(img, {attributes: true, attributeFilter: ['src']});
  return true;
}"""

_RESET = "() => { window.__vkLatency.inputs.length = 0; window.__vkLatency.srcs.length = 0; }"


def _settle(page: Any, *, quiet_ms: int, timeout_s: float) -> dict[str, Any]:
    """Wait for at least one src change, then for ``quiet_ms`` without another."""
    deadline = time.monotonic() + timeout_s
    while True:
        rec: dict[str, Any] = page.evaluate("() => window.__vkLatency")
        now = page.evaluate("() => performance.now()")
        if rec["srcs"] and now - rec["srcs"][-1][0] >= quiet_ms:
            return rec
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the preview image did not change within {timeout_s:g} s of the edit"
            )
        time.sleep(quiet_ms / 4000)


def _latency(rec: dict[str, Any], kinds: tuple[str, ...]) -> float:
    """From the last input (of ``kinds``) that came before the final preview, to that preview."""
    final = rec["srcs"][-1][0]
    before = [t for kind, t in rec["inputs"] if kind in kinds and t <= final]
    assert before, f"no {'/'.join(kinds)} event was seen before the preview changed: {rec}"
    return float(final - max(before))


@dataclass(frozen=True)
class Latency:
    """Milliseconds from an edit to the updated preview, one sample per repetition."""

    name: str
    samples: list[float]

    @property
    def median(self) -> float:
        return float(statistics.median(self.samples))

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile (the largest sample when there are fewer than 20)."""
        ordered = sorted(self.samples)
        return float(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)])

    def summary(self) -> dict[str, Any]:
        return {
            "median_ms": round(self.median, 1),
            "p95_ms": round(self.p95, 1),
            "min_ms": round(min(self.samples), 1),
            "max_ms": round(max(self.samples), 1),
            "samples_ms": [round(s, 1) for s in self.samples],
        }

    def line(self) -> str:
        return (
            f"{self.name:<7} median {self.median:7.1f} ms   p95 {self.p95:7.1f} ms   "
            f"(n={len(self.samples)}, min {min(self.samples):.1f}, max {max(self.samples):.1f})"
        )


def measure_slider(
    page: Any, selector: str = ".vk-scale", *, reps: int = 10, warmup: int = 2
) -> Latency:
    """Press the arrow keys on a slider's handle (one step each, alternating so the value stays
    in range) and time each to the updated preview."""
    page.evaluate(_RECORDER, PREVIEW_IMG)
    handle = page.locator(f"{selector} .noUi-handle").first
    handle.focus()
    samples: list[float] = []
    for i in range(warmup + reps):
        page.evaluate(_RESET)
        handle.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        rec = _settle(page, quiet_ms=300, timeout_s=15)
        if i >= warmup:
            samples.append(_latency(rec, ("keydown",)))
    return Latency("slider", samples)


def measure_drag(
    page: Any,
    *,
    start: tuple[float, float] = (0.85, 0.75),
    end: tuple[float, float] = (0.3, 0.35),
    reps: int = 10,
    warmup: int = 2,
) -> Latency:
    """Drag on the preview (points as fractions of the image) back and forth, each drag starting
    where the last one dropped, and time each to the updated preview."""
    page.evaluate(_RECORDER, PREVIEW_IMG)
    samples: list[float] = []
    here, there = start, end
    for i in range(warmup + reps):
        page.evaluate(_RESET)
        drag(page, here, there)
        rec = _settle(page, quiet_ms=300, timeout_s=15)
        if i >= warmup:
            # From the last move, when the pointer reached the drop point: the release there
            # may change nothing, so timing from it would flatter the figure.
            samples.append(_latency(rec, ("mousemove",)))
        here, there = there, here
    return Latency("drag", samples)


def drag(page: Any, frm: tuple[float, float], to: tuple[float, float], steps: int = 4) -> None:
    """Mouse down at ``frm``, move to ``to`` in ``steps``, mouse up (fractions of the preview)."""
    box = page.locator(PREVIEW_IMG).first.bounding_box()
    assert box, "the preview image is not visible"

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return box["x"] + point[0] * box["width"], box["y"] + point[1] * box["height"]

    page.mouse.move(*at(frm))
    page.mouse.down()
    page.mouse.move(*at(to), steps=steps)
    page.mouse.up()


def write_latency(results: list[Latency], path: Path, **context: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        **context,
        **{r.name: r.summary() for r in results},
        "definition": (
            "ms from the input event the final preview reflects (keydown on the slider "
            "handle; the drag's last mousemove, when the pointer reached the drop point) to the "
            "preview <img> getting its new src, measured in the page with performance.now() "
            "and a MutationObserver"
        ),
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def wait_until(
    predicate: Callable[[], bool], *, timeout_s: float, interval_s: float = 0.25, what: str
) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(interval_s)


# --- the studio's parts (the DOM contract: CSS classes and visible text) ----------------------

VIDEO = "video.vk-video, .vk-video video"
BROWSER_MESSAGE = ".vk-project-browser .vk-message"
EDITOR_MESSAGE = ".vk-scene-editor .vk-scene-message"
PANEL_MESSAGE = ".vk-render-panel .vk-message"


def open_project(page: Any, slug: str) -> None:
    """Click Open in the project's row and wait for its timeline and first scene."""
    row = page.locator(".vk-project-row", has_text=slug)
    row.locator(".vk-open-project").click()
    page.locator(".vk-timeline").wait_for(state="visible")


def wait_for_preview(page: Any, timeout_ms: float = 60_000) -> str:
    """Wait until the preview shows an image; return its src."""
    page.wait_for_function(
        """(sel) => { const img = document.querySelector(sel);
                      return img && (img.getAttribute('src') || '').startsWith('blob:'); }""",
        arg=PREVIEW_IMG,
        timeout=timeout_ms,
    )
    return str(page.locator(PREVIEW_IMG).first.get_attribute("src"))


def wait_for_video(page: Any, timeout_ms: float) -> dict[str, Any]:
    """Wait for the result's <video> to decode its first frame; return its duration and size."""
    page.wait_for_selector(VIDEO, state="visible", timeout=timeout_ms)
    page.wait_for_function(
        """(sel) => { const v = document.querySelector(sel);
                      return v && v.readyState >= 2 && v.duration > 0 && v.videoWidth > 0; }""",
        arg=VIDEO,
        timeout=60_000,
    )
    info: dict[str, Any] = page.evaluate(
        """(sel) => { const v = document.querySelector(sel);
                      return {duration: v.duration, width: v.videoWidth, height: v.videoHeight,
                              src: v.getAttribute('src') || ''}; }""",
        VIDEO,
    )
    return info


# --- first usable ----------------------------------------------------------------------------

# Installed before the page's own scripts (Playwright's add_init_script): the performance.now()
# (ms since navigation started) of the first moment ``selector`` matches a control that is
# shown (Voila keeps the outputs hidden until the kernel has built them) and enabled.
_FIRST_USABLE = """(() => {
  const selector = %s;
  const ready = () => {
    const el = document.querySelector(selector);
    if (!el || el.disabled || el.offsetParent === null) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const check = () => {
    if (window.__vkUsable !== undefined) return true;
    if (ready()) { window.__vkUsable = performance.now(); return true; }
    return false;
  };
  const frame = () => { if (!check()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  document.addEventListener('DOMContentLoaded', () => {
    new MutationObserver(check).observe(document, {subtree: true, childList: true,
                                                   attributes: true});
  });
})();"""

# What "usable" means for the studio: its Create-project button is shown and enabled (the
# project list and the form above it are built in the same kernel step).
STUDIO_USABLE = ".vk-create-project"


def first_usable_ms(
    context: Any, url: str, selector: str = STUDIO_USABLE, *, timeout_ms: float = PAGE_READY_MS
) -> float:
    """Open ``url`` in a new tab of ``context``; return the ms from navigation start to the first
    frame in which ``selector`` was shown and enabled. The tab is closed after (its kernel
    shut down, as when a person closes it)."""
    page = context.new_page()
    try:
        page.add_init_script(_FIRST_USABLE % json.dumps(selector))
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => window.__vkUsable !== undefined", timeout=timeout_ms)
        value = page.evaluate("() => window.__vkUsable")
        assert_no_traceback(page)
        return float(value)
    finally:
        page.close(run_before_unload=True)


def wait_for_quiet_server(
    pid: int, *, quiet_s: float = 1.0, busy_cpu: float = 0.1, timeout_s: float = 120.0
) -> bool:
    """Wait until the server process ``pid`` and its kernels have used less than ``busy_cpu``
    of one core for ``quiet_s``: a warm server (its pre-heated kernel built, the last tab's
    kernel shut down) before a measured page load. (Voila does not list its kernels.) False
    when it was still busy after ``timeout_s`` (a render of another test, say)."""
    import psutil

    def cpu_seconds() -> float:
        total = 0.0
        server = psutil.Process(pid)
        for process in [server, *server.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    deadline = time.monotonic() + timeout_s
    quiet_since = time.monotonic()
    used, at = cpu_seconds(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now_used, now = cpu_seconds(), time.monotonic()
        if now_used - used > busy_cpu * (now - at):
            quiet_since = now
        elif now - quiet_since >= quiet_s:
            return True
        used, at = now_used, now
    return False
