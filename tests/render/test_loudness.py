"""Loudness measurement (ebur128) and the normalisation filter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.render.media import RATE, write_wav
from vidkit.errors import MediaError
from vidkit.media import ffmpeg_exe
from vidkit.render.loudness import (
    Loudness,
    LoudnessTarget,
    Normalization,
    measure,
    normalize_filter,
    parse_ebur128,
    refine,
)

SUMMARY = """[Parsed_ebur128_0 @ 0x7f05fc004380] Summary:

  Integrated loudness:
    I:         -16.8 LUFS
    Threshold: -26.7 LUFS

  Loudness range:
    LRA:         3.2 LU
    Threshold: -36.9 LUFS
    LRA low:   -19.0 LUFS
    LRA high:  -15.8 LUFS

  True peak:
    Peak:       -1.9 dBFS
"""


def tone(path: Path, amplitude: float, seconds: float = 5.0) -> Path:
    t = np.arange(round(seconds * RATE)) / RATE
    write_wav(path, amplitude * np.sin(2 * np.pi * 997 * t))
    return path


def test_parse_the_ebur128_summary() -> None:
    assert parse_ebur128("noise\n" + SUMMARY) == Loudness(-16.8, -1.9, 3.2, -26.7)
    silent = SUMMARY.replace("-16.8", "-70.0").replace("-1.9 dBFS", "-inf dBFS")
    quiet = parse_ebur128(silent)
    assert quiet.is_silent and quiet.true_peak_dbtp == float("-inf")
    with pytest.raises(MediaError, match=r"no loudness summary for clip\.wav"):
        parse_ebur128("nothing here", name="clip.wav")


def test_measure_a_tone_of_known_loudness(tmp_path: Path) -> None:
    # a mono sine at 997 Hz of amplitude 0.1: -20 dBTP and, by BS.1770, -23.0 LUFS
    found = measure(tone(tmp_path / "tone.wav", 0.1))
    assert abs(found.integrated_lufs - -23.0) <= 0.2
    assert abs(found.true_peak_dbtp - -20.0) <= 0.2
    assert found.lra < 1


def test_measure_refuses_what_has_no_audio(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        measure(tmp_path / "missing.wav")
    image = tmp_path / "still.png"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=s=16x16", "-frames:v", "1",
         str(image)],
        check=True,
    )  # fmt: skip
    with pytest.raises(MediaError, match=r"cannot measure the loudness of still\.png"):
        measure(image)


def test_a_constant_gain_where_the_peaks_allow_it() -> None:
    target = LoudnessTarget()
    plan = normalize_filter(Loudness(-30.0, -20.0, 4.0), target)
    assert plan == Normalization(14.0, False, -2.5)
    assert plan.filter == "volume=+14.000dB,lowpass=f=18000:poles=2"
    assert plan.estimate == plan.filter


def test_a_limiter_where_they_do_not() -> None:
    plan = normalize_filter(Loudness(-30.0, -10.0, 4.0), LoudnessTarget())
    assert plan.limited and plan.gain_db == 14.0
    limiter = "alimiter=limit=0.74989:attack=1:release=60:level=false:latency=true"
    assert plan.filter == (
        f"volume=+14.000dB,lowpass=f=18000:poles=2,aresample=192000,{limiter},aresample=48000"
    )
    assert plan.estimate == f"volume=+14.000dB,lowpass=f=18000:poles=2,{limiter}"


def test_silence_is_left_alone() -> None:
    plan = normalize_filter(Loudness(-70.0, float("-inf"), 0.0), LoudnessTarget())
    assert plan.gain_db == 0 and not plan.limited
    assert refine(plan, Loudness(-70.0, float("-inf"), 0.0), LoudnessTarget()) == plan


def test_refine_corrects_what_the_limiter_took() -> None:
    target = LoudnessTarget()
    first = Normalization(10.0, True, -2.0)
    second = refine(first, Loudness(-17.0, -2.0, 3.0), target)
    assert second.gain_db == 11.0
    # the limiter took more as the gain went up: 1 dB more gain gave only 0.5 dB more loudness
    third = refine(second, Loudness(-16.5, -2.0, 3.0), target, (first, Loudness(-17.0, -2, 3)))
    assert third.gain_db == pytest.approx(12.0)


def test_target_accepts() -> None:
    target = LoudnessTarget()
    assert target.accepts(Loudness(-16.4, -1.6, 5))
    assert not target.accepts(Loudness(-16.6, -3, 5))
    assert not target.accepts(Loudness(-16.0, -1.4, 5))
    assert target.accepts(Loudness(-70.0, float("-inf"), 0))


def test_the_filters_do_what_they_say(tmp_path: Path) -> None:
    src = tone(tmp_path / "loud.wav", 0.5)
    before = measure(src)
    for plan in (normalize_filter(before, LoudnessTarget()), Normalization(-5.0, True, -12.0)):
        out = tmp_path / "out.wav"
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y", "-i", str(src), "-af", plan.filter, "-c:a",
             "pcm_f32le", str(out)],
            check=True,
        )  # fmt: skip
        after = measure(out)
        if plan.limited:
            assert after.true_peak_dbtp <= -11.9
        else:
            assert abs(after.integrated_lufs - -16.0) <= 0.1
