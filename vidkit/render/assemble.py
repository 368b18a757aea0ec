"""Assembly: scene MP4s joined into the finished video, with chapters, captions and loudness.

The video is never re-encoded: the concat demuxer copies each scene's H.264 packets byte for
byte (``-c:v copy``, no bitstream filter), offset by the exact length of the scenes before
it, read from the MP4 headers (frame count x frame duration; no ffprobe needed). That needs
every scene encoded alike (same size, frame rate and H.264 parameter sets), which is checked.

The audio is made once, as one continuous stream. Joining AAC by stream copy leaves every
scene's encoder priming (1024 samples) in the middle of the film: audible dropouts and
audio that runs ahead by ~21 ms per join. Instead each scene's audio is decoded on its own
(its edit list honoured, so the priming is dropped), cut or padded to the sample at which
its video ends (boundaries are computed from the running total, so rounding never drifts)
and the pieces are joined as PCM. That stream is measured (EBU R128), normalised
(:mod:`vidkit.render.loudness`) and encoded once: AAC, 48 kHz stereo, 192 kb/s. Sync is
sample-exact at every join, and nothing clicks because every sample is a real one.

Passes: (1) decode, join and measure, writing the joined PCM to a temporary WAV; (2) only if
a limiter is needed, one or two measuring passes over that WAV to correct the gain; (3)
encode the audio and copy the video into a temporary MP4, renamed into place at the end with
its sidecars (``.srt``, ``.vtt``, ``.chapters.txt``), so an interrupted assembly leaves no
file that looks finished.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import struct
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

from vidkit.errors import InvalidInput, MediaError
from vidkit.media import ffmpeg_exe
from vidkit.render.captions import CaptionCue, offset_cues, to_srt, to_vtt
from vidkit.render.chapters import (
    Chapter,
    chapters_from_scenes,
    check_chapters,
    to_ffmetadata,
    youtube_chapters,
)
from vidkit.render.loudness import (
    BAND_HZ,
    DEFAULT_TARGET,
    ESTIMATE_FILTER,
    MEASURE_FILTER,
    Loudness,
    LoudnessTarget,
    Normalization,
    measure,
    normalize_filter,
    parse_ebur128,
    refine,
    tighten,
)

__all__ = [
    "AssemblyReport",
    "Progress",
    "SceneInfo",
    "SceneOffset",
    "assemble",
    "read_scene",
]

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)``; both in milliseconds of work (two passes of the film)."""

SAMPLE_RATE = 48000
AUDIO_BITRATE = "192k"
_REFINE_ROUNDS = 3
_CLOSE_ENOUGH_LU = 0.15


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


@dataclass(frozen=True, slots=True)
class SceneOffset:
    """Where scene ``index`` landed in the finished video."""

    index: int
    path: Path
    start_frame: int
    frames: int
    start_ms: int
    duration_ms: int
    has_audio: bool


@dataclass(frozen=True, slots=True)
class AssemblyReport:
    """The finished video and how it was made."""

    out: Path
    duration_ms: int
    frames: int
    fps: Fraction
    width: int
    height: int
    scenes: tuple[SceneOffset, ...]
    loudness_before: Loudness
    loudness_after: Loudness | None
    normalization: Normalization | None
    sidecars: tuple[Path, ...]
    warnings: tuple[str, ...]
    seconds: float
    steps: tuple[tuple[str, float], ...] = ()  # (what, seconds) for each ffmpeg pass


