"""Rendering a real project end to end, incremental re-renders, resume, and bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.bad_media import record_unchecked
from tests.conftest import REPO
from vidkit.api import Workspace
from vidkit.errors import InvalidInput, MediaError
from vidkit.media import ffmpeg_exe, probe
from vidkit.pipeline import Event, render
from vidkit.render.loudness import measure

pytestmark = pytest.mark.slow


def _frame(path: Path, seconds: float, width: int, height: int) -> np.ndarray:
    raw = subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-ss", f"{seconds:.3f}", "-i", str(path),
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


def test_a_project_renders_to_a_checked_video(render_ws: Workspace) -> None:
    events: list[Event] = []
    result = render(render_ws, "tiny", progress=events.append)
    assert result.final is not None and result.final.is_file()
    info = probe(result.final)
    assert info.has_video and info.has_audio and (info.width, info.height) == (640, 360)

    # Each scene lasts its narration, to the frame; the whole is their sum.
    speech = {a.scene_id: a for a in render_ws.assets("tiny", kind="tts_audio")}
    frame_ms = 40
    for scene in result.scenes:
        spoken = speech[scene.scene_id].duration_ms
        assert spoken is not None and abs(scene.report["duration_ms"] - spoken) <= frame_ms
    total = sum(s.report["duration_ms"] for s in result.scenes)
    assert info.duration_ms is not None and abs(info.duration_ms - total) <= frame_ms

    loud = measure(result.final)
    assert abs(loud.integrated_lufs + 16) <= 0.5 and loud.true_peak_dbtp <= -1.5

    # Captions are inside the speech: none before the first word, none past the end.
    srt = result.sidecars["srt"].read_text()
    assert "Maps make a list." in srt.replace("\n", " ")
    starts = result.report["scene_starts_ms"]
    timings = [
        render_ws.asset_path(a).read_text() for a in render_ws.assets("tiny", kind="timings")
    ]
    assert len(timings) == 2 and starts[0] == 0
    assert result.sidecars["vtt"].read_text().startswith("WEBVTT")
    assert "0:00 A loop" in result.sidecars["chapters"].read_text()

    # The presenter moves: the avatar corner differs between two moments of scene 1.
    a, b = _frame(result.final, 0.5, 640, 360), _frame(result.final, 1.9, 640, 360)
    corner = (slice(360 - 140, 360), slice(640 - 140, 640))
    assert np.abs(a[corner].astype(int) - b[corner].astype(int)).mean() > 0.5
    assert {e.stage for e in events} >= {"speak", "animate", "compose", "assemble"}


def test_editing_one_scene_rerenders_only_that_scene(render_ws: Workspace) -> None:
    first = render(render_ws, "tiny", workers=1)
    assert not any(any(s.cached.values()) for s in first.scenes)
    scene_two = first.scenes[1].scene_id
    render_ws.update_scene("tiny", scene_two, narration="Now it fits in a single line.")
    again = render(render_ws, "tiny", workers=1)
    assert all(again.scenes[0].cached.values())
    assert not any(again.scenes[1].cached.values())
    jobs = render_ws.jobs("tiny")
    per_scene = {
        sid: [j.stage for j in jobs if j.scene_id == sid]
        for sid in (s.scene_id for s in first.scenes)
    }
    assert per_scene[first.scenes[0].scene_id] == ["speak", "animate", "compose", "qc"]
    assert per_scene[scene_two] == ["speak", "animate", "compose", "qc"] * 2
    assert [j.stage for j in jobs if j.scene_id is None].count("assemble") == 2
    # The assembly decoded only the edited scene's audio: scene 1's was kept from before.
    assert first.report["audio"]["scenes_decoded"] == 2
    assert again.report["audio"]["scenes_decoded"] == 1
    loud = measure(again.final) if again.final else None
    assert loud is not None and abs(loud.integrated_lufs + 16) <= 0.5


def test_a_killed_render_resumes(render_ws: Workspace, tmp_path: Path) -> None:
    config = render_ws.config.source
    cmd = [
        sys.executable,
        "-m",
        "vidkit.cli",
        "-c",
        str(config),
        "render",
        "tiny",
        "--workers",
        "1",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = [j for j in render_ws.jobs("tiny") if j.status == "done" and j.stage == "qc"]
        if done:
            break
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert done, "the first scene never finished"
    result = render(render_ws, "tiny", workers=1)
    assert all(result.scenes[0].cached.values()), "finished work is reused"
    assert result.final is not None and probe(result.final).duration_ms
    assert not any(p.name.endswith(".part.mp4") for p in result.final.parent.iterdir())


def test_scene_without_narration_is_refused_before_any_work(render_ws: Workspace) -> None:
    scene = render_ws.add_scene("tiny", "Empty one")
    with pytest.raises(InvalidInput, match="has no narration"):
        render(render_ws, "tiny")
    assert render_ws.jobs("tiny") == []
    with pytest.raises(InvalidInput, match="no scene 9"):
        render(render_ws, "tiny", positions=[9])
    assert scene.position == 3


def test_recording_without_video_is_a_clear_error(render_ws: Workspace, make_media: object) -> None:
    [first, _] = render_ws.scenes("tiny")
    audio = make_media("audio", 1.0)  # type: ignore[operator]
    with pytest.raises(MediaError, match="has no video stream"):  # refused at import now
        render_ws.import_asset("tiny", audio, kind="screen_capture", scene_id=first.id)
    # ... but an older catalogue may hold one
    record_unchecked(render_ws, "tiny", audio, kind="screen_capture", scene_id=first.id)
    with pytest.raises(MediaError, match="has no video stream"):
        render(render_ws, "tiny", positions=[1], workers=1)


def test_a_scene_failing_in_a_worker_names_the_scene(
    render_ws: Workspace, make_media: object
) -> None:
    [first, _] = render_ws.scenes("tiny")
    audio = make_media("audio", 1.0)  # type: ignore[operator]
    record_unchecked(render_ws, "tiny", audio, kind="screen_capture", scene_id=first.id)
    with pytest.raises(MediaError, match=r"^scene 1 \('A loop'\): .*has no video stream"):
        render(render_ws, "tiny", workers=2)
    assert not [j for j in render_ws.jobs("tiny") if j.status == "running"], "nothing left open"
