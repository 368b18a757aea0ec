"""Motion plans of the embedded animator: loudness from WAV files, blink schedules, head
motion and nods (numbers only, no pixels)."""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vidkit.backends.animator._motion import (
    blink_times,
    blink_track,
    frame_times,
    head_track,
    nod_times,
    pause_times,
    speech_energy,
)
from vidkit.errors import MediaError
from vidkit.timing import PhonemeTiming, Timings, WordTiming

FPS = Fraction(30)
RATE = 16000


def tone(seconds: float) -> np.ndarray:
    """A tone that is loud in the first half and silent in the second."""
    t = np.arange(round(RATE * seconds)) / RATE
    return np.where(t < seconds / 2, 0.5 * np.sin(2 * np.pi * 220 * t), 0.0)


def write(path: Path, samples: np.ndarray, width: int, channels: int) -> Path:
    scaled = {
        1: (samples * 127 + 128).astype(np.uint8),
        2: (samples * 32767).astype("<i2"),
        4: (samples * 2147483647).astype("<i4"),
    }[width]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(RATE)
        out.writeframes(np.repeat(scaled, channels).tobytes())
    return path


@pytest.mark.parametrize(("width", "channels"), [(2, 1), (2, 2), (1, 1), (4, 2)])
def test_loudness_per_frame_from_any_pcm_wav(tmp_path: Path, width: int, channels: int) -> None:
    wav = write(tmp_path / "a.wav", tone(2.0), width, channels)
    energy = speech_energy(wav, 60, FPS)
    assert energy.shape == (60,)
    assert np.allclose(energy[5:25], 1.0, atol=0.05)  # loud half, scaled to ~1
    assert np.allclose(energy[35:], 0.0, atol=0.02)  # silent half


def test_silence_and_frames_past_the_end(tmp_path: Path) -> None:
    wav = write(tmp_path / "quiet.wav", np.zeros(RATE), 2, 1)
    assert np.array_equal(speech_energy(wav, 45, FPS), np.zeros(45))


def test_not_a_wav(tmp_path: Path) -> None:
    fake = tmp_path / "speech.wav"
    fake.write_bytes(b"ID3 this is an mp3")
    with pytest.raises(MediaError, match="convert_to_pcm16"):
        speech_energy(fake, 10, FPS)
    with pytest.raises(MediaError, match="cannot read"):
        speech_energy(tmp_path / "missing.wav", 10, FPS)


def test_blinks_come_irregularly_and_at_a_natural_rate() -> None:
    intervals: list[float] = []
    for seed in range(40):
        starts = blink_times(60.0, np.random.default_rng(seed), 3.6, np.zeros(0))
        assert 8 <= len(starts) <= 36  # in 60 s: between 1.3 and 6 blinks per 10 s
        intervals += list(np.diff(starts))
    gaps = np.array(intervals)
    assert 2.0 < float(np.mean(gaps)) < 6.0
    assert float(np.std(gaps)) > 0.5  # irregular, not a metronome
    assert float(np.min(gaps)) > 0.2


def test_blinks_move_to_pauses_in_the_speech() -> None:
    pauses = np.arange(1.0, 60.0, 2.5)
    starts = blink_times(60.0, np.random.default_rng(3), 3.6, pauses)
    on_pause = [min(abs(pauses - s)) < 1e-9 for s in starts]
    assert np.mean(on_pause) > 0.25  # by chance alone, none would land exactly on a pause


def test_a_blink_is_short_and_shuts_the_eye() -> None:
    times = frame_times(90, FPS)
    closure = blink_track(times, [1.0])
    shut = np.nonzero(closure > 0.5)[0]
    assert closure.max() == 1.0
    assert 2 <= len(shut) <= 4  # ~100 ms of 170 ms mostly shut at 30 fps
    assert times[shut[0]] >= 1.0
    assert np.count_nonzero(closure) <= 7
    assert closure[0] == 0.0 and closure[-1] == 0.0


def test_pauses_from_phonemes_or_words() -> None:
    phones = Timings(
        2000,
        phonemes=(
            PhonemeTiming("_", 0, 300),
            PhonemeTiming("a", 300, 900),
            PhonemeTiming("_", 900, 950),
            PhonemeTiming("b", 950, 1200),
            PhonemeTiming("_", 1200, 2000),
        ),
    )
    assert np.allclose(pause_times(phones), [0.15, 1.6])  # the 50 ms gap is no pause
    words = Timings(2000, words=(WordTiming("a", 0, 500), WordTiming("b", 900, 1500)))
    assert np.allclose(pause_times(words), [0.7])


def test_head_motion_never_loops() -> None:
    times = frame_times(1800, FPS)
    for seed in range(3):
        head = head_track(times, np.zeros(1800), [], np.random.default_rng(seed), 100.0, 1.0)
        for track in (head.roll, head.dx, head.dy):
            spread = float(np.std(track))
            assert spread > 0
            differences = [
                np.sqrt(np.mean((track[lag:] - track[:-lag]) ** 2)) / spread
                for lag in range(30, 900)
            ]
            assert min(differences) > 0.2  # no lag of 1..30 s repeats the motion


def test_head_motion_is_small_smooth_and_livelier_when_speaking() -> None:
    times = frame_times(1800, FPS)
    quiet = head_track(times, np.zeros(1800), [], np.random.default_rng(0), 100.0, 1.0)
    speech = (np.sin(np.arange(1800) / 3) > 0).astype(float)
    loud = head_track(times, speech, [], np.random.default_rng(0), 100.0, 1.0)
    for head in (quiet, loud):
        assert np.abs(head.roll).max() <= 3.0
        assert np.abs(head.dx).max() < 6 and np.abs(head.dy).max() < 6
        assert np.abs(np.diff(head.roll)).max() < 0.3  # degrees per frame
    assert np.std(loud.roll) > np.std(quiet.roll)
    still = head_track(times, speech, [1.0], np.random.default_rng(0), 100.0, 0.0)
    assert not np.any(still.roll) and not np.any(still.dx) and not np.any(still.dy)


def test_nods_on_loud_long_words_spaced_out() -> None:
    words = tuple(WordTiming(f"w{i}", i * 400, i * 400 + 300) for i in range(20))
    energy = np.tile([0.2, 0.2, 1.0], 80)[:240]  # some words louder than others
    timings = Timings(8000, words=words)
    nods = nod_times(timings, energy, FPS)
    assert 2 <= len(nods) <= 7
    assert np.min(np.diff(nods)) > 1.3
    head = head_track(
        frame_times(240, FPS), np.zeros(240), nods, np.random.default_rng(0), 100.0, 1.0
    )
    calm = head_track(
        frame_times(240, FPS), np.zeros(240), [], np.random.default_rng(0), 100.0, 1.0
    )
    dip = head.dy - calm.dy
    assert dip.max() == pytest.approx(3.0, abs=0.3)  # 3 % of the face's height, downwards
    assert dip.min() >= 0
