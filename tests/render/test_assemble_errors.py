"""Assembly refuses what it cannot join, says why, and never leaves a half-made film."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.render.media import RATE, ToneScene, make_scenes, read_audio, read_luma
from vidkit.errors import InvalidInput, MediaError
from vidkit.media import ffmpeg_exe
from vidkit.render.assemble import assemble, read_scene
from vidkit.render.chapters import Chapter

FRAMES = 15


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Half-second scenes: two alike, and one unlike them in each way that matters."""
    specs = {
        "a": ToneScene(FRAMES, tone_hz=440, amplitude=0.3),
        "b": ToneScene(FRAMES, tone_hz=660, amplitude=0.3, gray=90),
        "silent": ToneScene(FRAMES, audio=False, gray=60),
        "wide": ToneScene(FRAMES, size=(96, 54)),
        "pal": ToneScene(FRAMES, fps=25),
        "mpeg4": ToneScene(FRAMES, codec="mpeg4"),
        "ultrafast": ToneScene(FRAMES, preset="ultrafast"),
    }
    folder = tmp_path_factory.mktemp("clips")
    paths = make_scenes(folder, list(specs.values()))
    return dict(zip(specs, paths, strict=True))


@pytest.mark.parametrize(
    ("odd", "says"),
    [
        ("wide", "it is 96x54, the first scene is 64x36"),
        ("pal", "it runs at 25 fps, the first scene at 30 fps"),
        ("mpeg4", "its video codec is mp4v"),
        ("ultrafast", "encoder settings"),
    ],
)
def test_scenes_unlike_the_first_are_refused(
    clips: dict[str, Path], odd: str, says: str, tmp_path: Path
) -> None:
    out = tmp_path / "film.mp4"
    with pytest.raises(MediaError, match=f"scene 3 \\({clips[odd].name}\\).*{says}"):
        assemble([clips["a"], clips["b"], clips[odd]], out)
    assert not out.exists()


def test_damaged_or_missing_files_are_named(clips: dict[str, Path], tmp_path: Path) -> None:
    whole = clips["a"].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("these are my notes, not a video\n" * 20)
    cases = [
        (tmp_path / "missing.mp4", "missing.mp4 does not exist"),
        (cut, "cut.mp4 is cut short .* render the scene again"),
        (empty, "empty.mp4 is empty"),
        (text, "notes.mp4 is not an MP4 file"),
    ]
    for path, says in cases:
        with pytest.raises(MediaError, match=says):
            assemble([clips["a"], path], tmp_path / "film.mp4")


def test_an_audio_file_is_not_a_scene(tmp_path: Path) -> None:
    m4a = tmp_path / "voice.m4a"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=d=0.5", "-c:a", "aac", str(m4a)],
        check=True,
    )
    with pytest.raises(MediaError, match=r"voice\.m4a has no video track"):
        read_scene(m4a)


def test_a_scene_without_audio_is_silent_and_keeps_sync(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    report = assemble([clips["a"], clips["silent"], clips["b"]], tmp_path / "film.mp4")
    audio, luma = read_audio(report.out), read_luma(report.out)
    assert len(luma) == 3 * FRAMES and len(audio) == 3 * FRAMES * RATE // 30
    half = RATE // 2
    assert np.abs(audio[half + 960 : 2 * half - 960]).max() < 1e-3
    third = audio[2 * half :]
    onset = int(np.flatnonzero(np.abs(third) > 0.05)[0])
    assert 0 < onset < RATE * 6 // 1000  # within its 5 ms fade-in: no earlier, no later
    assert [s.has_audio for s in report.scenes] == [True, False, True]


def test_interrupted_assembly_leaves_no_film(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "film.mp4"
    out.write_bytes(b"the film from yesterday")

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        assemble([clips["a"], clips["b"]], out, captions=[[], []], progress=stop)
    assert out.read_bytes() == b"the film from yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.mp4"]


def test_level_is_kept_without_a_loudness_target(clips: dict[str, Path], tmp_path: Path) -> None:
    report = assemble([clips["a"]], tmp_path / "film.mp4", loudness=None)
    audio = read_audio(report.out)
    assert report.loudness_after is None and report.normalization is None
    peak = np.abs(audio[RATE // 10 : RATE * 4 // 10]).max()
    assert abs(20 * np.log10(peak / 0.3)) < 0.5  # mono to stereo at unity gain


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"titles": ["One"]}, "1 titles for 2 scenes"),
        ({"captions": [[]]}, "1 captions for 2 scenes"),
        ({"keys": ["only-one"]}, "1 keys for 2 scenes"),
        ({"titles": ["A", "B"], "chapters": [Chapter("A", 0, 500)]}, "not both"),
        ({"chapters": [Chapter("A", 0, 2000)]}, "after the video"),
        ({"chapters": [Chapter("A", 0, 600), Chapter("B", 500, 900)]}, "overlaps"),
    ],
)
def test_inconsistent_arguments(
    clips: dict[str, Path], tmp_path: Path, kwargs: dict[str, object], says: str
) -> None:
    with pytest.raises(InvalidInput, match=says):
        assemble([clips["a"], clips["b"]], tmp_path / "film.mp4", **kwargs)  # type: ignore[arg-type]


def test_a_cache_that_cannot_be_a_folder(clips: dict[str, Path], tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    out = tmp_path / "film.mp4"
    with pytest.raises(MediaError, match="cannot create the assembly cache folder"):
        assemble([clips["a"], clips["b"]], out, cache=blocker)
    assert not out.exists() and blocker.read_text().startswith("a file")


def test_no_scenes(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no scenes"):
        assemble([], tmp_path / "film.mp4")


def test_a_full_disk_is_reported_and_leaves_no_film(clips: dict[str, Path], tmp_path: Path) -> None:
    # The first scene's decoded audio goes to scenes/.0.<pid>.part in the cache: make that
    # name lead to a full disk.
    cache = tmp_path / "cache"
    (cache / "scenes").mkdir(parents=True)
    (cache / "scenes" / f".0.{os.getpid()}.part").symlink_to("/dev/full")
    out = tmp_path / "film.mp4"
    with pytest.raises(MediaError, match="the disk is full while decoding the scenes' audio"):
        assemble([clips["a"], clips["b"]], out, cache=cache)
    assert not out.exists()
    assert not list((cache / "scenes").iterdir()), "nothing half-written is kept"
    report = assemble([clips["a"], clips["b"]], out, cache=cache)  # space again: it works
    assert report.audio is not None and report.audio.scenes_decoded == 2
