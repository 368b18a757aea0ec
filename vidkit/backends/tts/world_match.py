"""Voice matching (approximate): Piper's voice reshaped toward a reference with WORLD.

This is **not a voice clone**. The embedded Piper voice speaks the text; the WORLD vocoder
(``pyworld``) then analyses that speech and resynthesises it with

- its pitch moved to the reference's: log-F0 mean and spread (standard deviation) matched;
- a formant warp: the spectral envelope's frequency axis scaled by the factor that best lines
  up its long-term shape (tilt removed) with the reference's;
- a smooth EQ: the remaining long-term difference between the two envelopes, heavily smoothed
  and limited to ±``_EQ_LIMIT_DB``.

WORLD keeps the timing, so Piper's word and phoneme timings stay true. The reference's
analysis (pitch statistics and long-term envelope) is cached as a small JSON file named by
the reference's content hash, so a profile is analysed once.

Pitch is tracked with ``dio`` + ``stonemask`` (``harvest`` runs at about 1× realtime).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from vidkit.audio import convert_to_pcm16, read_wav, wav_info, write_wav
from vidkit.backends.tts import VoiceProfile
from vidkit.errors import BackendError, InvalidInput, MediaError
from vidkit.hints import install
from vidkit.timing import Timings

if TYPE_CHECKING:
    from vidkit.backends.tts.piper import PiperTTS

__all__ = ["ANALYSIS_VERSION", "LABEL", "VoiceStats", "WorldMatchTTS", "analyse_reference"]

_log = logging.getLogger(__name__)

LABEL = "voice matching (approximate), not a clone"
ANALYSIS_VERSION = 1
_MATCH_VERSION = 1
_FRAME_MS = 5.0
_F0_FLOOR, _F0_CEIL = 60.0, 500.0
_GRID = np.linspace(0.0, 8000.0, 321)  # the long-term envelope's frequency grid, 25 Hz apart
_BAND = (_GRID >= 200.0) & (_GRID <= 5000.0)  # where envelopes are compared
_WARPS = np.round(np.arange(0.80, 1.2501, 0.01), 2)
_EQ_LIMIT_DB = 9.0
_MIN_VOICED_S = 1.0  # the reference must hold at least this much voiced speech
_MAX_ANALYSED_S = 120.0  # only the first two minutes of a long reference are analysed
_ANALYSIS_RATE = 22050

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class VoiceStats:
    """What matching needs from a voice: log-F0 mean and spread over voiced frames (outer 5%
    each side left out), and the long-term spectral envelope in dB on a fixed 0-8 kHz grid."""

    log_f0_mean: float
    log_f0_std: float
    envelope_db: tuple[float, ...]
    voiced_s: float

    @property
    def f0_median_hz(self) -> float:
        return float(np.exp(self.log_f0_mean))


def _pw() -> Any:
    try:
        import pyworld
    except ImportError as exc:
        raise BackendError(
            "voice matching needs the WORLD vocoder",
            hint=install("the WORLD vocoder", "pyworld-prebuilt==0.3.6.post1"),
        ) from exc
    return pyworld


def _world(x: Floats, fs: int, *, aperiodicity: bool) -> tuple[Floats, Floats, Floats | None]:
    pw = _pw()
    f0, t = pw.dio(x, fs, f0_floor=_F0_FLOOR, f0_ceil=_F0_CEIL, frame_period=_FRAME_MS)
    f0 = pw.stonemask(x, f0, t, fs)
    sp = pw.cheaptrick(x, f0, t, fs)
    ap = pw.d4c(x, f0, t, fs) if aperiodicity else None
    return f0, sp, ap


def voice_stats(x: Floats, fs: int, f0: Floats, sp: Floats) -> VoiceStats:
    """Pitch statistics and long-term envelope of WORLD parameters (voiced frames only)."""
    voiced = f0 > 0
    voiced_s = float(voiced.sum()) * _FRAME_MS / 1000
    if voiced_s < _MIN_VOICED_S:
        raise InvalidInput(
            f"the reference holds {voiced_s:.1f} s of voiced speech; voice matching needs at "
            f"least {_MIN_VOICED_S:.0f} s: record 10-30 s of one person speaking clearly",
            field="reference",
        )
    mean, std = _pitch_stats(np.log(f0[voiced]))
    return VoiceStats(
        log_f0_mean=mean,
        log_f0_std=std,
        envelope_db=tuple(float(v) for v in _long_term_db(sp[voiced], fs)),
        voiced_s=voiced_s,
    )


def _pitch_stats(log_f0: Floats) -> tuple[float, float]:
    """Mean and standard deviation of log-F0 with the outer 5% on each side left out (pitch
    trackers make octave errors at voicing edges)."""
    if len(log_f0) == 0:
        return 0.0, 0.0
    lo, hi = np.percentile(log_f0, [5, 95])
    core = log_f0[(log_f0 >= lo) & (log_f0 <= hi)]
    return float(core.mean()), float(core.std())


def _long_term_db(sp: Floats, fs: int) -> Floats:
    bins = np.arange(sp.shape[1]) * fs / (2 * (sp.shape[1] - 1))
    mean_db = 10 * np.log10(np.maximum(sp, 1e-16)).mean(axis=0)
    return np.asarray(np.interp(_GRID, bins, mean_db), dtype=np.float64)


def _smooth(db: Floats, width_hz: float) -> Floats:
    n = max(1, round(float(width_hz / (_GRID[1] - _GRID[0]))) | 1)
    padded = np.pad(db, n // 2, mode="edge")
    return np.asarray(np.convolve(padded, np.ones(n) / n, mode="valid"), dtype=np.float64)


def _warped(db: Floats, alpha: float) -> Floats:
    """The envelope with its frequency axis scaled by ``alpha`` (> 1 moves formants up)."""
    return np.asarray(np.interp(_GRID / alpha, _GRID, db), dtype=np.float64)


def fit_warp(source_db: Floats, target_db: Floats) -> float:
    """The frequency-axis scale that best lines up the envelopes' shapes (tilt removed)."""
    band = _BAND
    target = target_db - _smooth(target_db, 1500)
    errors = []
    for alpha in _WARPS:
        warped = _warped(source_db, float(alpha))
        detail = warped - _smooth(warped, 1500)
        errors.append(float(np.mean((detail[band] - target[band]) ** 2)))
    return float(_WARPS[int(np.argmin(errors))])


