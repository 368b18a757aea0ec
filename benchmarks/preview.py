"""Preview latency: one scene frame at 960 x 540 from vidkit's previewer vs one ffmpeg run.

Run: .venv/bin/python benchmarks/preview.py [--seconds 20] [--gop 250]

The scene is 1920 x 1080 at 30 fps: a screen recording (H.264, a scrolling editor-like text
page, keyframe every ``--gop`` frames: 250 is x264's and OBS's default), sped up 1.25x to fit;
a 512 x 512 RGBA avatar (FFV1, as the animator stores it) at the bottom right; a caption cue
every 3 s and a title card. Measured in one process:

* cold: the first frame of a fresh previewer (probe, first decode, keyframe scan start);
* warm: the same frame again and the avatar moved (a new timeline each time), half a second
  after the first frame; the next frame while playing forward (the 90 frames after it, asked
  for back to back: the read-ahead thread decodes while frames are composited);
* seek: random frames in the warm scene, half a second apart (misses: one ffmpeg seek each);
* peak memory: Python heap (tracemalloc, includes the frame caches) and the process RSS.

The baseline is what a preview costs without vidkit's path: one ``ffmpeg -ss t -i ...
-frames:v 1`` run of the same composite (letterbox, fit, overlay, caption box) at 960 x 540.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.media import ffmpeg_exe  # noqa: E402
from vidkit.model import Layout  # noqa: E402
from vidkit.render.fit import fit_filter, plan_fit  # noqa: E402
from vidkit.render.overlay import font_file  # noqa: E402
from vidkit.render.preview import clear_preview_caches, preview_frame  # noqa: E402
from vidkit.render.sources import open_recording  # noqa: E402
from vidkit.timeline import (  # noqa: E402
    AvatarLayer,
    Caption,
    CaptionLayer,
    CardLayer,
    RecordingSource,
    ScreenLayer,
    Timeline,
)
from vidkit.video import RgbaVideoWriter  # noqa: E402

FPS = Fraction(30)
SIZE = (960, 540)
THINK_S = 0.5  # pause before warm measurements and between random seeks (not timed)
CODE = "\n".join(
    f"{n:4d}  def handler_{n}(request):  result = [item.value for item in request.items if item]"
    for n in range(400)
)


def make_recording(folder: Path, seconds: float, gop: int) -> Path:
    text = folder / "code.txt"
    text.write_text(CODE)
    out = folder / f"screen-gop{gop}.mp4"
    page = (
        f"color=c=0x1e1e1e:s=1920x1080:r=30:d={seconds},"
        f"drawtext=fontfile='{font_file('DejaVuSansMono.ttf')}':textfile='{text}':"
        "fontsize=26:fontcolor=0xd4d4d4:x=40:y=40-t*60:line_spacing=8"
    )
    args = ["-f", "lavfi", "-i", page, "-c:v", "libx264", "-preset", "veryfast"]
    args += ["-g", str(gop), "-pix_fmt", "yuv420p", str(out)]
    subprocess.run([ffmpeg_exe(), "-y", "-loglevel", "error", *args], check=True)
    return out


def make_avatar(folder: Path, seconds: float) -> Path:
    out = folder / "avatar.mkv"
    yy, xx = np.mgrid[0:512, 0:512]
    with RgbaVideoWriter(out, 512, 512, FPS) as writer:
        for i in range(round(seconds * 30)):
            cy = 280 + 6 * np.sin(i / 9)
            d = ((xx - 256) / 190) ** 2 + ((yy - cy) / 230) ** 2
            frame = np.zeros((512, 512, 4), np.uint8)
            frame[..., :3] = (225, 180, 150)
            frame[..., 3] = np.clip((1.0 - d) * 40 * 255, 0, 255).astype(np.uint8)
            writer.write(frame)
    return out


def ffmpeg_frame(tl: Timeline, recording: RecordingSource, avatar: Path, i: int) -> float:
    """Seconds for one ffmpeg run producing the composite at frame ``i`` at preview size."""
    assert tl.screen is not None and tl.avatar is not None
    w, h = SIZE
    x, y, aw, ah = tl.avatar.placement(tl.width, tl.height)
    x, y, aw, ah = x // 2, y // 2, aw // 2, ah // 2
    t = i / 30
    src_t = t * tl.screen.fit.speed
    cue = next((c.text for c in tl.captions.cues if c.start <= i < c.end), "")
    cue = cue.replace(":", "\\:")
    fit = fit_filter(replace(tl.screen.fit, mode="exact"), FPS, 1)
    graph = (
        f"[0:v]scale={w}:{h}:force_original_aspect_ratio=decrease,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=0x181a21,{fit}[s];"
        f"[1:v]format=rgba,scale={aw}:{ah}[a];[s][a]overlay={x}:{y}:format=auto,"
        f"drawtext=fontfile='{font_file()}':text='{cue}':fontsize=24:fontcolor=white:"
        "box=1:boxcolor=black@0.6:boxborderw=7:x=(w-text_w)/2:y=h-32-text_h"
    )
    args = ["-ss", f"{src_t:.3f}", "-i", str(recording.path), "-ss", f"{t:.3f}", "-i", str(avatar)]
    args += ["-filter_complex", graph, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    start = time.perf_counter()
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", *args, "-"], check=True, capture_output=True
    )
    return time.perf_counter() - start


CPU: list[float] = []  # this thread's CPU ms of each timed call, in order


def timed(call: Callable[..., object], *args: object) -> float:
    """Wall-clock ms of one call; its CPU ms in this thread is appended to CPU (that part does
    not depend on how busy the machine is)."""
    cpu, start = time.thread_time(), time.perf_counter()
    call(*args)
    CPU.append((time.thread_time() - cpu) * 1000)
    return (time.perf_counter() - start) * 1000


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    middle, mean = statistics.median(values), statistics.mean(values)
    return f"{middle:8.1f} {mean:8.1f} {p95:8.1f} {values[-1]:8.1f}"


def run(folder: Path, seconds: float, gop: int) -> None:
    path = make_recording(folder, seconds * 1.25, gop)
    avatar = make_avatar(folder, seconds)
    recording = open_recording(path)
    frames = round(seconds * 30)
    plan = plan_fit(recording.duration_ms, round(seconds * 1000))
    cues = tuple(
        Caption(s, s + 80, f"Caption {s // 90}: comprehensions filter while they build")
        for s in range(0, frames, 90)
    )
    face = AvatarLayer(512, 512, Layout(), avatar)
    tl = Timeline(
        1920, 1080, FPS, frames,
        screen=ScreenLayer(recording, plan),
        avatar=face,
        captions=CaptionLayer(cues),
        cards=(CardLayer("List comprehensions", "Part 2", 0, 45),),
    )  # fmt: skip
    rng = random.Random(7)
    CPU.clear()
    clear_preview_caches()
    tracemalloc.start()

    cold = timed(preview_frame, tl, 219)
    time.sleep(THINK_S)  # the user looks at the frame; read-ahead finishes
    warm = [timed(preview_frame, tl, 219) for _ in range(20)]
    moved = []
    for k in range(30):
        layout = Layout(corner=None, x=0.2 + 0.02 * k, y=0.3 + 0.01 * k, scale=0.3 + 0.005 * k)
        edited = replace(tl, avatar=replace(face, layout=layout))
        moved.append(timed(preview_frame, edited, 219))
    play = [timed(preview_frame, tl, i) for i in range(220, 310)]
    seeks, baseline = [], []
    for _ in range(15):  # paired, so that both see the same load on a shared machine
        i = rng.randrange(frames)
        time.sleep(THINK_S)
        seeks.append(timed(preview_frame, tl, i))
        baseline.append(ffmpeg_frame(tl, recording, avatar, i) * 1000)
    _, heap = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    base = statistics.median(baseline)

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nrecording {recording.width}x{recording.height}, keyframe every {gop} frames, "
          f"{plan.note}; avatar 512x512 FFV1; preview {SIZE[0]}x{SIZE[1]}")  # fmt: skip
    print(f"{'ms per frame (wall clock)':34} {'median':>8} {'mean':>8} {'p95':>8} {'max':>8}"
          "  vs ffmpeg  CPU median")  # fmt: skip
    rows = [
        ("vidkit cold (first frame)", [cold]),
        ("vidkit warm (same frame)", warm),
        ("vidkit warm (avatar moved)", moved),
        ("vidkit playing forward (90 frames)", play),
        ("vidkit random seek (warm scene)", seeks),
        ("baseline: one ffmpeg run", baseline),
    ]
    spent = iter(CPU)
    for label, values in rows:
        ratio = base / statistics.median(values)
        cpu = [next(spent) for _ in values] if label.startswith("vidkit") else []
        mid = f"{statistics.median(cpu):8.1f}" if cpu else ""
        print(f"{label:34} {summary(values)}  {ratio:6.1f}x  {mid}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak Python heap {heap / 2**20:.0f} MiB (tracemalloc); peak RSS {rss:.0f} MiB; "
          f"largest ffmpeg child {kids:.0f} MiB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--gop", type=int, nargs="+", default=[250, 60])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for gop in args.gop:
            run(Path(tmp), args.seconds, gop)


if __name__ == "__main__":
    main()
