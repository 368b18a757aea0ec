"""Assembly speed: 60 scenes of 10 s joined into a 10-minute film, against a plain stream copy.

Run: .venv/bin/python benchmarks/assemble.py [--size 1280x720] [--scenes 60] [--seconds 10]

The baseline, run in the same process on the same files, is the cheapest join there is:
``ffmpeg -f concat -i list -c copy`` (video and audio stream-copied; its audio is wrong at
every join, see docs/render-assembly.md). vidkit's assembly copies the video the same way
but decodes, joins, measures, normalises and encodes the audio once. Six distinct scenes
(moving test pattern, speech-like narration) are rendered once and listed ten times each:
the assembler reads each listed file like any other.

Then re-assembly with a cache (``assemble(..., cache=...)``): the first assembly, the same
film again, the middle scene replaced by one as long, and by one 3 s shorter (everything
after it moves, so its audio is encoded again).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.render.media import ToneScene, output_args, speechlike, write_wav  # noqa: E402
from vidkit.media import ffmpeg_exe  # noqa: E402
from vidkit.render.assemble import assemble  # noqa: E402


def render(
    folder: Path, count: int, seconds: float, size: str, *, first_seed: int = 0
) -> list[Path]:
    """``count`` distinct scenes in the renderer's format (H.264 veryfast, AAC 160k mono)."""
    paths = []
    for k in range(first_seed, first_seed + count):
        wav, out = folder / f"voice{k}.wav", folder / f"scene{k}.mp4"
        write_wav(wav, speechlike(seconds, 0.5, seed=k))
        spec = ToneScene(frames=round(seconds * 30))
        source = f"testsrc2=size={size}:rate=30:d={seconds + 1}"
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-i", str(wav),
             *output_args(spec), str(out)],
            check=True,
        )  # fmt: skip
        paths.append(out)
    return paths


def baseline(scenes: list[Path], out: Path) -> float:
    listing = out.with_suffix(".txt")
    listing.write_text("".join(f"file '{p}'\n" for p in scenes))
    began = time.monotonic()
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
         "-c", "copy", str(out)],
        check=True,
    )  # fmt: skip
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--scenes", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--distinct", type=int, default=6)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.monotonic()
        distinct = render(folder, args.distinct, args.seconds, args.size)
        scenes = [distinct[k % len(distinct)] for k in range(args.scenes)]
        total_s = args.scenes * args.seconds
        size_mb = sum(p.stat().st_size for p in scenes) / 1e6
        print(f"{args.scenes} scenes x {args.seconds:g} s at {args.size}: {total_s:g} s of film, "
              f"{size_mb:.0f} MB (rendered in {time.monotonic() - began:.1f} s)")  # fmt: skip
        plain, ours = [], []
        for run in range(args.runs):
            plain.append(baseline(scenes, folder / f"plain{run}.mp4"))
            report = assemble(scenes, folder / f"film{run}.mp4", titles=["Part"] * args.scenes)
            ours.append(report.seconds)
        best_plain, best_ours = min(plain), min(ours)
        rows = [("baseline: -f concat -c copy", best_plain), ("vidkit assemble()", best_ours)]
        for name, seconds in rows:
            print(f"{name:<32}{seconds:6.2f} s  ({total_s / seconds:.0f}x realtime)")
        print(f"{'ratio':<32}{best_ours / best_plain:6.1f}x the baseline")
        print("where the time goes (last run):")
        for what, seconds in report.steps:
            print(f"  {what:<36} {seconds:6.2f} s")
        before, after = report.loudness_before, report.loudness_after
        assert after is not None and report.normalization is not None
        print(f"loudness {before.integrated_lufs:.1f} LUFS / {before.true_peak_dbtp:.1f} dBTP -> "
              f"{after.integrated_lufs:.1f} LUFS / {after.true_peak_dbtp:.1f} dBTP "
              f"(gain {report.normalization.gain_db:+.1f} dB, "
              f"limited: {report.normalization.limited})")  # fmt: skip
        reassemble(folder, scenes, args)


def reassemble(folder: Path, scenes: list[Path], args: argparse.Namespace) -> None:
    same = render(folder, 1, args.seconds, args.size, first_seed=100)[0]
    shorter = render(folder, 1, args.seconds - 3, args.size, first_seed=200)[0]
    middle = len(scenes) // 2
    cache = folder / "cache"
    films = [
        ("first assembly, with a cache", scenes),
        ("the same film again", scenes),
        (f"scene {middle + 1} replaced, as long", [*scenes[:middle], same, *scenes[middle + 1 :]]),
        (f"scene {middle + 1} replaced, 3 s shorter",
         [*scenes[:middle], shorter, *scenes[middle + 1 :]]),
    ]  # fmt: skip
    print("re-assembly with a cache:")
    for k, (name, chosen) in enumerate(films):
        report = assemble(chosen, folder / f"re{k}.mp4", titles=["Part"] * len(chosen), cache=cache)
        work, after = report.audio, report.loudness_after
        assert work is not None and after is not None
        print(f"  {name:<36}{report.seconds:6.2f} s  (decoded {work.scenes_decoded} scenes, "
              f"encoded {work.pieces_encoded} pieces = {work.encoded_ms / 1000:.0f} s of audio, "
              f"reused {work.pieces_reused}; {after.integrated_lufs:.1f} LUFS)")  # fmt: skip


if __name__ == "__main__":
    main()