def assemble(
    scenes: Sequence[Path],
    out: Path,
    *,
    chapters: Sequence[Chapter] | None = None,
    titles: Sequence[str | None] | None = None,
    captions: Sequence[Sequence[CaptionCue]] | None = None,
    loudness: LoudnessTarget | None = DEFAULT_TARGET,
    title: str | None = None,
    progress: Progress | None = None,
) -> AssemblyReport:
    """Join ``scenes`` (MP4s rendered alike) into ``out``.

    Chapters come from ``chapters`` (times in the finished video) or from ``titles`` (one per
    scene; an empty title continues the chapter before it): they are written into the MP4
    and, as a YouTube list, to ``out.chapters.txt``. ``captions`` holds each scene's cues on
    the scene's own clock; they are moved to where the scene lands, cut at its end and
    written to ``out.srt`` and ``out.vtt``. ``loudness=None`` keeps the audio's level.

    Raises :class:`MediaError` for a scene that is missing, damaged, or unlike the first
    (size, frame rate, codec settings), and :class:`InvalidInput` for inconsistent arguments.
    """
    began = time.monotonic()
    out = Path(out)
    if not scenes:
        raise InvalidInput("there are no scenes to assemble", field="scenes")
    if chapters is not None and titles is not None:
        raise InvalidInput("give chapters or titles, not both", field="chapters")
    for name, values in (("titles", titles), ("captions", captions)):
        if values is not None and len(values) != len(scenes):
            raise InvalidInput(f"{len(values)} {name} for {len(scenes)} scenes", field=name)
    infos = [read_scene(Path(p)) for p in scenes]
    _check_alike(infos)
    offsets, total = _offsets(infos)
    duration_ms = _ms(total)
    if titles is not None:
        chapters = chapters_from_scenes(titles, [o.duration_ms for o in offsets])
    if chapters is not None:
        check_chapters(chapters)
        if chapters and chapters[-1].end_ms > duration_ms:
            raise InvalidInput(
                f"the last chapter ends at {chapters[-1].end_ms} ms, after the video "
                f"({duration_ms} ms)",
                field="chapters",
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out.stem}.", dir=out.parent) as folder:
        work = _Work(Path(folder), infos, offsets, total, progress)
        before = work.join()
        metadata = to_ffmetadata(chapters or [], title=title)
        warnings: list[str] = []
        if loudness is None:
            film, plan, after = work.encode(None, metadata), None, None
        else:
            film, plan, after = work.normalize(before, loudness, metadata)
            if not loudness.accepts(after):
                warnings.append(
                    f"the loudness ended at {after.integrated_lufs:.1f} LUFS, true peak "
                    f"{after.true_peak_dbtp:.1f} dBTP; the target is {loudness.integrated_lufs:g}"
                    f" LUFS, at most {loudness.true_peak_dbtp:g} dBTP"
                )
        sidecars = _sidecars(out, Path(folder), offsets, captions, chapters, warnings)
        for temporary, final in sidecars:
            os.replace(temporary, final)
        os.replace(film, out)
    return AssemblyReport(
        out=out,
        duration_ms=duration_ms,
        frames=sum(i.frames for i in infos),
        fps=infos[0].fps,
        width=infos[0].width,
        height=infos[0].height,
        scenes=tuple(offsets),
        loudness_before=before,
        loudness_after=after,
        normalization=plan,
        sidecars=tuple(final for _, final in sidecars),
        warnings=tuple(warnings),
        seconds=time.monotonic() - began,
        steps=tuple(work.steps),
    )


# The ffmpeg passes ----------------------------------------------------------------------------


