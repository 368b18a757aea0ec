"""Assembling again with a cache: unchanged scenes are neither decoded nor encoded again,
and the spliced film keeps every guarantee of one made in one go (sync, joins, loudness)."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests.render.media import (
    LEVELS,
    RATE,
    ToneScene,
    film_specs,
    make_audio_scene,
    make_scenes,
    read_audio,
    read_luma,
    speechlike,
)
from tests.render.test_assemble import join_damage, onsets_ms, scene_starts
from vidkit.render.assemble import AssemblyReport, assemble
from vidkit.render.loudness import measure

pytestmark = pytest.mark.slow

COUNT = 12
FPS = 30
CHANGED = 5


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The film's scenes, and two stand-ins for scene 6: one as long (another tone, another
    grey), one longer (41 frames instead of 30)."""
    folder = tmp_path_factory.mktemp("scenes")
    specs = film_specs(COUNT)
    same = replace(specs[CHANGED], tone_hz=690, gray=200)
    longer = replace(specs[CHANGED], tone_hz=690, gray=200, frames=41)
    paths = make_scenes(folder, [*specs, same, longer])
    return {
        "film": paths[:COUNT],
        "same length": [*paths[:CHANGED], paths[COUNT], *paths[CHANGED + 1 : COUNT]],
        "longer": [*paths[:CHANGED], paths[COUNT + 1], *paths[CHANGED + 1 : COUNT]],
    }


def specs_of(kind: str) -> list[ToneScene]:
    specs = film_specs(COUNT)
    if kind != "film":
        frames = 41 if kind == "longer" else 30
        specs[CHANGED] = replace(specs[CHANGED], tone_hz=690, frames=frames)
    return specs


