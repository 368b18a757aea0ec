"""Voice profiles as users make them: references checked (length, rate, speech), stored once,
the check cached; the consent record kept; a project's voice chosen and forgotten."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.backends.tts_doubles import shared_piper
from tests.conftest import write_config
from vidkit.config import load_config
from vidkit.editing.voices import add_voice_profile, reference_cache, use_voice
from vidkit.errors import InvalidInput, NotFound
from vidkit.media import ffmpeg_exe
from vidkit.recordings import references
from vidkit.recordings.references import check_reference
from vidkit.workspace import Workspace

SAID = (
    "Hello, my name is Ada. I am recording this sample so that my voice can narrate the "
    "course videos we are making together this winter."
)
CONSENT = "I agree to my voice being cloned for the course videos of winter 2026"


def lavfi(dest: Path, source: str, *args: str) -> Path:
    cmd = [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", source, *args]
    subprocess.run([*cmd, str(dest)], check=True)
    return dest


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("refs") / "ada.wav"
    shared_piper().synthesize(SAID, out)
    return out


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(load_config(write_config(tmp_path)))
    workspace.create_project("p", "Voices")
    return workspace


def test_a_spoken_reference_passes_and_its_check_is_cached(speech: Path, tmp_path: Path) -> None:
    found = check_reference(speech, cache_dir=tmp_path)
    assert found.duration_ms > 5000
    assert found.sample_rate >= 16000
    assert found.speech_ms > 0.6 * found.duration_ms
    assert (tmp_path / f"{found.sha256}.json").is_file()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("vidkit.recordings.analysis.speech_spans", _no_decoding)
        assert check_reference(speech, cache_dir=tmp_path) == found


def _no_decoding(*args: object, **kwargs: object) -> None:
    raise AssertionError("decoded again")


@pytest.mark.parametrize(
    ("source", "args", "message"),
    [
        ("anullsrc=r=44100:cl=mono", ("-t", "10"), "0.0 s of speech"),
        (
            "aevalsrc=0.3*sin(2*PI*261.6*t)+0.3*sin(2*PI*329.6*t)+0.3*sin(2*PI*392*t):s=44100:d=10",
            (),
            "no silence, music or noise",
        ),
        ("anoisesrc=d=10:c=pink:a=0.3:r=44100", (), "of speech in 10.0 s"),
        ("anullsrc=r=44100:cl=mono", ("-t", "1.5"), "lasts 1.5 s; a voice reference needs"),
    ],
)
def test_silence_music_noise_and_short_files_are_refused(
    source: str, args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    ref = lavfi(tmp_path / "ref.wav", source, *args)
    with pytest.raises(InvalidInput, match=message):
        check_reference(ref)


def test_low_sample_rate_is_refused(speech: Path, tmp_path: Path) -> None:
    low = tmp_path / "low.wav"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-i", str(speech), "-ar", "8000", str(low)],
        check=True,
    )
    with pytest.raises(InvalidInput, match="sampled at 8000 Hz; record or export"):
        check_reference(low)


def test_a_two_hour_reference_is_refused_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = lavfi(
        tmp_path / "long.flac", "anullsrc=r=8000:cl=mono", "-t", "7200", "-compression_level", "0"
    )
    monkeypatch.setattr("vidkit.recordings.analysis.speech_spans", _no_decoding)
    start = time.monotonic()
    with pytest.raises(InvalidInput, match="lasts 120 min; a voice reference may last at most 5"):
        check_reference(long)
    assert time.monotonic() - start < 5
    assert references.MAX_MS == 300_000


def test_profile_keeps_the_consent_record_and_stores_references_once(
    ws: Workspace, speech: Path
) -> None:
    with pytest.raises(InvalidInput, match="who gave consent"):
        add_voice_profile(ws, "p", "Ada", [speech], transcript=SAID, consent=CONSENT, consent_by="")
    voice, checks = add_voice_profile(
        ws, "p", "Ada", [speech, speech], transcript=SAID, consent=CONSENT,
        consent_by="Ada Lovelace", language="en",
    )  # fmt: skip
    assert (voice.consent_by, voice.consent, voice.language) == ("Ada Lovelace", CONSENT, "en")
    assert voice.consent_at is not None
    assert len(voice.more_sample_ids) == 1
    assert checks[0].sha256 == checks[1].sha256
    first = ws.catalogue.asset(voice.sample_asset_id)
    second = ws.catalogue.asset(voice.more_sample_ids[0])
    assert ws.asset_path(first) == ws.asset_path(second), "content-addressed: stored once"
    assert (reference_cache(ws) / f"{first.sha256}.json").is_file()
    assert ws.voices("p")[0].to_dict()["consent_by"] == "Ada Lovelace"


def test_use_and_remove(ws: Workspace, speech: Path) -> None:
    add_voice_profile(ws, "p", "Ada", [speech], transcript=SAID, consent=CONSENT, consent_by="Ada")
    with pytest.raises(NotFound, match="no voice profile named 'Bob'"):
        use_voice(ws, "p", "Bob")
    assert use_voice(ws, "p", "Ada").voice == "Ada"
    ws.remove_voice("p", "Ada")
    assert ws.project("p").voice == ""
    assert ws.voices("p") == []


def test_a_profile_without_consent_is_refused_at_use_and_at_render(
    ws: Workspace, speech: Path
) -> None:
    from vidkit.pipeline import SceneGraph

    add_voice_profile(ws, "p", "Ada", [speech], transcript=SAID, consent=CONSENT, consent_by="A")
    use_voice(ws, "p", "Ada")
    graph = SceneGraph(ws, "p")
    voice = graph.voice(ws.project("p"))
    assert voice is not None
    assert voice.profile.key == ws.catalogue.asset(ws.voices("p")[0].sample_asset_id).sha256
    with ws.catalogue.transaction() as conn:  # a profile from before consent was required
        conn.execute("UPDATE voices SET consent = ''")
    with pytest.raises(InvalidInput, match="no consent statement, so it cannot be used"):
        graph.voice(ws.project("p"))
    with pytest.raises(InvalidInput, match="no consent statement"):
        use_voice(ws, "p", "Ada")
