"""Measurements of sound samples: where one signal sits in another (sync), silent stretches,
where the sound starts and ends, and clipped runs.

:func:`lag_ms` cross-correlates the rendered sound with the narration it was made from (FFT,
at :data:`~vidkit.qc.measure.SYNC_RATE`) and returns how much later the narration is heard
in the file than in its own WAV, with the correlation at that lag (about 0.9 for speech
through AAC; near 0 when the narration is not in the file).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "CLIP_LEVEL",
    "SILENCE_DB",
    "clipped_runs",
    "lag_ms",
    "silences",
    "sound_share",
    "sounding",
]

Samples = npt.NDArray[np.float32]
Span = tuple[int, int]

#: Sound under this level (peak of a 10 ms window, dBFS) is silence (ffmpeg's silencedetect
#: calls it noise).
SILENCE_DB = -50.0
#: A sample at or above this magnitude (-0.1 dBFS) is at full scale.
CLIP_LEVEL = 10 ** (-0.1 / 20)
#: Full-scale samples in a row that make a clipped run ("three in a row" is the mastering rule).
CLIP_RUN = 3
_WINDOW_MS = 10


def lag_ms(
    rendered: Samples, narration: Samples, rate: int, *, search_ms: int = 1000
) -> tuple[float, float]:
    """(how much later ``narration`` is heard in ``rendered``, in ms; the normalised
    correlation there, 0..1), looking up to ``search_ms`` either way."""
    if rendered.size == 0 or narration.size == 0:
        return 0.0, 0.0
    size = 1 << math.ceil(math.log2(rendered.size + narration.size))
    spectrum = np.fft.rfft(rendered.astype(np.float64), size)
    spectrum *= np.conj(np.fft.rfft(narration.astype(np.float64), size))
    corr = np.fft.irfft(spectrum, size)
    reach = min(round(search_ms * rate / 1000), size // 2 - 1)
    lags = np.concatenate([np.arange(0, reach + 1), np.arange(-reach, 0)])
    values = np.concatenate([corr[: reach + 1], corr[size - reach :]])
    best = int(np.argmax(values))
    energy = math.sqrt(float(np.dot(rendered, rendered)) * float(np.dot(narration, narration)))
    score = float(values[best]) / energy if energy > 0 else 0.0
    return 1000 * int(lags[best]) / rate, max(0.0, min(1.0, score))


def _loud_windows(samples: Samples, rate: int, db: float) -> npt.NDArray[np.bool_]:
    """For each 10 ms window, whether its peak reaches ``db``."""
    step = max(1, rate * _WINDOW_MS // 1000)
    count = samples.size // step
    if count == 0:
        return np.zeros(0, bool)
    peaks = np.abs(samples[: count * step]).reshape(count, step).max(axis=1)
    loud: npt.NDArray[np.bool_] = peaks >= 10 ** (db / 20)
    return loud


def silences(samples: Samples, rate: int, *, min_ms: int, db: float = SILENCE_DB) -> list[Span]:
    """Stretches (ms) at least ``min_ms`` long where the sound stays under ``db``."""
    loud = _loud_windows(samples, rate, db)
    quiet = np.concatenate([[False], ~loud, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(quiet))
    spans = [
        (int(a) * _WINDOW_MS, int(b) * _WINDOW_MS)
        for a, b in zip(edges[::2], edges[1::2], strict=True)
    ]
    return [(a, b) for a, b in spans if b - a >= min_ms]


def sounding(samples: Samples, rate: int, *, db: float = SILENCE_DB) -> Span | None:
    """Where the sound starts and ends (ms), or None if it is silent throughout."""
    loud = np.flatnonzero(_loud_windows(samples, rate, db))
    if loud.size == 0:
        return None
    return int(loud[0]) * _WINDOW_MS, (int(loud[-1]) + 1) * _WINDOW_MS


def sound_share(samples: Samples, rate: int, span: Span, *, db: float = SILENCE_DB) -> float:
    """The share (0..1) of ``span`` (ms) in which ``samples`` sound."""
    loud = _loud_windows(samples, rate, db)
    a, b = max(0, span[0] // _WINDOW_MS), max(0, span[1] // _WINDOW_MS)
    part = loud[a:b]
    return float(part.mean()) if part.size else 0.0


def clipped_runs(samples: Samples, rate: int) -> list[int]:
    """Where (ms) the sound clips: runs of :data:`CLIP_RUN` or more samples in a row at full
    scale, one time per run."""
    full = np.concatenate([[False], np.abs(samples) >= CLIP_LEVEL, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(full))
    starts, ends = edges[::2], edges[1::2]
    long_enough = (ends - starts) >= CLIP_RUN
    return [round(1000 * int(s) / rate) for s in starts[long_enough]]
