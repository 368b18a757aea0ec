"""The other kinds of job, end to end in their own process: capturing the scenes that have a
capture script (a terminal session here) and tightening the scenes made from a recording (a
silent one: only its idle screen is cut); the scenes that do not suit the kind are left out."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

import vidkit
from tests.conftest import write_config
from vidkit import editing
from vidkit.api import Workspace
from vidkit.editing.recording import use_recording
from vidkit.jobs import RenderJob, get_job, job_log, start_job
from vidkit.media import ffmpeg_exe

TERMINAL = '[terminal]\nhold_ms = 200\nsteps = [{ type = "echo hello" }]\n'


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = vidkit.open(write_config(tmp_path / "ws", "[render]\ntitle_cards = false\n"))
    workspace.create_project("p", "P", width=320, height=180, fps=10)
    return workspace


def _finished(ws: Workspace, job: RenderJob, timeout_s: float = 180.0) -> RenderJob:
    deadline = time.monotonic() + timeout_s
    while (job := get_job(ws, job.id)).active:
        assert time.monotonic() < deadline, job_log(job).records
        time.sleep(0.2)
    assert job.status == "finished", (job.error, Path(job.log_path).with_suffix(".err"))
    assert job.result is not None
    return job


def test_a_capture_job_captures_the_scenes_with_a_script(ws: Workspace) -> None:
    ws.add_scene("p", "Plain", narration="Nothing to capture here.")
    scripted = ws.add_scene("p", "Terminal", narration="Hello.")
    editing.set_capture_script(ws, "p", scripted.id, TERMINAL)
    job = _finished(ws, start_job(ws, "p", "capture"))
    assert job.result is not None
    (scene,) = job.result["scenes"]
    assert scene["scene_id"] == scripted.id and scene["duration_ms"] > 0
    video = Path(job.result["files"][scene["file"]]["path"])
    assert video.is_file() and job.result["files"][scene["file"]]["media_type"] == "video/mp4"
    assert [a.id for a in ws.assets("p", kind="captured_screen")] == [scene["asset_id"]]


def test_a_tighten_job_tightens_the_scenes_made_from_a_recording(
    ws: Workspace, tmp_path: Path
) -> None:
    recording = tmp_path / "silent.mp4"
    graph = (
        "color=c=0x336699:s=320x180:r=30:d=3[a];testsrc2=s=320x180:r=30:d=1.2[b];"
        "color=c=0x336699:s=320x180:r=30:d=3[c];[a][b][c]concat=n=3:v=1:a=0,format=yuv420p[v]"
    )
    subprocess.run(
        [ffmpeg_exe(), "-loglevel", "error", "-y", "-filter_complex", graph, "-map", "[v]",
         "-c:v", "libx264", "-preset", "veryfast", str(recording)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    ws.add_scene("p", "Spoken", narration="Not a recording.")
    recorded = ws.add_scene("p", "Recorded")
    asset = ws.import_asset("p", recording, kind="screen_capture")
    use_recording(ws, "p", recorded.id, asset.id)
    job = _finished(ws, start_job(ws, "p", "tighten"))
    assert job.result is not None
    (scene,) = job.result["scenes"]
    assert scene["scene_id"] == recorded.id and scene["version"] == 2
    assert scene["after_ms"] < scene["before_ms"]
    assert ws.catalogue.scene_edit("p", recorded.id).cuts is not None  # type: ignore[union-attr]
    assert [r["event"] for r in job_log(job).records if r["event"] == "scene"] == ["scene"]
