"""Code-typing screen speed: ``frames()`` at 1920x1080 and ``frame(i)`` at 960x540, on ONE core.

Run: .venv/bin/python benchmarks/code_typing.py [--seconds 20]

The baseline, run in the same process on the same frames, is the naive renderer: every frame
is a new Pillow image with the title bar, line numbers, the typed part of every visible line
drawn token by token with ``ImageDraw.text`` and the cursor (what the editor view costs
without caching rows or redrawing only what changed). Ratios are vidkit / baseline speed
(above 1 is faster). Targets: ``frames()`` >= 120 frames/s at 1080p, ``frame(i)`` < 30 ms at
960x540 warm.

Workloads: an example scene (04_dict.py, 4 lines, typed over the scene), a longer file (the
first 60 lines of vidkit/screen/_pace.py over a 6x longer scene: fast typing that scrolls), and
for frames() only a stress case (2,000 lines in 10 s: whole lines appear and the view scrolls on
every frame, so rows are assembled and the text area redrawn on every frame).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.screen import CodeTyping  # noqa: E402
from vidkit.timeline import CodeSource  # noqa: E402

FPS = Fraction(30)


class Naive:
    """The baseline: redraw the whole editor with Pillow for every frame."""

    def __init__(self, ct: CodeTyping) -> None:
        self.ct = ct

    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        ct, m, theme = self.ct, self.ct.metrics, self.ct.theme
        state = ct._state(index)
        image = Image.new("RGB", (m.width, m.height), theme.background)
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, m.width, m.bar_h), fill=theme.chrome)
        draw.text((m.width // 20, m.bar_h // 4), ct.source.filename, font=m.fonts.ui)
        draw.rectangle((0, m.height - m.status_h, m.width, m.height), fill=theme.status)
        draw.text((10, m.height - m.status_h), state.status, font=m.fonts.ui)
        typed = ct.code[: state.typed].split("\n")
        top_row = state.scroll // m.line_h
        for row in range(top_row, min(len(typed), top_row + m.visible_rows + 1)):
            y = m.area_top + m.pad_top + row * m.line_h - state.scroll
            draw.text(
                (m.num_right - len(str(row + 1)) * m.cell_w, y),
                str(row + 1),
                font=m.fonts.code[0],
                fill=theme.gutter,
            )
            x = m.text_x
            for start, end, ttype in ct.text.spans[row]:
                part = typed[row][start:end]
                style = theme.style_for(ttype)
                font = m.fonts.code[int(style.bold) + 2 * int(style.italic)]
                draw.text((m.text_x + start * m.cell_w, y), part, font=font, fill=style.color)
                x += len(part) * m.cell_w
        if state.cursor_on:
            y = m.area_top + m.pad_top + state.row * m.line_h - state.scroll
            draw.rectangle(
                (m.col_x(state.col), y, m.col_x(state.col) + 2, y + m.line_h), fill=theme.cursor
            )
        return np.asarray(image)


def stream_fps(ct: CodeTyping) -> float:
    start = time.perf_counter()
    count = sum(1 for _ in ct.frames())
    return count / (time.perf_counter() - start)


def naive_fps(ct: CodeTyping, sample: int = 120) -> float:
    naive = Naive(ct)
    indices = np.linspace(0, ct.duration - 1, sample).astype(int)
    start = time.perf_counter()
    for index in indices:
        naive.frame(int(index))
    return sample / (time.perf_counter() - start)


def seek_ms(render: object, duration: int, count: int = 60) -> float:
    indices = random.Random(1).sample(range(duration), min(count, duration))
    times = []
    for index in indices:
        start = time.perf_counter()
        render.frame(index)  # type: ignore[attr-defined]
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    frames = round(args.seconds * 30)
    example = (REPO / "data/example/code/04_dict.py").read_text(encoding="utf-8")
    long = "".join(
        (REPO / "vidkit/screen/_pace.py").read_text(encoding="utf-8").splitlines(True)[:60]
    )
    stress = "\n".join(f"value_{i} = compute({i})  # row {i}" for i in range(2000))
    workloads = [
        ("example 04_dict.py", CodeSource(example, "04_dict.py"), frames),
        ("60 lines of _pace.py", CodeSource(long, "_pace.py"), frames * 6),
    ]
    print(f"one core, {args.seconds:.0f} s scenes at 30 fps (the 60-line file: 6x as long)\n")
    print(f"{'frames() at 1920x1080':<28}{'vidkit fps':>12}{'naive fps':>12}{'ratio':>9}  mode")
    for name, source, count in workloads:
        ct = CodeTyping(source, 1920, 1080, FPS, count)
        fast, slow = stream_fps(ct), naive_fps(ct)
        print(f"{name:<28}{fast:>12.0f}{slow:>12.1f}{fast / slow:>8.1f}x  {ct.mode}")
    ct = CodeTyping(CodeSource(stress, "stress.py"), 1920, 1080, FPS, 300)
    print(f"{'stress 2000 lines in 10 s':<28}{stream_fps(ct):>12.0f}{'':>12}{'':>9}  {ct.mode}")
    print(f"\n{'frame(i) at 960x540, ms':<28}{'cold':>8}{'warm':>8}{'naive':>8}{'ratio':>9}")
    for name, source, count in workloads:
        ct = CodeTyping(source, 960, 540, FPS, count)
        cold, warm = seek_ms(ct, count), seek_ms(ct, count)
        slow = seek_ms(Naive(ct), count)
        print(f"{name:<28}{cold:>8.2f}{warm:>8.2f}{slow:>8.2f}{slow / warm:>8.1f}x")


if __name__ == "__main__":
    main()
