"""The same script gives the same scene through local Playwright and through the real
Playwright MCP server (``npx @playwright/mcp@0.0.86``, started by the test)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.capture.webapp import serve
from vidkit.capture import CaptureOptions, capture, load_script
from vidkit.capture.local import find_chromium
from vidkit.media import ffmpeg_exe
from vidkit.timing import WordTiming

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("npx") is None, reason="node/npx is not installed"),
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium: run `make chromium`"),
]
SIZE = (1280, 720)
SCRIPT = """
[browser]
url = "URL"
steps = [
  { type = "same scene", into = { role = "textbox", name = "Name" } },
  { click = "#save", at = "save it", zoom = 1.5 },
  { click = { text = "Add item" } },
  { highlight = "#list", hold = 600 },
]
"""
WORDS = [WordTiming("now", 0, 200), WordTiming("save", 3000, 3300), WordTiming("it", 3300, 3500)]


@pytest.fixture(scope="module")
def mcp_url() -> Iterator[str]:
    from vidkit.capture.mcp_server import start_playwright_mcp

    with start_playwright_mcp() as server:
        yield server.url


def _frames(path: Path) -> np.ndarray:
    w, h = SIZE[0] // 2, SIZE[1] // 2
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
         "-vf", f"scale={w}:{h}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return np.frombuffer(out, np.uint8).reshape(-1, h, w, 3).astype(np.int16)


def test_the_mcp_path_gives_the_same_scene_as_the_local_path(mcp_url: str, tmp_path: Path) -> None:
    with serve() as app:
        script = load_script(SCRIPT.replace("URL", app))
        local = capture(script, tmp_path / "local.mp4", size=SIZE, fps=30, words=WORDS)
        remote = capture(
            script, tmp_path / "mcp.mp4", size=SIZE, fps=30, words=WORDS,
            options=CaptureOptions(mcp_url=mcp_url),
        )  # fmt: skip
    assert local.via == "playwright" and remote.via.startswith("mcp")
    assert local.frames == remote.frames and local.steps == remote.steps
    a, b = _frames(local.path), _frames(remote.path)
    assert a.shape == b.shape
    per_frame = np.abs(a - b).mean(axis=(1, 2, 3))
    assert per_frame.max() < 2.0, (
        f"frames differ: worst {per_frame.max():.2f} at {per_frame.argmax()}"
    )
    # and the scene did happen: the status block is green after the tied click (at 3.0 s;
    # checked once the click's zoom is over)
    status = a[:, 140 // 2 : 260 // 2, 40 // 2 : 440 // 2]
    green = (np.abs(status - np.array((0, 160, 0))).max(axis=-1) < 40).mean(axis=(1, 2))
    assert green[: 3 * 30 - 1].max() < 0.1 and green[round(3.9 * 30)] > 0.9
