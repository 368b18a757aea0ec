"""Assembly: scene MP4s joined into the finished video, with chapters, captions and loudness.

The video is never re-encoded: the concat demuxer copies each scene's H.264 packets byte for
byte (``-c:v copy``, no bitstream filter), offset by the exact length of the scenes before
it, read from the MP4 headers (frame count x frame duration; no ffprobe needed). That needs
every scene encoded alike (same size, frame rate and H.264 parameter sets), which is checked.

The audio is one continuous stream. Joining AAC by stream copy leaves every scene's encoder
priming (1024 samples) in the middle of the film: audible dropouts and audio that runs ahead
by ~21 ms per join. Instead each scene's audio is decoded on its own (its edit list honoured,
so the priming is dropped), cut or padded to the sample at which its video ends (boundaries
computed from the running total, so rounding never drifts), measured as one stream (EBU
R128), normalised (:mod:`vidkit.render.loudness`) and encoded as one AAC stream: 48 kHz
stereo, 192 kb/s. Sync is sample-exact at every join, and nothing clicks because every
sample is a real one.

With ``cache=`` (a folder), what does not change is not done again: decoded scene audio is
kept (:mod:`vidkit.render._soundtrack`), the AAC stream is encoded in pieces (one per scene)
that are kept and spliced (:mod:`vidkit.render._aac_pieces`), and the last normalisation is
reused while it still brings the film on target. Editing one scene decodes that scene and
re-encodes its piece, its neighbours' and, if its length changed, the pieces after it.

Passes: decode the scenes not cached; measure the joined audio; only if a limiter is
needed, one to three measuring passes of a stand-in; encode the pieces not cached; write the
film (video and audio stream-copied, chapters mapped) to a temporary MP4, measure it, and
rename it into place with its sidecars (``.srt``, ``.vtt``, ``.chapters.txt``), so an
interrupted assembly leaves no file that looks finished.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from vidkit.errors import InvalidInput
from vidkit.render._aac_pieces import PACKET, encode, last_packet_samples, packet_count
from vidkit.render._audio_cache import AudioCache, file_key
from vidkit.render._mp4 import SceneInfo, check_alike, read_scene
from vidkit.render._passes import Progress, Runner
from vidkit.render._soundtrack import (
    SAMPLE_RATE,
    Soundtrack,
    chain_for,
    decode_scenes,
    measure_estimate,
    measure_joined,
    plan_record,
    reusable_plan,
)
from vidkit.render.caption_files import to_srt, to_vtt
from vidkit.render.captions import CaptionCue, offset_cues
from vidkit.render.chapters import (
    Chapter,
    chapters_from_scenes,
    check_chapters,
    to_ffmetadata,
    youtube_chapters,
)
from vidkit.render.loudness import (
    DEFAULT_TARGET,
    ESTIMATE_FILTER,
    Loudness,
    LoudnessTarget,
    Normalization,
    measure,
    normalize_filter,
    refine,
    tighten,
)

__all__ = [
    "AssemblyReport",
    "AudioWork",
    "Progress",
    "SceneInfo",
    "SceneOffset",
    "assemble",
    "read_scene",
]

_REFINE_ROUNDS = 3
_CLOSE_ENOUGH_LU = 0.15


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
class AudioWork:
    """What making the soundtrack took: scenes decoded (the others came from the cache),
    AAC pieces encoded and reused, the milliseconds of audio encoded, and whether the last
    normalisation was reused."""

    scenes_decoded: int
    scenes_reused: int
    pieces_encoded: int
    pieces_reused: int
    encoded_ms: int
    plan_reused: bool


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
    steps: tuple[tuple[str, float], ...] = ()  # (what, seconds) for each pass
    audio: AudioWork | None = None


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
    cache: Path | None = None,
    keys: Sequence[str] | None = None,
) -> AssemblyReport:
    """Join ``scenes`` (MP4s rendered alike) into ``out``.

    Chapters come from ``chapters`` (times in the finished video) or from ``titles`` (one per
    scene; an empty title continues the chapter before it): they are written into the MP4
    and, as a YouTube list, to ``out.chapters.txt``. ``captions`` holds each scene's cues on
    the scene's own clock; they are moved to where the scene lands, cut at its end and
    written to ``out.srt`` and ``out.vtt``. ``loudness=None`` keeps the audio's level.

    ``cache`` is a folder kept between assemblies of the same film, so that unchanged scenes
    are not decoded or encoded again; ``keys`` (one per scene) name each scene's content, if
    the caller knows it (a content hash); otherwise the files are hashed.

    Raises :class:`MediaError` for a scene that is missing, damaged, or unlike the first
    (size, frame rate, codec settings), and :class:`InvalidInput` for inconsistent arguments.
    """
    began = time.monotonic()
    out = Path(out)
    if not scenes:
        raise InvalidInput("there are no scenes to assemble", field="scenes")
    if chapters is not None and titles is not None:
        raise InvalidInput("give chapters or titles, not both", field="chapters")
    for name, values in (("titles", titles), ("captions", captions), ("keys", keys)):
        if values is not None and len(values) != len(scenes):
            raise InvalidInput(f"{len(values)} {name} for {len(scenes)} scenes", field=name)
    infos = [read_scene(Path(p)) for p in scenes]
    check_alike(infos)
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
        work = Path(folder)
        if cache is None:  # nothing is kept: scenes are named by where they are
            names = [str(Path(p).resolve()) for p in scenes]
            store = AudioCache(work / "cache")
        else:
            names = list(keys) if keys is not None else [file_key(Path(p)) for p in scenes]
            store = AudioCache(Path(cache))
        film = _Film(work, infos, offsets, total, progress, store)
        film.soundtrack(names)
        metadata = to_ffmetadata(chapters or [], title=title)
        warnings: list[str] = []
        if loudness is None:
            path, plan, after = film.write(None, metadata), None, None
        else:
            path, plan, after = film.normalize(loudness, metadata)
            if not loudness.accepts(after):
                warnings.append(
                    f"the loudness ended at {after.integrated_lufs:.1f} LUFS, true peak "
                    f"{after.true_peak_dbtp:.1f} dBTP; the target is {loudness.integrated_lufs:g}"
                    f" LUFS, at most {loudness.true_peak_dbtp:g} dBTP"
                )
        film.runner.report(film.runner.total)
        sidecars = _sidecars(out, work, offsets, captions, chapters, warnings)
        for temporary, final in sidecars:
            os.replace(temporary, final)
        os.replace(path, out)
        if cache is not None:
            store.prune()
    return AssemblyReport(
        out=out,
        duration_ms=duration_ms,
        frames=sum(i.frames for i in infos),
        fps=infos[0].fps,
        width=infos[0].width,
        height=infos[0].height,
        scenes=tuple(offsets),
        loudness_before=film.before,
        loudness_after=after,
        normalization=plan,
        sidecars=tuple(final for _, final in sidecars),
        warnings=tuple(warnings),
        seconds=time.monotonic() - began,
        steps=tuple(film.runner.steps),
        audio=film.work(),
    )


# The passes -------------------------------------------------------------------------------------


class _Film:
    """The passes of one assembly, in a temporary folder beside the output. Progress is in
    milliseconds of film, gone through twice: measuring, then encoding and writing."""

    def __init__(
        self,
        folder: Path,
        infos: list[SceneInfo],
        offsets: list[SceneOffset],
        total: Fraction,
        progress: Progress | None,
        cache: AudioCache,
    ) -> None:
        self.folder, self.infos, self.cache = folder, infos, cache
        self.total_ms = _ms(total)
        self.runner = Runner(folder, progress, 2 * self.total_ms)
        # Sample boundaries from the exact running total: no rounding drift over many joins.
        starts = [Fraction(o.start_frame) / infos[0].fps for o in offsets]
        self.edges = [round(s * SAMPLE_RATE) for s in [*starts, total]]
        self.track: Soundtrack
        self.before: Loudness
        self.decoded = 0
        self.encoded = self.reused = self.encoded_ms = 0
        self.plan_reused = False

    def soundtrack(self, names: list[str]) -> None:
        """Each scene's audio (decoded, or from the cache), joined and measured."""
        scenes, self.decoded = decode_scenes(self.infos, names, self.cache, self.runner)
        self.track = Soundtrack(scenes, self.edges)
        half = self.total_ms // 2
        self.runner.report(half)
        self.before = measure_joined(self.track, self.runner, (half, self.total_ms - half))

    def normalize(
        self, target: LoudnessTarget, metadata: str
    ) -> tuple[Path, Normalization, Loudness]:
        """Write the film normalised to ``target``: the last normalisation if it still fits,
        else one made for this film (its gain corrected for what a limiter takes); written
        again, lower, if the encoder pushed the true peak over."""
        plan = reusable_plan(self.cache.plan(), target, self.track, self.before)
        self.plan_reused = plan is not None
        if plan is not None:
            film = self.write(plan, metadata)
            after = self._measure(film)
            if not target.accepts(after):
                plan = None  # the film moved more than it seemed: normalise it afresh
                self.plan_reused = False
        if plan is None:
            plan = self._fresh_plan(target)
            film = self.write(plan, metadata)
            after = self._measure(film)
        lower = tighten(plan, after, target)
        if lower != plan:  # once: the ceiling drops by what the encoder added
            plan = lower
            film = self.write(plan, metadata)
            after = self._measure(film)
        self.cache.keep_plan(plan_record(target, self.track, self.before, plan, after))
        return film, plan, after

    def _fresh_plan(self, target: LoudnessTarget) -> Normalization:
        plan = normalize_filter(self.before, target, sample_rate=SAMPLE_RATE)
        previous: tuple[Normalization, Loudness] | None = None
        for _ in range(_REFINE_ROUNDS if plan.limited else 0):
            result = measure_estimate(self.track, self.runner, f"{plan.estimate},{ESTIMATE_FILTER}")
            if abs(result.integrated_lufs - target.integrated_lufs) <= _CLOSE_ENOUGH_LU:
                break
            plan, previous = refine(plan, result, target, previous), (plan, result)
        return plan

    def _measure(self, film: Path) -> Loudness:
        began = time.monotonic()
        result = measure(film)
        self.runner.note("measuring the finished audio", began)
        return result

    def write(self, plan: Normalization | None, metadata: str) -> Path:
        """Encode the audio (what is not cached), then copy video and audio into the film
        with its chapters: the film, not yet in place."""
        audio = self.folder / "film.aac"
        chain = chain_for(self.track, plan)
        encoded, reused, ms = encode(
            self.track, chain, self.cache, self.runner, audio, base=self.total_ms
        )
        self.encoded += encoded
        self.reused = reused
        self.encoded_ms += ms
        listing = self.folder / "video.ffconcat"
        listing.write_text(_concat_list(self.infos), encoding="utf-8")
        meta = self.folder / "metadata.txt"
        meta.write_text(metadata, encoding="utf-8")
        film = self.folder / "film.mp4"
        # The ADTS stream starts with the encoder's priming packet: its timestamps move back
        # by a packet (the MP4's edit list then skips it) and the last packet is given its
        # true length (players trim it), as when ffmpeg encodes straight into the MP4.
        last = packet_count(self.track.length) - 1
        ticks = f"/({SAMPLE_RATE}*TB)"
        timing = (
            f"setts=ts=PTS-{PACKET}{ticks}:duration=if(eq(N\\,{last})\\,"
            f"{last_packet_samples(self.track.length)}{ticks}\\,DURATION):"
            f"time_base=1/{SAMPLE_RATE}"
        )
        args = [
            "-f", "concat", "-safe", "0", "-auto_convert", "0", "-i", str(listing),
            "-f", "aac", "-i", str(audio),
            "-f", "ffmetadata", "-i", str(meta),
            "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "2", "-map_chapters", "2",
            "-c", "copy", "-bsf:a", timing,
            "-movflags", "+faststart", "-f", "mp4", str(film),
        ]  # fmt: skip
        self.runner.run(
            args,
            "writing the video",
        )
        return film

    def work(self) -> AudioWork:
        return AudioWork(
            scenes_decoded=self.decoded,
            scenes_reused=sum(i.audio_channels > 0 for i in self.infos) - self.decoded,
            pieces_encoded=self.encoded,
            pieces_reused=self.reused,
            encoded_ms=self.encoded_ms,
            plan_reused=self.plan_reused,
        )


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