def fit_eq(source_db: Floats, target_db: Floats, alpha: float) -> Floats:
    """A smooth gain curve (dB on the grid, mean zero over the fit band) from the long-term
    difference left after the warp."""
    band = _BAND
    gain = _smooth(target_db - _warped(source_db, alpha), 800)
    gain = gain - gain[band].mean()
    return np.asarray(np.clip(gain, -_EQ_LIMIT_DB, _EQ_LIMIT_DB), dtype=np.float64)


def _to_float(samples: npt.NDArray[np.int16]) -> Floats:
    return samples.astype(np.float64) / 32768.0


def _reference_samples(path: Path) -> tuple[Floats, int]:
    try:
        info = wav_info(path)
        if info.is_mono_pcm16:
            samples, fs = read_wav(path)
            return _to_float(samples), fs
    except MediaError:
        pass
    with tempfile.TemporaryDirectory(prefix="vidkit-ref-") as tmp:
        wav = Path(tmp) / "reference.wav"
        convert_to_pcm16(path, wav, sample_rate=_ANALYSIS_RATE)
        samples, fs = read_wav(wav)
    return _to_float(samples), fs


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise InvalidInput(f"cannot read the reference recording {path}: {exc}") from exc
    return digest.hexdigest()


def analyse_reference(path: Path, cache_dir: Path | None = None) -> tuple[str, VoiceStats]:
    """The reference's content hash and analysis, read from ``cache_dir`` when there."""
    sha = file_sha256(path)
    cached = None if cache_dir is None else Path(cache_dir) / f"{sha}.v{ANALYSIS_VERSION}.json"
    if cached is not None and cached.is_file():
        try:
            raw = json.loads(cached.read_text())
            return sha, VoiceStats(
                float(raw["log_f0_mean"]),
                float(raw["log_f0_std"]),
                tuple(float(v) for v in raw["envelope_db"]),
                float(raw["voiced_s"]),
            )
        except (ValueError, KeyError, TypeError):
            _log.warning("ignoring an unreadable voice analysis cache file %s", cached)
    x, fs = _reference_samples(path)
    x = x[: int(_MAX_ANALYSED_S * fs)]
    f0, sp, _ = _world(x, fs, aperiodicity=False)
    stats = voice_stats(x, fs, f0, sp)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "version": ANALYSIS_VERSION,
            "sha256": sha,
            "log_f0_mean": stats.log_f0_mean,
            "log_f0_std": stats.log_f0_std,
            "voiced_s": stats.voiced_s,
            "envelope_db": [round(v, 3) for v in stats.envelope_db],
        }
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(body))
        os.replace(tmp, cached)
    return sha, stats


