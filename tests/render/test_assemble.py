"""Assembling 60 generated scenes: stream-copied video, sample-exact audio at every join."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests.render.media import (
    LEVELS,
    RAMP_S,
    RATE,
    film_specs,
    make_scenes,
    read_audio,
    read_luma,
)
from vidkit.media import ffmpeg_exe, probe
from vidkit.render.assemble import AssemblyReport, assemble, read_scene
from vidkit.render.captions import CaptionCue
from vidkit.render.chapters import parse_ffmetadata
from vidkit.render.loudness import measure

pytestmark = pytest.mark.slow

SCENES = 60
FPS = 30
FRAME_MS = 1000 / FPS
TITLES = [f"Part {k // 10 + 1}" if k % 10 == 0 else "" for k in range(SCENES)]


@dataclass(frozen=True)
class Film:
    scenes: list[Path]
    report: AssemblyReport
    audio: npt.NDArray[np.float64]
    luma: npt.NDArray[np.uint8]


@pytest.fixture(scope="module")
def film(tmp_path_factory: pytest.TempPathFactory) -> Film:
    folder = tmp_path_factory.mktemp("film")
    scenes = make_scenes(folder / "scenes", film_specs(SCENES))
    captions = [[CaptionCue(100, 900, f"Scene {k} & <more>")] for k in range(SCENES)]
    seen: list[tuple[int, int]] = []
    report = assemble(
        scenes,
        folder / "final.mp4",
        titles=TITLES,
        captions=captions,
        title="Sixty scenes",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    return Film(scenes, report, read_audio(report.out), read_luma(report.out))


def scene_starts(luma: npt.NDArray[np.uint8]) -> list[int]:
    """Frames that flash white: the first frame of each scene."""
    return [int(i) for i in np.flatnonzero(luma > 200)]


def envelope(audio: npt.NDArray[np.float64], window: int) -> npt.NDArray[np.float64]:
    """The amplitude a sine would need for the RMS level around each sample."""
    return np.sqrt(np.convolve(audio**2, np.ones(window) / window, mode="same") * 2)


def gain_of(audio: npt.NDArray[np.float64]) -> float:
    """How much louder than generated the audio ended up (normalisation), from scene 1."""
    inside = envelope(audio[:RATE], 240)[RATE // 5 : RATE * 4 // 5]
    return float(np.median(inside)) / film_specs(1)[0].amplitude


def onsets_ms(audio: npt.NDArray[np.float64], starts: list[int]) -> list[float]:
    """For each scene after the first, where its audio starts (its level ramp's midpoint,
    less half the ramp) minus where its video starts, in ms; inf if it is not found."""
    env, gain, specs = envelope(audio, 120), gain_of(audio), film_specs(SCENES)
    offsets = []
    for k in range(1, min(len(starts), SCENES)):
        at = round(starts[k] * RATE / FPS)
        lo, hi = at - RATE // 4, at + RATE // 4
        middle = gain * (specs[k].ramp_from + specs[k].amplitude) / 2
        rising = specs[k].amplitude > specs[k].ramp_from
        crossed = np.flatnonzero(env[lo:hi] > middle if rising else env[lo:hi] < middle)
        onset = (lo + crossed[0]) / RATE - RAMP_S / 2 if len(crossed) else float("inf")
        offsets.append(1000 * (onset - at / RATE))
    return offsets


def join_damage(audio: npt.NDArray[np.float64], starts: list[int]) -> tuple[float, float]:
    """(worst jump, deepest dropout) at the joins. The jump is the largest second difference
    within 10 ms of a join as a share of the louder scene's amplitude: a click is a jump in
    the waveform, which a sine does not have. The dropout is the lowest level within 30 ms
    of a join as a share of the quieter scene's level."""
    d2 = np.abs(audio[2:] - 2 * audio[1:-1] + audio[:-2])
    env, gain, specs = envelope(audio, 240), gain_of(audio), film_specs(SCENES)
    jumps, dropouts = [], []
    for k in range(1, min(len(starts), SCENES)):
        j = round(starts[k] * RATE / FPS)
        a, b = specs[k].ramp_from, specs[k].amplitude
        jumps.append(float(d2[j - 480 : j + 480].max()) / (gain * max(a, b)))
        dropouts.append(float(env[j - 1440 : j + 1440].min()) / (gain * min(a, b)))
    return max(jumps), min(dropouts)


