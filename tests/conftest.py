"""Shared fixtures: an isolated config, workspace and generated media for every test."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import vidkit
from vidkit.api import Workspace
from vidkit.media import ffmpeg_exe

REPO = Path(__file__).resolve().parents[1]


def write_config(folder: Path, extra: str = "") -> Path:
    """A config whose catalogue and assets live in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(
        "[catalogue]\n"
        'path = "var/catalogue.duckdb"\n'
        "lock_timeout_s = 60.0\n"
        "[assets]\n"
        'root = "var/assets"\n'
        "[models]\n"
        f'dir = "{(REPO / "models").as_posix()}"\n' + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return write_config(tmp_path / "ws")


@pytest.fixture
def workspace(config_file: Path) -> Workspace:
    return vidkit.open(config_file)


@pytest.fixture
def make_media(tmp_path: Path) -> Callable[..., Path]:
    """Generate a small media file with ffmpeg's lavfi sources.

    kind: "video" (H.264 + AAC), "silent-video", "audio" (WAV), "image" (PNG).
    """
    media_dir = tmp_path / "media"
    media_dir.mkdir(exist_ok=True)

    def make(kind: str = "video", seconds: float = 1.0, name: str | None = None) -> Path:
        args: list[str]
        if kind == "video":
            out = media_dir / (name or "clip.mp4")
            args = [
                "-f",
                "lavfi",
                "-i",
                f"testsrc=size=160x120:rate=30:d={seconds}",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:d={seconds}",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-shortest",
            ]
        elif kind == "silent-video":
            out = media_dir / (name or "silent.mp4")
            args = [
                "-f",
                "lavfi",
                "-i",
                f"testsrc=size=160x120:rate=30:d={seconds}",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
            ]
        elif kind == "audio":
            out = media_dir / (name or "tone.wav")
            args = ["-f", "lavfi", "-i", f"sine=frequency=330:d={seconds}"]
        elif kind == "image":
            out = media_dir / (name or "still.png")
            args = ["-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1"]
        else:
            raise ValueError(kind)
        subprocess.run(
            [ffmpeg_exe(), "-y", "-loglevel", "error", *args, str(out)], check=True, timeout=60
        )
        return out

    return make
