"""Terminal capture speed: the rendering realtime factor of a ~10 s scripted shell session.

Run: .venv/bin/python benchmarks/capture.py [--seconds 10]

A session (typing at 14 chars/s, a coloured progress bar redrawn with ``\\r``, ``ls``, a
``seq`` that scrolls the screen) is captured for real (that part runs in real time), then
rendered at 1280x720, 30 fps. The figure is the capture's length over the render's wall time
(drawing the frames and encoding the MP4, on ONE core for the drawing; ffmpeg as it runs).
Target: >= 5x. Rows are redrawn only where the screen changed and unchanged frames re-send
the same YUV buffer.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
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