def test_every_scene_starts_where_expected(film: Film) -> None:
    assert len(film.luma) == SCENES * FPS
    assert scene_starts(film.luma) == [k * FPS for k in range(SCENES)]
    # each scene's own grey follows its flash: the order is kept
    greys = [int(film.luma[k * FPS + 5]) for k in range(SCENES)]
    assert greys == sorted(greys) and len(set(greys)) == SCENES


def test_video_is_copied_packet_for_packet(film: Film) -> None:
    def packets(path: Path) -> list[str]:
        text = subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-c", "copy",
             "-f", "framemd5", "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return [ln.rsplit(",", 1)[1].strip() for ln in text.splitlines() if not ln.startswith("#")]

    joined = packets(film.report.out)
    for k in (0, 31, SCENES - 1):
        assert joined[k * FPS : (k + 1) * FPS] == packets(film.scenes[k])
    assert read_scene(film.report.out).config == read_scene(film.scenes[0]).config


def test_audio_lasts_as_long_as_the_video(film: Film) -> None:
    video_ms = len(film.luma) * FRAME_MS
    audio_ms = len(film.audio) * 1000 / RATE
    assert abs(audio_ms - video_ms) < FRAME_MS
    assert abs(audio_ms - video_ms) <= 1  # in fact to the sample
    assert film.report.duration_ms == SCENES * 1000


def test_audio_stays_in_sync_across_60_joins(film: Film) -> None:
    offsets = onsets_ms(film.audio, scene_starts(film.luma))
    assert len(offsets) == SCENES - 1
    assert max(abs(o) for o in offsets) < FRAME_MS
    assert abs(offsets[-1]) < 2.0  # measured: under 1 ms at the 60th join


def test_each_scene_keeps_its_own_tone(film: Film) -> None:
    for k, spec in enumerate(film_specs(SCENES)):
        piece = film.audio[k * RATE + RATE // 10 : (k + 1) * RATE - RATE // 10]
        spectrum = np.abs(np.fft.rfft(piece * np.hanning(len(piece)), 8 * RATE))
        assert abs(np.argmax(spectrum) / 8 - spec.tone_hz) <= 1


def test_joins_neither_click_nor_drop_out(film: Film) -> None:
    jump, dropout = join_damage(film.audio, scene_starts(film.luma))
    assert jump < 0.1  # measured: 0.05, the sines' own change of slope at a join
    assert dropout > 0.5  # measured: 0.9


def test_joined_audio_is_the_scenes_audio(film: Film) -> None:
    """Around every join the film's audio is each scene's own audio (decoded alone), up to
    a constant gain and a constant sub-sample delay (the normalisation's gain and 18 kHz
    low-pass), fitted by least squares: nothing lost, added or shifted, but AAC's noise."""
    ideal = np.concatenate([read_audio(p)[:RATE] for p in film.scenes])
    slope = np.gradient(ideal)
    basis = np.stack([ideal, slope], axis=1)
    (gain, lag), *_ = np.linalg.lstsq(basis, film.audio[: len(ideal)], rcond=None)
    assert abs(lag / gain) < 1  # less than a sample late
    residual = np.abs(film.audio[: len(ideal)] - basis @ np.array([gain, lag]))
    worst = max(float(residual[j - 960 : j + 960].max()) for j in range(RATE, len(ideal), RATE))
    assert worst < 0.02 * gain * max(LEVELS)  # measured: 0.5 %, -46 dB


def test_the_checks_catch_a_plain_stream_copy(film: Film, tmp_path: Path) -> None:
    """The naive join (-f concat -c copy) fails the sync and join checks above."""
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"file '{p}'\n" for p in film.scenes))
    naive = tmp_path / "naive.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
         "-c", "copy", str(naive)],
        check=True,
    )  # fmt: skip
    audio, luma = read_audio(naive), read_luma(naive)
    starts = scene_starts(luma)
    assert abs(len(audio) / RATE - len(luma) / FPS) * 1000 > FRAME_MS  # 1.4 s too long
    assert max(abs(o) for o in onsets_ms(audio, starts)) > FRAME_MS
    assert join_damage(audio, starts)[1] < 0.5  # the priming of each scene: a dropout


