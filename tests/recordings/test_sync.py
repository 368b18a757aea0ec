"""A recording cut a hundred times stays in sync and does not click: measured on a flash/beep
clip (a white frame and a 1 kHz beep at known instants) rendered through the pipeline."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import vidkit
from tests.recordings.media import beep_times_ms, flash_beep, flash_times_ms
from vidkit.api import Workspace
from vidkit.cuts import CutList
from vidkit.editing.recording import set_cuts, use_recording
from vidkit.media import probe

FPS = 30
FRAME_MS = 1000 / FPS
#: A flash and a beep every 800 ms (24 frames, from frame 6) for 40 s; two 4-frame cuts
#: between each pair.
INSTANTS = [800 * k + 200 for k in range(50)]


def test_a_hundred_cuts_keep_sound_and_picture_within_a_frame(
    tmp_path: Path, workspace: Workspace
) -> None:
    clip = flash_beep(tmp_path / "sync.mp4", seconds=40.4, instants_ms=INSTANTS)
    workspace.create_project("sync", "Sync", width=320, height=180)
    scene = workspace.add_scene("sync", "Sync")
    recording = workspace.import_asset("sync", clip, kind="screen_capture")
    use_recording(workspace, "sync", scene.id, recording.id)
    cuts = CutList.whole(0, round(40.4 * FPS), Fraction(FPS))
    for j in range(50):  # flashes are at frames 24j + 6: cut 24j+10..+14 and 24j+20..+24
        for start in (24 * j + 10, 24 * j + 20):
            cuts = cuts.with_action(start, start + 4, "cut", "manual")
    assert len(cuts.joins()) == 100
    set_cuts(workspace, "sync", scene.id, cuts)
    result = vidkit.render(workspace, "sync", workers=1)
    out = result.final
    info = probe(out)
    assert info.duration_ms is not None
    assert abs(info.duration_ms - cuts.output_ms) <= 2 * FRAME_MS

    flashes = flash_times_ms(out)
    beeps = beep_times_ms(out)
    expected = [cuts.to_output(t) for t in INSTANTS]
    assert all(e is not None for e in expected)
    assert len(flashes) == len(beeps) == len(INSTANTS)
    for flash, beep, want in zip(flashes, beeps, expected, strict=True):
        assert want is not None
        assert abs(flash - want) <= FRAME_MS / 2, (flash, want)  # the right frame
        assert abs(beep - flash) <= FRAME_MS, (beep, flash)  # in sync, at every join
