"""OpenAI-compatible speech against a real local server: formats, keys, failures."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.backends.tts_doubles import shared_server
from vidkit.audio import wav_info
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts.openai_speech import OpenAISpeechTTS
from vidkit.config import ServiceConfig
from vidkit.errors import BackendError, ConfigError

KEY = "test-key"
TEXT = "The quick brown fox jumps over the lazy dog."


def make(
    mode: str = "", *, key: str | None = KEY, env: str = "", timeout_s: float = 20.0
) -> OpenAISpeechTTS:
    url = shared_server().url(mode)
    return OpenAISpeechTTS(url, api_key=key, api_key_env=env, timeout_s=timeout_s)


def assert_nothing_left(folder: Path) -> None:
    assert list(folder.iterdir()) == []


def test_aligns_the_returned_audio(tmp_path: Path) -> None:
    out = tmp_path / "speech.wav"
    timings = make().synthesize(TEXT, out)
    assert timings.alphabet == "arpabet"
    assert "fallback" not in timings.meta
    assert [w.word for w in timings.words][:3] == ["The", "quick", "brown"]
    assert {p.phoneme for p in timings.phonemes} >= {"K", "W", "B", "F", "D", "G"}
    assert wav_info(out).sample_rate == 24000


def test_converts_stereo_float_audio_to_mono_pcm16(tmp_path: Path) -> None:
    out = tmp_path / "speech.wav"
    timings = make("stereo").synthesize(TEXT, out)
    info = wav_info(out)
    assert (info.channels, info.sample_width, info.sample_rate) == (1, 2, 24000)
    assert abs(timings.duration_ms - info.duration_ms) <= 1
    assert len(timings.words) == 9


def test_sends_the_key_and_the_cloned_voice_name(tmp_path: Path) -> None:
    server = shared_server()
    before = len(server.requests)
    profile = VoiceProfile("ada", tmp_path / "ref.wav", "hi", "consent on file")
    make().synthesize("Hi there.", tmp_path / "out.wav", voice=profile)
    request = server.requests[before]
    assert (request["voice"], request["model"], request["response_format"]) == (
        "ada",
        "tts-1",
        "wav",
    )


def test_unreachable_server_names_the_config_key(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tts = OpenAISpeechTTS(f"http://127.0.0.1:{port}", api_key=KEY, timeout_s=5)
    with pytest.raises(BackendError, match=r"\[services.tts\] url") as info:
        tts.synthesize(TEXT, tmp_path / "out.wav")
    assert f"is the server running at http://127.0.0.1:{port}/v1?" in str(info.value)
    assert_nothing_left(tmp_path)


def test_wrong_key_names_the_environment_variable(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="check the environment variable VIDKIT_TTS_KEY") as info:
        make(key="wrong-key", env="VIDKIT_TTS_KEY").synthesize(TEXT, tmp_path / "out.wav")
    assert "401" in str(info.value)
    assert "wrong-key" not in str(info.value)
    assert_nothing_left(tmp_path)


def test_server_error_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match=r"failed \(HTTP 500\): the model crashed") as info:
        make("500").synthesize(TEXT, tmp_path / "out.wav")
    assert "\n" not in str(info.value)
    assert "[services.tts] url" in str(info.value)
    assert_nothing_left(tmp_path)


def test_garbage_instead_of_audio(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="not audio"):
        make("garbage").synthesize(TEXT, tmp_path / "out.wav")
    assert_nothing_left(tmp_path)


def test_slow_server_times_out(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match=r"did not answer in time.*timeout_s"):
        make("slow", timeout_s=0.5).synthesize(TEXT, tmp_path / "out.wav")
    assert_nothing_left(tmp_path)


def test_from_config_reads_the_key_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = ServiceConfig(url=shared_server().url(), api_key_env="VIDKIT_TTS_KEY", voice="echo")
    monkeypatch.delenv("VIDKIT_TTS_KEY", raising=False)
    with pytest.raises(ConfigError, match="VIDKIT_TTS_KEY"):
        OpenAISpeechTTS.from_config(service)
    monkeypatch.setenv("VIDKIT_TTS_KEY", KEY)
    tts = OpenAISpeechTTS.from_config(service)
    assert KEY not in repr(tts)
    assert KEY not in tts.fingerprint()
    assert tts.synthesize("Yes.", tmp_path / "yes.wav").words[0].word == "Yes"


def test_bare_host_gets_v1() -> None:
    assert OpenAISpeechTTS("http://127.0.0.1:9/").url == "http://127.0.0.1:9/v1"
    assert OpenAISpeechTTS("http://h:1/api/v1").url == "http://h:1/api/v1"
    with pytest.raises(BackendError, match=r"set \[services.tts\] url"):
        OpenAISpeechTTS("")
