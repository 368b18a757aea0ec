"""Piper speed: realtime factor (seconds of audio per second of compute) on a ~30 s narration.

Run: .venv/bin/python benchmarks/tts.py [--runs 3]

The baseline, run in the same process on the same loaded voice, is the raw
``PiperVoice.synthesize(text, include_alignments=True)`` loop that only collects the audio.
vidkit's ``PiperTTS.synthesize`` adds writing the WAV, folding phonemes, matching espeak's
word groups to the text's words and building the timings; ``normalize`` (lexicon, numbers,
code) runs before it. Times are medians of warm runs taken in turns (one untimed run each
first), with vidkit's word caches cleared before each of its runs; the ratio is vidkit's
realtime factor / the baseline's (below 1 means vidkit is slower). Piper's output length
varies a little from run to run (noise); the audio length of the first run is used.
RTF is given per wall second and per CPU second (all threads): on a shared machine the CPU
columns are the steadier ones.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.backends.tts.piper import PiperTTS, _step_cost  # noqa: E402
from vidkit.text import normalize  # noqa: E402

NARRATION = (
    "In this lesson we look at list comprehensions in Python 3.12. A comprehension builds a "
    "new list from an old one in a single line. Instead of writing a for loop, calling "
    "append() on my_list, and returning the result, you write the expression first, then "
    "the loop, then an optional filter. For example, squares of the numbers 1 to 10 take one "
    "line. It is shorter, and on 1,000,000 items it is about 20% faster. Use them when the "
    "logic is simple; when it is not, a plain loop is easier to read, and readability counts."
)


def interleaved(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and CPU seconds of each function, run in turns so that load from other
    processes falls on all of them alike (one untimed warm-up each first)."""
    for fn in fns.values():
        fn()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            wall, cpu = time.perf_counter(), time.process_time()
            fn()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    return {
        name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts))
        for name, ts in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    tts = PiperTTS()
    voice = tts._load()  # the same loaded model for both
    spoken = normalize(NARRATION).text

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        timings = tts.synthesize(spoken, out)
        audio_s = timings.duration_ms / 1000

        def baseline() -> None:
            for chunk in voice.synthesize(spoken, include_alignments=True):
                chunk.audio_int16_bytes  # noqa: B018 - what a caller would take

        def cold() -> None:  # no word or distance caches from earlier runs
            tts._word_phones.clear()
            _step_cost.cache_clear()

        def vidkit_only() -> None:
            cold()
            tts.synthesize(spoken, out)

        def vidkit_full() -> None:
            cold()
            tts.synthesize(normalize(NARRATION).text, out)

        medians = interleaved(
            {
                "baseline: PiperVoice.synthesize": baseline,
                "vidkit PiperTTS.synthesize": vidkit_only,
                "vidkit normalize + synthesize": vidkit_full,
            },
            args.runs,
        )

    words = len(spoken.split())
    print(f"narration: {words} words, {audio_s:.1f} s of audio; medians of {args.runs} runs")
    print(f"{'':34} {'wall s':>7} {'RTF':>7} {'ratio':>6} {'CPU s':>8} {'RTF':>7} {'ratio':>6}")
    base_wall, base_cpu = medians["baseline: PiperVoice.synthesize"]
    for name, (wall, cpu) in medians.items():
        print(
            f"{name:34} {wall:7.2f} {audio_s / wall:7.1f} {base_wall / wall:6.2f}"
            f" {cpu:8.2f} {audio_s / cpu:7.1f} {base_cpu / cpu:6.2f}"
        )


if __name__ == "__main__":
    main()
