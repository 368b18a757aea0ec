"""Loudness: measure EBU R128 integrated loudness and true peak, and normalise to a target.

:func:`measure` runs ffmpeg's ``ebur128=peak=true`` filter over a file's audio and parses its
summary. Normalisation is two-pass: the first pass measures (:data:`MEASURE_FILTER`, which
the assembler runs over the joined audio of all scenes), :func:`normalize_filter` turns the
measurement into the second pass's filter (:attr:`Normalization.filter`).

Where a constant gain reaches the target without the true peak passing the ceiling, the
filter is that gain alone: what ``loudnorm=linear=true`` does, without loudnorm's 192 kHz
round trip. Where it cannot (speech often peaks 15-20 dB above its loudness), the gain is
followed by a true-peak limiter (``alimiter`` at 4x oversampling), and the gain is raised
by what the limiter took (:func:`refine`, measured on a cheap stand-in,
:attr:`Normalization.estimate`). The band is cut at 18 kHz first, where the AAC encoder
cuts it anyway: without that, the encoder's own filtering raised true peaks by up to 3 dB
on broadband transients (0.6-0.8 dB with it), which the ceiling's headroom absorbs.

``loudnorm``'s dynamic mode was measured and not used: on speech-like test signals it ended
0.6-2.2 LU under the target (0.3-0.8 LU with its ``target_offset``); see
docs/render-assembly.md.
"""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe

__all__ = [
    "BAND_HZ",
    "DEFAULT_TARGET",
    "ESTIMATE_FILTER",
    "MEASURE_FILTER",
    "Loudness",
    "LoudnessTarget",
    "Normalization",
    "measure",
    "normalize_filter",
    "parse_ebur128",
    "refine",
    "tighten",
]

MEASURE_FILTER = "ebur128=peak=true:framelog=quiet"
"""The first pass: integrated loudness, loudness range and true peak (4x oversampled)."""

SILENCE_LUFS = -70.0
"""EBU R128's absolute gate: audio this quiet is silence, and is never amplified."""

ESTIMATE_FILTER = "ebur128=peak=sample:framelog=quiet"
"""A cheaper measurement: sample peak instead of true peak (for :attr:`Normalization.estimate`)."""

BAND_HZ = 18000
"""Audio above this is cut before limiting and by the encoder (``-cutoff``)."""

_SUMMARY = re.compile(
    r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-?inf) LUFS\s*Threshold:\s*(?P<thr>-?[\d.]+|-?inf)"
    r" LUFS.*?Loudness range:\s*LRA:\s*(?P<lra>-?[\d.]+) LU.*?(?:True|Sample) peak:\s*Peak:\s*"
    r"(?P<tp>-?[\d.]+|-?inf) dBFS",
    re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Loudness:
    """EBU R128 figures of some audio: integrated loudness (LUFS), true peak (dBTP),
    loudness range (LU) and the relative gate threshold (LUFS)."""

    integrated_lufs: float
    true_peak_dbtp: float
    lra: float
    threshold_lufs: float = SILENCE_LUFS

    @property
    def is_silent(self) -> bool:
        return self.integrated_lufs <= SILENCE_LUFS


@dataclass(frozen=True, slots=True)
class LoudnessTarget:
    """Where normalisation aims: ``integrated_lufs`` within ``tolerance_lu``, and a true peak
    at most ``true_peak_dbtp``. The limiter's ceiling sits ``headroom_db`` lower, because
    AAC encoding raises true peaks (up to 0.8 dB measured on band-limited speech)."""

    integrated_lufs: float = -16.0
    true_peak_dbtp: float = -1.5
    tolerance_lu: float = 0.5
    headroom_db: float = 1.0

    @property
    def ceiling_dbtp(self) -> float:
        return self.true_peak_dbtp - self.headroom_db

    def accepts(self, loudness: Loudness) -> bool:
        """Whether ``loudness`` meets this target (silence always does: nothing to raise)."""
        if loudness.is_silent:
            return True
        on_level = abs(loudness.integrated_lufs - self.integrated_lufs) <= self.tolerance_lu
        return on_level and loudness.true_peak_dbtp <= self.true_peak_dbtp


DEFAULT_TARGET = LoudnessTarget()
"""-16 LUFS, true peak at most -1.5 dBTP: what streaming platforms play speech at."""