def test_output_format(film: Film) -> None:
    info = probe(film.report.out)
    assert (info.video_codec, info.audio_codec, info.width, info.height) == ("h264", "aac", 64, 36)
    banner = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(film.report.out)],
        capture_output=True, text=True, check=False,
    ).stderr  # fmt: skip
    assert "48000 Hz, stereo" in banner
    kbps = int(banner.split("48000 Hz, stereo, fltp, ")[1].split(" kb/s")[0])
    assert kbps <= 200  # 192 kb/s asked; pure tones need less (speech: see test_loudness)
    head = film.report.out.read_bytes()[:4096]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head  # +faststart


def test_loudness_is_normalised(film: Film) -> None:
    after = measure(film.report.out)
    assert abs(after.integrated_lufs + 16) <= 0.5
    assert after.true_peak_dbtp <= -1.5
    assert film.report.loudness_after == after
    assert film.report.loudness_before.integrated_lufs > -12  # the tones were loud
    assert film.report.normalization is not None and not film.report.normalization.limited


def test_chapters_are_mapped_into_the_file(film: Film) -> None:
    text = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(film.report.out), "-f", "ffmetadata", "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    meta = parse_ffmetadata(text)
    assert meta.tags["title"] == "Sixty scenes"
    assert [c.title for c in meta.chapters] == [f"Part {n}" for n in range(1, 7)]
    assert [c.start_ms for c in meta.chapters] == [n * 10_000 for n in range(6)]
    assert meta.chapters[-1].end_ms == SCENES * 1000


def test_sidecars_are_written_beside_the_video(film: Film) -> None:
    out = film.report.out
    srt, vtt, listing = (out.with_name(out.stem + s) for s in (".srt", ".vtt", ".chapters.txt"))
    assert set(film.report.sidecars) == {srt, vtt, listing}
    assert listing.read_text().splitlines() == [f"0:{10 * n:02d} Part {n + 1}" for n in range(6)]
    assert "00:00:59.100 --> 00:00:59.900\nScene 59 &amp; &lt;more&gt;" in vtt.read_text()
    assert "60\n00:00:59,100 --> 00:00:59,900\nScene 59 & <more>" in srt.read_text()


def test_report_says_where_each_scene_landed(film: Film) -> None:
    report = film.report
    assert [s.start_ms for s in report.scenes] == [k * 1000 for k in range(SCENES)]
    assert [s.start_frame for s in report.scenes] == [k * FPS for k in range(SCENES)]
    assert report.frames == SCENES * FPS and report.fps == Fraction(FPS)
    assert report.seconds > 0 and not report.warnings
    assert [what for what, _ in report.steps] == [
        "decoding the scenes' audio",
        "measuring the joined audio",
        "encoding the audio",  # one run: every piece is new
        "writing the video",
        "measuring the finished audio",
    ]  # the tones needed no limiter, so no measuring pass for it
    assert report.audio is not None
    assert (report.audio.scenes_decoded, report.audio.pieces_encoded) == (SCENES, SCENES)
    assert report.audio.pieces_reused == 0 and not report.audio.plan_reused
    assert sum(t for _, t in report.steps) <= report.seconds
    assert not list(report.out.parent.glob(".final*"))  # no temporary files left
