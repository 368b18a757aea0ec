"""Render throughput: vidkit vs a hand-written ffmpeg filtergraph vs MoviePy, and incremental
re-render vs full render.

Run: .venv/bin/python benchmarks/render.py [--seconds 60] [--moviepy-seconds 10] [--scenes 10]

1. A 1920x1080 30 fps composite (screen recording + 512x512 RGBA avatar + burned-in captions +
   AAC narration) rendered by ``vidkit.render.compose`` and, in the same process, by one
   hand-written ffmpeg command with the same filters, and by MoviePy's CompositeVideoClip
   (fewer seconds: it runs at ~0.3x realtime). Ratios are of realtime factors.
2. A project of ``--scenes`` short scenes rendered in full through the pipeline (TTS,
   animation, compose, assembly), then again after editing one scene's narration.
Preview latency has its own script: benchmarks/preview.py.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.media import ffmpeg_exe  # noqa: E402
from vidkit.model import Layout  # noqa: E402
from vidkit.render.captions import CaptionCue, to_ass  # noqa: E402
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


def run_vidkit(folder: Path, seconds: int, screen: Path, avatar: Path, wav: Path, ass: Path,
               cues: list[CaptionCue]) -> float:  # fmt: skip
    frames = seconds * 30
    timeline = Timeline(
        1920, 1080, FPS, frames,
        screen=ScreenLayer(RecordingSource(screen, seconds * 1000, 1920, 1080), FitPlan()),
        avatar=AvatarLayer(512, 512, Layout(), video=avatar),
        captions=CaptionLayer(tuple(Caption(c.start_ms * 30 // 1000, c.end_ms * 30 // 1000,
                                            c.text) for c in cues)),
        audio=AudioLayer(wav),
    )  # fmt: skip
    started = time.perf_counter()
    compose(timeline, folder / "vidkit.mp4", captions_ass=ass)
    return time.perf_counter() - started


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


def incremental(folder: Path, scenes: int) -> tuple[float, float]:
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
    started = time.perf_counter()
    render(ws, "bench")
    full = time.perf_counter() - started
    target = ws.scenes("bench")[scenes // 2]
    ws.update_scene("bench", target.id, narration="This one scene was edited, and only it changes.")
    started = time.perf_counter()
    render(ws, "bench")
    return full, time.perf_counter() - started


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
        ours = run_vidkit(folder, args.seconds, screen, avatar, wav, ass, cues)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        mp = run_moviepy(folder, args.moviepy_seconds, screen, avatar, wav)
        full, inc = incremental(folder, args.scenes) if args.scenes else (1.0, 0.0)
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
    print(f"  peak RSS of an ffmpeg child:  {peak_mb:.0f} MB")
    print(f"pipeline, {args.scenes} scenes at 1280x720: full {full:.1f} s, one edited {inc:.1f} s")
    print(f"  incremental / full: {inc / full:.1%}  (target <= 15%)")


if __name__ == "__main__":
    main()
