"""The recording's own audio, joined: exact length, frame-exact pieces, crossfades without
clicks, and the kept words on the tightened clock."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from vidkit.audio import read_wav, write_wav
from vidkit.cuts import CutList
from vidkit.recordings.join import RATE, join_audio, kept_words
from vidkit.timing import TranscribedWord

FPS = Fraction(30)


def _tone_blocks(path: Path, seconds: int) -> None:
    """A 997 Hz tone whose phase jumps every 100 ms: any hard join lands mid-cycle. (An exact
    1 kHz tone at 48 kHz repeats every 96 bytes, which ffmpeg 9 probes as MPEG-TS.)"""
    t = np.arange(seconds * RATE) / RATE
    phase = (np.floor(t * 10 + 0.5) * 2.399) % (2 * np.pi)  # new every 100 ms, off the frames
    write_wav(path, (np.sin(2 * np.pi * 997 * t + phase) * 12000).astype(np.int16), RATE)


@pytest.mark.parametrize("crossfade_ms", [15, 0])
def test_joins_are_exact_and_crossfaded(tmp_path: Path, crossfade_ms: int) -> None:
    source = tmp_path / "tone.wav"
    _tone_blocks(source, 6)
    cuts = CutList.whole(0, 180, FPS)
    for start in range(7, 170, 20):  # cuts that end and start mid-block
        cuts = cuts.with_action(start, start + 5, "cut", "manual")
    out = tmp_path / "joined.wav"
    length = join_audio(source, cuts, out, crossfade_ms=crossfade_ms)
    samples, rate = read_wav(out)
    assert rate == RATE and len(samples) == length == cuts.output_frames * RATE // 30
    x = samples.astype(np.float64)
    jumps = np.abs(np.diff(x))
    inside = np.percentile(jumps, 99)  # a clean 1 kHz tone's steepest steps
    at_joins = [
        jumps[max(0, j * RATE // 30 - 48) : j * RATE // 30 + 48].max() for j in cuts.joins()
    ]
    if crossfade_ms:
        assert max(at_joins) < 1.5 * inside, (max(at_joins), inside)
    else:  # the measure sees a hard join: without crossfades it clicks
        assert max(at_joins) > 2 * inside


def test_a_sped_up_span_keeps_its_first_sound_for_as_long_as_it_plays(tmp_path: Path) -> None:
    source = tmp_path / "ramp.wav"
    write_wav(source, (np.arange(4 * RATE) % 30000).astype(np.int16), RATE)
    cuts = CutList.whole(0, 120, FPS).with_action(30, 90, "speed", "typing", 4.0)
    out = tmp_path / "joined.wav"
    join_audio(source, cuts, out, crossfade_ms=0)
    samples, _ = read_wav(out)
    assert len(samples) == (30 + 15 + 30) * RATE // 30


def test_kept_words_move_onto_the_tightened_clock() -> None:
    cuts = CutList.whole(0, 90, FPS).with_action(30, 60, "cut", "filler")
    words = [TranscribedWord("one", 100, 400), TranscribedWord("um", 1100, 1500),
             TranscribedWord("two", 2100, 2500)]  # fmt: skip
    kept = kept_words(words, cuts)
    assert [(w.text, w.start_ms, w.end_ms) for w in kept] == [("one", 100, 400),
                                                              ("two", 1100, 1500)]  # fmt: skip
