"""Studio interaction latency in a real browser: from a slider step or a drag on the preview to
the updated preview image.

Run: .venv/bin/python benchmarks/studio_latency.py [--reps 20] [--warmup 3] [--out PATH]

It makes a throwaway workspace with one project (the example presenter photo, one scene),
serves the studio with ``widgets.serve`` exactly as ``make studio`` does (Voila on a free
127.0.0.1 port), opens it in headless Chromium (Debian's /usr/bin/chromium, else Playwright's
own) and, in the page, times with ``performance.now()``:

* slider: a key press (ArrowRight/ArrowLeft, one step) on the presenter-size slider's handle,
  to the preview <img> getting its new src (a MutationObserver);
* drag: a drag of the presenter on the preview (mouse down, four moves, up), from the last
  move (the pointer reaching the drop point) to the preview's new src.

The round trip is browser -> websocket -> Voila -> kernel (ipywidgets comm) -> the numpy
previewer -> JPEG -> back. The first ``--warmup`` repetitions are left out. The figures are the
same ones ``tests/browser/test_studio.py`` writes to test-artifacts/browser/latency.json.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.support import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM_ARGS,
    NO_CHROMIUM,
    find_chromium,
    measure_drag,
    measure_slider,
    open_project,
    open_studio,
    wait_for_preview,
    write_latency,
)
from tests.conftest import write_config  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ARTIFACTS / "latency-benchmark.json")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    import vidkit
    from vidkit import editing
    from widgets.serve import StudioSettings, running_studio

    with tempfile.TemporaryDirectory(prefix="vidkit-latency-") as tmp:
        folder = Path(tmp)
        config = write_config(folder / "ws")
        ws = vidkit.open(config)
        ws.create_project("latency", "Latency")
        editing.use_example_presenter(ws, "latency")
        ws.add_scene(
            "latency", "Opening", narration="Drag me around while I explain list comprehensions."
        )
        started = time.monotonic()
        settings = StudioSettings(config=config, port=0)
        with (
            running_studio(settings, log_path=folder / "voila.log") as server,
            sync_playwright() as p,
        ):
            chromium = find_chromium(p.chromium.executable_path)
            if chromium is None:
                print(f"error: {NO_CHROMIUM}", file=sys.stderr)
                return 2
            context = p.chromium.launch_persistent_context(
                str(folder / "profile"),
                executable_path=chromium,
                args=list(CHROMIUM_ARGS),
                headless=True,
                viewport={"width": 1400, "height": 1400},
            )
            page = context.new_page()
            open_studio(page, server.url)
            opened = time.monotonic()
            open_project(page, "latency")
            wait_for_preview(page)
            shown = time.monotonic()
            slider = measure_slider(page, ".vk-scale", reps=args.reps, warmup=args.warmup)
            drag = measure_drag(page, reps=args.reps, warmup=args.warmup)
            context.close()
    print(
        f"studio latency, Chromium {chromium}, {platform.node()}, Python {sys.version.split()[0]}"
    )
    print(
        f"server + page + kernel ready: {opened - started:.1f} s; "
        f"project open: {shown - opened:.1f} s"
    )
    print(slider.line())
    print(drag.line())
    print("target: 250 ms from the edit to the updated preview")
    path = write_latency(
        [slider, drag], args.out, where="benchmarks/studio_latency.py", reps=args.reps
    )
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
