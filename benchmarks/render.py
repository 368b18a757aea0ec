"""Render throughput: vidkit vs a hand-written ffmpeg filtergraph vs MoviePy, incremental
re-render vs full render, preview latency and peak memory, all in one process.

Run: .venv/bin/python benchmarks/render.py [--seconds 60] [--moviepy-seconds 10] [--scenes 10]

1. A 1920x1080 30 fps composite (screen recording + 512x512 RGBA avatar + burned-in captions +
   AAC narration) rendered by ``vidkit.render.compose`` and, in the same process, by one
   hand-written ffmpeg command with the same filters, and by MoviePy's CompositeVideoClip
   (fewer seconds: it runs at ~0.3x realtime). Ratios are of realtime factors. vidkit's
   render runs in a child process, so that its peak memory (the process and its largest
   ffmpeg) is its own.
2. Preview latency of the same composite at 960x540 (``preview_frame``): the first frame,
   then warm: the same frame with the avatar moved, and playing forward frame by frame.
   benchmarks/preview.py measures more cases (seeks, a one-shot ffmpeg baseline).
3. A project of ``--scenes`` short scenes rendered in full through the pipeline (TTS,
   animation, compose, assembly), then again after editing one scene's narration. CPU
   seconds (this process and all its children) are printed too: they depend less on how
   busy a shared machine is than wall-clock time.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.media import ffmpeg_exe  # noqa: E402
from vidkit.model import Layout  # noqa: E402
from vidkit.render.caption_files import to_ass  # noqa: E402
from vidkit.render.captions import CaptionCue  # noqa: E402
from vidkit.render.compose import compose, font_path  # noqa: E402
from vidkit.timeline import (  # noqa: E402
    AudioLayer,
    AvatarLayer,
    Caption,
    CaptionLayer,
    FitPlan,
    RecordingSource,
    ScreenLayer,
    Timeline,
)
from vidkit.video import RgbaVideoWriter  # noqa: E402

FPS = Fraction(30)


def _ff(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def inputs(folder: Path, seconds: int) -> tuple[Path, Path, Path, Path, list[CaptionCue]]:
    screen, avatar, wav, ass = (folder / n for n in ("screen.mp4", "avatar.mkv", "n.wav", "c.ass"))
    _ff("-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=30:d={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(screen))  # fmt: skip
    _ff("-f", "lavfi", "-i", f"sine=frequency=220:d={seconds}", "-ar", "22050", str(wav))
    yy, xx = np.mgrid[0:512, 0:512]
    disc = ((xx - 256) ** 2 + (yy - 280) ** 2 < 220**2).astype(np.uint8) * 255
    with RgbaVideoWriter(avatar, 512, 512, FPS) as writer:
        frame = np.zeros((512, 512, 4), np.uint8)
        frame[..., 3] = disc
        for i in range(seconds * 30):
            frame[..., 0] = (xx + i) % 256
            frame[..., 1] = (yy * 2 + i) % 256
            writer.write(frame)
    cues = [CaptionCue(ms, ms + 2500, f"Caption number {ms // 3000}, shown for a while")
            for ms in range(0, seconds * 1000 - 3000, 3000)]  # fmt: skip
    ass.write_text(to_ass(cues, 1920, 1080), encoding="utf-8")
    return screen, avatar, wav, ass, cues


def timeline_of(seconds: int, screen: Path, avatar: Path, wav: Path,
                cues: list[CaptionCue]) -> Timeline:  # fmt: skip
    return Timeline(
        1920, 1080, FPS, seconds * 30,
        screen=ScreenLayer(RecordingSource(screen, seconds * 1000, 1920, 1080), FitPlan()),
        avatar=AvatarLayer(512, 512, Layout(), video=avatar),
        captions=CaptionLayer(tuple(Caption(c.start_ms * 30 // 1000, c.end_ms * 30 // 1000,
                                            c.text) for c in cues)),
        audio=AudioLayer(wav),
    )  # fmt: skip


def run_vidkit(folder: Path, seconds: int, screen: Path, avatar: Path, wav: Path, ass: Path,
               cues: list[CaptionCue]) -> tuple[float, float, float]:  # fmt: skip
    """Seconds to render, and the peak RSS (MiB) of the rendering process and of its
    largest ffmpeg child. Run in a child process (see ``in_child``)."""
    timeline = timeline_of(seconds, screen, avatar, wav, cues)
    started = time.perf_counter()
    compose(timeline, folder / "vidkit.mp4", captions_ass=ass)
    took = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return took, own, child


def in_child(function: Any, *args: object) -> Any:
    """``function(*args)`` in a fresh process: its memory is measured apart from this one's."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def run_handwritten(folder: Path, seconds: int, screen: Path, avatar: Path, wav: Path,
                    ass: Path) -> float:  # fmt: skip
    fonts = Path(font_path()).parent
    h = round(1080 * 0.35) // 2 * 2
    graph = (
        f"[0:v]format=yuv420p[s];[1:v]format=rgba,scale={h}:{h}[a];"
        f"[s][a]overlay=x={1920 - h - 32}:y={1080 - h - 32}[o];"
        f"[o]ass={ass}:fontsdir={fonts},format=yuv420p[v];[2:a]aresample=48000[au]"
    )
    started = time.perf_counter()
    _ff("-i", str(screen), "-i", str(avatar), "-i", str(wav), "-filter_complex", graph,
        "-map", "[v]", "-map", "[au]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
        "-profile:v", "high", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k", "-ac", "1",
        "-frames:v", str(seconds * 30), "-movflags", "+faststart",
        str(folder / "hand.mp4"))  # fmt: skip
    return time.perf_counter() - started


