"""Capture speed: the terminal's rendering realtime factor, and browser capture's wall time.

Run: .venv/bin/python benchmarks/capture.py [--seconds 10] [--only terminal|browser]

Terminal:
A session (typing at 14 chars/s, a coloured progress bar redrawn with ``\\r``, ``ls``, a
``seq`` that scrolls the screen) is captured for real (that part runs in real time), then
rendered at 1280x720, 30 fps. The figure is the capture's length over the render's wall time
(drawing the frames and encoding the MP4, on ONE core for the drawing; ffmpeg as it runs).
Target: >= 5x. Rows are redrawn only where the screen changed and unchanged frames re-send
the same YUV buffer.

Browser: a script against a tiny local app (typing 60 characters, clicks with the drawn
pointer, a zoom, a highlight, a list growing) captured through local headless Chromium at
1280x720, 30 fps. The figure is wall time (Chromium's start, the capture, the render) over the
capture's own length. Target: <= 1.5x. The same run measures why frames are per-action
screenshots and not the DevTools screencast: the screencast's frame rate while the page types.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import shlex  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.capture import Step, TerminalScript, capture_terminal  # noqa: E402

BAR = (
    "import sys,time; print('\\033[1;34mbuilding\\033[0m \\033[32mok\\033[0m'); "
    "[(sys.stdout.write('\\r[%-20s] %3d%%' % ('#'*i, i*5)), sys.stdout.flush(), time.sleep(0.08))"
    " for i in range(21)]; print()"
)


def script(seconds: float) -> TerminalScript:
    py = shlex.quote(sys.executable)
    steps = [
        Step("type", "mkdir src && touch src/app.py README.md"),
        Step("type", "ls -la"),
        Step("type", f'{py} -c "{BAR}"', chars_per_s=200),
        Step("type", "seq 1 40"),
    ]
    hold = max(0, round(seconds * 1000) - 8000)  # the steps take about 8 s
    return TerminalScript(tuple(steps), chars_per_s=14, hold_ms=hold)


BROWSER = """
[browser]
url = "URL"
steps = [
  { type = "a first line of text, typed at a human pace: 60 chars", into = "#name" },
  { click = "#save", zoom = 1.6 },
  { click = "#add" },
  { click = "#add" },
  { click = { text = "Add item" } },
  { highlight = "#list", hold = 1200 },
  { scroll = 200 },
  { wait = 1000 },
]
"""


def screencast_rate(url: str, seconds: float = 3.0) -> tuple[float, float]:
    """Frames per second the DevTools screencast delivers while the page types, and the mean
    latency (ms) of one per-action screenshot."""
    import time

    from playwright.sync_api import sync_playwright

    from vidkit.capture.local import CHROMIUM_ARGS, find_chromium

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url)
        cdp = page.context.new_cdp_session(page)
        count = [0]

        def frame(event: dict[str, object]) -> None:
            count[0] += 1
            cdp.send("Page.screencastFrameAck", {"sessionId": event["sessionId"]})

        cdp.on("Page.screencastFrame", frame)
        cdp.send("Page.startScreencast", {"format": "png", "everyNthFrame": 1})
        page.click("#name")
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            page.keyboard.type("x")
            page.wait_for_timeout(40)
        cdp.send("Page.stopScreencast")
        rate = count[0] / (time.monotonic() - began)
        began = time.monotonic()
        for _ in range(20):
            page.screenshot(type="png")
        shot_ms = (time.monotonic() - began) / 20 * 1000
        browser.close()
    return rate, shot_ms


def browser_run() -> None:
    import time

    from tests.capture.webapp import serve
    from vidkit.capture import load_script
    from vidkit.capture.browser import capture_browser
    from vidkit.capture.local import PlaywrightDriver

    with serve() as url, tempfile.TemporaryDirectory() as folder:
        script = load_script(BROWSER.replace("URL", url))
        assert not isinstance(script, TerminalScript)
        began = time.monotonic()
        driver = PlaywrightDriver()
        result = capture_browser(script, Path(folder) / "b.mp4", driver=driver)
        wall = time.monotonic() - began
        rate, shot_ms = screencast_rate(url)
    print("\nbrowser capture at 1280x720, 30 fps, local headless Chromium\n")
    print(f"{'capture length':<28}{result.duration_s:>10.2f} s")
    print(f"{'capture wall (w/ start)':<28}{wall - result.render_s:>10.2f} s")
    print(f"{'render wall time':<28}{result.render_s:>10.2f} s")
    print(f"{'wall / length':<28}{wall / result.duration_s:>10.2f}x   (target <= 1.5x)")
    print(f"{'one screenshot':<28}{shot_ms:>10.1f} ms")
    print(f"{'screencast while typing':<28}{rate:>10.1f} frames/s (variable; 30 needed)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--only", choices=("terminal", "browser"))
    args = parser.parse_args()
    if args.only != "terminal":
        browser_run()  # Chromium gets every core; the terminal's drawing then gets one
    if args.only == "browser":
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as folder:
        result = capture_terminal(script(args.seconds), Path(folder) / "session.mp4")
    print("terminal capture at 1280x720, 30 fps, 100x30 cells (drawing on one core)\n")
    print(f"{'capture length':<28}{result.duration_s:>10.2f} s")
    print(f"{'capture wall time':<28}{result.capture_s:>10.2f} s")
    print(f"{'render wall time':<28}{result.render_s:>10.2f} s")
    print(f"{'frames drawn / total':<28}{result.rendered_frames:>6} / {result.frames}")
    print(f"{'realtime factor':<28}{result.realtime_factor:>10.1f}x   (target >= 5x)")


if __name__ == "__main__":
    main()
