"""A short, real screen recording for the CLI and HTTP tests of recorded scenes: Piper speech
with a spoken filler, a restarted phrase and two pauses, over a lavfi picture that is idle
except while "typing" (4..7 s). Built once per test session (about 2 s)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import vidkit
from tests.conftest import write_config
from vidkit.audio import read_wav, write_wav
from vidkit.backends import registry
from vidkit.media import ffmpeg_exe

#: What is said, in order; None is a pause of :data:`PAUSE_S` seconds.
LINES: tuple[str | None, ...] = (
    "Hello and welcome to this short session.",
    None,
    "Um",
    "So the function, so the function returns a list of squares.",
    None,
    "Let us run it now.",
)
PAUSE_S = 2.5
_built: dict[str, Path] = {}


def spoken_recording(factory: pytest.TempPathFactory) -> Path:
    """The recording (an MP4: H.264 640x360 at 30 fps, AAC), made on the first call."""
    if "mp4" in _built:
        return _built["mp4"]
    folder = factory.mktemp("spoken-recording")
    ws = vidkit.open(write_config(folder / "ws"))
    tts = registry.build_tts(ws.config)
    pieces: list[np.ndarray] = []
    rate = 22050
    for i, line in enumerate(LINES):
        if line is None:
            pieces.append(np.zeros(int(PAUSE_S * rate), np.int16))
            continue
        wav = folder / f"line{i}.wav"
        tts.synthesize(line, wav)
        samples, rate = read_wav(wav)
        pieces.extend([samples, np.zeros(int(0.2 * rate), np.int16)])
    speech = folder / "speech.wav"
    everything = np.concatenate(pieces)
    write_wav(speech, everything, rate)
    seconds = len(everything) / rate
    picture = (
        f"testsrc2=s=640x360:r=30:d={seconds:.3f},"
        "drawbox=x=0:y=0:w=iw:h=ih:color=gray:t=fill:enable='not(between(t,4,7))'"
    )
    out = folder / "session.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", picture, "-i", str(speech),
         "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
         "-shortest", str(out)],
        check=True, timeout=120,
    )  # fmt: skip
    _built["mp4"] = out
    return out