def run_moviepy(folder: Path, seconds: int, screen: Path, avatar: Path, wav: Path) -> float:
    from moviepy import AudioFileClip, CompositeVideoClip, VideoFileClip

    h = round(1080 * 0.35) // 2 * 2
    started = time.perf_counter()
    base = VideoFileClip(str(screen)).subclipped(0, seconds)
    face = (VideoFileClip(str(avatar), has_mask=True).subclipped(0, seconds).resized((h, h))
            .with_position((1920 - h - 32, 1080 - h - 32)))  # fmt: skip
    clip = CompositeVideoClip([base, face]).with_audio(
        AudioFileClip(str(wav)).subclipped(0, seconds)
    )
    clip.write_videofile(str(folder / "moviepy.mp4"), fps=30, codec="libx264", preset="veryfast",
                         threads=2, audio_codec="aac", logger=None)  # fmt: skip
    return time.perf_counter() - started


def preview(timeline: Timeline) -> tuple[float, list[float], list[float]]:
    """ms of the first preview frame, of the same frame with the avatar moved (20 times),
    and of 60 frames played forward, at 960x540."""
    from vidkit.render.preview import clear_preview_caches, preview_frame

    def ms(tl: Timeline, i: int) -> float:
        started = time.perf_counter()
        preview_frame(tl, i, (960, 540))
        return (time.perf_counter() - started) * 1000

    clear_preview_caches()
    at = timeline.duration // 3
    cold = ms(timeline, at)
    time.sleep(0.5)  # the user looks at the frame; read-ahead finishes
    assert timeline.avatar is not None
    moved = []
    for k in range(20):
        layout = Layout(corner=None, x=0.2 + 0.02 * k, y=0.3 + 0.01 * k, scale=0.3)
        moved.append(ms(replace(timeline, avatar=replace(timeline.avatar, layout=layout)), at))
    play = [ms(timeline, i) for i in range(at + 1, at + 61)]
    clear_preview_caches()
    return cold, moved, play


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have finished."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def incremental(folder: Path, scenes: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(wall, CPU) seconds of a full render of ``scenes`` scenes and of the render after one
    scene's narration was edited."""
    from vidkit.api import Workspace
    from vidkit.config import load_config
    from vidkit.example import load_project_file
    from vidkit.pipeline import render

    (folder / "p").mkdir()
    (folder / "p" / "code.py").write_text("total = sum(n * n for n in range(10))\nprint(total)\n")
    body = "".join(
        f'[[scenes]]\ntitle = "Scene {i}"\ncode = "code.py"\n'
        f'narration = "This is scene number {i}. It squares a few numbers and adds them up."\n'
        for i in range(1, scenes + 1)
    )
    (folder / "p" / "p.toml").write_text(
        '[project]\nslug = "bench"\ntitle = "Bench"\nwidth = 1280\nheight = 720\n'
        f'avatar = "skimage:astronaut"\n{body}'
    )
    (folder / "config.toml").write_text(
        f'[models]\ndir = "{REPO / "models"}"\n[avatar]\nmatting = "mediapipe"\n'
    )
    ws = Workspace(load_config(folder / "config.toml"))
    load_project_file(ws, folder / "p" / "p.toml")
    started, cpu = time.perf_counter(), cpu_seconds()
    render(ws, "bench")
    full = (time.perf_counter() - started, cpu_seconds() - cpu)
    target = ws.scenes("bench")[scenes // 2]
    ws.update_scene("bench", target.id, narration="This one scene was edited, and only it changes.")
    started, cpu = time.perf_counter(), cpu_seconds()
    render(ws, "bench")
    return full, (time.perf_counter() - started, cpu_seconds() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--moviepy-seconds", type=int, default=10)
    parser.add_argument("--scenes", type=int, default=10, help="0 skips the pipeline part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vidkit-render-bench-") as tmp:
        folder = Path(tmp)
        screen, avatar, wav, ass, cues = inputs(folder, args.seconds)
        hand = run_handwritten(folder, args.seconds, screen, avatar, wav, ass)
        vidkit = in_child(run_vidkit, folder, args.seconds, screen, avatar, wav, ass, cues)
        ours, rss_own, rss_ffmpeg = vidkit
        mp = in_child(run_moviepy, folder, args.moviepy_seconds, screen, avatar, wav)
        cold, moved, play = preview(timeline_of(args.seconds, screen, avatar, wav, cues))
        full, inc = incremental(folder, args.scenes) if args.scenes else ((1.0, 1.0), (0.0, 0.0))
        peak_main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rt = {
        "hand": args.seconds / hand,
        "vidkit": args.seconds / ours,
        "moviepy": args.moviepy_seconds / mp,
    }
    print(f"composite {args.seconds} s 1080p30 (screen + avatar + captions + audio)")
    for name, value in rt.items():
        print(f"  {name:<10} {value:6.2f}x realtime")
    print(f"  vidkit / hand-written ffmpeg: {rt['vidkit'] / rt['hand']:.2f}  (target >= 0.9)")
    print(f"  vidkit / MoviePy:             {rt['vidkit'] / rt['moviepy']:.1f}  (target >= 5)")
    print(f"  peak RSS of the render: {rss_own:.0f} MiB (Python), {rss_ffmpeg:.0f} MiB (ffmpeg)")
    warm = sorted(moved + play)
    p95 = warm[round(0.95 * (len(warm) - 1))]
    print("preview 960x540 of the composite (ms):")
    print(f"  first frame {cold:.0f}; warm median {statistics.median(warm):.1f}, p95 {p95:.1f} "
          f"(avatar moved: {statistics.median(moved):.1f}, playing: {statistics.median(play):.1f})"
          "  (target <= 100)")  # fmt: skip
    if args.scenes:
        print(f"pipeline, {args.scenes} scenes at 1280x720: full {full[0]:.1f} s "
              f"({full[1]:.0f} CPU s), one edited {inc[0]:.1f} s ({inc[1]:.1f} CPU s)")  # fmt: skip
        print(f"  incremental / full: {inc[0] / full[0]:.1%} wall clock, {inc[1] / full[1]:.1%} "
              "CPU  (target <= 15%)")  # fmt: skip
    print(f"peak RSS of this process (preview, then the pipeline): {peak_main:.0f} MiB")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
