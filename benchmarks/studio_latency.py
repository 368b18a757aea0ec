"""Studio interaction latency in a real browser: from a slider step or a drag on the preview to
the updated preview image.

Run: .venv/bin/python benchmarks/studio_latency.py [--reps 20] [--warmup 3] [--loads 7]
[--only first-usable|interaction] [--out PATH]

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

Before those, the page itself (``--loads N``, ``--only first-usable`` for this part alone):

* first usable: from navigation start to the first frame in which the studio's "Create
  project" button is shown and enabled (the project list and the form are built in the same
  kernel step), measured in the page (performance.now() from an init script), on a warm server:
  one load first that is not counted, and before each load the server's kernels idle (its
  pre-heated kernel built). Each tab is closed after, as a person closes it.
* cold: the same for the studio served without pre-heating (each tab waits for a new kernel to
  start and run the app), what ``widgets.serve`` did before;
* baseline: the same measure, in the same process and browser, for a bare Voila app of one
  Text and one Button served the same way; the ratio studio / baseline is what the studio adds
  to what any Voila page costs on this machine.

Target: the studio first usable within 3 s of navigation on a warm server.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.browser.support import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM_ARGS,
    NO_CHROMIUM,
    find_chromium,
    first_usable_ms,
    measure_drag,
    measure_slider,
    open_project,
    open_studio,
    wait_for_preview,
    wait_for_quiet_server,
    write_latency,
)
from tests.conftest import write_config  # noqa: E402
from widgets.serve import StudioServer  # noqa: E402

# The baseline: any Voila page with one Text and one Button, marked as the studio's form is.
BARE_APP = """import ipywidgets as w

title = w.Text(description="Title")
title.add_class("vk-new-title")
create = w.Button(description="Create project")
create.add_class("vk-create-project")
app = w.VBox([title, create])
app.add_class("vk-studio")
app
"""


def write_bare_app(folder: Path) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(BARE_APP))
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bare.ipynb"
    nbformat.write(notebook, str(path))
    return path


def page_loads(context: Any, server: StudioServer, loads: int) -> list[float]:
    """``loads`` measured page loads after one that is not counted, each on a quiet server."""
    samples: list[float] = []
    for i in range(loads + 1):
        if not wait_for_quiet_server(server.process.pid):
            raise SystemExit(f"the server at {server.url} stayed busy: nothing else may run")
        ms = first_usable_ms(context, server.url)
        if i:
            samples.append(ms)
    return samples


def line(name: str, samples: list[float]) -> str:
    return (
        f"{name:<9} median {statistics.median(samples):7.0f} ms   "
        f"(n={len(samples)}, min {min(samples):.0f}, max {max(samples):.0f})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--only", choices=("first-usable", "interaction"), default=None)
    parser.add_argument("--out", type=Path, default=ARTIFACTS / "latency-benchmark.json")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    import vidkit
    from vidkit import editing
    from widgets.serve import StudioSettings, running_studio

    chromium = find_chromium()
    if chromium is None:
        print(f"error: {NO_CHROMIUM}", file=sys.stderr)
        return 2
    print(
        f"studio latency, Chromium {chromium}, {platform.node()}, Python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory(prefix="vidkit-latency-") as tmp, sync_playwright() as p:
        folder = Path(tmp)
        config = write_config(folder / "ws")
        ws = vidkit.open(config)
        ws.create_project("latency", "Latency")
        editing.use_example_presenter(ws, "latency")
        ws.add_scene(
            "latency", "Opening", narration="Drag me around while I explain list comprehensions."
        )
        context = p.chromium.launch_persistent_context(
            str(folder / "profile"),
            executable_path=chromium,
            args=list(CHROMIUM_ARGS),
            headless=True,
            viewport={"width": 1400, "height": 1400},
        )
        results: dict[str, Any] = {}
        if args.only != "interaction":
            bare_app = write_bare_app(folder / "bare")
            runs: dict[str, list[float]] = {}
            for name, settings in (
                ("studio", StudioSettings(config=config, port=0)),
                ("cold", StudioSettings(config=config, port=0, preheat=False)),
                ("baseline", StudioSettings(config=config, notebook=bare_app, port=0)),
            ):
                with running_studio(settings, log_path=folder / f"{name}.log") as server:
                    runs[name] = page_loads(context, server, args.loads)
            median = {name: statistics.median(samples) for name, samples in runs.items()}
            ratio = median["studio"] / median["baseline"]
            print("first usable (navigation -> Create project shown and enabled), warm server:")
            print(line("studio", runs["studio"]) + "   (as served: a pre-heated kernel)")
            print(line("cold", runs["cold"]) + "   (the studio without pre-heating)")
            print(line("baseline", runs["baseline"]) + "   (a bare Voila app, served alike)")
            print(
                f"ratio studio / baseline: {ratio:.2f}; cold / studio: "
                f"{median['cold'] / median['studio']:.2f}; target: studio within 3000 ms"
            )
            results["first_usable"] = {
                **{f"{name}_median_ms": round(m) for name, m in median.items()},
                "ratio_studio_baseline": round(ratio, 2),
                **{f"{name}_samples_ms": [round(s) for s in v] for name, v in runs.items()},
            }
        if args.only != "first-usable":
            started = time.monotonic()
            settings = StudioSettings(config=config, port=0)
            with running_studio(settings, log_path=folder / "voila.log") as server:
                page = context.new_page()
                open_studio(page, server.url)
                opened = time.monotonic()
                open_project(page, "latency")
                wait_for_preview(page)
                shown = time.monotonic()
                slider = measure_slider(page, ".vk-scale", reps=args.reps, warmup=args.warmup)
                drag = measure_drag(page, reps=args.reps, warmup=args.warmup)
            print(
                f"server + page + kernel ready: {opened - started:.1f} s; "
                f"project open: {shown - opened:.1f} s"
            )
            print(slider.line())
            print(drag.line())
            print("target: 250 ms from the edit to the updated preview")
            results["interaction"] = [slider, drag]
        context.close()
    path = write_latency(
        results.get("interaction", []),
        args.out,
        where="benchmarks/studio_latency.py",
        reps=args.reps,
        loads=args.loads,
        **({"first_usable": results["first_usable"]} if "first_usable" in results else {}),
    )
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
