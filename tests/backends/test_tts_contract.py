"""The TTS contract, run against every implementation (Hamilton style: add one, get the suite)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.backends.tts_doubles import ToneTTS, shared_piper, shared_server
from vidkit.audio import wav_info
from vidkit.backends.tts import TTS, VoiceProfile
from vidkit.backends.tts.openai_speech import OpenAISpeechTTS
from vidkit.backends.tts.piper import PiperTTS
from vidkit.errors import BackendError, InvalidInput
from vidkit.text import normalize
from vidkit.timing import Timings

KEY = "test-key"


def _openai(voice: str = "alloy", model: str = "tts-1") -> OpenAISpeechTTS:
    return OpenAISpeechTTS(shared_server().url(), model=model, voice=voice, api_key=KEY)


def _fake_piper_model(tmp: Path, name: str) -> PiperTTS:
    model = tmp / f"{name}.onnx"
    model.write_bytes(name.encode())
    return PiperTTS(name, model_path=model)


# name -> (make default, make with another voice, make with another model)
IMPLEMENTATIONS: dict[str, tuple[Callable[[Path], TTS], ...]] = {
    "piper": (
        lambda tmp: shared_piper(),
        lambda tmp: _fake_piper_model(tmp, "en_US-other-medium"),
        lambda tmp: PiperTTS(length_scale=1.3),
    ),
    "openai": (
        lambda tmp: _openai(),
        lambda tmp: _openai(voice="nova"),
        lambda tmp: _openai(model="tts-1-hd"),
    ),
    "double": (
        lambda tmp: ToneTTS(),
        lambda tmp: ToneTTS("b"),
        lambda tmp: ToneTTS(rate=22050),
    ),
}


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def tts(kind: str, tmp_path: Path) -> TTS:
    return IMPLEMENTATIONS[kind][0](tmp_path)


def check_timings(timings: Timings, wav: Path, words: list[str]) -> None:
    info = wav_info(wav)
    assert info.is_mono_pcm16
    assert info.frames > 0
    assert abs(timings.duration_ms - info.duration_ms) <= 1
    assert [w.word for w in timings.words] == words
    for before, after in zip(timings.words, timings.words[1:], strict=False):
        assert before.end_ms <= after.start_ms, (before, after)
    assert all(w.start_ms < w.end_ms for w in timings.words)
    assert timings.words[0].start_ms >= 0
    assert timings.words[-1].end_ms <= info.duration_ms + 50
    phones = timings.phonemes
    assert phones[0].start_ms <= 50
    assert abs(phones[-1].end_ms - info.duration_ms) <= 50
    for before, after in itertools.pairwise(phones):
        assert before.end_ms <= after.start_ms


def test_is_a_tts(tts: TTS) -> None:
    assert isinstance(tts, TTS)


def test_speaks_a_valid_wav_with_covering_timings(tts: TTS, tmp_path: Path) -> None:
    text = "Hello there, this is a short test of the voice."
    out = tmp_path / "speech.wav"
    timings = tts.synthesize(text, out)
    check_timings(timings, out, normalize(text).words and list(normalize(text).words))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["speech.wav"]


def test_word_count_matches_the_normalised_text(tts: TTS, tmp_path: Path) -> None:
    spoken = normalize("In 2024, len() of my_list was 3.5 — and SQL costs $5! 🎉")
    out = tmp_path / "speech.wav"
    timings = tts.synthesize(spoken.text, out)
    check_timings(timings, out, list(spoken.words))
    assert len(timings.words) == len(spoken.words) == 16


def test_fingerprint_is_stable_and_names_voice_and_model(kind: str, tmp_path: Path) -> None:
    make, other_voice, other_model = IMPLEMENTATIONS[kind]
    first, again = make(tmp_path), make(tmp_path)
    assert first.fingerprint() == first.fingerprint() == again.fingerprint()
    prints = {first.fingerprint(), other_voice(tmp_path).fingerprint()}
    prints.add(other_model(tmp_path).fingerprint())
    assert len(prints) == 3


def test_empty_text_is_invalid(tts: TTS, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        tts.synthesize("  ... ", tmp_path / "out.wav")
    assert not list(tmp_path.iterdir())


def test_voice_profile_is_honoured_or_refused(tts: TTS, tmp_path: Path) -> None:
    profile = VoiceProfile("ada", tmp_path / "ada.wav", "Hello.", "recorded with consent")
    out = tmp_path / "clone.wav"
    if tts.can_clone:
        timings = tts.synthesize("Good morning.", out, voice=profile)
        assert [w.word for w in timings.words] == ["Good", "morning"]
    else:
        with pytest.raises(BackendError, match="cannot clone"):
            tts.synthesize("Good morning.", out, voice=profile)
        assert not out.exists()
