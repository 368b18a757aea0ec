"""The voice-cloning service backends against a loopback stand-in of each wire format: the
reference reaches the server, the audio comes back timed, failures are one-line errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends.clone_servers import FREE_KEY, KEY, CloneServer
from tests.backends.tts_doubles import shared_piper
from tests.conftest import write_config
from vidkit.audio import wav_info
from vidkit.backends.registry import build_tts
from vidkit.backends.tts import VoiceProfile
from vidkit.backends.tts._service import ServiceTTS
from vidkit.backends.tts.chatterbox import ChatterboxTTS
from vidkit.backends.tts.elevenlabs import ElevenLabsTTS
from vidkit.backends.tts.gpt_sovits import GptSovitsTTS
from vidkit.backends.tts.xtts import XttsTTS, speaker_name
from vidkit.config import load_config
from vidkit.errors import BackendError, ConfigError, InvalidInput

TEXT = "The quick brown fox jumps over the lazy dog."
CONSENT = "Ada agreed on 2026-12-01 to this voice in course videos"


@pytest.fixture(scope="module")
def server() -> Iterator[CloneServer]:
    with CloneServer(slow_s=2.0) as srv:
        yield srv


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ref = tmp_path_factory.mktemp("ref") / "ada.wav"
    shared_piper().synthesize("Hello, I am Ada and this is how I sound.", ref)
    return ref


def profile(ref: Path, consent: str = CONSENT) -> VoiceProfile:
    return VoiceProfile("ada", ref, "Hello, I am Ada and this is how I sound.", consent)


def elevenlabs(url: str, tmp_path: Path, key: str = KEY) -> ElevenLabsTTS:
    return ElevenLabsTTS(
        url, api_key=key, api_key_env="VIDKIT_EL_KEY", ids_file=tmp_path / "ids.json"
    )


def test_xtts_uploads_the_reference_once_and_names_it(
    server: CloneServer, reference: Path, tmp_path: Path
) -> None:
    tts = XttsTTS(server.url())
    before = len(server.seen)
    voice = profile(reference)
    timings = tts.synthesize(TEXT, tmp_path / "a.wav", voice=voice)
    tts.synthesize("Hello there.", tmp_path / "b.wav", voice=voice)
    seen = server.seen[before:]
    assert [s.route for s in seen] == ["/upload_sample", "/tts_to_audio/", "/tts_to_audio/"]
    assert seen[0].files["wavFile"] == [reference.read_bytes()]
    assert seen[1].json == {"text": TEXT, "speaker_wav": speaker_name(voice), "language": "en"}
    assert [w.word for w in timings.words][:3] == ["The", "quick", "brown"]
    assert timings.meta["reference_sha256"] == voice.content_key()
    assert abs(timings.duration_ms - wav_info(tmp_path / "a.wav").duration_ms) <= 1


def test_xtts_without_an_upload_route_says_where_to_copy_the_file(
    server: CloneServer, reference: Path, tmp_path: Path
) -> None:
    voice = profile(reference)
    with pytest.raises(BackendError, match="--speaker_folder as vidkit-"):
        XttsTTS(server.url("noupload")).synthesize(TEXT, tmp_path / "a.wav", voice=voice)
    assert list(tmp_path.iterdir()) == []


def test_gpt_sovits_shares_the_reference_and_sends_the_servers_path(
    server: CloneServer, reference: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    voice = profile(reference)
    before = len(server.seen)
    GptSovitsTTS(server.url(), shared_dir=shared).synthesize(TEXT, tmp_path / "a.wav", voice=voice)
    body = server.seen[before].json
    copied = shared / f"{voice.content_key()}.wav"
    assert copied.read_bytes() == reference.read_bytes()
    assert body["ref_audio_path"] == str(copied.resolve())
    assert (body["text"], body["prompt_text"]) == (TEXT, voice.transcript)
    assert (body["text_lang"], body["prompt_lang"], body["media_type"]) == ("en", "en", "wav")
    # The server sees the folder elsewhere (a container): the path is mapped; a path the
    # server cannot read is its 400, passed on with its message.
    other = GptSovitsTTS(server.url(), shared_dir=shared, server_dir="/voices")
    with pytest.raises(BackendError, match=r"HTTP 400.*ref_audio_path not found"):
        other.synthesize(TEXT, tmp_path / "b.wav", voice=voice)
    assert server.seen[-1].json["ref_audio_path"] == f"/voices/{voice.content_key()}.wav"
    with pytest.raises(BackendError, match="only in a cloned voice"):
        other.synthesize(TEXT, tmp_path / "c.wav")


def test_chatterbox_sends_the_reference_with_the_text(
    server: CloneServer, reference: Path, tmp_path: Path
) -> None:
    before = len(server.seen)
    ChatterboxTTS(server.url() + "/v1").synthesize(
        TEXT, tmp_path / "a.wav", voice=profile(reference)
    )
    seen = server.seen[before]
    assert seen.route == "/v1/audio/speech/upload"
    assert seen.form["input"] == TEXT
    assert seen.files["voice_file"] == [reference.read_bytes()]


def test_elevenlabs_clones_once_per_reference_and_remembers_the_id(
    server: CloneServer, reference: Path, tmp_path: Path
) -> None:
    voice = profile(reference)
    before = len(server.seen)
    elevenlabs(server.url(), tmp_path).synthesize(TEXT, tmp_path / "a.wav", voice=voice)
    # a new backend (a new process) reuses the remembered voice_id
    elevenlabs(server.url(), tmp_path).synthesize("Hi there.", tmp_path / "b.wav", voice=voice)
    seen = server.seen[before:]
    assert seen[0].route == "/v1/voices/add"
    assert [s.route for s in seen].count("/v1/voices/add") == 1
    assert seen[0].files["files"] == [reference.read_bytes()]
    assert seen[0].headers["xi-api-key"] == KEY
    voice_id = seen[1].route.rsplit("/", 1)[1]
    assert server.voices[voice_id] == [reference.read_bytes()]
    assert seen[1].json == {"text": TEXT, "model_id": "eleven_multilingual_v2"}


def test_elevenlabs_wrong_key_and_malformed_answers(
    server: CloneServer, reference: Path, tmp_path: Path
) -> None:
    voice = profile(reference)
    with pytest.raises(BackendError, match=r"HTTP 401.*VIDKIT_EL_KEY") as info:
        elevenlabs(server.url(), tmp_path, key="wrong").synthesize(
            TEXT, tmp_path / "a.wav", voice=voice
        )
    assert "wrong" not in str(info.value).replace("wrong-", "")
    with pytest.raises(BackendError, match="without a voice_id"):
        elevenlabs(server.url("malformed"), tmp_path).synthesize(
            TEXT, tmp_path / "a.wav", voice=voice
        )
    assert not (tmp_path / "ids.json").exists()


@pytest.mark.parametrize("make", [XttsTTS, ChatterboxTTS])
def test_server_errors_and_non_audio_bodies(
    make: type[ServiceTTS], server: CloneServer, reference: Path, tmp_path: Path
) -> None:
    voice = profile(reference)
    with pytest.raises(BackendError, match=r"failed \(HTTP 500\): CUDA out of memory"):
        make(server.url("500")).synthesize(TEXT, tmp_path / "a.wav", voice=voice)
    with pytest.raises(BackendError, match="bytes that are not audio"):
        make(server.url("garbage")).synthesize(TEXT, tmp_path / "a.wav", voice=voice)
    with pytest.raises(BackendError, match=r"did not answer in 0.5 s.*timeout_s"):
        make(server.url("slow"), timeout_s=0.5).synthesize(TEXT, tmp_path / "a.wav", voice=voice)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server(reference: Path, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(BackendError, match=r"cannot reach the Chatterbox.*\[services.tts\] url"):
        ChatterboxTTS(f"http://127.0.0.1:{port}", timeout_s=3).synthesize(
            TEXT, tmp_path / "a.wav", voice=profile(reference)
        )


def test_no_consent_no_request(server: CloneServer, reference: Path, tmp_path: Path) -> None:
    before = len(server.seen)
    with pytest.raises(InvalidInput, match="no recorded consent"):
        ChatterboxTTS(server.url()).synthesize(
            TEXT, tmp_path / "a.wav", voice=profile(reference, consent=" ")
        )
    assert len(server.seen) == before


def test_fingerprint_follows_the_reference_content(reference: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.wav"
    other.write_bytes(reference.read_bytes() + b"\0\0")
    a = ChatterboxTTS("http://127.0.0.1:9", voice=profile(reference)).fingerprint()
    b = ChatterboxTTS("http://127.0.0.1:9", voice=profile(other)).fingerprint()
    assert a != b
    assert a == ChatterboxTTS("http://127.0.0.1:9", voice=profile(reference)).fingerprint()


def test_each_service_says_it_clones_from_its_read_only_route(
    server: CloneServer, tmp_path: Path
) -> None:
    url = server.url()
    before = len(server.seen)
    assert XttsTTS(url).capability() == (
        "clones voices (xtts-api-server, languages en, de, fr, ja)"
    )
    sovits = GptSovitsTTS(url, shared_dir=tmp_path / "voices")
    assert sovits.capability() == (
        f"clones voices (GPT-SoVITS api_v2, references shared through {tmp_path / 'voices'})"
    )
    assert ChatterboxTTS(url + "/v1").capability() == (
        "clones voices (Chatterbox TTS API, model loaded on cpu)"
    )
    assert elevenlabs(url, tmp_path).capability() == (
        "clones voices (ElevenLabs instant voice cloning, creator plan, 1200 of 100000 "
        "characters used)"
    )
    seen = server.seen[before:]
    assert [s.route for s in seen] == ["/languages", "/tts", "/health", "/v1/user/subscription"]
    assert seen[1].form == {"text_lang": "en", "prompt_lang": "en"}  # and no reference
    assert seen[3].headers["xi-api-key"] == KEY
    assert not (tmp_path / "voices").exists()  # nothing was shared, nothing synthesized


def test_elevenlabs_key_without_cloning_or_a_wrong_key(server: CloneServer, tmp_path: Path) -> None:
    with pytest.raises(
        BackendError, match=r"VIDKIT_EL_KEY is on the 'free' plan, which cannot clone voices"
    ):
        elevenlabs(server.url(), tmp_path, key=FREE_KEY).capability()
    with pytest.raises(BackendError, match=r"HTTP 401.*\[services.tts\] api_key_env"):
        elevenlabs(server.url(), tmp_path, key="wrong").capability()


def test_chatterbox_that_could_not_load_its_model(server: CloneServer) -> None:
    with pytest.raises(BackendError, match="could not load its model: CUDA out of memory"):
        ChatterboxTTS(server.url("noload")).capability()


CAPABLE: list[Any] = [
    XttsTTS,
    lambda url: GptSovitsTTS(url, shared_dir=Path("voices")),
    ChatterboxTTS,
    lambda url: ElevenLabsTTS(url, api_key=KEY, ids_file=Path("ids.json")),
]


@pytest.mark.parametrize("make", CAPABLE, ids=["xtts", "gpt-sovits", "chatterbox", "elevenlabs"])
@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("500", r"failed \(HTTP 500\): CUDA out of memory"),
        ("garbage", "not JSON"),
        ("malformed", r"without|not api_v2's 'ref_audio_path is required'"),
    ],
)
def test_capability_failures_name_the_service(
    make: Any, mode: str, message: str, server: CloneServer
) -> None:
    with pytest.raises(BackendError, match=message) as info:
        make(server.url(mode)).capability()
    assert "[services.tts] url" in str(info.value)


CONFIGS = """
[voice]
backend = "{backend}"
{extra}
[services.tts]
url = "{url}"
api_key_env = "VIDKIT_EL_KEY"
"""


@pytest.mark.parametrize(
    ("backend", "kind"),
    [
        ("xtts", XttsTTS),
        ("gpt-sovits", GptSovitsTTS),
        ("chatterbox", ChatterboxTTS),
        ("elevenlabs", ElevenLabsTTS),
    ],
)
def test_config_picks_the_service(
    backend: str, kind: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDKIT_EL_KEY", KEY)
    extra = 'shared_dir = "voices"\nserver_dir = "/srv/voices"' if backend == "gpt-sovits" else ""
    text = CONFIGS.format(backend=backend, extra=extra, url="http://127.0.0.1:9")
    config = load_config(write_config(tmp_path, text))
    tts = build_tts(config)
    assert isinstance(tts, kind)
    assert tts.can_clone
    if isinstance(tts, GptSovitsTTS):
        assert tts.shared_dir == tmp_path / "voices"
        assert tts.server_dir == "/srv/voices"
    if isinstance(tts, ElevenLabsTTS):
        assert tts.ids_file.parent == config.assets.root / "cache"


def test_config_errors_name_the_key(tmp_path: Path) -> None:
    text = CONFIGS.format(backend="gpt-sovits", extra="", url="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match=r"\[voice\] shared_dir"):
        build_tts(load_config(write_config(tmp_path, text)))
    text = CONFIGS.format(backend="xtts", extra="", url="")
    with pytest.raises(ConfigError, match=r"\[services.tts\] url"):
        build_tts(load_config(write_config(tmp_path, text)))
    text = CONFIGS.format(backend="bark", extra="", url="")
    with pytest.raises(ConfigError, match="backend"):
        load_config(write_config(tmp_path, text))
