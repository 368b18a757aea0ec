"""Browser capture through local Playwright Chromium against a tiny app on 127.0.0.1: typed text
and clicks land in the video at their scheduled frames, steps tied to narration words act on
the word, the drawn pointer is on the clicked element, and bad input fails with one line
naming the step."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.browser.support import find_chromium
from tests.capture.webapp import serve
from vidkit.capture import (
    BrowserScript,
    CaptureError,
    CaptureOptions,
    capture,
    load_script,
    preview_step,
)
from vidkit.capture.browser import capture_browser
from vidkit.capture.local import PlaywrightDriver
from vidkit.errors import InvalidInput
from vidkit.media import ffmpeg_exe
from vidkit.timing import WordTiming

SIZE = (1280, 720)
FPS = 30
SMALL = 4  # frames are checked at a quarter of the size, except where the pointer is looked at

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium: run `make chromium`")


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with serve() as url:
        yield url


def frames(path: Path, scale: int = SMALL) -> np.ndarray:
    w, h = SIZE[0] // scale, SIZE[1] // scale
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
         "-vf", f"scale={w}:{h}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return np.frombuffer(out, np.uint8).reshape(-1, h, w, 3).astype(np.int16)


def frame_at(path: Path, index: int) -> np.ndarray:
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
         "-vf", f"select=eq(n\\,{index})", "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return np.frombuffer(out, np.uint8).reshape(SIZE[1], SIZE[0], 3).astype(np.int16)


def region(video: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Frames cropped to ``box`` (x0, y0, x1, y1 in full-size pixels)."""
    x0, y0, x1, y1 = (v // SMALL for v in box)
    return video[:, y0:y1, x0:x1]


def first_frame(flags: np.ndarray) -> int:
    found = np.flatnonzero(flags)
    assert found.size, "the change never shows"
    return int(found[0])


def near(frame_region: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Per frame: the share of pixels within 40 of ``colour``."""
    close = np.abs(frame_region - np.array(colour)).max(axis=-1) < 40
    return np.asarray(close.mean(axis=(1, 2)))


STATUS = (40, 140, 440, 260)  # grey, then green once saved
SAVE_BUTTON = (560, 36, 720, 92)
INPUT = (40, 40, 460, 88)
LIST = (560, 140, 860, 400)  # orange rows, 50 px apart


def test_typed_text_and_clicks_show_at_their_scheduled_frames(app: str, tmp_path: Path) -> None:
    script = load_script(f"""
[browser]
url = "{app}"
pointer = false
steps = [
  {{ click = "#name" }},
  {{ type = "hello", chars_per_s = 8 }},
  {{ click = {{ role = "button", name = "Save" }} }},
  {{ click = {{ text = "Add item" }} }},
  {{ click = "#add" }},
  {{ wait = 300 }},
]
""")
    out = tmp_path / "capture.mp4"
    done = capture(script, out, size=SIZE, fps=FPS)
    assert done.kind == "browser" and done.via == "playwright" and not done.warnings
    video = frames(out)
    starts = {index: start for index, start, _end in done.steps}

    ink = (region(video, INPUT).max(axis=-1) < 100).sum(axis=(1, 2))
    # each character adds ink from its own keystroke's frame on (8 per second from step 2)
    for i in range(5):
        due = (starts[2] + i / 8) * FPS
        before, after = ink[int(due) - 3], ink[int(due) + 3]
        assert after > before, f"character {i + 1} did not appear around frame {due:.0f}"
        level = (before + after) / 2
        seen = first_frame((ink > level) & (np.arange(len(ink)) > int(due) - 3))
        assert abs(seen - due) <= 2, f"character {i + 1}: frame {seen}, due {due:.1f}"

    green = near(region(video, STATUS), (0, 160, 0))
    saved = first_frame(green > 0.9)
    assert green[: saved - 1].max() < 0.1 and starts[3] * FPS <= saved
    orange = near(region(video, LIST), (255, 136, 0))
    one, two = first_frame(orange > 0.1), first_frame(orange > 0.2)
    assert one < two
    assert saved <= one


def test_click_effects_and_pointer_at_the_exact_frames(app: str, tmp_path: Path) -> None:
    script = BrowserScript.from_toml(
        f'url = "{app}"\nsteps = [{{ click = "#save" }}, {{ click = "#add" }}, {{ wait = 200 }}]'
    )
    out = tmp_path / "capture.mp4"
    done = capture_browser(script, out, driver=PlaywrightDriver(), size=SIZE, fps=FPS)
    save, add = done.timings[0], done.timings[1]
    assert save.point == (640.0, 64.0)  # the centre of #save
    video = frames(out)
    green = near(region(video, STATUS), (0, 160, 0))
    assert abs(first_frame(green > 0.9) - save.action_s * FPS) <= 2
    orange = near(region(video, LIST), (255, 136, 0))
    assert abs(first_frame(orange > 0.1) - add.action_s * FPS) <= 2
    # the pointer's tip is on the button when the click lands (the arrow hangs below and right
    # of its tip); at the end it is on #add and the same pixels show the bare button
    landed = frame_at(out, round(save.action_s * FPS))[40:96, 616:664]
    bare = frame_at(out, done.frames - 1)[40:96, 616:664]
    changed = np.abs(landed - bare).max(axis=-1) > 80
    assert changed[24:, 24:].sum() >= 60, "no pointer at the clicked point"
    # nothing far above or left of the tip (the click's ripple starts 6 px around it)
    assert changed[:12].sum() == 0 and changed[:, :12].sum() == 0


def test_a_step_tied_to_a_word_acts_on_that_word(app: str, tmp_path: Path) -> None:
    words = [
        WordTiming("first", 0, 400),
        WordTiming("type", 500, 800),
        WordTiming("your", 800, 1000),
        WordTiming("name", 1000, 1300),
        WordTiming("now", 2400, 2600),
        WordTiming("click", 2733, 3000),
        WordTiming("save.", 3000, 3400),
    ]
    script = load_script(f"""
[browser]
url = "{app}"
pointer = false
steps = [
  {{ type = "ann", into = "#name" }},
  {{ click = "#save", at = "Click save" }},
]
""")
    out = tmp_path / "tied.mp4"
    done = capture(script, out, size=SIZE, fps=FPS, words=words)
    green = near(region(frames(out), STATUS), (0, 160, 0))
    word_frame = 2.733 * FPS
    assert abs(first_frame(green > 0.9) - word_frame) <= 1
    assert done.steps[1][2] >= 2.733


def test_the_preview_of_a_step_shows_the_page_after_it(app: str, tmp_path: Path) -> None:
    script = load_script(f"""
[browser]
url = "{app}"
steps = [{{ click = "#add" }}, {{ click = "#add" }}, {{ click = "#save" }}]
""")
    still = preview_step(script, 2, tmp_path / "step-2.png", size=SIZE)
    from PIL import Image

    image = np.asarray(Image.open(still).convert("RGB")).astype(np.int16)
    assert image.shape == (720, 1280, 3)
    rows = [near(image[None, 150 + 50 * i : 170 + 50 * i, 600:800], (255, 136, 0))[0]
            for i in range(3)]  # fmt: skip
    assert rows[0] > 0.9 and rows[1] > 0.9 and rows[2] < 0.1  # two items added, not three
    assert near(image[None, 160:240, 60:420], (0, 160, 0))[0] < 0.1  # not saved yet


# ---- bad input: one line naming the step, nothing written -----------------------------------


def test_an_unreachable_url_names_the_step(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    script = load_script(f'[browser]\nsteps = [{{ open = "{url}" }}]')
    out = tmp_path / "x.mp4"
    with pytest.raises(CaptureError) as caught:
        capture(script, out, size=SIZE, fps=FPS)
    assert str(caught.value) == (
        f"browser step 1 (open {url}): could not open {url}: connection refused: is the "
        "server running? (net::ERR_CONNECTION_REFUSED)"
    )
    assert not out.exists() and not list(tmp_path.iterdir())


def test_a_target_that_matches_nothing_saves_a_still(app: str, tmp_path: Path) -> None:
    script = load_script(
        f'[browser]\nurl = "{app}"\ntimeout_ms = 500\n'
        'steps = [{ click = "#add" }, { click = "#nothing-here" }]'
    )
    out, stills = tmp_path / "x.mp4", tmp_path / "stills"
    with pytest.raises(CaptureError) as caught:
        capture(script, out, size=SIZE, fps=FPS, options=CaptureOptions(stills_dir=stills))
    message = str(caught.value)
    assert message.startswith("browser step 2 (click '#nothing-here'): nothing on the page")
    assert "\n" not in message and str(stills / "step-2.png") in message
    from PIL import Image

    still = np.asarray(Image.open(stills / "step-2.png").convert("RGB")).astype(np.int16)
    assert near(still[None, 150:170, 600:800], (255, 136, 0))[0] > 0.9  # the page as it was
    assert not out.exists()


def test_a_page_that_pops_an_alert_names_the_step(app: str, tmp_path: Path) -> None:
    script = load_script(f'[browser]\nurl = "{app}"\nsteps = [{{ click = "#boom" }}]')
    with pytest.raises(CaptureError, match=r"^browser step 1 \(click '#boom'\): the page "
                       r"opened a dialog saying 'boom'"):  # fmt: skip
        capture(script, tmp_path / "x.mp4", size=SIZE, fps=FPS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[browser\nsteps = []", "capture script: not valid TOML"),
        ('[browser]\nurl = "http://x/"\nsteps = [{ clik = "#a" }]', "browser script step 1: "
         "give exactly one of open, click"),
        ('[browser]\nurl = "http://x/"\nsteps = [{ press = "Hyper" }]', "browser script step 1: "
         "unknown key 'Hyper'"),
        ('[browser]\nsteps = [{ click = "#a" }]', "browser script: give the page to start on"),
        ('[browser]\nurl = "ftp://x/"\nsteps = [{ wait = 1 }]', "open takes an http(s) URL"),
        ('[browser]\nurl = "http://x/"\nsteps = [{ click = { role = "button", text = "a" } }]',
         "browser script step 1: click: give one of selector, text, or role"),
        ('[terminal]\nsteps = [{ type = "ls" }]\n[browser]\nsteps = []', "give one table"),
    ],
)  # fmt: skip
def test_a_script_with_a_mistake_is_one_line(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_script(text)
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_pages_on_this_machine_are_refused_when_not_allowed(app: str, tmp_path: Path) -> None:
    script = load_script(f'[browser]\nurl = "{app}"\nsteps = [{{ click = "#save" }}]')
    closed = CaptureOptions(allow_local=False)
    with pytest.raises(InvalidInput, match="is on this machine or its network"):
        capture(script, tmp_path / "x.mp4", size=SIZE, fps=FPS, options=closed)
    # a public page that redirects or links to a local one is refused by the browser itself
    driver = PlaywrightDriver(allow_local=False)
    driver.start(320, 240)
    try:
        with pytest.raises(CaptureError, match="is on this machine or its network"):
            driver.open("file:///etc/passwd")
    finally:
        driver.close()


def test_it_runs_beside_another_playwright_and_inside_an_asyncio_loop(
    app: str, tmp_path: Path
) -> None:
    """The sync API refuses a thread with a running loop (a Jupyter kernel's, the browser
    tests' session Playwright): the driver keeps Playwright on a thread of its own."""
    import asyncio

    from playwright.sync_api import sync_playwright

    script = load_script(f'[browser]\nurl = "{app}"\nsteps = [{{ click = "#save" }}]')
    frames: dict[str, object] = {}

    def on_a_fresh_thread() -> None:
        try:
            run_both()
        except Exception as exc:  # reported by the assertion below, with the frames counted
            frames["error"] = exc

    def run_both() -> None:
        # Its own thread: the browser tests' session Playwright may already hold this worker's
        # main thread, and the sync API refuses to start twice on one thread.
        with sync_playwright():
            frames["beside"] = capture(
                script, tmp_path / "beside.mp4", size=(640, 360), fps=10
            ).frames

        async def in_a_loop() -> int:
            return capture(script, tmp_path / "loop.mp4", size=(640, 360), fps=10).frames

        frames["loop"] = asyncio.run(in_a_loop())

    thread = threading.Thread(target=on_a_fresh_thread)
    thread.start()
    thread.join(timeout=300)
    assert "error" not in frames and frames.get("beside") and frames.get("loop"), frames
