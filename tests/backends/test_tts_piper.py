"""Piper: lazy loading, the cloning refusal, and timings that are plausible speech."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backends.tts_doubles import shared_piper
from vidkit.audio import envelope, read_wav
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts.long import synthesize_long
from vidkit.backends.tts.piper import PiperTTS, _Phone, _split_run
from vidkit.errors import BackendError
from vidkit.text import normalize

COMMAS = "First, we open the file; then, slowly, we read every line, and we close it."


def test_importing_the_modules_loads_no_vendor_package() -> None:
    code = (
        "import sys, vidkit.text, vidkit.backends.tts.piper as m, "
        "vidkit.backends.tts.openai_speech, vidkit.backends.aligner.pocketsphinx;"
        "m.PiperTTS().fingerprint();"
        "vendors = {'piper', 'onnxruntime', 'onnx', 'openai', 'pocketsphinx'};"
        "print(sorted(vendors & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_cannot_clone_and_says_what_can(tmp_path: Path) -> None:
    profile = VoiceProfile("me", tmp_path / "me.wav", "hello", "consent")
    with pytest.raises(BackendError) as info:
        PiperTTS().synthesize("Hello.", tmp_path / "out.wav", voice=profile)
    hint = info.value.hint
    assert hint is not None and hint.cli is not None and hint.studio is not None
    assert "voice matching" in hint.cli and "`" not in hint.studio
    assert "[voice] backend to xtts, gpt-sovits, chatterbox or elevenlabs" in hint.cli
    assert not list(tmp_path.iterdir())


def test_unknown_voice_without_a_model_file() -> None:
    with pytest.raises(BackendError, match="only en_US-joe-medium is embedded"):
        PiperTTS("en_GB-alan-low").fingerprint()


def test_timings_of_a_sentence_with_pauses(tmp_path: Path) -> None:
    out = tmp_path / "commas.wav"
    timings = shared_piper().synthesize(COMMAS, out)
    words = timings.words
    assert [w.word for w in words] == list(normalize(COMMAS).words)
    starts = [w.start_ms for w in words]
    assert starts == sorted(set(starts))
    for w in words:
        assert 30 <= w.end_ms - w.start_ms <= 1200, w
    gaps = {a.word: b.start_ms - a.end_ms for a, b in itertools.pairwise(words)}
    assert gaps["First"] >= 100  # the comma is a pause...
    assert gaps["open"] < 100  # ...between words of a phrase there is hardly any
    # phonemes tile the file exactly, silences included
    phones = timings.phonemes
    assert phones[0].start_ms == 0
    assert phones[-1].end_ms == timings.duration_ms
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(phones))
    # stress marks prefix the phoneme they stress; length marks join the one before
    assert not any(p.phoneme in {"ˈ", "ˌ", "ː"} or p.phoneme[0] == "ː" for p in phones)
    assert any(p.phoneme.startswith("ˈ") for p in phones)
    assert any(p.phoneme.endswith("ː") for p in phones)


def test_speech_is_loud_inside_words_and_quiet_in_pauses(tmp_path: Path) -> None:
    out = tmp_path / "commas.wav"
    timings = shared_piper().synthesize(COMMAS, out)
    samples, rate = read_wav(out)
    loud = envelope(samples, rate, 100)
    inside = [loud[w.start_ms // 10 : w.end_ms // 10].mean() for w in timings.words]
    pauses = [p for p in timings.phonemes if p.phoneme == "_" and p.end_ms - p.start_ms >= 150]
    assert pauses
    quiet = [loud[p.start_ms // 10 + 5 : p.end_ms // 10 - 5].mean() for p in pauses]
    assert max(quiet) < min(inside)


def test_fused_words_are_split_at_phoneme_boundaries(tmp_path: Path) -> None:
    # espeak says "of the" as one word (ʌvðə): each word still gets its own phonemes
    timings = shared_piper().synthesize("The rest of the people went home.", tmp_path / "f.wav")
    of, the = timings.words[2], timings.words[3]
    assert (of.word, the.word) == ("of", "the")
    assert of.end_ms == the.start_ms
    assert of.end_ms - of.start_ms >= 40 and the.end_ms - the.start_ms >= 40


def test_split_run_shares_phones_by_expected_length() -> None:
    run = [_Phone(c, 100 * k, 100 * (k + 1)) for k, c in enumerate("ʌvðə")]
    assert _split_run(run, [2, 2]) == [(0, 200), (200, 400)]
    assert _split_run(run[:1], [2, 2]) == [(0, 50), (50, 100)]


@pytest.mark.slow
def test_long_narration_is_continuous(tmp_path: Path) -> None:
    paragraph = (
        "In Python, a list comprehension builds a new list from an old one. It is shorter "
        "than a for loop, and often faster. You write the expression first, then the loop, "
        "then an optional filter. Let's try 3 examples together, step by step. "
    )
    text = paragraph * 14  # ~640 words, ~3.5 minutes of speech
    out = tmp_path / "long.wav"
    seen: list[tuple[int, int]] = []
    timings = synthesize_long(
        shared_piper(), text, out, chunk_chars=600, progress=lambda d, t: seen.append((d, t))
    )
    samples, rate = read_wav(out)
    assert abs(timings.duration_ms - round(len(samples) * 1000 / rate)) <= 1
    assert [w.word for w in timings.words] == list(normalize(text).words)
    assert len(seen) == timings.meta["chunks"] >= 4
    assert seen[-1] == (len(seen), len(seen))
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(timings.words))
    phones = timings.phonemes
    assert phones[0].start_ms == 0 and phones[-1].end_ms == timings.duration_ms
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(phones))
    assert max(b.start_ms - a.end_ms for a, b in itertools.pairwise(timings.words)) < 1500
