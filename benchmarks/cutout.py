"""Avatar cutout speed: each matting backend, the edge refinement, and the whole cutout.

Run: .venv/bin/python benchmarks/cutout.py [--runs 7]

Times are medians of warm runs (one untimed run first) on scikit-image's astronaut (512 x 512).
The baseline, run in the same process, is ``rembg.remove(photo, session=...)`` with its
defaults: u2netp, no alpha matting, no mask post-processing, RGBA out. Ratios are
time / baseline (below 1 is faster). pymatting's ``estimate_foreground_ml`` (installed with
rembg) is timed next to vidkit's blur-fusion colour estimate when it is importable.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.backends.matting.mediapipe_selfie import MediaPipeSelfieMatting  # noqa: E402
from vidkit.backends.matting.refine import clean_matte, cutout, estimate_foreground  # noqa: E402
from vidkit.backends.matting.rembg import RembgMatting  # noqa: E402
from vidkit.config import Config, ModelsConfig  # noqa: E402
from vidkit.models import require  # noqa: E402

BASELINE = "baseline: rembg.remove (u2netp, defaults)"


def medians_ms(steps: dict[str, Callable[[], Any]], runs: int) -> dict[str, float]:
    """Median warm time of each step; the steps take turns, so load on the machine hits all."""
    for work in steps.values():
        work()  # warm: imports, sessions, numba
    times: dict[str, list[float]] = {label: [] for label in steps}
    for _ in range(runs):
        for label, work in steps.items():
            started = time.perf_counter()
            work()
            times[label].append(time.perf_counter() - started)
    return {label: statistics.median(t) * 1000 for label, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from skimage import data

    samples: Any = data  # untyped

    config = Config(models=ModelsConfig(dir=REPO / "models"))
    photo = np.asarray(samples.astronaut(), dtype=np.uint8)
    rembg_backend = RembgMatting(require(config, "u2netp").parent)
    selfie = MediaPipeSelfieMatting(require(config, "selfie-segmenter"))

    # rembg as its users call it: the model file is already in $U2NET_HOME, so no download.
    os.environ["U2NET_HOME"] = str(require(config, "u2netp").parent)
    import rembg

    session = rembg.new_session("u2netp")
    rembg_alpha, selfie_alpha = rembg_backend.mask(photo), selfie.mask(photo)
    matte = clean_matte(rembg_alpha)
    steps: dict[str, Callable[[], Any]] = {
        BASELINE: lambda: rembg.remove(photo, session=session),
        "RembgMatting.mask": lambda: rembg_backend.mask(photo),
        "MediaPipeSelfieMatting.mask": lambda: selfie.mask(photo),
        "refine.cutout (rembg matte)": lambda: cutout(photo, rembg_alpha),
        "refine.cutout (selfie matte)": lambda: cutout(photo, selfie_alpha),
        "whole cutout, rembg": lambda: cutout(photo, rembg_backend.mask(photo)),
        "whole cutout, mediapipe": lambda: cutout(photo, selfie.mask(photo)),
        "colours: blur fusion": lambda: estimate_foreground(photo, matte),
    }
    try:
        estimate_foreground_ml = importlib.import_module("pymatting").estimate_foreground_ml
        image, alpha = photo.astype(np.float64) / 255.0, matte.astype(np.float64)
        steps["colours: pymatting estimate_foreground_ml"] = lambda: estimate_foreground_ml(
            image, alpha
        )
    except (ImportError, AttributeError):
        print("(pymatting is not installed: its row is left out)")
    results = medians_ms(steps, args.runs)
    selfie.close()

    print(f"astronaut 512x512, median of {args.runs} warm runs, {os.cpu_count()} CPU(s)")
    print(f"{'step':44} {'ms':>8} {'x baseline':>11}")
    for label, ms in results.items():
        print(f"{label:44} {ms:8.1f} {ms / results[BASELINE]:11.2f}")


if __name__ == "__main__":
    main()
