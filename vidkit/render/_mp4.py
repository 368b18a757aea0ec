"""Scene MP4s as assembly sees them: their headers, read without ffprobe, and the checks
that make stream copy safe.

:func:`read_scene` walks the MP4 boxes to the movie header and reads what assembly needs: the
video track, codec, size, exact frame rate and frame count (from ``stts``), the decoder
configuration (``avcC``) and the audio's channel count. A file that is missing, empty, cut
short, not an MP4 or without video gets a :class:`MediaError` that says what to do.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

from vidkit.errors import MediaError

__all__ = ["SceneInfo", "check_alike", "read_scene"]


@dataclass(frozen=True, slots=True)
class SceneInfo:
    """What assembly needs to know of a scene file, read from its MP4 headers."""

    path: Path
    video_track: int
    codec: str
    width: int
    height: int
    fps: Fraction
    frames: int
    config: bytes  # the decoder configuration (avcC): the same in every scene of a film
    audio_channels: int  # 0: no audio track

    @property
    def duration(self) -> Fraction:
        """Seconds, exactly."""
        return self.frames / self.fps


def check_alike(infos: list[SceneInfo]) -> None:
    """Stream copy needs every scene encoded alike; say which scene differs, and how."""
    first = infos[0]
    for k, info in enumerate(infos[1:], 2):
        differs = None
        if info.codec != first.codec:
            differs = f"its video codec is {info.codec}, the first scene's is {first.codec}"
        elif (info.width, info.height) != (first.width, first.height):
            differs = (
                f"it is {info.width}x{info.height}, the first scene is {first.width}x{first.height}"
            )
        elif info.fps != first.fps:
            differs = f"it runs at {_fps(info.fps)} fps, the first scene at {_fps(first.fps)} fps"
        elif info.config != first.config:
            differs = "its encoder settings (H.264 profile, level or parameter sets) differ"
        elif info.video_track != first.video_track:
            differs = f"its video is track {info.video_track}, not {first.video_track}"
        if differs:
            raise MediaError(
                f"scene {k} ({info.path.name}) cannot be joined to scene 1 "
                f"({first.path.name}) without re-encoding: {differs}. Render every scene "
                "with the same size, frame rate and encoder settings, then assemble again"
            )


def _fps(fps: Fraction) -> str:
    return str(fps.numerator) if fps.denominator == 1 else f"{float(fps):.3f}"


def read_scene(path: Path) -> SceneInfo:
    """Read a scene MP4's headers, or raise :class:`MediaError` saying what is wrong."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise MediaError(f"scene file {path} does not exist; render the scene first")
    size = path.stat().st_size
    if size == 0:
        raise MediaError(f"scene file {name} is empty (0 bytes); render the scene again")
    try:
        with path.open("rb") as f:
            moov = _find_moov(f, size, name)
        return _scene_from_moov(path, moov)
    except (struct.error, IndexError, ValueError, KeyError) as exc:
        raise MediaError(
            f"{name} is damaged (its MP4 headers cannot be read); render it again"
        ) from exc


