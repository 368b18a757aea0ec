"""What the QC of a scene costs: seconds of checking per second of scene, against composing it.

Run: .venv/bin/python benchmarks/qc.py [--seconds 30] [--size 1920x1080] [--repeat 2]

A scene like a real one is composed with ``vidkit.render.compose`` (a testsrc2 screen
recording, the astronaut as presenter in the corner, burned-in captions, Piper narration
repeated to the length), then checked with ``vidkit.qc.check_scene`` with the face landmarker
and without it (the face search is the one part that grows with ``[qc] face_fps``). Wall and
CPU seconds (this process and its ffmpeg children) are printed; CPU seconds depend less on how
busy a shared machine is.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.audio import read_wav, write_wav  # noqa: E402
from vidkit.config import QcConfig, load_config  # noqa: E402
from vidkit.media import ffmpeg_exe  # noqa: E402
from vidkit.model import Layout  # noqa: E402
from vidkit.qc import SceneFacts, check_scene  # noqa: E402
from vidkit.render.caption_files import to_ass  # noqa: E402
from vidkit.render.captions import CaptionCue, captions_from_timings  # noqa: E402
from vidkit.render.compose import compose  # noqa: E402
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
from vidkit.timing import Timings, WordTiming  # noqa: E402
from vidkit.video import RgbaVideoWriter  # noqa: E402

FPS = Fraction(30)
TEXT = "Here is a loop you have probably written a hundred times before today."


def cpu_seconds() -> float:
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(function: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    value = function()
    return time.perf_counter() - wall, cpu_seconds() - cpu, value


def narration(folder: Path, seconds: int) -> tuple[Path, Timings]:
    """Piper saying TEXT again and again (half a second apart) for ``seconds``."""
    from vidkit.backends import registry

    tts = registry.build_tts(load_config(REPO / "config.toml"))
    once = folder / "once.wav"
    timings = tts.synthesize(TEXT, once)
    samples, rate = read_wav(once)
    count = max(1, seconds * 1000 // (timings.duration_ms + 500))
    gap = np.zeros((rate * seconds - count * len(samples)) // count, np.int16)
    step_ms = round(1000 * (len(samples) + len(gap)) / rate)
    pieces, words = [], []
    for k in range(count):
        pieces += [samples, gap]
        words += [
            WordTiming(w.word, w.start_ms + k * step_ms, w.end_ms + k * step_ms)
            for w in timings.words
        ]
    pieces.append(np.zeros(max(0, rate * seconds - sum(len(p) for p in pieces)), np.int16))
    wav = folder / "narration.wav"
    write_wav(wav, np.concatenate(pieces), rate)
    return wav, Timings(seconds * 1000, tuple(words))


def presenter(folder: Path, seconds: int) -> Path:
    """The astronaut, swaying a little, as an RGBA video (512x512)."""
    from skimage import data

    face = np.asarray(data.astronaut(), np.uint8)
    out = folder / "avatar.mkv"
    with RgbaVideoWriter(out, 512, 512, FPS) as writer:
        frame = np.full((512, 512, 4), 255, np.uint8)
        for i in range(seconds * 30):
            shift = int(4 * np.sin(i / 15))
            frame[..., :3] = np.roll(face, shift, axis=1)
            writer.write(frame)
    return out


def scene(
    folder: Path, seconds: int, width: int, height: int
) -> tuple[Path, Timeline, Path, Timings, list[tuple[int, int, str]]]:
    screen = folder / "screen.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", f"testsrc2=size={width}x{height}:rate=30:d={seconds}",
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(screen)],
        check=True,
    )  # fmt: skip
    wav, timings = narration(folder, seconds)
    cues = [CaptionCue(c.start_ms, c.end_ms, c.text) for c in captions_from_timings(timings)]
    ass = folder / "captions.ass"
    ass.write_text(to_ass(cues, width, height), encoding="utf-8")
    timeline = Timeline(
        width, height, FPS, seconds * 30,
        screen=ScreenLayer(RecordingSource(screen, seconds * 1000, width, height), FitPlan()),
        avatar=AvatarLayer(512, 512, Layout(), video=presenter(folder, seconds)),
        captions=CaptionLayer(tuple(Caption(c.start_ms * 30 // 1000, c.end_ms * 30 // 1000,
                                            c.text) for c in cues)),
        audio=AudioLayer(wav),
    )  # fmt: skip
    return ass, timeline, wav, timings, [(c.start_ms, c.end_ms, c.text) for c in cues]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    from vidkit.backends import registry

    facerig = registry.build_facerig(load_config(REPO / "config.toml"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ass, timeline, wav, timings, cues = scene(folder, args.seconds, width, height)
        video = folder / "scene.mp4"
        wall, cpu, _ = timed(lambda: compose(timeline, video, captions_ass=ass, preset="veryfast"))
        print(f"scene: {args.seconds} s at {width}x{height}, 30 fps")
        print(f"compose (veryfast):      {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
              f"= {wall / args.seconds:.3f} s per scene-second")  # fmt: skip
        assert timeline.avatar is not None
        facts = SceneFacts(30.0, timeline.avatar.placement(width, height), "screen_capture")
        limits = QcConfig()
        for label, rig in (("qc without the face", None), ("qc with the face", facerig)):
            runs = []
            for _ in range(args.repeat):
                runs.append(timed(lambda rig=rig: check_scene(
                    video, narration=wav, timings=timings, cues=cues,
                    facts=facts if rig is not None else SceneFacts(30.0, None, "screen_capture"),
                    limits=limits, facerig=rig,
                )))  # fmt: skip
            wall, cpu, report = min(runs, key=lambda r: r[0])
            print(f"{label + ':':24} {wall:6.2f} s wall  {cpu:6.2f} s CPU  "
                  f"= {wall / args.seconds:.3f} s per scene-second  [{report.status}]")  # fmt: skip
            flagged = [f"{i.check}: {i.sentence}" for i in report.flagged()]
            if flagged:
                print("   ", "; ".join(flagged))


if __name__ == "__main__":
    main()
