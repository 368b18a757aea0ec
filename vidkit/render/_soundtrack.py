"""The film's audio before encoding: each scene's audio decoded once, joined sample-exactly,
measured, and the normalisation chosen (or the last one reused).

Each scene's audio is decoded on its own (its edit list honoured, so the AAC priming is
dropped) to 48 kHz float PCM and kept, with its true peak, in the assembly cache
(:mod:`._audio_cache`), named by the scene's content. The film's audio is those samples,
each scene cut or padded to the sample at which its video ends (``edges``, from the exact
running total): a view over the kept files, streamed to ffmpeg a block at a time and never
joined in memory.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from vidkit.render._audio_cache import SILENCE, VERSION, AudioCache, SceneAudio, digest
from vidkit.render._mp4 import SceneInfo
from vidkit.render._passes import Runner
from vidkit.render.loudness import Loudness, LoudnessTarget, Normalization, parse_ebur128

__all__ = [
    "SAMPLE_RATE",
    "Soundtrack",
    "chain_for",
    "decode_scenes",
    "measure_estimate",
    "measure_joined",
    "plan_record",
    "reusable_plan",
    "true_peak_dbtp",
]

SAMPLE_RATE = 48000
_DECODE = f"aresample={SAMPLE_RATE}:async=1:min_hard_comp=0.005:first_pts=0"
_BLOCK = 1 << 16  # samples per block fed to ffmpeg
_TAPS = 48  # the true-peak interpolation filter (4x oversampling)

Samples = npt.NDArray[np.float32]


class Soundtrack:
    """The film's audio: ``scenes`` laid end to end, scene ``j`` from sample ``edges[j]`` to
    ``edges[j + 1]``, in ``channels`` channels (1 if no scene has more; a mono scene in a
    stereo film is on both channels)."""

    def __init__(self, scenes: Sequence[SceneAudio], edges: Sequence[int]) -> None:
        self.scenes, self.edges = list(scenes), list(edges)
        self.channels = 1 if all(s.channels <= 1 for s in scenes) else 2
        self.length = self.edges[-1]
        self.upmix = "pan=stereo|c0=c0|c1=c0," if self.channels == 1 else ""

    @property
    def true_peak_dbtp(self) -> float:
        return max((s.true_peak_dbtp for s in self.scenes), default=-math.inf)

    def input_args(self) -> list[str]:
        """ffmpeg input options for :meth:`blocks` written to ``pipe:0``."""
        return ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", str(self.channels), "-i", "pipe:0"]

    def blocks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Film samples ``start`` to ``end``, as raw float32 blocks."""
        end = self.length if end is None else end
        for j, scene in enumerate(self.scenes):
            lo, hi = max(start, self.edges[j]), min(end, self.edges[j + 1])
            if lo >= hi:
                continue
            data = scene.read()
            for a in range(lo, hi, _BLOCK):
                b = min(hi, a + _BLOCK)
                yield self._shape(data, a - self.edges[j], b - self.edges[j]).tobytes()

    def _shape(self, data: Samples, a: int, b: int) -> Samples:
        block = np.zeros((b - a, self.channels), np.float32)
        have = max(0, min(b, len(data)) - a)
        if have:
            block[:have] = data[a : a + have]  # one channel is copied to both
        return block

    def sources(self, start: int, end: int) -> list[list[Any]]:
        """What film samples ``start`` to ``end`` are made of: for each scene in them, its key,
        channels, first and last sample used, and where they land (from ``start``)."""
        found: list[list[Any]] = []
        for j, scene in enumerate(self.scenes):
            lo, hi = max(start, self.edges[j]), min(end, self.edges[j + 1])
            if lo < hi:
                found.append([scene.key, scene.channels, lo - self.edges[j], hi - self.edges[j],
                              lo - start])  # fmt: skip
        return found


def decode_scenes(
    infos: Sequence[SceneInfo], keys: Sequence[str], kept: AudioCache, runner: Runner
) -> tuple[list[SceneAudio], int]:
    """Each scene's audio, from the cache or decoded (all that are missing in one ffmpeg
    run, each to its own file); returns them and how many scenes were decoded."""
    names: list[str | None] = []
    found: dict[str, SceneAudio] = {}
    todo: dict[str, tuple[SceneInfo, int]] = {}
    for info, scene_key in zip(infos, keys, strict=True):
        if info.audio_channels == 0:
            names.append(None)
            continue
        channels = min(2, info.audio_channels)
        name = digest({"v": VERSION, "scene": scene_key, "decode": _DECODE, "ch": channels})
        names.append(name)
        if name in found or name in todo:
            continue
        hit = kept.scene(name)
        if hit is None:
            todo[name] = (info, channels)
        else:
            found[name] = hit
    if todo:
        parts = [kept.scenes / f".{k}.{os.getpid()}.part" for k in range(len(todo))]
        args: list[str] = []
        chains: list[str] = []
        outputs: list[str] = []
        for k, ((info, _), part) in enumerate(zip(todo.values(), parts, strict=True)):
            args += ["-i", str(info.path)]
            shape = ",aformat=channel_layouts=stereo" if info.audio_channels > 2 else ""
            chains.append(f"[{k}:a:0]{_DECODE},aformat=sample_fmts=flt{shape}[a{k}]")
            outputs += ["-map", f"[a{k}]", "-c:a", "pcm_f32le", "-f", "f32le", str(part)]
        graph = runner.folder / "decode.graph"
        graph.write_text(";\n".join(chains) + "\n", encoding="utf-8")
        try:
            runner.run(
                [*args, "-/filter_complex", str(graph), *outputs], "decoding the scenes' audio"
            )
            for part, (name, (_, channels)) in zip(parts, todo.items(), strict=True):
                peak = _peak_of(part, channels)
                found[name] = kept.add_scene(name, part, channels, peak)
        finally:
            for part in parts:
                part.unlink(missing_ok=True)
    return [SILENCE if entry is None else found[entry] for entry in names], len(todo)