def _find_moov(f: BinaryIO, size: int, name: str) -> bytes:
    pos, moov, has_data = 0, b"", False
    while pos < size:
        f.seek(pos)
        head = f.read(16)
        if len(head) < 8:
            break
        length, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if length == 1:
            (length,) = struct.unpack(">Q", head[8:16])
            header = 16
        elif length == 0:
            length = size - pos
        if pos == 0 and kind not in _TOP_LEVEL:
            raise MediaError(f"{name} is not an MP4 file; scenes must be MP4s from the renderer")
        if length < header or pos + length > size:
            raise MediaError(
                f"{name} is cut short (its {kind.decode(errors='replace')} box runs past the end "
                "of the file): the render was interrupted; render the scene again"
            )
        if kind == b"moov":
            f.seek(pos + header)
            moov = f.read(length - header)
        has_data |= kind == b"mdat"
        pos += length
    if not moov or not has_data:
        raise MediaError(f"{name} is not a complete MP4 file (no movie header or no media data)")
    return moov


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, body end) of each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        length, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if length == 1:
            (length,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif length == 0:
            length = end - pos
        if length < header or pos + length > end:
            raise ValueError("a box runs past its parent")
        yield kind, pos + header, pos + length
        pos += length


def _child(data: bytes, start: int, end: int, *path: bytes) -> tuple[int, int] | None:
    for kind in path:
        found = next(((s, e) for k, s, e in _boxes(data, start, end) if k == kind), None)
        if found is None:
            return None
        start, end = found
    return start, end


def _scene_from_moov(path: Path, moov: bytes) -> SceneInfo:
    video: SceneInfo | None = None
    channels = 0
    for kind, start, end in _boxes(moov):
        if kind != b"trak":
            continue
        hdlr = _child(moov, start, end, b"mdia", b"hdlr")
        stbl = _child(moov, start, end, b"mdia", b"minf", b"stbl")
        if hdlr is None or stbl is None:
            continue
        handler = moov[hdlr[0] + 8 : hdlr[0] + 12]
        stsd = _child(moov, *stbl, b"stsd")
        if stsd is None:
            continue
        sample = next(_boxes(moov, stsd[0] + 8, stsd[1]), None)
        if sample is None:
            continue
        if handler == b"vide" and video is None:
            video = _video(path, moov, start, end, stbl, sample)
        elif handler == b"soun" and channels == 0:
            channels = _channels(moov, sample)
    if video is None:
        raise MediaError(f"{path.name} has no video track; a scene must be a video file")
    return replace(video, audio_channels=channels)


def _video(
    path: Path,
    moov: bytes,
    start: int,
    end: int,
    stbl: tuple[int, int],
    sample: tuple[bytes, int, int],
) -> SceneInfo:
    tkhd = _child(moov, start, end, b"tkhd")
    mdhd = _child(moov, start, end, b"mdia", b"mdhd")
    stts = _child(moov, *stbl, b"stts")
    if tkhd is None or mdhd is None or stts is None:
        raise ValueError("a video track without tkhd, mdhd or stts")
    version = moov[tkhd[0]]
    (track,) = struct.unpack_from(">I", moov, tkhd[0] + (20 if version == 1 else 12))
    version = moov[mdhd[0]]
    (timescale,) = struct.unpack_from(">I", moov, mdhd[0] + (20 if version == 1 else 12))
    (count,) = struct.unpack_from(">I", moov, stts[0] + 4)
    runs = [struct.unpack_from(">II", moov, stts[0] + 8 + 8 * i) for i in range(count)]
    frames = sum(n for n, _ in runs)
    # the last frame's duration may be irregular, unless it is the only frame
    last = {runs[-1][1]} if runs and (runs[-1][0] > 1 or len(runs) == 1) else set()
    deltas = {d for n, d in runs[:-1]} | last
    if not runs or not frames or len(deltas) != 1 or 0 in deltas:
        raise MediaError(
            f"{path.name} has a variable frame rate (or no frames); scenes must be rendered at "
            "a constant frame rate"
        )
    codec, body, body_end = sample
    width, height = struct.unpack_from(">HH", moov, body + 24)
    config = b"".join(moov[s:e] for k, s, e in _boxes(moov, body + 78, body_end) if k in _CONFIGS)
    return SceneInfo(
        path, track, codec.decode(errors="replace"), width, height,
        Fraction(timescale, deltas.pop()), frames, config, 0,
    )  # fmt: skip


_CONFIGS = {b"avcC", b"hvcC", b"av1C", b"vpcC"}
_TOP_LEVEL = {b"ftyp", b"styp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pdin", b"uuid"}


def _channels(moov: bytes, sample: tuple[bytes, int, int]) -> int:
    _, body, _ = sample
    (version,) = struct.unpack_from(">H", moov, body + 8)
    if version == 2:  # QuickTime sound description v2
        (count,) = struct.unpack_from(">I", moov, body + 40)
        return int(count)
    (count,) = struct.unpack_from(">H", moov, body + 16)
    return int(count)
