"""vidkit.audio: the WAV helpers the speech backends stand on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vidkit.audio import (
    Pcm16Writer,
    atomic_output,
    convert_to_pcm16,
    envelope,
    read_wav,
    wav_info,
    write_wav,
)
from vidkit.errors import MediaError


def tone(ms: int, rate: int = 16000, amplitude: int = 10000) -> np.ndarray:
    t = np.arange(ms * rate // 1000) / rate
    return (amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.int16)


def test_round_trip_and_concatenation(tmp_path: Path) -> None:
    write_wav(tmp_path / "a.wav", tone(250), 16000)
    samples, rate = read_wav(tmp_path / "a.wav")
    assert rate == 16000 and np.array_equal(samples, tone(250))
    with Pcm16Writer(tmp_path / "joined.wav", 16000) as out:
        out.append_file(tmp_path / "a.wav")
        out.write_silence(100)
        out.append_file(tmp_path / "a.wav")
        assert out.duration_ms == 600
    joined, _ = read_wav(tmp_path / "joined.wav")
    assert len(joined) == 9600 and not joined[4000:5600].any()


def test_append_refuses_another_rate(tmp_path: Path) -> None:
    write_wav(tmp_path / "fast.wav", tone(100, 22050), 22050)
    with (
        Pcm16Writer(tmp_path / "out.wav", 16000) as out,
        pytest.raises(MediaError, match="22050 Hz"),
    ):
        out.append_file(tmp_path / "fast.wav")


def test_atomic_output_cleans_up_on_error(tmp_path: Path) -> None:
    target = tmp_path / "x.wav"

    def fail_halfway() -> None:
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"half")
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        fail_halfway()
    assert not list(tmp_path.iterdir())
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"whole")
    assert target.read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["x.wav"]


def test_convert_resamples_and_rejects_garbage(tmp_path: Path) -> None:
    write_wav(tmp_path / "a.wav", tone(500, 22050), 22050)
    convert_to_pcm16(tmp_path / "a.wav", tmp_path / "b.wav", sample_rate=16000)
    info = wav_info(tmp_path / "b.wav")
    assert (info.sample_rate, info.channels, info.sample_width) == (16000, 1, 2)
    assert abs(info.duration_ms - 500) <= 2
    (tmp_path / "junk.wav").write_bytes(b"RIFF nonsense" * 10)
    with pytest.raises(MediaError, match="not readable audio"):
        convert_to_pcm16(tmp_path / "junk.wav", tmp_path / "c.wav", sample_rate=16000)
    assert not (tmp_path / "c.wav").exists()


def test_envelope_follows_loudness() -> None:
    samples = np.concatenate([tone(200, amplitude=1000), np.zeros(3200, np.int16), tone(200)])
    loud = envelope(samples, 16000, 10)
    assert len(loud) == 6
    assert loud.max() == pytest.approx(1.0)
    assert loud[2] == loud[3] == 0
    assert 0.05 < loud[0] < 0.2
    assert len(envelope(np.zeros(0, np.int16), 16000, 25)) == 0