@dataclass(frozen=True, slots=True)
class Normalization:
    """The second pass: ``gain_db`` of constant gain, then a true-peak limiter if ``limited``."""

    gain_db: float
    limited: bool
    ceiling_dbtp: float
    sample_rate: int = 48000

    @property
    def filter(self) -> str:
        """The ffmpeg audio filter chain (float samples in, ``sample_rate`` Hz out)."""
        chain = f"volume={self.gain_db:+.3f}dB,lowpass=f={BAND_HZ}:poles=2"
        if not self.limited:
            return chain
        return (
            f"{chain},aresample={4 * self.sample_rate},{self._limiter},aresample={self.sample_rate}"
        )

    @property
    def estimate(self) -> str:
        """A cheaper chain that changes loudness as :attr:`filter` does (within 0.1 LU): the
        limiter at the sample rate, without the oversampling that true peaks need."""
        chain = f"volume={self.gain_db:+.3f}dB,lowpass=f={BAND_HZ}:poles=2"
        return f"{chain},{self._limiter}" if self.limited else chain

    @property
    def _limiter(self) -> str:
        limit = 10 ** (self.ceiling_dbtp / 20)
        return f"alimiter=limit={limit:.5f}:attack=1:release=60:level=false:latency=true"


def normalize_filter(
    measured: Loudness, target: LoudnessTarget, *, sample_rate: int = 48000
) -> Normalization:
    """The second pass for audio that measured ``measured``: the gain that brings it to the
    target, limited only if that gain would push the true peak past the ceiling."""
    if measured.is_silent or math.isinf(measured.true_peak_dbtp):
        return Normalization(0.0, False, target.ceiling_dbtp, sample_rate)
    gain = target.integrated_lufs - measured.integrated_lufs
    limited = measured.true_peak_dbtp + gain > target.ceiling_dbtp
    return Normalization(gain, limited, target.ceiling_dbtp, sample_rate)


def refine(
    plan: Normalization,
    result: Loudness,
    target: LoudnessTarget,
    previous: tuple[Normalization, Loudness] | None = None,
) -> Normalization:
    """``plan`` with its gain corrected by how far ``result`` (the audio after ``plan``) missed
    the target. The limiter takes more as the gain grows, so with the ``previous`` attempt
    the correction follows the measured slope (the secant method) instead of assuming 1 dB
    of loudness per dB of gain."""
    if result.is_silent:
        return plan
    miss = target.integrated_lufs - result.integrated_lufs
    slope = 1.0
    if previous is not None:
        (earlier, earlier_result) = previous
        step = plan.gain_db - earlier.gain_db
        if abs(step) > 1e-6:
            measured = (result.integrated_lufs - earlier_result.integrated_lufs) / step
            slope = min(1.0, max(0.25, measured))
    return replace(plan, gain_db=plan.gain_db + miss / slope)


def tighten(plan: Normalization, result: Loudness, target: LoudnessTarget) -> Normalization:
    """``plan`` with a limiter whose ceiling is lowered by as much (and 0.2 dB more) as the
    true peak of ``result`` (the encoded audio) went over the target's."""
    excess = result.true_peak_dbtp - target.true_peak_dbtp
    if result.is_silent or excess <= 0:
        return plan
    return replace(plan, limited=True, ceiling_dbtp=plan.ceiling_dbtp - excess - 0.2)


def parse_ebur128(text: str, *, name: str = "the audio") -> Loudness:
    """The figures in the summary that ``ebur128=peak=true`` logs at the end of a run."""
    found = list(_SUMMARY.finditer(text))
    if not found:
        raise MediaError(f"ffmpeg printed no loudness summary for {name}; is there audio in it?")
    m = found[-1]
    return Loudness(
        integrated_lufs=_number(m["i"]),
        true_peak_dbtp=_number(m["tp"]),
        lra=_number(m["lra"]),
        threshold_lufs=_number(m["thr"]),
    )


def measure(path: Path, *, timeout_s: float = 600.0) -> Loudness:
    """Integrated loudness, true peak and loudness range of the first audio stream of ``path``.

    Raises :class:`MediaError` if the file is missing, has no audio or cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"{path} does not exist: cannot measure its loudness")
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
        "-map", "0:a:0", "-af", MEASURE_FILTER, "-f", "null", "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, errors="replace", timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"measuring {path.name}'s loudness took over {timeout_s:g} s") from exc
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-2:])
        raise MediaError(f"cannot measure the loudness of {path.name}: {tail}")
    return parse_ebur128(done.stderr, name=path.name)


def _number(text: str) -> float:
    return float(text)  # "-inf" parses too: the true peak of digital silence