def pooled(parts: list[VoiceStats]) -> VoiceStats:
    """One speaker's analyses of several recordings combined, weighted by voiced time."""
    weights = np.array([p.voiced_s for p in parts])
    weights = weights / weights.sum()
    means = np.array([p.log_f0_mean for p in parts])
    mean = float(weights @ means)
    second = float(weights @ (np.array([p.log_f0_std for p in parts]) ** 2 + means**2))
    envelope = weights @ np.array([p.envelope_db for p in parts])
    return VoiceStats(
        log_f0_mean=mean,
        log_f0_std=float(np.sqrt(max(second - mean**2, 0.0))),
        envelope_db=tuple(float(v) for v in envelope),
        voiced_s=float(sum(p.voiced_s for p in parts)),
    )


def match(x: Floats, fs: int, target: VoiceStats) -> tuple[Floats, dict[str, float]]:
    """``x`` (float samples) reshaped toward ``target``; also what was applied."""
    pw = _pw()
    f0, sp, ap = _world(x, fs, aperiodicity=True)
    assert ap is not None
    source = voice_stats(x, fs, f0, sp) if (f0 > 0).sum() * _FRAME_MS >= 1000 else None
    voiced = f0 > 0
    log_f0 = np.log(np.where(voiced, f0, 1.0))
    mean, std = _pitch_stats(log_f0[voiced]) if voiced.any() else (target.log_f0_mean, 0.0)
    spread = float(np.clip(target.log_f0_std / std, 0.25, 4.0)) if std > 1e-6 else 1.0
    new_f0 = np.where(voiced, np.exp(target.log_f0_mean + (log_f0 - mean) * spread), 0.0)
    src_db = np.asarray(source.envelope_db) if source is not None else _long_term_db(sp[voiced], fs)
    tgt_db = np.asarray(target.envelope_db, dtype=np.float64)
    alpha = fit_warp(src_db, tgt_db)
    gain_db = fit_eq(src_db, tgt_db, alpha)
    bins = np.arange(sp.shape[1]) * fs / (2 * (sp.shape[1] - 1))
    pos = np.clip(np.arange(sp.shape[1]) / alpha, 0, sp.shape[1] - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, sp.shape[1] - 1)
    frac = pos - lo
    log_sp = np.log(np.maximum(sp, 1e-16))
    warped = log_sp[:, lo] * (1 - frac) + log_sp[:, hi] * frac
    gain = np.interp(bins, _GRID, gain_db) * (np.log(10) / 10)  # dB → natural log of power
    new_sp = np.ascontiguousarray(np.exp(warped + gain))
    y = pw.synthesize(np.ascontiguousarray(new_f0), new_sp, ap, fs, _FRAME_MS)
    y = np.resize(y, len(x)) if len(y) >= len(x) else np.pad(y, (0, len(x) - len(y)))
    y = y * _speech_mask(x, fs)
    rms_in, rms_out = np.sqrt(np.mean(x**2)), np.sqrt(np.mean(y**2))
    if rms_out > 0:
        y = y * (rms_in / rms_out)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0.99:
        y = y * (0.99 / peak)
    applied = {"warp": alpha, "pitch_ratio": float(np.exp(target.log_f0_mean - mean))}
    applied["pitch_spread"] = spread
    return np.asarray(y, dtype=np.float64), applied


