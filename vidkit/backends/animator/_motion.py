"""Motion plans, computed for every frame before any frame is drawn (cheap: a few numbers each).

* :func:`speech_energy`: the WAV's loudness per frame, read block by block.
* :func:`blink_track`: eyelid closure per frame. Blinks come at irregular intervals (gamma
  distributed around a mean of a few seconds), drift towards nearby pauses in the speech (people
  blink at phrase boundaries), sometimes twice in a row, each ~160 ms: a quick close, a slower
  opening.
* :func:`head_track`: head roll, sway and nods per frame. An idle part (each axis a sum of three
  sines at incommensurate low frequencies with seeded phases, so it never repeats) grows with the
  speech's activity, and a nod (a smooth dip) marks loud, long words, at most one every ~1.3 s.
"""

from __future__ import annotations

import itertools
import math
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vidkit.errors import MediaError
from vidkit.timing import Timings
from vidkit.visemes import is_stressed, viseme_of

FloatArray = npt.NDArray[np.float64]

_HOP_S = 0.01  # loudness is measured every 10 ms
_BLOCK = 1 << 15

BLINK_CLOSE_MS, BLINK_HOLD_MS, BLINK_OPEN_MS = 55.0, 25.0, 90.0
DOUBLE_BLINK = 0.12  # chance that a blink is followed by a second one
PAUSE_PULL_S = 0.6  # a blink moves to a pause in the speech this close to it

# Golden-ratio spaced frequencies (Hz): no two share a period, so the sum never loops.
_GOLDEN = (1 + 5**0.5) / 2
_FREQS = (0.09, 0.09 * _GOLDEN, 0.09 * _GOLDEN**2.5)


def frame_times(frames: int, fps: Fraction) -> FloatArray:
    """Seconds at which each frame is shown."""
    return np.arange(frames, dtype=np.float64) * float(1 / fps)