def ideal(paths: list[Path], specs: list[ToneScene]) -> npt.NDArray[np.float64]:
    """Each scene's own audio, cut to its video's length, end to end."""
    return np.concatenate(
        [read_audio(p)[: s.frames * RATE // FPS] for p, s in zip(paths, specs, strict=True)]
    )


def check_film(report: AssemblyReport, paths: list[Path], specs: list[ToneScene]) -> None:
    """What test_assemble.py checks of a film made in one go, for a spliced one."""
    audio, luma = read_audio(report.out), read_luma(report.out)
    frames = sum(s.frames for s in specs)
    assert len(luma) == frames and len(audio) == frames * RATE // FPS  # to the sample
    starts = scene_starts(luma)
    assert starts == list(np.cumsum([0] + [s.frames for s in specs[:-1]]))
    offsets = onsets_ms(audio, starts)
    assert max(abs(o) for o in offsets) < 2.0  # in sync at every join, spliced or not
    jump, dropout = join_damage(audio, starts)
    assert jump < 0.1 and dropout > 0.5
    # Nothing lost, added or shifted around the joins: the film is the scenes' audio times
    # the normalisation's gain (and the low-pass's sub-sample delay), up to AAC's noise.
    want = ideal(paths, specs)
    basis = np.stack([want, np.gradient(want)], axis=1)
    (gain, lag), *_ = np.linalg.lstsq(basis, audio, rcond=None)
    assert abs(lag / gain) < 1
    residual = np.abs(audio - basis @ np.array([gain, lag]))
    for start in starts[1:]:
        at = start * RATE // FPS
        assert residual[at - 2048 : at + 2048].max() < 0.02 * gain * max(LEVELS)
    loudness = measure(report.out)
    assert abs(loudness.integrated_lufs + 16) <= 0.5 and loudness.true_peak_dbtp <= -1.5


def test_an_unchanged_film_is_not_encoded_again(
    scenes: dict[str, list[Path]], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = assemble(scenes["film"], tmp_path / "first.mp4", cache=cache)
    again = assemble(scenes["film"], tmp_path / "again.mp4", cache=cache)
    assert first.audio is not None and again.audio is not None
    assert (first.audio.scenes_decoded, first.audio.pieces_encoded) == (COUNT, COUNT)
    assert again.audio.scenes_decoded == 0 and again.audio.pieces_encoded == 0
    assert again.audio.pieces_reused == COUNT and again.audio.plan_reused
    assert "encoding the audio" not in [what for what, _ in again.steps]
    assert np.array_equal(read_audio(first.out), read_audio(again.out))
    assert again.loudness_after == first.loudness_after


def test_a_changed_scene_re_encodes_its_audio_and_its_joins_only(
    scenes: dict[str, list[Path]], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assemble(scenes["film"], tmp_path / "first.mp4", cache=cache)
    report = assemble(scenes["same length"], tmp_path / "edited.mp4", cache=cache)
    assert report.audio is not None
    assert report.audio.scenes_decoded == 1 and report.audio.scenes_reused == COUNT - 1
    # its own piece, and its neighbours': their packets at the joins hold some of it
    assert (report.audio.pieces_encoded, report.audio.pieces_reused) == (3, COUNT - 3)
    assert report.audio.encoded_ms < 4000
    check_film(report, scenes["same length"], specs_of("same length"))


def test_a_longer_scene_re_encodes_what_follows_it(
    scenes: dict[str, list[Path]], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assemble(scenes["film"], tmp_path / "first.mp4", cache=cache)
    report = assemble(scenes["longer"], tmp_path / "edited.mp4", cache=cache)
    assert report.audio is not None and report.audio.scenes_decoded == 1
    # everything after it moved by 11 frames: no packet of it falls on the same samples
    assert report.audio.pieces_reused == CHANGED - 1
    assert report.audio.pieces_encoded == COUNT - CHANGED + 1
    check_film(report, scenes["longer"], specs_of("longer"))


def test_scenes_are_known_by_content_not_by_name(
    scenes: dict[str, list[Path]], tmp_path: Path
) -> None:
    folder = tmp_path / "scenes"
    folder.mkdir()
    paths = [folder / p.name for p in scenes["film"]]
    for source, path in zip(scenes["film"], paths, strict=True):
        path.write_bytes(source.read_bytes())
    cache = tmp_path / "cache"
    assemble(paths, tmp_path / "first.mp4", cache=cache)
    paths[CHANGED].write_bytes(scenes["same length"][CHANGED].read_bytes())  # same name
    report = assemble(paths, tmp_path / "edited.mp4", cache=cache)
    assert report.audio is not None and report.audio.scenes_decoded == 1
    check_film(report, paths, specs_of("same length"))


def test_damaged_cache_entries_are_made_again(
    scenes: dict[str, list[Path]], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = assemble(scenes["film"], tmp_path / "first.mp4", cache=cache)
    pcm = sorted((cache / "scenes").glob("*.f32"))[0]
    pcm.write_bytes(pcm.read_bytes()[:100])  # cut short
    piece = sorted((cache / "pieces").glob("*.aac"))[3]
    piece.write_bytes(piece.read_bytes()[:-10])  # its last packet cut short
    report = assemble(scenes["film"], tmp_path / "again.mp4", cache=cache)
    assert report.audio is not None and report.audio.scenes_decoded == 1
    assert report.audio.pieces_encoded >= 1
    assert np.abs(read_audio(report.out) - read_audio(first.out)).max() < 0.01


def test_entries_out_of_use_are_removed_after_an_hour(
    scenes: dict[str, list[Path]], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    assemble(scenes["film"], tmp_path / "first.mp4", cache=cache)
    before = {p.name for p in (cache / "pieces").iterdir()}
    assemble(scenes["same length"], tmp_path / "edited.mp4", cache=cache)
    pieces = {p.name for p in (cache / "pieces").iterdir()}
    assert before < pieces  # the old pieces stay a while: another assembly may need them
    hour_ago = time.time() - 3700
    for path in [*(cache / "pieces").iterdir(), *(cache / "scenes").iterdir()]:
        os.utime(path, (hour_ago, hour_ago))
    report = assemble(scenes["same length"], tmp_path / "again.mp4", cache=cache)
    assert report.audio is not None and report.audio.pieces_encoded == 0
    kept = {p.name for p in (cache / "pieces").iterdir()}
    assert len(kept) == COUNT and kept < pieces
    assert len(list((cache / "scenes").glob("*.f32"))) == COUNT


def test_films_of_whole_packets_or_of_one_frame_keep_their_length(tmp_path: Path) -> None:
    # 64 frames at 30 fps are 102400 samples, exactly 100 AAC packets; one frame is 1600
    specs = [ToneScene(64, tone_hz=440, amplitude=0.3), ToneScene(1, tone_hz=660, gray=90)]
    paths = make_scenes(tmp_path / "scenes", specs)
    for chosen, samples in (([paths[0]], 102400), ([paths[1]], 1600), (paths, 104000)):
        report = assemble(chosen, tmp_path / f"film{samples}.mp4", cache=tmp_path / "cache")
        assert len(read_audio(report.out)) == samples


def test_speech_stays_on_target_when_a_scene_changes(tmp_path: Path) -> None:
    def scene(name: str, seconds: float, seed: int) -> Path:
        voice = speechlike(seconds, 0.9, seed=seed)
        voice[-960:] *= np.linspace(1, 0, 960)  # speech ends softly, then a pause
        padded = np.concatenate([voice, np.zeros(RATE // 10)])
        return make_audio_scene(tmp_path / name, padded, gray=40 + seed)

    paths = [scene(f"s{k}.mp4", 3.0 + 0.4 * k, k) for k in range(4)]
    cache = tmp_path / "cache"
    first = assemble(paths, tmp_path / "first.mp4", cache=cache)
    assert first.normalization is not None and first.normalization.limited
    paths[1] = scene("other.mp4", 2.3, 11)
    edited = assemble(paths, tmp_path / "edited.mp4", cache=cache)
    fresh = assemble(paths, tmp_path / "fresh.mp4")  # no cache: everything made now
    assert edited.audio is not None and edited.audio.pieces_reused == 0  # piece 1 moved
    for report in (first, edited, fresh):
        loudness = measure(report.out)
        assert abs(loudness.integrated_lufs + 16) <= 0.5 and loudness.true_peak_dbtp <= -1.5
        assert not report.warnings
    a, b = measure(edited.out), measure(fresh.out)
    assert abs(a.integrated_lufs - b.integrated_lufs) <= 0.3