def _speech_mask(x: Floats, fs: int) -> Floats:
    """1 where Piper spoke, fading to 0 over its silences (more than 50 dB below its loudest
    10 ms), so resynthesis noise in pauses does not make speech recognisers hear words there."""
    hop = max(1, fs // 100)
    frames = len(x) // hop + 1
    padded = np.pad(x, (0, frames * hop - len(x)))
    rms = np.sqrt(np.mean(padded.reshape(frames, hop) ** 2, axis=1))
    loud = (rms > rms.max() * 10 ** (-50 / 20)).astype(np.float64)
    loud = np.convolve(loud, np.ones(7), mode="same") > 0  # keep 30 ms either side
    smooth = np.convolve(loud.astype(np.float64), np.ones(3) / 3, mode="same")
    return np.asarray(np.interp(np.arange(len(x)) / hop, np.arange(frames), smooth))


class WorldMatchTTS:
    """Piper, then WORLD voice matching toward ``profile``'s reference: "voice matching
    (approximate)", not a clone. ``synthesize`` with ``voice=None`` matches toward
    ``profile``; with another profile, toward that one. ``cache_dir`` keeps the reference
    analyses (``None``: analysed once per instance)."""

    can_clone = True
    label = LABEL

    def __init__(self, piper: PiperTTS, profile: VoiceProfile, cache_dir: Path | None) -> None:
        self.piper = piper
        self.profile = profile
        self.cache_dir = cache_dir
        self._lock = threading.Lock()
        self._stats: dict[tuple[str, int, int], tuple[str, VoiceStats]] = {}

    def fingerprint(self) -> str:
        sha, _ = self._analysis(self.profile)
        return (
            f"{self.piper.fingerprint()}:world-match=v{_MATCH_VERSION}:"
            f"analysis=v{ANALYSIS_VERSION}:ref={sha[:16]}"
        )

    def _analysis(self, profile: VoiceProfile) -> tuple[str, VoiceStats]:
        """The profile's analysis: every reference's, pooled by voiced time; the hash is the
        first reference's (with more, a hash of all of theirs)."""
        parts = [self._one(profile, Path(path)) for path in profile.references]
        if len(parts) == 1:
            return parts[0]
        return hashlib.sha256(":".join(sha for sha, _ in parts).encode()).hexdigest(), pooled(
            [stats for _, stats in parts]
        )

    def _one(self, profile: VoiceProfile, path: Path) -> tuple[str, VoiceStats]:
        try:
            st = path.stat()
        except OSError as exc:
            raise InvalidInput(
                f"the reference recording of voice {profile.name!r} is missing ({path}): "
                "add the voice again with its recording",
                field="voice",
            ) from exc
        key = (str(path), st.st_mtime_ns, st.st_size)
        with self._lock:
            if key not in self._stats:
                self._stats[key] = analyse_reference(path, self.cache_dir)
            return self._stats[key]

    def synthesize(self, text: str, out_wav: Path, *, voice: VoiceProfile | None = None) -> Timings:
        profile = voice or self.profile
        sha, target = self._analysis(profile)
        timings = self.piper.synthesize(text, out_wav)
        samples, fs = read_wav(Path(out_wav))
        y, applied = match(_to_float(samples), fs, target)
        pcm = np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16)
        write_wav(Path(out_wav), pcm, fs)
        meta = dict(timings.meta)
        meta.update(
            backend="piper+world-match",
            voice_matching=LABEL,
            reference_sha256=sha,
            **{k: round(v, 4) for k, v in applied.items()},
        )
        return Timings(
            duration_ms=timings.duration_ms,
            words=timings.words,
            phonemes=timings.phonemes,
            alphabet=timings.alphabet,
            meta=meta,
        )