def speech_energy(wav: Path, frames: int, fps: Fraction) -> FloatArray:
    """RMS loudness around each frame's time, scaled so that loud speech is ~1 (0 = silence)."""
    hops = _hop_rms(wav)
    if len(hops) == 0:
        return np.zeros(frames)
    power = hops**2
    window = max(1, round(float(1 / fps) / _HOP_S))
    cumulative = np.concatenate([[0.0], np.cumsum(power)])
    centre = np.round(frame_times(frames, fps) / _HOP_S).astype(np.int64)
    lo = np.clip(centre - window // 2 - 1, 0, len(power))
    hi = np.clip(centre + window // 2 + 1, 0, len(power))
    mean = (cumulative[hi] - cumulative[lo]) / np.maximum(hi - lo, 1)
    rms = np.sqrt(mean)
    loud = float(np.percentile(hops, 95))
    return np.clip(rms / loud, 0.0, 1.5) if loud > 1e-5 else np.zeros(frames)


def _hop_rms(wav: Path) -> FloatArray:
    """RMS of each 10 ms hop of a PCM WAV file (any sample width, channels averaged)."""
    try:
        with wave.open(str(wav), "rb") as reader:
            rate, channels, width = (
                reader.getframerate(),
                reader.getnchannels(),
                reader.getsampwidth(),
            )
            hop = max(1, round(rate * _HOP_S))
            dtype = {1: "u1", 2: "<i2", 4: "<i4"}.get(width)
            if dtype is None:
                raise MediaError(
                    f"{wav.name} has {8 * width}-bit samples; convert it to 16-bit PCM "
                    "(vidkit.audio.convert_to_pcm16)"
                )
            scale = {1: 128.0, 2: 32768.0, 4: 2147483648.0}[width]
            out: list[FloatArray] = []
            carry = np.zeros(0)
            while block := reader.readframes(_BLOCK):
                samples = np.frombuffer(block, dtype=dtype).astype(np.float64)
                if width == 1:
                    samples -= 128.0
                mono = samples.reshape(-1, channels).mean(axis=1) / scale
                data = np.concatenate([carry, mono])
                whole = len(data) // hop * hop
                out.append(np.sqrt(np.mean(data[:whole].reshape(-1, hop) ** 2, axis=1)))
                carry = data[whole:]
            if len(carry):
                out.append(np.array([math.sqrt(float(np.mean(carry**2)))]))
    except (wave.Error, EOFError) as exc:
        raise MediaError(
            f"{wav.name} is not a PCM WAV file ({exc}); convert it with "
            "vidkit.audio.convert_to_pcm16"
        ) from exc
    except OSError as exc:
        raise MediaError(f"cannot read the narration {wav}: {exc}") from exc
    return np.concatenate(out) if out else np.zeros(0)


def pause_times(timings: Timings, min_ms: int = 120) -> FloatArray:
    """Middles (s) of the silences between words that last at least ``min_ms``."""
    spans = [
        (p.start_ms, p.end_ms)
        for p in timings.phonemes
        if viseme_of(p.phoneme, timings.alphabet) == "rest" and p.phoneme.strip("ˈˌː")
    ]
    if not spans and timings.words:
        words = sorted(timings.words, key=lambda w: w.start_ms)
        spans = [(a.end_ms, b.start_ms) for a, b in itertools.pairwise(words)]
    return np.array([(a + b) / 2000 for a, b in spans if b - a >= min_ms], dtype=np.float64)


def blink_times(
    duration_s: float, rng: np.random.Generator, mean_s: float, pauses: FloatArray
) -> list[float]:
    """Start times (s) of the blinks in a clip of ``duration_s``."""
    times: list[float] = []
    t = float(rng.uniform(0.4, 0.9) * mean_s)
    while t < duration_s:
        if len(pauses):
            nearest = float(pauses[np.argmin(np.abs(pauses - t))])
            gap_ok = not times or nearest - times[-1] > 0.45 * mean_s
            if abs(nearest - t) < PAUSE_PULL_S and gap_ok:
                t = nearest
        times.append(t)
        if rng.random() < DOUBLE_BLINK:
            times.append(t + float(rng.uniform(0.26, 0.36)))
        t = times[-1] + float(np.clip(rng.gamma(4.0, mean_s / 4.0), 0.45 * mean_s, 2.0 * mean_s))
    return [s for s in times if s < duration_s]


def blink_track(times: FloatArray, starts: list[float]) -> FloatArray:
    """Eyelid closure (0 open .. 1 shut) at each frame time for blinks starting at ``starts``."""
    close, hold, opening = BLINK_CLOSE_MS / 1000, BLINK_HOLD_MS / 1000, BLINK_OPEN_MS / 1000
    out = np.zeros(len(times))
    for start in starts:
        x = times - start
        closing = np.clip(x / close, 0, 1) ** 1.5
        reopening = 1.0 - np.clip((x - close - hold) / opening, 0, 1)
        shape = np.where(x < close, closing, np.where(x < close + hold, 1.0, reopening**0.8))
        shape[(x < 0) | (x > close + hold + opening)] = 0.0
        # the frame nearest the middle of the closed phase shows the eye fully shut
        middle = int(np.argmin(np.abs(x - close - hold / 2)))
        if abs(x[middle] - close - hold / 2) < close + hold:
            shape[middle] = 1.0
        out = np.maximum(out, shape)
    return out


@dataclass(frozen=True, slots=True)
class HeadTrack:
    """Per frame: roll in degrees (positive = clockwise on screen), and shift in pixels."""

    roll: FloatArray
    dx: FloatArray
    dy: FloatArray


def _smooth(values: FloatArray, sigma_frames: float) -> FloatArray:
    if len(values) == 0 or sigma_frames <= 0:
        return values
    radius = max(1, math.ceil(3 * sigma_frames))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma_frames) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(values, radius, mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def _idle(times: FloatArray, rng: np.random.Generator) -> FloatArray:
    """A smooth wander in -1..1: three incommensurate sines with random phases and weights."""
    weights = np.array([1.0, 0.6, 0.35]) * rng.uniform(0.8, 1.2, 3)
    phases = rng.uniform(0, 2 * math.pi, 3)
    scale = rng.uniform(0.85, 1.15)
    wave_sum = sum(
        w * np.sin(2 * math.pi * f * scale * times + p)
        for w, f, p in zip(weights, _FREQS, phases, strict=True)
    )
    return np.asarray(wave_sum, dtype=np.float64) / float(weights.sum())


def nod_times(timings: Timings, energy: FloatArray, fps: Fraction) -> list[float]:
    """Moments (s) of emphasis: the loudest long words (or stressed syllables), spaced out."""

    def loudness(start_ms: int, end_ms: int) -> float:
        a = int(start_ms * fps / 1000)
        b = max(a + 1, int(end_ms * fps / 1000))
        return float(energy[a:b].mean()) if a < len(energy) else 0.0

    if timings.words:
        marks = [
            (w.start_ms, loudness(w.start_ms, w.end_ms))
            for w in timings.words
            if w.end_ms - w.start_ms >= 220
        ]
    else:
        marks = [
            (p.start_ms, loudness(p.start_ms, p.end_ms))
            for p in timings.phonemes
            if is_stressed(p.phoneme, timings.alphabet)
        ]
    if not marks:
        return []
    threshold = float(np.percentile([m[1] for m in marks], 50))
    chosen: list[float] = []
    for start_ms, level in sorted(marks, key=lambda m: -m[1]):
        t = start_ms / 1000
        if level >= threshold and all(abs(t - c) > 1.3 for c in chosen):
            chosen.append(t)
    return sorted(chosen)


def head_track(
    times: FloatArray,
    energy: FloatArray,
    nods: list[float],
    rng: np.random.Generator,
    face: float,
    amount: float,
) -> HeadTrack:
    """Head motion for a face ``face`` pixels tall; ``amount`` scales all of it (1 = natural)."""
    fps = 1 / (times[1] - times[0]) if len(times) > 1 else 30.0
    activity = np.clip(_smooth(energy, 0.6 * fps), 0, 1)  # speaking, over the last second or so
    lively = 0.55 + 0.6 * activity
    beat = _smooth(energy, 0.12 * fps) - activity  # syllable-scale swells above the average
    roll = 2.2 * lively * _idle(times, rng) + 1.0 * beat * rng.choice([-1.0, 1.0])
    dx = face * (0.022 * lively * _idle(times, rng) + 0.006 * beat)
    dy = face * (0.012 * _idle(times, rng) + 0.012 * beat)
    for t in nods:  # a nod: down over ~180 ms, back up over ~300 ms
        x = times - t
        dip = np.where(
            x < 0.18,
            np.sin(np.clip(x / 0.18, 0, 1) * math.pi / 2),
            np.cos(np.clip((x - 0.18) / 0.3, 0, 1) * math.pi / 2),
        )
        dip[(x < 0) | (x > 0.48)] = 0.0
        dy += face * 0.03 * dip**2
        roll += 0.4 * dip**2 * rng.choice([-1.0, 1.0])
    return HeadTrack(np.clip(roll * amount, -3, 3), dx * amount, dy * amount)
