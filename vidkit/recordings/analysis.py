"""Finding dead air in a recording, coarse to fine, without decoding its picture.

**Screen activity.** A video encoder already measured how much each frame differs from the one
before: that is what an inter frame's compressed size is. So the screen is read by demuxing
alone (``ffmpeg -c copy -f framecrc``: every packet's time, size and key flag, hundreds of
times faster than decoding), coarse first (bytes of change per second against the recording's
own quiet level, so a blinking cursor reads as idle and typing does not), then refined to the
frame near each candidate boundary from the per-frame sizes. Only a stream with no inter frames
(MJPEG, ProRes and other intra-only codecs) is decoded, small and at a low rate, and compared
frame to frame.

**Speech.** The audio is decoded once, at 16 kHz mono, in two-minute chunks (memory stays flat
for an hour-long file), for Silero VAD (it ships inside faster-whisper) and a waveform strip.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from vidkit.errors import BackendError, MediaError
from vidkit.hints import install
from vidkit.media import MediaInfo, ffmpeg_exe, probe

__all__ = ["ANALYSIS_VERSION", "Analysis", "Chapter", "analyse", "screen_activity", "speech_spans"]

#: Bump when what :func:`analyse` finds for the same file changes.
ANALYSIS_VERSION = 1

Interval = tuple[int, int]
Progress = Callable[[int, int], None]

_RATE = 16_000
_CHUNK_S = 120  # 10-minute chunks peaked at 560 MiB on an hour; 2-minute ones at 220 MiB
ACTIVITY_HZ = 10
WAVEFORM_HZ = 20
_MIN_IDLE_MS = 300


@dataclass(frozen=True, slots=True)
class Chapter:
    start_ms: int
    end_ms: int
    title: str


@dataclass(frozen=True)
class Analysis:
    """What a recording holds, on its own clock (ms): where someone speaks (``speech``), where
    the screen does not change (``idle``), a screen-activity curve and a waveform (0..255 at
    :data:`ACTIVITY_HZ` and :data:`WAVEFORM_HZ`), and its chapter markers."""

    duration_ms: int
    has_audio: bool
    has_video: bool
    width: int = 0
    height: int = 0
    speech: tuple[Interval, ...] = ()
    idle: tuple[Interval, ...] = ()
    activity: tuple[int, ...] = ()
    waveform: tuple[int, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    #: Samples per second of :attr:`activity` and :attr:`waveform`.
    activity_hz: ClassVar[int] = ACTIVITY_HZ
    waveform_hz: ClassVar[int] = WAVEFORM_HZ

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": ANALYSIS_VERSION,
            "duration_ms": self.duration_ms,
            "has_audio": self.has_audio,
            "has_video": self.has_video,
            "width": self.width,
            "height": self.height,
            "speech": [list(s) for s in self.speech],
            "idle": [list(s) for s in self.idle],
            "activity_hz": ACTIVITY_HZ,
            "activity": list(self.activity),
            "waveform_hz": WAVEFORM_HZ,
            "waveform": list(self.waveform),
            "chapters": [[c.start_ms, c.end_ms, c.title] for c in self.chapters],
            "meta": self.meta,
        }

    @staticmethod
    def from_json(text: str) -> Analysis:
        raw = json.loads(text)
        return Analysis(
            duration_ms=int(raw["duration_ms"]),
            has_audio=bool(raw["has_audio"]),
            has_video=bool(raw["has_video"]),
            width=int(raw.get("width", 0)),
            height=int(raw.get("height", 0)),
            speech=tuple((int(a), int(b)) for a, b in raw["speech"]),
            idle=tuple((int(a), int(b)) for a, b in raw["idle"]),
            activity=tuple(int(v) for v in raw["activity"]),
            waveform=tuple(int(v) for v in raw["waveform"]),
            chapters=tuple(Chapter(int(a), int(b), str(t)) for a, b, t in raw["chapters"]),
            meta=raw.get("meta", {}),
        )


def analyse(path: Path, *, name: str | None = None, progress: Progress | None = None) -> Analysis:
    """Analyse a recording (see the module docs). Raises :class:`MediaError` for a file that is
    not a readable recording, with one line saying why."""
    name = name or path.name
    info = probe(path, name=name)
    if not info.duration_ms:
        raise MediaError(f"{name} has no length; record or export it again")
    if info.is_still:
        raise MediaError(f"{name} is a still image, not a recording")
    report = progress or (lambda _d, _t: None)
    report(0, 3)
    idle: list[Interval] = []
    activity: list[int] = []
    method = "none"
    if info.has_video:
        idle, activity, method = screen_activity(path, info, name=name)
    report(1, 3)
    speech: list[Interval] = []
    waveform: list[int] = []
    if info.has_audio:
        speech, waveform = speech_spans(path, info.duration_ms, name=name)
    report(3, 3)
    return Analysis(
        duration_ms=info.duration_ms,
        has_audio=info.has_audio,
        has_video=info.has_video,
        width=info.width or 0,
        height=info.height or 0,
        speech=tuple(speech),
        idle=tuple(idle),
        activity=tuple(activity),
        waveform=tuple(waveform),
        chapters=tuple(chapters(path)),
        meta={
            "screen": method,
            "video_codec": info.video_codec or "",
            "audio_codec": info.audio_codec or "",
        },
    )


# Screen --------------------------------------------------------------------------------------

_TB_RE = re.compile(r"^#tb 0: (\d+)/(\d+)")


#: Filler data (NAL units that pad constant-bitrate streams, as OBS's CBR writes them) by codec:
#: removed before the sizes are read, or every frame looks as busy as the next.
_FILLER_UNITS = {"h264": "12", "hevc": "38"}


Packets = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]


def _packets(path: Path, name: str, codec: str | None = None) -> Packets:
    """(time s, size bytes, is key) of every video packet, by demuxing only."""
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
            "-map", "0:v:0", "-c", "copy"]  # fmt: skip
    filler = _FILLER_UNITS.get(codec or "")
    if filler:
        args += ["-bsf:v", f"filter_units=remove_types={filler}"]
    args += ["-f", "framecrc", "-"]
    proc = subprocess.run(args, capture_output=True, text=True, errors="replace", check=False)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no message"]
        raise MediaError(f"cannot read the video of {name}: {tail[0]}")
    tb = Fraction(1, 1000)
    times: list[float] = []
    sizes: list[float] = []
    keys: list[bool] = []
    for line in proc.stdout.splitlines():
        if line.startswith("#"):
            m = _TB_RE.match(line)
            if m:
                tb = Fraction(int(m.group(1)), int(m.group(2)))
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 6:
            continue
        flags = next((p for p in parts[6:] if p.startswith("F=")), None)
        times.append(float(int(parts[2]) * tb))
        sizes.append(float(parts[4]))
        keys.append(flags is None or bool(int(flags[2:], 16) & 1))
    order = np.argsort(np.asarray(times), kind="stable")
    return (np.asarray(times)[order], np.asarray(sizes)[order],
            np.asarray(keys, dtype=bool)[order])  # fmt: skip


def screen_activity(
    path: Path, info: MediaInfo, *, name: str
) -> tuple[list[Interval], list[int], str]:
    """Idle stretches (ms), an activity curve (0..255 at :data:`ACTIVITY_HZ`) and the method
    used ("packets", or "decode" for intra-only video)."""
    duration_s = (info.duration_ms or 0) / 1000
    times, sizes, keys = _packets(path, name, info.video_codec)
    if len(times) == 0:
        return [], [], "none"
    times = times - times[0]
    inter_sizes = sizes[~keys]
    steady = len(inter_sizes) > 10 and float(np.std(inter_sizes)) < 0.05 * float(
        np.mean(inter_sizes)
    )  # padded to a constant size some other way: sizes say nothing either
    if keys.mean() > 0.9 or steady:  # intra-only: sizes say nothing about change
        times, change = _decoded_change(path, name)
        method = "decode"
    else:
        # What a frame in which nothing changed costs (headers, skip flags): not change.
        inter = ~keys
        nothing = float(np.percentile(sizes[inter], 10))
        change = np.maximum(sizes - nothing, 0.0)
        # A key frame's size is the whole picture; read it as its neighbours' change.
        change[keys] = np.interp(times[keys], times[inter], change[inter])
        method = "packets"
    bins = max(1, int(np.ceil(duration_s * ACTIVITY_HZ)))
    slot = np.minimum((times * ACTIVITY_HZ).astype(np.int64), bins - 1)
    per_bin = np.bincount(slot, weights=change, minlength=bins)
    # Bytes of change over a sliding second, against the recording's own quiet level (a
    # blinking caret) and, when the two are far apart, its busy level (typing, scrolling).
    window = np.convolve(per_bin, np.ones(ACTIVITY_HZ), mode="same")
    quiet = float(np.percentile(window, 20))
    busy = float(np.percentile(window, 90))
    floor = 2e-4 * (info.width or 640) * (info.height or 360)  # a few hundred bytes at 1080p
    threshold = max(3.0 * quiet, floor)
    if busy > 8 * max(quiet, 1.0):
        threshold = max(threshold, (quiet * busy) ** 0.5)
    active = window > threshold
    idle = _runs(~active, ACTIVITY_HZ)
    # A frame is busy when it changes more than any frame of the idle stretches did (a caret
    # blink is the largest change an idle screen shows).
    in_idle = np.zeros(len(times), dtype=bool)
    for lo, hi in idle:
        in_idle |= (times * 1000 >= lo) & (times * 1000 < hi)
    frame_threshold = threshold / ACTIVITY_HZ
    if method == "packets" and in_idle.any():
        frame_threshold = max(frame_threshold, 1.2 * float(np.percentile(change[in_idle], 99)))
    refined = _refine(idle, times, change, frame_threshold, int(duration_s * 1000))
    curve = np.clip(255 * window / max(threshold * 4, 1.0), 0, 255).astype(int).tolist()
    return refined, curve, method


def _runs(mask: npt.NDArray[np.bool_], hz: int) -> list[Interval]:
    out: list[Interval] = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        out.append((round(a * 1000 / hz), round(b * 1000 / hz)))
    return out


def _refine(
    idle: list[Interval],
    times: npt.NDArray[np.float64],
    change: npt.NDArray[np.float64],
    frame_threshold: float,
    duration_ms: int,
) -> list[Interval]:
    """Move each coarse edge to the frame: an idle stretch starts after the last changing
    frame before it and ends at the first changing frame after it (searched within 1 s)."""
    out: list[Interval] = []
    ms = times * 1000
    busy = change > frame_threshold
    for lo, hi in idle:
        start, end = lo, hi
        if lo > 0:
            near = np.flatnonzero((ms >= lo - 1000) & (ms <= lo + 1000) & busy)
            before = near[ms[near] < lo + 500]
            if len(before):
                k = int(before[-1])
                start = round(ms[k + 1]) if k + 1 < len(ms) else round(ms[k])
        if hi < duration_ms:
            near = np.flatnonzero((ms >= hi - 1000) & (ms <= hi + 1000) & busy)
            after = near[ms[near] > hi - 500]
            if len(after):
                end = round(ms[int(after[0])])
        end = min(end, duration_ms)
        if end - start >= _MIN_IDLE_MS:
            out.append((start, end))
    merged: list[Interval] = []  # two refined edges may meet where a short burst was
    for start, end in sorted(out):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _decoded_change(path: Path, name: str) -> tuple[npt.NDArray[np.float64],
                                                   npt.NDArray[np.float64]]:  # fmt: skip
    """Mean absolute difference of consecutive frames, decoded at 4 fps and 64 px wide."""
    w, h, rate = 64, 36, 4
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
            "-map", "0:v:0", "-vf", f"fps={rate},scale={w}:{h},format=gray",
            "-f", "rawvideo", "-"]  # fmt: skip
    proc = subprocess.run(args, capture_output=True, check=False)
    if proc.returncode != 0:
        raise MediaError(f"cannot decode the video of {name}")
    frames = np.frombuffer(proc.stdout, np.uint8)
    frames = frames[: len(frames) // (w * h) * w * h].reshape(-1, h, w).astype(np.int16)
    diff = np.zeros(len(frames))
    if len(frames) > 1:
        diff[1:] = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2)) * 500
    return np.arange(len(frames)) / rate, diff


# Speech --------------------------------------------------------------------------------------


def _audio_chunks(path: Path, name: str) -> Iterator[npt.NDArray[np.float32]]:
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(path),
            "-map", "0:a:0", "-ac", "1", "-ar", str(_RATE), "-f", "s16le", "-"]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    size = _CHUNK_S * _RATE * 2
    try:
        while True:
            data = proc.stdout.read(size)
            if not data:
                break
            samples = np.frombuffer(data[: len(data) // 2 * 2], np.int16).astype(np.float32)
            yield samples / np.float32(32768)
    finally:
        proc.stdout.close()
        err = proc.stderr.read().decode(errors="replace")
        proc.wait()
    if proc.returncode != 0:
        raise MediaError(f"cannot decode the audio of {name}: {err.strip()[-200:]}")


def speech_spans(path: Path, duration_ms: int, *, name: str) -> tuple[list[Interval], list[int]]:
    """Speech intervals (ms) from Silero VAD, and a waveform strip (peak per 1/20 s, 0..255)."""
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError as exc:  # pragma: no cover - a core dependency
        raise BackendError(
            "faster-whisper is missing", hint=install("faster-whisper", "faster-whisper")
        ) from exc
    options = VadOptions(threshold=0.5, min_silence_duration_ms=250, speech_pad_ms=30)
    speech: list[Interval] = []
    peaks: list[npt.NDArray[np.float32]] = []
    step = _RATE // WAVEFORM_HZ
    offset = 0
    tail = np.zeros(0, np.float32)
    for chunk in _audio_chunks(path, name):
        n = len(chunk) // step * step
        if n:
            peaks.append(np.abs(chunk[:n]).reshape(-1, step).max(axis=1))
        # One second of the previous chunk in front, so speech across the seam is whole.
        audio = np.concatenate([tail, chunk])
        base = offset - len(tail)
        for ts in get_speech_timestamps(audio, options):
            start = (base + ts["start"]) * 1000 // _RATE
            end = (base + ts["end"]) * 1000 // _RATE
            speech.append((int(start), int(end)))
        offset += len(chunk)
        tail = chunk[-_RATE:]
    merged: list[Interval] = []
    for a, b in sorted(speech):
        if merged and a <= merged[-1][1] + 50:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    wave = np.concatenate(peaks) if peaks else np.zeros(0, np.float32)
    strip = np.clip(np.sqrt(wave) * 255, 0, 255).astype(int).tolist()
    return [(a, min(b, duration_ms)) for a, b in merged if a < duration_ms], strip


# Chapters ------------------------------------------------------------------------------------

_CHAPTER_RE = re.compile(r"Chapter #\d+:\d+: start (\d+(?:\.\d+)?), end (\d+(?:\.\d+)?)")


def chapters(path: Path) -> list[Chapter]:
    """The container's chapter markers (MP4, MKV and MOV carry them), in order."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True, text=True, errors="replace", check=False,
    )  # fmt: skip
    found: list[Chapter] = []
    lines = proc.stderr.splitlines()
    for i, line in enumerate(lines):
        m = _CHAPTER_RE.search(line)
        if not m:
            continue
        title = ""
        for follow in lines[i + 1 : i + 4]:
            if follow.strip().startswith("title"):
                title = follow.split(":", 1)[1].strip()
                break
        found.append(Chapter(round(float(m.group(1)) * 1000), round(float(m.group(2)) * 1000),
                             title))  # fmt: skip
    return found