def _peak_of(raw: os.PathLike[str], channels: int) -> float:
    size = os.path.getsize(raw) // (4 * channels)
    if size == 0:
        return -math.inf
    data = np.memmap(raw, dtype=np.float32, mode="r")
    return true_peak_dbtp(data[: size * channels].reshape(size, channels))


@cache
def _phases() -> tuple[npt.NDArray[np.float32], ...]:
    taps = np.sinc((np.arange(_TAPS) - (_TAPS - 1) / 2) / 4) * np.kaiser(_TAPS, 8.0)
    return tuple(taps[p::4].astype(np.float32) for p in range(4))


def true_peak_dbtp(samples: Samples) -> float:
    """The true peak (dBTP) of ``samples`` (frames x channels): the largest magnitude of the
    signal interpolated at 4x (a 48-tap Kaiser-windowed sinc in four phases, as BS.1770
    describes; within 0.05 dB of ffmpeg's ``ebur128=peak=true`` on speech), read in blocks."""
    peak = 0.0
    step = 1 << 18
    for start in range(0, len(samples), step):
        lo = max(0, start - _TAPS)
        block = np.asarray(samples[lo : start + step + _TAPS], dtype=np.float32)
        peak = max(peak, float(np.abs(block).max(initial=0.0)))
        for channel in range(block.shape[1]):
            for taps in _phases():
                between = np.convolve(block[:, channel], taps, mode="valid")
                peak = max(peak, float(np.abs(between).max(initial=0.0)))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def measure_joined(track: Soundtrack, runner: Runner, span: tuple[int, int]) -> Loudness:
    """EBU R128 loudness of the film's audio as it will be encoded (stereo); the true peak
    is the largest of the scenes' (each measured once, when it was decoded)."""
    chain = f"{track.upmix}ebur128=peak=sample:framelog=quiet"
    log = runner.run(
        [*track.input_args(), "-af", chain, "-f", "null", "-"],
        "measuring the joined audio",
        span=span,
        feed=track.blocks,
    )
    found = parse_ebur128(log, name="the joined audio")
    return Loudness(found.integrated_lufs, track.true_peak_dbtp, found.lra, found.threshold_lufs)


def measure_estimate(track: Soundtrack, runner: Runner, chain: str) -> Loudness:
    """Loudness of the film's audio through ``chain`` (a cheap stand-in for the real one)."""
    log = runner.run(
        [*track.input_args(), "-af", f"{track.upmix}{chain}", "-f", "null", "-"],
        "measuring the limited audio",
        feed=track.blocks,
    )
    return parse_ebur128(log)


def chain_for(track: Soundtrack, plan: Normalization | None) -> str:
    """The filter chain from the film's samples to what the encoder gets."""
    return f"{track.upmix}{plan.filter if plan else 'anull'},aresample={SAMPLE_RATE}"


def plan_record(
    target: LoudnessTarget, track: Soundtrack, before: Loudness, plan: Normalization,
    after: Loudness,
) -> dict[str, Any]:  # fmt: skip
    """What :func:`reusable_plan` needs to know next time."""
    return {
        "v": VERSION,
        "target": [target.integrated_lufs, target.true_peak_dbtp, target.tolerance_lu],
        "channels": track.channels,
        "before": [before.integrated_lufs, before.true_peak_dbtp],
        "plan": [plan.gain_db, plan.limited, plan.ceiling_dbtp, plan.sample_rate],
        "after": [after.integrated_lufs, after.true_peak_dbtp],
    }


def reusable_plan(
    record: dict[str, Any] | None, target: LoudnessTarget, track: Soundtrack, before: Loudness
) -> Normalization | None:
    """The normalisation used last time, if it still brings this film on target: the same
    target, and a loudness that moved so little that the last result, moved as much, is
    well inside the tolerance. Reusing it keeps unchanged pieces' keys, so they are not
    encoded again; the finished file is measured as always, and a miss is redone afresh."""
    if record is None or before.is_silent:
        return None
    try:
        if record["v"] != VERSION or record["channels"] != track.channels:
            return None
        wanted = [target.integrated_lufs, target.true_peak_dbtp, target.tolerance_lu]
        if [float(x) for x in record["target"]] != wanted:
            return None
        gain, limited, ceiling, rate = record["plan"]
        plan = Normalization(float(gain), bool(limited), float(ceiling), int(rate))
        drift = before.integrated_lufs - float(record["before"][0])
        expected = float(record["after"][0]) + drift
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    if abs(drift) > 1.0 or abs(expected - target.integrated_lufs) > target.tolerance_lu / 2:
        return None
    if not plan.limited and before.true_peak_dbtp + plan.gain_db > plan.ceiling_dbtp:
        return None  # louder peaks now need the limiter
    return plan
