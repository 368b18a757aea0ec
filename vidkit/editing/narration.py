"""A scene's narration word by word on the scene's clock, and its waveform, for a strip of
words under the preview that seeks where a word is clicked.

Once the narration is spoken (its speech is in the stage cache) the words are the speech's own
timings and the waveform comes from its WAV; before that the words are spread over the
estimated length exactly as the draft preview's captions spread them, and there is no
waveform. Nothing is made here: no narration is spoken.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from vidkit.editing.stats import estimated_ms, speaking_rate
from vidkit.editing.status import quiet_lookups
from vidkit.errors import VidkitError
from vidkit.pipeline import cache
from vidkit.pipeline.graph import SceneGraph
from vidkit.timing import WordTiming
from vidkit.workspace import Workspace

__all__ = [
    "MAX_WORDS",
    "NarrationWords",
    "estimated_words",
    "narration_waveform",
    "narration_words",
    "spread_words",
]

#: Estimated words are laid out for at most this many words (a preview, not the render).
MAX_WORDS: Final = 4000
#: Waveform points per second of narration, and the fewest and most points of one waveform.
_POINTS_PER_S: Final = 40
_MIN_POINTS: Final = 200
_MAX_POINTS: Final = 2400
#: Waveforms kept in memory, by (the WAV's sha256, points).
_CACHE_SIZE: Final = 64
_CACHE: OrderedDict[tuple[str, int], tuple[int, ...]] = OrderedDict()
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class NarrationWords:
    """A scene's narration as words with times (integer ms from the scene's start).

    ``spoken``: the words are the spoken narration's own timings and ``audio`` is its WAV (its
    content hash ``audio_sha256``); else they are estimated, spread over ``duration_ms`` by
    their length, and there is no audio.
    """

    words: tuple[WordTiming, ...]
    duration_ms: int
    spoken: bool
    audio: Path | None = None
    audio_sha256: str | None = None


def spread_words(words: list[str], duration_ms: int) -> tuple[WordTiming, ...]:
    """``words`` spread over ``duration_ms``, each given time by its length (the estimate a
    draft's captions use before the narration is spoken)."""
    if not words:
        return ()
    weights = [len(w) + 2 for w in words]
    total = sum(weights)
    out, start = [], 0.0
    for word, weight in zip(words, weights, strict=True):
        length = duration_ms * weight / total
        out.append(WordTiming(word, round(start), round(start + length * 0.9)))
        start += length
    return tuple(out)


def estimated_words(text: str, duration_ms: int) -> NarrationWords:
    """The words of ``text`` (at most :data:`MAX_WORDS`) spread over ``duration_ms``."""
    words = text.split(maxsplit=MAX_WORDS)[:MAX_WORDS]
    return NarrationWords(spread_words(words, duration_ms), duration_ms, spoken=False)


def narration_words(ws: Workspace, slug: str, scene_id: int) -> NarrationWords:
    """The scene's narration word by word, from the stage cache: as spoken when its speech is
    cached (its timings and WAV), else estimated from the words (a scene made from a
    recording: its kept words over the tightened length). Nothing is spoken here; a draft
    carries the same as :attr:`~vidkit.editing.SceneDraft.words`."""
    with ws.catalogue.session(), quiet_lookups():
        project, scene = ws.project(slug), ws.scene(slug, scene_id)
        graph = SceneGraph(ws, slug, lookup_only=True)
        try:
            speech = graph.speech(scene, project)
        except (cache.NotCached, VidkitError):
            speech = None
        if speech is not None:
            return NarrationWords(
                speech.timings.words, speech.timings.duration_ms, True,
                ws.asset_path(speech.audio), speech.audio.sha256,
            )  # fmt: skip
        recorded = graph.recorded(scene, project)
        if recorded is not None:
            return estimated_words(recorded.kept_text, recorded.cuts.output_ms)
        return estimated_words(scene.narration, estimated_ms(scene, speaking_rate(ws, slug)))


def narration_waveform(words: NarrationWords, points: int | None = None) -> tuple[int, ...]:
    """The spoken narration's waveform: the loudest sample in each of ``points`` equal
    stretches (default: 40 a second, 200 to 2,400 in all), as 0..255 on a square-root scale
    (quiet speech stays visible), as the recording editor's strip draws it. Empty before the
    narration is spoken. Cached by the WAV's content hash: a scene shown again, or re-spoken
    to the same sound, is not read again."""
    if not words.spoken or words.audio is None or words.audio_sha256 is None:
        return ()
    if points is None:
        points = min(_MAX_POINTS, max(_MIN_POINTS, words.duration_ms * _POINTS_PER_S // 1000))
    return _peaks(words.audio_sha256, words.audio, max(1, points))


def _peaks(sha256: str, path: Path, points: int) -> tuple[int, ...]:
    key = (sha256, points)
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    peaks = _read_peaks(path, points)
    with _CACHE_LOCK:
        _CACHE[key] = peaks
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return peaks


def _read_peaks(path: Path, points: int) -> tuple[int, ...]:
    import numpy as np

    from vidkit.audio import read_wav

    samples, _rate = read_wav(path)
    if not len(samples):
        return (0,) * points
    level = np.abs(samples.astype(np.float32)) / 32768.0
    edges = np.linspace(0, len(level), points + 1).astype(np.int64)
    starts = np.minimum(edges[:-1], len(level) - 1)
    peaks = np.maximum.reduceat(level, starts)
    return tuple(int(v) for v in np.clip(np.sqrt(peaks) * 255, 0, 255).round())
