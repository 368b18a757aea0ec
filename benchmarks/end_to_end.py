"""Text to MP4 from an empty cache: the example project rendered end to end.

Run: .venv/bin/python benchmarks/end_to_end.py [--workers 2] [--baseline]

Renders ``data/example/project.toml`` (4 scenes, about 52 s of video) into a fresh workspace,
so every stage runs: speech, cutout, rig, animation, compose, assembly. Prints the realtime
factor (seconds of video per second of wall clock; the target on 2 cores is >= 1), when each
scene's stages ran, and a per-stage breakdown (wall-clock seconds during which that stage was
running in any process, and the sum over scenes). With ``--baseline`` the same project is
rendered again, from an empty cache, with one worker in the same process run, and the ratio
of the two is printed. ``VIDKIT_SOURCE=/path/to/an/older/checkout`` measures that checkout's
code with this script (before/after figures from the same machine and hour).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# VIDKIT_SOURCE: another checkout to measure (an older commit, for a before/after figure).
sys.path.insert(0, os.environ.get("VIDKIT_SOURCE", str(REPO)))

import vidkit  # noqa: E402
from vidkit.example import example_project_file, load_project_file  # noqa: E402
from vidkit.media import probe  # noqa: E402
from vidkit.pipeline import Event, render  # noqa: E402


@dataclass
class Timeline:
    """When each (stage, scene) was first and last heard of."""

    started: float = field(default_factory=time.perf_counter)
    spans: dict[tuple[str, int | None], list[float]] = field(default_factory=dict)

    def __call__(self, event: Event) -> None:
        if event.cached:  # a stage found in the cache (the scene's task reading its speech)
            return
        now = time.perf_counter() - self.started
        span = self.spans.setdefault((event.stage, event.position), [now, now])
        span[1] = now

    def report(self) -> None:
        first = min((s[0] for s in self.spans.values()), default=0.0)
        print(f"  first stage event after {first:.1f} s (set-up, model loading)")
        print("  stage      scene  from     to    (s)")
        for (stage, pos), (a, b) in sorted(self.spans.items(), key=lambda kv: kv[1][0]):
            print(f"  {stage:9} {pos if pos else '-':>5} {a:6.1f} {b:6.1f}")
        busy: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for (stage, _), (a, b) in self.spans.items():
            busy[stage].append((a, b))
        print("  per stage: wall seconds while running (union) / summed over scenes")
        for stage, spans in busy.items():
            print(f"  {stage:9} {_union(spans):6.1f} / {sum(b - a for a, b in spans):6.1f}")


def _union(spans: list[tuple[float, float]]) -> float:
    total, end = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b > end:
            total += b - max(a, end)
            end = b
    return total


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (workers, ffmpeg)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run(workers: int) -> tuple[float, float]:
    """Render the example from an empty cache; returns (wall seconds, video seconds)."""
    with tempfile.TemporaryDirectory(prefix="vidkit-e2e-") as tmp:
        config = Path(tmp) / "config.toml"
        text = (REPO / "config.toml").read_text(encoding="utf-8")
        text = text.replace('dir = "models"', f'dir = "{(REPO / "models").as_posix()}"')
        config.write_text(text, encoding="utf-8")
        ws = vidkit.open(config)
        slug = load_project_file(ws, example_project_file()).slug
        clock = Timeline()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        result = render(ws, slug, workers=workers, progress=clock)
        wall = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        assert result.final is not None
        video = (probe(result.final).duration_ms or 0) / 1000
        print(f"\nworkers={workers}: {video:.1f} s of video in {wall:.1f} s")
        print(f"  realtime factor {video / wall:.2f}x (target >= 1 on 2 cores)")
        cores = os.cpu_count() or 1
        print(f"  CPU {cpu:.1f} s: {cpu / wall / cores:.0%} of {cores} cores while it ran")
        clock.report()
        return wall, video


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline", action="store_true", help="also render with 1 worker")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} before the run")
    wall, video = run(args.workers)
    if args.baseline:
        one, _ = run(1)
        print(f"\n{args.workers} workers / 1 worker, wall clock: {wall / one:.2f} "
              f"(speed-up {one / wall:.2f}x)")  # fmt: skip
    print(f"\nrealtime factor: {video / wall:.2f}x")


if __name__ == "__main__":
    main()
