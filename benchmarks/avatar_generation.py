"""The offline avatar generator: how often the face rig finds a face, and how long an image
takes (generation + PNG + face check), over 40 seeds.

    .venv/bin/python benchmarks/avatar_generation.py [--seeds 40] [--prompt "..."]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image

from vidkit.backends import registry
from vidkit.backends.imagegen.illustrated import IllustratedImageGen
from vidkit.config import Config
from vidkit.errors import InvalidInput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--prompt", default="friendly teacher")
    args = parser.parse_args()
    rig = registry.build_facerig(Config().resolved(Path.cwd()))
    gen = IllustratedImageGen()
    gen.generate(args.prompt, -1)  # warm-up (imports, first cairo call)
    found, times = 0, []
    for seed in range(args.seeds):
        start = time.perf_counter()
        image = gen.generate(args.prompt, seed)
        with Image.open(io.BytesIO(image.png)) as opened:
            pixels = np.asarray(opened.convert("RGB"), dtype=np.uint8)
        try:
            rig.detect(pixels)
            found += 1
        except InvalidInput:
            pass
        times.append(time.perf_counter() - start)
    print(f"prompt: {args.prompt!r}, {args.seeds} seeds, {gen.size}px")
    print(f"face found: {found}/{args.seeds} ({100 * found / args.seeds:.1f}%)")
    print(
        f"seconds per image (generate + face check): median {statistics.median(times):.3f}, "
        f"max {max(times):.3f}"
    )


if __name__ == "__main__":
    main()
