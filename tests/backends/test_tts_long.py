"""Speaking long narration chunk by chunk into one WAV (with the deterministic TTS)."""

from __future__ import annotations

import itertools
import tracemalloc
from pathlib import Path

import pytest

from tests.backends.tts_doubles import ToneTTS
from tests.text.test_chunks import scene
from vidkit.audio import wav_info
from vidkit.backends.tts.long import synthesize_long
from vidkit.errors import InvalidInput
from vidkit.text import normalize
from vidkit.timing import Timings


def test_long_narration_joins_continuously(tmp_path: Path) -> None:
    text = scene(4_000)
    tts = ToneTTS()
    out = tmp_path / "scene.wav"
    tracemalloc.start()
    timings = synthesize_long(tts, text, out, chunk_chars=1200, pause_ms=300)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    info = wav_info(out)
    assert peak < info.frames * 2 / 2, peak  # timings yes, but never the whole audio
    assert timings.duration_ms == info.duration_ms
    spoken = normalize(text)
    assert [w.word for w in timings.words] == list(spoken.words)
    assert timings.meta["word_sources"] == list(spoken.sources)
    assert len(tts.calls) == timings.meta["chunks"] > 5
    # each chunk starts 300 ms after the previous one ended; the double's timings are exact
    ends = [expected_end(tts, k) for k in range(len(tts.calls))]
    assert ends[-1] == timings.duration_ms
    phones = timings.phonemes
    assert phones[0].start_ms == 0 and phones[-1].end_ms == timings.duration_ms
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(phones))
    assert all(a.end_ms <= b.start_ms for a, b in itertools.pairwise(timings.words))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scene.wav"]


def expected_end(tts: ToneTTS, index: int) -> int:
    total = 0
    for k, chunk in enumerate(tts.calls[: index + 1]):
        words = normalize(chunk).words
        total += (300 if k else 0) + 200 + 50 * (len(words) - 1)
        total += sum(40 + 30 * len(w) for w in words)
    return total


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the narration is empty"),
        ("  \n\t ", "the narration is empty"),
        ("🎉 👍🏽 ✅", "nothing speakable"),
    ],
)
def test_unspeakable_narration(text: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=message):
        synthesize_long(ToneTTS(), text, tmp_path / "x.wav", chunk_chars=500)
    assert not list(tmp_path.iterdir())


class FailingTTS(ToneTTS):
    def synthesize(self, text: str, out_wav: Path, **kw: object) -> Timings:
        if len(self.calls) == 2:
            raise RuntimeError("the voice died")
        return super().synthesize(text, out_wav)


def test_a_failure_midway_leaves_nothing_behind(tmp_path: Path) -> None:
    progress: list[tuple[int, int]] = []
    with pytest.raises(RuntimeError, match="the voice died"):
        synthesize_long(
            FailingTTS(), scene(500), tmp_path / "x.wav", chunk_chars=300,
            progress=lambda done, total: progress.append((done, total)),
        )  # fmt: skip
    assert not list(tmp_path.iterdir())
    assert [done for done, _ in progress] == [1, 2]


def test_chunks_at_another_rate_are_converted(tmp_path: Path) -> None:
    class Switching(ToneTTS):
        def synthesize(self, text: str, out_wav: Path, **kw: object) -> Timings:
            self.rate = 16000 if len(self.calls) % 2 == 0 else 22050
            return super().synthesize(text, out_wav)

    timings = synthesize_long(Switching(), scene(300), tmp_path / "x.wav", chunk_chars=300)
    info = wav_info(tmp_path / "x.wav")
    assert info.sample_rate == 16000
    assert abs(timings.duration_ms - info.duration_ms) <= 1
