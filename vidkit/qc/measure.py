"""One decoding pass over a rendered file that gathers everything the checks judge.

A single ffmpeg run (the scene is decoded once) splits the picture and the sound:

* the first frame's time (``showinfo``): where the picture starts;
* ``blackdetect`` and ``freezedetect`` over the whole picture: black stretches and stretches
  whose picture does not change (a mean difference under -80 dB between frames: x264 keeps a
  still picture exactly still, while a moving presenter or typed code stays above it);
* the presenter's box: ``freezedetect`` (-60 dB: the presenter stops moving) and frames
  sampled ``face_fps`` times a second, enlarged to :data:`FACE_PX` pixels high, for the face
  landmarker;
* the sound, aligned to the file's clock (``aresample`` pads a late start with silence):
  ``ebur128`` (integrated loudness, true peak), then mono float samples at the file's rate
  (clipping) and at 16 kHz (sync, silences).

The samples and frames are written to files in a private folder and read back with numpy.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.errors import MediaError
from vidkit.media import MediaInfo, ffmpeg_exe, parse_probe, probe
from vidkit.render.loudness import Loudness, parse_ebur128

__all__ = [
    "FACE_PX",
    "SOUND_RATE",
    "SYNC_RATE",
    "Box",
    "Measured",
    "Span",
    "decode_sound",
    "measure_file",
]

#: (start, end) in milliseconds of the file.
Span = tuple[int, int]
#: (x, y, width, height) in pixels of the frame.
Box = tuple[int, int, int, int]

#: Presenter frames are searched for a face at this height at least (smaller boxes are enlarged).
FACE_PX = 256
#: The sample rate of the sound whose samples are checked for clipping (compose writes it).
SOUND_RATE = 48000
#: The sample rate of the sound used for sync and silences.
SYNC_RATE = 16000
#: Difference between frames under which the whole picture counts as unchanged.
STILL_DB = -80
#: ... and under which the presenter's box counts as unchanged.
PRESENTER_STILL_DB = -60
#: Pixels darker than this (fraction of the range) are black; a picture is black when 98 %
#: of its pixels are (blackdetect's defaults).
BLACK_PIXEL = 0.10

_FIRST = re.compile(r"\[showinfo@first @[^\]]*\][^\n]*?pts_time:\s*(-?[\d.]+)")
_BLACK = re.compile(
    r"\[blackdetect@pic @[^\]]*\][^\n]*black_start:\s*(-?[\d.]+)\s+black_end:\s*(-?[\d.]+)"
)
_FREEZE = re.compile(
    r"\[freezedetect@(\w+) @[^\]]*\]\s*lavfi\.freezedetect\.freeze_(start|end):\s*(-?[\d.]+)"
)


@dataclass(frozen=True)
class Measured:
    """What one pass over a rendered file found (times in ms of the file)."""

    info: MediaInfo
    video_start_ms: float
    loudness: Loudness | None
    black: tuple[Span, ...]
    frozen: tuple[Span, ...]
    presenter_frozen: tuple[Span, ...]
    sample_rate: int
    samples: npt.NDArray[np.float32]  # mono, at sample_rate
    sound: npt.NDArray[np.float32]  # mono, at SYNC_RATE
    faces: npt.NDArray[np.uint8] | None  # (n, h, w, 3): the presenter's box, face_fps a second

    @property
    def duration_ms(self) -> int:
        return int(self.info.duration_ms or 0)


def measure_file(
    path: Path,
    *,
    presenter: Box | None = None,
    black_s: float = 0.5,
    freeze_s: float = 2.0,
    face_fps: float = 2.0,
    timeout_s: float | None = None,
) -> Measured:
    """Decode ``path`` once and measure it (see the module docs). ``presenter``: the box the
    presenter is drawn in, whose frames are sampled and whose stillness is measured."""
    info = probe(path)
    if not info.has_video or not info.width or not info.height:
        raise MediaError(f"{path.name} has no picture to check")
    box = _inside(presenter, info.width, info.height) if presenter else None
    seconds = (info.duration_ms or 0) / 1000
    limit = timeout_s if timeout_s is not None else max(120.0, 10 * seconds)
    with tempfile.TemporaryDirectory(prefix="vidkit-qc-") as folder:
        work = Path(folder)
        args, face_size = _command(path, info, box, black_s, freeze_s, face_fps, work)
        try:
            done = subprocess.run(
                args, capture_output=True, text=True, errors="replace", timeout=limit,
                check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise MediaError(f"checking {path.name} took over {limit:g} s") from exc
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-2:])
            raise MediaError(f"cannot check {path.name}: {tail}")
        log = done.stderr
        info = parse_probe(log, name=path.name)
        duration = int(info.duration_ms or 0)
        samples = _floats(work / "sound.f32")
        sound = _floats(work / "sync.f32")
        faces = None
        if face_size is not None:
            raw = np.fromfile(work / "faces.rgb", dtype=np.uint8)
            w, h = face_size
            faces = raw[: raw.size - raw.size % (w * h * 3)].reshape(-1, h, w, 3)
    first = _FIRST.search(log)
    loudness = parse_ebur128(log, name=path.name) if info.has_audio else None
    frozen = _freezes(log, duration)
    return Measured(
        info=info,
        video_start_ms=1000 * float(first.group(1)) if first else 0.0,
        loudness=loudness,
        black=tuple(_ms(a, b) for a, b in _BLACK.findall(log)),
        frozen=frozen.get("pic", ()),
        presenter_frozen=frozen.get("face", ()),
        sample_rate=SOUND_RATE,
        samples=samples,
        sound=sound,
        faces=faces,
    )


def decode_sound(
    path: Path, *, rate: int = SYNC_RATE, timeout_s: float = 120.0
) -> npt.NDArray[np.float32]:
    """The sound of ``path`` (a speech WAV, say) as mono float samples at ``rate``."""
    chain = f"aformat=sample_fmts=flt:channel_layouts=mono,aresample={rate}"
    with tempfile.TemporaryDirectory(prefix="vidkit-qc-") as folder:
        out = Path(folder) / "sound.f32"
        try:
            done = subprocess.run(
                [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
                 "-map", "0:a:0", "-af", chain,
                 "-f", "f32le", "-y", str(out)],
                capture_output=True, text=True, errors="replace", timeout=timeout_s, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            raise MediaError(f"reading the sound of {path.name} took over {timeout_s:g} s") from exc
        if done.returncode != 0:
            tail = " | ".join(done.stderr.strip().splitlines()[-2:])
            raise MediaError(f"cannot read the sound of {path.name}: {tail}")
        return _floats(out)


def _command(
    path: Path,
    info: MediaInfo,
    box: Box | None,
    black_s: float,
    freeze_s: float,
    face_fps: float,
    work: Path,
) -> tuple[list[str], tuple[int, int] | None]:
    branches = 3 if box is not None else 2
    graph = [
        f"[0:v]split={branches}[vfirst][vpic]" + ("[vface]" if box is not None else ""),
        "[vfirst]trim=end_frame=1,showinfo@first[first]",
        f"[vpic]blackdetect@pic=d={black_s:g}:pix_th={BLACK_PIXEL:g},"
        f"freezedetect@pic=n={STILL_DB}dB:d={freeze_s:g}[pic]",
    ]
    maps = ["-map", "[first]", "-map", "[pic]"]
    outputs: list[str] = []
    face_size = None
    if box is not None:
        x, y, w, h = box
        scale = max(1.0, FACE_PX / h)
        face_size = (max(2, round(w * scale / 2) * 2), max(2, round(h * scale / 2) * 2))
        graph += [
            f"[vface]crop={w}:{h}:{x}:{y},split[pstill][psample]",
            f"[pstill]freezedetect@face=n={PRESENTER_STILL_DB}dB:d={freeze_s:g}[still]",
            f"[psample]fps={face_fps:g},scale={face_size[0]}:{face_size[1]}:flags=bicubic,"
            "format=rgb24[faces]",
        ]
        maps += ["-map", "[still]"]
        outputs += ["-map", "[faces]", "-f", "rawvideo", "-y", str(work / "faces.rgb")]
    if info.has_audio:
        graph += [
            "[0:a]aresample=async=1:min_hard_comp=0.001:first_pts=0,"
            "ebur128@loud=peak=true:framelog=quiet,"
            "aformat=sample_fmts=flt:channel_layouts=mono,asplit[tosound][tosync]",
            f"[tosound]aresample={SOUND_RATE}[sound]",
            f"[tosync]aresample={SYNC_RATE}[sync]",
        ]
        outputs += ["-map", "[sound]", "-f", "f32le", "-y", str(work / "sound.f32")]
        outputs += ["-map", "[sync]", "-f", "f32le", "-y", str(work / "sync.f32")]
    args = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
        "-filter_complex", ";".join(graph), *maps, "-f", "null", "-", *outputs,
    ]  # fmt: skip
    return args, face_size


def _inside(box: Box, width: int, height: int) -> Box | None:
    """The part of ``box`` inside the frame, on even pixels; None if too little is."""
    x, y, w, h = box
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    x0, y0 = x0 + x0 % 2, y0 + y0 % 2
    w, h = (x1 - x0) // 2 * 2, (y1 - y0) // 2 * 2
    if w < 16 or h < 16:
        return None
    return x0, y0, w, h


def _floats(path: Path) -> npt.NDArray[np.float32]:
    if not path.is_file():
        return np.zeros(0, np.float32)
    return np.fromfile(path, dtype="<f4").astype(np.float32)


def _ms(start: str, end: str) -> Span:
    return round(1000 * float(start)), round(1000 * float(end))


def _freezes(log: str, duration_ms: int) -> dict[str, tuple[Span, ...]]:
    """Each freezedetect's stretches, by its name; one still running at the end ends there."""
    spans: dict[str, list[Span]] = {}
    open_at: dict[str, int] = {}
    for name, edge, value in _FREEZE.findall(log):
        at = round(1000 * float(value))
        if edge == "start":
            open_at[name] = at
        elif name in open_at:
            spans.setdefault(name, []).append((open_at.pop(name), at))
    for name, start in open_at.items():
        spans.setdefault(name, []).append((start, max(start, duration_ms)))
    return {name: tuple(found) for name, found in spans.items()}
