"""Reading facts about media files with the ffmpeg binary from ``imageio-ffmpeg``.

That build ships no ffprobe, so :func:`probe` runs ``ffmpeg -i FILE`` (which reads the headers
and stops) and parses what it prints about the container and its streams.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from vidkit.errors import BackendError, MediaError
from vidkit.hints import install

__all__ = ["MediaInfo", "check_audio_decodes", "check_decodes", "ffmpeg_exe", "probe"]

_DURATION_RE = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_STREAM_RE = re.compile(
    r"Stream #\d+:\d+(?:\[\w+\])?(?:\(\w+\))?: (Video|Audio|Subtitle|Data): (\w+)(.*)"
)
_SIZE_RE = re.compile(r", (\d{2,5})x(\d{2,5})")
_FPS_RE = re.compile(r", (\d+(?:\.\d+)?) (?:fps|tbr)")
_ROTATION_RE = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")


@dataclass(frozen=True, slots=True)
class MediaInfo:
    """What ffmpeg reports about a file's container and first video/audio streams."""

    duration_ms: int | None
    has_video: bool
    has_audio: bool
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None

    @property
    def is_still(self) -> bool:
        """An image: a video stream and no duration to speak of."""
        return self.has_video and not self.has_audio and not self.duration_ms

    def to_metadata(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in {
                "has_video": self.has_video,
                "has_audio": self.has_audio,
                "width": self.width,
                "height": self.height,
                "fps": self.fps,
                "video_codec": self.video_codec,
                "audio_codec": self.audio_codec,
            }.items()
            if v is not None
        }


@cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary bundled with imageio-ffmpeg."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise BackendError(
            "imageio-ffmpeg is missing", hint=install("imageio-ffmpeg", "imageio-ffmpeg")
        ) from exc
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise BackendError(f"no usable ffmpeg binary: {exc}; reinstall imageio-ffmpeg") from exc


def probe(path: Path, *, name: str | None = None, timeout_s: float = 30.0) -> MediaInfo:
    """Describe a media file, or raise :class:`MediaError` saying why it is not one.

    ``name`` is how messages call the file (an upload's original name, say).
    """
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise MediaError(f"{path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise MediaError(f"{name} is empty (0 bytes); export or copy it again")
    try:
        result = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"ffmpeg took more than {timeout_s:g} s to read {name}") from exc
    return parse_probe(result.stderr, name=name)


def parse_probe(text: str, *, name: str) -> MediaInfo:
    """Parse the banner ``ffmpeg -i`` prints; exposed for tests."""
    video = audio = None
    turned = False
    for match in _STREAM_RE.finditer(text):
        kind, codec, rest = match.groups()
        if kind == "Video" and video is None:
            video = (codec, rest)
            # A phone's portrait video is stored landscape with a rotation that ffmpeg applies
            # when it decodes: the picture is as tall as the stored one is wide.
            after = text[match.end() :].split("Stream #", 1)[0]
            spin = _ROTATION_RE.search(after)
            turned = spin is not None and round(abs(float(spin.group(1)))) % 180 == 90
        elif kind == "Audio" and audio is None:
            audio = (codec, rest)
    if video is None and audio is None:
        reason = _last_error(text)
        raise MediaError(
            f"{name} is not a readable audio, video or image file ({reason}); check that it "
            "plays in a media player, or export it again",
            reason="not_media" if "Invalid data found" in reason else "unreadable",
        )
    duration_ms = None
    m = _DURATION_RE.search(text)
    if m:
        hours, minutes, seconds = int(m.group(1)), int(m.group(2)), float(m.group(3))
        duration_ms = round((hours * 3600 + minutes * 60 + seconds) * 1000)
    width = height = None
    fps = None
    if video is not None:
        size = _SIZE_RE.search(video[1])
        if size:
            width, height = int(size.group(1)), int(size.group(2))
            if turned:
                width, height = height, width
        rate = _FPS_RE.search(video[1])
        if rate:
            fps = float(rate.group(1))
    return MediaInfo(
        duration_ms=duration_ms,
        has_video=video is not None,
        has_audio=audio is not None,
        width=width,
        height=height,
        fps=fps,
        video_codec=video[0] if video else None,
        audio_codec=audio[0] if audio else None,
    )


def _last_error(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    useful = [ln for ln in lines if "At least one output file" not in ln]
    if not useful:
        return "ffmpeg found no streams"
    last = useful[-1]
    return last.split(": ", 1)[-1] if ": " in last else last


def check_decodes(path: Path, info: MediaInfo, *, name: str, timeout_s: float = 60.0) -> None:
    """Decode the first and the last second of a recording's picture, or raise
    :class:`MediaError`: a file cut short (a copy or an upload that stopped) has a header
    that promises more than its data holds."""
    if not info.has_video:
        raise MediaError(
            f"{name} has no video stream (it holds only sound); choose a screen recording"
        )
    _decode_ends(path, info, stream="v", name=name, timeout_s=timeout_s)


def check_audio_decodes(path: Path, info: MediaInfo, *, name: str, timeout_s: float = 60.0) -> None:
    """Decode the first and the last second of a file's sound, or raise :class:`MediaError`
    (no audio stream, or a file cut short)."""
    if not info.has_audio:
        raise MediaError(
            f"{name} has no audio stream; choose a sound file (WAV, MP3, M4A, OGG or FLAC)"
        )
    _decode_ends(path, info, stream="a", name=name, timeout_s=timeout_s)


def _decode_ends(path: Path, info: MediaInfo, *, stream: str, name: str, timeout_s: float) -> None:
    """Decode one second from the start and one before the end of the first ``stream``
    ("v" or "a"); a short file is decoded once."""
    ends = [["-t", "1"]]
    if info.duration_ms and info.duration_ms > 2000:
        ends.append(["-ss", f"{(info.duration_ms - 1000) / 1000:.3f}"])
    for where in ends:
        seek = where if where[0] == "-ss" else []
        length = where if where[0] == "-t" else ["-t", "1"]
        try:
            proc = subprocess.run(
                [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *seek,
                 "-i", str(path), *length, "-map", f"0:{stream}:0", "-f", "framecrc", "-"],
                capture_output=True, text=True, errors="replace", timeout=timeout_s, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise MediaError(
                f"ffmpeg took more than {timeout_s:g} s to decode {name}; export it again"
            ) from exc
        frames = [ln for ln in proc.stdout.splitlines() if ln and not ln.startswith("#")]
        if proc.returncode != 0 or not frames:
            which = "end" if seek else "start"
            raise MediaError(
                f"{name} cannot be played to its {which} (the file looks cut short or damaged); "
                "copy or export it again"
            )
