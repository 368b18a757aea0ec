"""pocketsphinx forced alignment, checked against Piper's own timings."""

from __future__ import annotations

import itertools
import statistics
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.backends.tts_doubles import steady_piper
from vidkit.audio import read_wav, write_wav
from vidkit.backends.aligner import Aligner
from vidkit.backends.aligner import pocketsphinx as pocketsphinx_module
from vidkit.backends.aligner.pocketsphinx import PocketsphinxAligner, _place_unknown, _Span
from vidkit.errors import InvalidInput, MediaError

SENTENCE = "Python lists keep their items in order, and you can change them at any time."


@pytest.fixture(scope="module")
def aligner() -> PocketsphinxAligner:
    return PocketsphinxAligner()


def test_is_an_aligner(aligner: PocketsphinxAligner) -> None:
    assert isinstance(aligner, Aligner)
    assert aligner.fingerprint() == PocketsphinxAligner().fingerprint()


def test_word_starts_agree_with_piper(aligner: PocketsphinxAligner, tmp_path: Path) -> None:
    wav = tmp_path / "speech.wav"
    piper = steady_piper().synthesize(SENTENCE, wav)  # 22.05 kHz: the aligner resamples
    aligned = aligner.align(wav, SENTENCE)
    assert [w.word for w in aligned.words] == [w.word for w in piper.words]
    offsets = [
        abs(a.start_ms - p.start_ms) for a, p in zip(aligned.words, piper.words, strict=True)
    ]
    assert max(offsets) <= 150, offsets
    assert statistics.median(offsets) <= 60, offsets


def test_phones_cover_the_audio(aligner: PocketsphinxAligner, tmp_path: Path) -> None:
    wav = tmp_path / "speech.wav"
    steady_piper().synthesize("Good morning, everyone.", wav)
    timings = aligner.align(wav, "Good morning, everyone.")
    assert timings.alphabet == "arpabet"
    phones = timings.phonemes
    assert phones[0].start_ms == 0
    assert phones[-1].end_ms == timings.duration_ms
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(phones))
    assert {"G", "D", "M", "R", "N", "IH", "NG", "SIL"} <= {p.phoneme for p in phones}


def test_words_missing_from_the_dictionary_get_guessed_pronunciations(
    aligner: PocketsphinxAligner, tmp_path: Path
) -> None:
    text = "Run kubectl zorblax now, then open the vidkit project."
    wav = tmp_path / "speech.wav"
    piper = steady_piper().synthesize(text, wav)
    timings = aligner.align(wav, text)
    assert [w.word for w in timings.words] == [w.word for w in piper.words]
    offsets = [
        abs(a.start_ms - p.start_ms) for a, p in zip(timings.words, piper.words, strict=True)
    ]
    assert max(offsets) <= 150, offsets


def test_without_espeak_unknown_words_are_spelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pocketsphinx_module, "_guess_arpabet", lambda word: "")
    text = "Run qwzxkubectl qwzxzorblax now, then wait."  # fresh words: not yet in the dictionary
    wav = tmp_path / "speech.wav"
    piper = steady_piper().synthesize(text, wav)
    words = PocketsphinxAligner().align(wav, text).words
    assert [w.word for w in words] == [w.word for w in piper.words]
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(words))
    # a crude guess (espeak reads "qwzx" as four letter names): only words after the pause
    # are sure to be back in place
    assert abs(words[4].start_ms - piper.words[4].start_ms) <= 250
    assert abs(words[5].start_ms - piper.words[5].start_ms) <= 250


def test_words_without_any_phones_share_the_gap_as_fillers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pocketsphinx_module, "_guess_arpabet", lambda word: "")
    monkeypatch.setattr(pocketsphinx_module, "_spell_arpabet", lambda decoder, word: "")
    text = "Run qwzyzubectl qwzyzorblax now, then wait."
    wav = tmp_path / "speech.wav"
    piper = steady_piper().synthesize(text, wav)
    words = PocketsphinxAligner().align(wav, text).words
    assert [w.word for w in words] == [w.word for w in piper.words]
    assert all(w.end_ms > w.start_ms for w in words)
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(words))
    assert words[0].end_ms <= words[1].start_ms < words[2].end_ms <= words[3].start_ms


def test_place_unknown_takes_time_from_tight_neighbours() -> None:
    spans = [
        _Span("a", 0, 400, known=True),
        _Span("x", 0, 0, known=False),
        _Span("y", 0, 0, known=False),
        _Span("b", 400, 800, known=True),
    ]
    _place_unknown(spans, 1000)
    # half of "a" at most, then as much of "b" as the 120 ms per unknown word still needs
    assert [(s.start, s.end) for s in spans] == [(0, 200), (200, 320), (320, 440), (440, 800)]
    tail = [_Span("a", 0, 300, known=True), _Span("z", 0, 0, known=False)]
    _place_unknown(tail, 1000)
    assert [(s.start, s.end) for s in tail] == [(0, 300), (300, 1000)]


def test_text_with_no_known_words_is_spread(
    aligner: PocketsphinxAligner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pocketsphinx_module, "_guess_arpabet", lambda word: "")
    monkeypatch.setattr(pocketsphinx_module, "_spell_arpabet", lambda decoder, word: "")
    wav = tmp_path / "tone.wav"
    tone = (3000 * np.sin(np.arange(16000) / 16000 * 2 * np.pi * 220)).astype(np.int16)
    write_wav(wav, tone, 16000)
    timings = aligner.align(wav, "qwzx vlorp")
    assert [(w.word, w.start_ms, w.end_ms) for w in timings.words] == [
        ("qwzx", 0, 454),  # by length: 4 + 1 and 5 + 1 characters
        ("vlorp", 454, 1000),
    ]
    assert timings.meta["fallback"] == "spread"


def test_bad_inputs(aligner: PocketsphinxAligner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not a wav at all")
    with pytest.raises(MediaError, match="not a PCM WAV"):
        aligner.align(junk, "hello")
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
        out.writeframes(b"\0\0" * 1600)
    with pytest.raises(InvalidInput):
        aligner.align(silent, " ... ")
    assert read_wav(silent)[1] == 16000
