"""Quiet and loud narration both end at -16 LUFS, true peak at most -1.5 dBTP, still in sync."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.render.media import make_audio_scene, read_audio, speechlike
from vidkit.media import ffmpeg_exe
from vidkit.render.assemble import assemble
from vidkit.render.loudness import measure

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("peak", "before"), [(0.02, -51.0), (0.99, -17.0)], ids=["quiet", "loud"])
def test_speech_is_normalised(tmp_path: Path, peak: float, before: float) -> None:
    scenes = [
        make_audio_scene(tmp_path / f"s{k}.mp4", speechlike(4.0, peak, seed=k), gray=40 + 40 * k)
        for k in range(3)
    ]
    report = assemble(scenes, tmp_path / "film.mp4")

    after = measure(report.out)
    assert abs(after.integrated_lufs - -16.0) <= 0.5
    assert after.true_peak_dbtp <= -1.5
    assert abs(report.loudness_before.integrated_lufs - before) < 3
    # speech peaks ~18 dB over its loudness: a constant gain alone would clip, so it is limited
    assert report.normalization is not None and report.normalization.limited

    # the limiter's look-ahead is compensated: the film's audio lines up with the scenes'
    ideal = np.concatenate([read_audio(p) for p in scenes])
    film = read_audio(report.out)
    assert abs(len(film) - len(ideal)) <= 1
    a, b = _envelope(ideal), _envelope(film[: len(ideal)])
    lags = range(-60, 61)  # in steps of 0.5 ms
    scores = [float(np.dot(a[60:-60], b[60 + lag : len(b) - 60 + lag])) for lag in lags]
    assert abs(lags[int(np.argmax(scores))]) <= 2  # within 1 ms; a frame is 33 ms

    banner = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(report.out)], capture_output=True, text=True
    ).stderr
    kbps = int(banner.split("48000 Hz, stereo, fltp, ")[1].split(" kb/s")[0])
    assert 150 <= kbps <= 200


def _envelope(audio: np.ndarray) -> np.ndarray:
    """Mean absolute level over 10 ms, every 0.5 ms."""
    total = np.concatenate([[0.0], np.cumsum(np.abs(audio))])
    return (total[480:] - total[:-480])[::24] / 480
