"""Recordings as people make them — containers, codecs, no sound, variable frame rate, odd
sizes, a phone's portrait video — each cut and rendered in sync at the project's size."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from tests.recordings.media import encode_variant, flash_beep, flash_times_ms
from vidkit.api import Workspace
from vidkit.cuts import CutList
from vidkit.editing.recording import set_cuts, use_recording
from vidkit.media import probe
from vidkit.pipeline import render

INSTANTS = [200, 1000, 1800, 2600]
VARIANTS: dict[str, dict[str, Any]] = {
    "obs.mp4": {"vcodec": "h264", "acodec": "aac"},
    "quicktime.mov": {"vcodec": "hevc", "acodec": "aac"},
    "obs.mkv": {"vcodec": "vp9", "acodec": "opus"},
    "browser.webm": {"vcodec": "vp8", "acodec": "opus", "vfr": True},
    "av1.webm": {"vcodec": "av1", "acodec": "opus"},
    "mp3-sound.mp4": {"vcodec": "h264", "acodec": "mp3"},
    "silent.mp4": {"vcodec": "h264"},
    "laptop-1366x768.mp4": {"vcodec": "h264", "acodec": "aac", "size": (1366, 768)},
    "screen-4k.mp4": {"vcodec": "h264", "acodec": "aac", "size": (3840, 2160)},
    "phone-portrait.mp4": {
        "vcodec": "h264",
        "acodec": "aac",
        "size": (360, 640),
        "rotate_portrait": True,
    },
}


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    return flash_beep(folder / "sync.mp4", seconds=3.2, instants_ms=INSTANTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_recording_of_any_usual_kind_cuts_and_renders_in_sync(
    name: str, clip: Path, tmp_path: Path, workspace: Workspace
) -> None:
    source = encode_variant(clip, tmp_path / name, **VARIANTS[name])
    workspace.create_project("fmt", "Formats", width=320, height=180)
    scene = workspace.add_scene("fmt", "Clip")
    asset = workspace.import_asset("fmt", source, kind="screen_capture")
    use_recording(workspace, "fmt", scene.id, asset.id)
    frames = round(3.2 * 30) - 2
    cuts = CutList.whole(0, frames, Fraction(30))
    for start in (10, 34, 58):  # between the flashes (frames 6, 30, 54, 78)
        cuts = cuts.with_action(start, start + 4, "cut", "manual")
    set_cuts(workspace, "fmt", scene.id, cuts)
    result = render(workspace, "fmt", workers=1)
    info = probe(result.final)
    assert (info.width, info.height) == (320, 180)
    assert info.duration_ms is not None and abs(info.duration_ms - cuts.output_ms) <= 70
    assert info.has_audio  # a recording without sound renders with silence
    if "portrait" in name:
        return  # pillarboxed: the white flash no longer fills the frame
    expected = [round(cuts.to_output(t) or -1) for t in INSTANTS]
    assert flash_times_ms(result.final) == pytest.approx(expected, abs=17)
