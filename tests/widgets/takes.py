"""Browser-like recordings for the recorder tests: real Piper speech encoded as WebM/Opus the
way MediaRecorder sends it (streamed, so the file carries no duration and no cues)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.backends.tts_doubles import shared_piper

SAID = "Hello, my name is Ada, and this is a sample of my voice for the course videos."


def spoken_wav(path: Path, text: str = SAID) -> Path:
    """Real speech (Piper) at ``path``."""
    shared_piper().synthesize(text, path)
    return path


def webm_take(wav: Path, *, seconds: float | None = None) -> bytes:
    """``wav`` (its first ``seconds``) as Chrome's MediaRecorder would send it: WebM/Opus,
    48 kHz, written to a pipe like a live stream."""
    import imageio_ffmpeg

    cut = ["-t", f"{seconds:g}"] if seconds is not None else []
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(wav), *cut,
        "-ac", "1", "-ar", "48000", "-c:a", "libopus", "-b:a", "128k", "-f", "webm", "pipe:1",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, timeout=60, check=True)
    assert done.stdout[:4] == b"\x1a\x45\xdf\xa3", "not a WebM (EBML) stream"
    return done.stdout
