"""Voice matching (approximate): how far WORLD matching moves Piper toward a reference, what it
costs in intelligibility and time, against plain Piper in the same process.

Run: .venv/bin/python benchmarks/voice_matching.py [--texts 4]

References ("other speakers") are Piper speech of another text, resynthesised with WORLD:
``high`` (pitch 1.6x, log-F0 range 0.6x, formants 1.15x) and ``low`` (pitch 0.8x, range 1.3x,
formants 0.92x). Only one offline Piper voice exists, so no recording of a real other person
is used. For each reference and each text, the same Piper utterance is measured plain and
matched (the matcher is handed Piper's output, so run-to-run variation in Piper's delivery
does not enter the comparison):

* pitch: the share of the gap between plain Piper and the reference closed, for the trimmed
  log-F0 mean and spread (1.0 = reached the reference; the gaps are printed too: a share of a
  gap near zero says little);
* envelope: RMS distance in dB (200-5000 Hz, mean removed) of the long-term spectral envelope
  to the reference's, plain and matched, and the formant warp fitted vs the one applied;
* WER: whisper tiny (``build_transcriber`` with the default config), plain vs matched;
* realtime factor: matching time / audio length (on top of Piper), and Piper + matching.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vidkit.audio import read_wav, write_wav  # noqa: E402
from vidkit.backends.registry import build_transcriber  # noqa: E402
from vidkit.backends.tts import world_match as wm  # noqa: E402
from vidkit.backends.tts.piper import PiperTTS  # noqa: E402
from vidkit.config import load_config  # noqa: E402

SOURCE = (
    "The quick brown fox jumps over the lazy dog while the children watch from the garden "
    "gate, and their grandmother reads the morning paper beside the open window."
)
TEXTS = [
    "Voice matching changes the pitch and the formants of the embedded voice but keeps its "
    "timing, so the captions stay in step with the narration.",
    "Open the terminal, change into the project folder and run the tests again. When they "
    "pass, commit the change with a short message that says what it does and why.",
    "A list comprehension builds a new list from an existing one in a single expression. "
    "It is often shorter and clearer than a loop that appends to a list.",
    "Before you deploy, check the configuration file, the database migrations and the "
    "environment variables, then watch the logs for the first few minutes.",
    "The weather station measures temperature, humidity and wind speed every ten minutes and "
    "sends the readings to a small server in the basement.",
    "Good documentation answers the questions people actually ask, in the order they ask "
    "them, with examples they can copy and run.",
]
REFERENCES = {"high": (1.6, 0.6, 1.15), "low": (0.8, 1.3, 0.92)}  # pitch, range, formants


def shifted_voice(src: Path, out: Path, pitch: float, spread: float, warp: float) -> None:
    import pyworld

    samples, fs = read_wav(src)
    x = samples / 32768.0
    f0, sp, ap = wm._world(x, fs, aperiodicity=True)
    assert ap is not None
    bins = np.arange(sp.shape[1])
    pos = np.clip(bins / warp, 0, sp.shape[1] - 1)
    new_sp = np.exp(np.array([np.interp(pos, bins, np.log(row)) for row in sp]))
    voiced = f0 > 0
    log_f0 = np.log(np.where(voiced, f0, 1.0))
    centre = log_f0[voiced].mean()
    f0 = np.where(voiced, np.exp(centre + (log_f0 - centre) * spread) * pitch, 0.0)
    y = pyworld.synthesize(f0, np.ascontiguousarray(new_sp), ap, fs, 5.0)
    write_wav(out, np.clip(y * 32767, -32768, 32767).astype(np.int16), fs)


def stats_of(path: Path) -> wm.VoiceStats:
    samples, fs = read_wav(path)
    x = samples / 32768.0
    f0, sp, _ = wm._world(x, fs, aperiodicity=False)
    return wm.voice_stats(x, fs, f0, sp)


def envelope_distance(a: wm.VoiceStats, b: wm.VoiceStats) -> float:
    band = wm._BAND
    diff = np.asarray(a.envelope_db)[band] - np.asarray(b.envelope_db)[band]
    return float(np.sqrt(np.mean((diff - diff.mean()) ** 2)))


def errors(said: str, heard: list[str]) -> tuple[int, int]:
    ref = re.findall(r"[a-z]+", said.lower().replace("'", ""))
    hyp = [w for w in (re.sub(r"[^a-z]", "", h.lower()) for h in heard) if w]
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=4, help="paragraphs per reference (1-6)")
    parser.add_argument("--only", choices=sorted(REFERENCES), help="one reference only")
    parser.add_argument("--verbose", action="store_true", help="print what whisper heard")
    args = parser.parse_args()
    texts = TEXTS[: max(1, min(args.texts, len(TEXTS)))]
    piper = PiperTTS()
    whisper = build_transcriber(load_config(REPO / "config.toml"))
    with tempfile.TemporaryDirectory(prefix="vidkit-bench-") as tmp:
        folder = Path(tmp)
        piper.synthesize(SOURCE, folder / "source.wav")
        for name, (pitch, spread, warp) in REFERENCES.items():
            if args.only and name != args.only:
                continue
            ref_wav = folder / f"ref-{name}.wav"
            shifted_voice(folder / "source.wav", ref_wav, pitch, spread, warp)
            _, ref = wm.analyse_reference(ref_wav, None)
            closed_mean: list[float] = []
            closed_std: list[float] = []
            env_plain: list[float] = []
            env_matched: list[float] = []
            warps: list[float] = []
            gaps: dict[str, list[float]] = {"log_f0_mean": [], "log_f0_std": []}
            wrong = {"plain": 0, "matched": 0}
            said = audio_s = piper_s = match_s = 0.0
            for k, text in enumerate(texts):
                plain_wav, matched_wav = folder / f"plain{k}.wav", folder / f"matched{k}.wav"
                started = time.perf_counter()
                timings = piper.synthesize(text, plain_wav)
                piper_s += time.perf_counter() - started
                samples, fs = read_wav(plain_wav)
                started = time.perf_counter()
                y, applied = wm.match(samples / 32768.0, fs, ref)
                match_s += time.perf_counter() - started
                write_wav(matched_wav, np.clip(y * 32767, -32768, 32767).astype(np.int16), fs)
                audio_s += timings.duration_ms / 1000
                warps.append(applied["warp"])
                plain, matched = stats_of(plain_wav), stats_of(matched_wav)
                for key, out in (("log_f0_mean", closed_mean), ("log_f0_std", closed_std)):
                    gap = getattr(ref, key) - getattr(plain, key)
                    gaps[key].append(gap)
                    out.append((getattr(matched, key) - getattr(plain, key)) / gap)
                env_plain.append(envelope_distance(plain, ref))
                env_matched.append(envelope_distance(matched, ref))
                for label, wav in (("plain", plain_wav), ("matched", matched_wav)):
                    heard = [w.text for w in whisper.transcribe(wav).words]
                    wrong[label] += errors(text, heard)[0]
                    if args.verbose:
                        print(f"    {label} {errors(text, heard)[0]}: {' '.join(heard)}")
                said += errors(text, [])[1]
            print(f"reference {name}: pitch {pitch}x, range {spread}x, formants {warp}x")
            print(f"  texts {len(texts)}, audio {audio_s:.1f} s, words {said:.0f}")
            print(
                f"  pitch gap closed: mean {np.mean(closed_mean):.2f} "
                f"(min {np.min(closed_mean):.2f}), spread {np.mean(closed_std):.2f} "
                f"(min {np.min(closed_std):.2f}); gaps (log-F0): mean "
                f"{np.mean(gaps['log_f0_mean']):+.3f}, spread {np.mean(gaps['log_f0_std']):+.3f}"
            )
            print(
                f"  envelope distance to reference (dB): plain {np.mean(env_plain):.2f}, "
                f"matched {np.mean(env_matched):.2f} "
                f"(ratio {np.mean(env_matched) / np.mean(env_plain):.2f}); "
                f"warp fitted {np.mean(warps):.3f} vs {warp}"
            )
            print(
                f"  WER whisper tiny: plain {wrong['plain'] / said:.3f}, "
                f"matched {wrong['matched'] / said:.3f} "
                f"(difference {(wrong['matched'] - wrong['plain']) / said:+.3f})"
            )
            print(
                f"  realtime factor: Piper {piper_s / audio_s:.3f}, matching on top "
                f"{match_s / audio_s:.3f}, total {(piper_s + match_s) / audio_s:.3f} "
                f"(total / Piper {(piper_s + match_s) / piper_s:.2f}x)"
            )


if __name__ == "__main__":
    main()