class _Work:
    """The passes of one assembly, in a temporary folder beside the output."""

    def __init__(
        self,
        folder: Path,
        infos: list[SceneInfo],
        offsets: list[SceneOffset],
        total: Fraction,
        progress: Progress | None,
    ) -> None:
        self.folder, self.infos, self.offsets = folder, infos, offsets
        self.total_ms = _ms(total)
        self.progress = progress
        self.steps: list[tuple[str, float]] = []
        self.channels = 1 if all(i.audio_channels <= 1 for i in infos) else 2
        self.upmix = "pan=stereo|c0=c0|c1=c0," if self.channels == 1 else ""
        self.wav = folder / "joined.wav"
        # Sample boundaries from the exact running total: no rounding drift over many joins.
        starts = [Fraction(o.start_frame) / infos[0].fps for o in offsets]
        edges = [round(s * SAMPLE_RATE) for s in [*starts, total]]
        self.samples = [b - a for a, b in itertools.pairwise(edges)]

    def join(self) -> Loudness:
        """Decode, cut and join every scene's audio into one WAV; measure it on the way."""
        layout = "mono" if self.channels == 1 else "stereo"
        inputs: list[str] = []
        chains: list[str] = []
        for k, (info, n) in enumerate(zip(self.infos, self.samples, strict=True)):
            if info.audio_channels == 0:
                chains.append(f"anullsrc=r={SAMPLE_RATE}:cl={layout},atrim=end_sample={n}[a{k}]")
                continue
            source = len(inputs) // 2
            inputs += ["-i", str(info.path)]
            if info.audio_channels == self.channels:
                shape = ""
            elif info.audio_channels == 1:
                shape = "pan=stereo|c0=c0|c1=c0,"
            else:
                shape = f"aformat=channel_layouts={layout},"
            chains.append(
                f"[{source}:a:0]{shape}aresample={SAMPLE_RATE}:async=1:min_hard_comp=0.005:"
                f"first_pts=0,aformat=sample_fmts=flt,atrim=end_sample={n},apad=whole_len={n},"
                f"asetpts=N/SR/TB[a{k}]"
            )
        labels = "".join(f"[a{k}]" for k in range(len(self.infos)))
        chains.append(f"{labels}concat=n={len(self.infos)}:v=0:a=1,asplit=2[keep][probe]")
        chains.append(f"[probe]{self.upmix}{MEASURE_FILTER}[measured]")
        graph = self.folder / "join.graph"
        graph.write_text(";\n".join(chains) + "\n", encoding="utf-8")
        cmd = [
            *inputs, "-/filter_complex", str(graph),
            "-map", "[keep]", "-c:a", "pcm_f32le", "-rf64", "auto", str(self.wav),
            "-map", "[measured]", "-f", "null", "-",
        ]  # fmt: skip
        log = self._ffmpeg(cmd, "joining the scenes' audio", base_ms=0)
        return parse_ebur128(log, name="the joined audio")

    def normalize(
        self, before: Loudness, target: LoudnessTarget, metadata: str
    ) -> tuple[Path, Normalization, Loudness]:
        """Encode the film normalised to ``target``: the gain corrected for what a limiter
        takes, and encoded again, lower, if the encoder pushed the true peak over."""
        plan = normalize_filter(before, target, sample_rate=SAMPLE_RATE)
        previous: tuple[Normalization, Loudness] | None = None
        for _ in range(_REFINE_ROUNDS if plan.limited else 0):
            chain = f"{self.upmix}{plan.estimate},{ESTIMATE_FILTER}"
            cmd = ["-i", str(self.wav), "-af", chain, "-f", "null", "-"]
            result = parse_ebur128(self._ffmpeg(cmd, "measuring the limited audio", base_ms=None))
            if abs(result.integrated_lufs - target.integrated_lufs) <= _CLOSE_ENOUGH_LU:
                break
            plan, previous = refine(plan, result, target, previous), (plan, result)
        film = self.encode(plan, metadata)
        after = self._measure(film)
        lower = tighten(plan, after, target)
        if lower != plan:  # once: the ceiling drops by what the encoder added
            plan = lower
            film = self.encode(plan, metadata)
            after = self._measure(film)
        return film, plan, after

    def _measure(self, film: Path) -> Loudness:
        began = time.monotonic()
        result = measure(film)
        self.steps.append(("measuring the finished audio", time.monotonic() - began))
        return result

    def encode(self, plan: Normalization | None, metadata: str) -> Path:
        """Copy the video, encode the audio once, map the chapters: the film, not yet in place."""
        listing = self.folder / "video.ffconcat"
        listing.write_text(_concat_list(self.infos), encoding="utf-8")
        meta = self.folder / "metadata.txt"
        meta.write_text(metadata, encoding="utf-8")
        film = self.folder / "film.mp4"
        chain = f"{self.upmix}{plan.filter if plan else 'anull'},aresample={SAMPLE_RATE}"
        cmd = [
            "-f", "concat", "-safe", "0", "-auto_convert", "0", "-i", str(listing),
            "-i", str(self.wav),
            "-f", "ffmetadata", "-i", str(meta),
            "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "2", "-map_chapters", "2",
            "-c:v", "copy", "-af", chain,
            "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-cutoff", str(BAND_HZ),
            "-ar", str(SAMPLE_RATE), "-ac", "2",
            "-movflags", "+faststart", "-f", "mp4", str(film),
        ]  # fmt: skip
        self._ffmpeg(cmd, "writing the video", base_ms=self.total_ms)
        return film

    def _ffmpeg(self, args: list[str], doing: str, *, base_ms: int | None) -> str:
        """Run ffmpeg, reporting progress from ``base_ms``; its log (stderr) is returned."""
        log_path = self.folder / "ffmpeg.log"
        cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y"]
        cmd += ["-progress", "pipe:1", "-stats_period", "0.25", *args]
        began = time.monotonic()
        with log_path.open("w+b") as log:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log)
            try:
                self._watch(proc, base_ms)
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
            log.seek(0)
            text = log.read().decode(errors="replace")
        if proc.returncode != 0:
            raise MediaError(_ffmpeg_failure(text, doing))
        self.steps.append((doing, time.monotonic() - began))
        return text

    def _watch(self, proc: subprocess.Popen[bytes], base_ms: int | None) -> None:
        assert proc.stdout is not None
        total = 2 * self.total_ms
        for raw in proc.stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            if self.progress is None or base_ms is None or key != "out_time_us":
                continue
            with contextlib.suppress(ValueError):
                done = min(self.total_ms, max(0, int(value) // 1000))
                self.progress(base_ms + done, total)
        if self.progress is not None and base_ms is not None:
            self.progress(base_ms + self.total_ms, total)


def _ffmpeg_failure(log: str, doing: str) -> str:
    lines = [ln.strip() for ln in log.splitlines() if ln.strip() and "=" not in ln[:20]]
    tail = " | ".join(lines[-3:]) or "no message"
    if "No space left on device" in log:
        return f"the disk is full while {doing}; free some space and assemble again"
    return f"ffmpeg failed while {doing}: {tail}"


def _concat_list(infos: list[SceneInfo]) -> str:
    """The concat demuxer's script: only the video stream, each file as long as its frames."""
    lines = ["ffconcat version 1.0", "stream", f"exact_stream_id {infos[0].video_track}"]
    for info in infos:
        quoted = str(info.path.resolve()).replace("'", "'\\''")
        lines += [f"file '{quoted}'", f"duration {_decimal(info.duration)}"]
    return "\n".join(lines) + "\n"


def _decimal(seconds: Fraction) -> str:
    whole, rest = divmod(seconds * 1_000_000, 1)
    micro = int(whole) + (1 if rest >= Fraction(1, 2) else 0)
    return f"{micro // 1_000_000}.{micro % 1_000_000:06d}"


def _ms(seconds: Fraction) -> int:
    return round(seconds * 1000)


def _offsets(infos: list[SceneInfo]) -> tuple[list[SceneOffset], Fraction]:
    offsets: list[SceneOffset] = []
    frame = 0
    fps = infos[0].fps
    for k, info in enumerate(infos):
        start, end = Fraction(frame) / fps, Fraction(frame + info.frames) / fps
        offsets.append(
            SceneOffset(
                index=k,
                path=info.path,
                start_frame=frame,
                frames=info.frames,
                start_ms=_ms(start),
                duration_ms=_ms(end) - _ms(start),
                has_audio=info.audio_channels > 0,
            )
        )
        frame += info.frames
    return offsets, Fraction(frame) / fps


def _sidecars(
    out: Path,
    folder: Path,
    offsets: list[SceneOffset],
    captions: Sequence[Sequence[CaptionCue]] | None,
    chapters: Sequence[Chapter] | None,
    warnings: list[str],
) -> list[tuple[Path, Path]]:
    """Write the caption files and the chapter list in ``folder``: (temporary, final) pairs."""
    files: list[tuple[str, str]] = []
    if captions is not None:
        cues: list[CaptionCue] = []
        for offset, scene_cues in zip(offsets, captions, strict=True):
            end = offset.start_ms + offset.duration_ms
            cues += offset_cues(scene_cues, offset.start_ms, until_ms=end)
        cues.sort(key=lambda c: c.start_ms)
        files += [(".srt", to_srt(cues)), (".vtt", to_vtt(cues))]
    if chapters:
        listing = youtube_chapters(chapters)
        warnings.extend(listing.warnings)
        files.append((".chapters.txt", listing.text))
    pairs = []
    for suffix, text in files:
        temporary = folder / f"sidecar{suffix}"
        temporary.write_text(text, encoding="utf-8")
        pairs.append((temporary, out.with_name(out.stem + suffix)))
    return pairs


# Scene files: checks and MP4 headers ----------------------------------------------------------


def _check_alike(infos: list[SceneInfo]) -> None:
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
    deltas = {d for n, d in runs[:-1]} | ({runs[-1][1]} if runs and runs[-1][0] > 1 else set())
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
