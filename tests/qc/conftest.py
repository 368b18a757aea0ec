"""A small real project rendered once for the QC tests, and broken copies of its scene.

Two scenes at 640x360, 25 fps, with the astronaut as presenter, each showing a lavfi screen
recording: scene 1 is clean (its recording fits within the speed cap); scene 2's recording is
far too long for its narration (it needs more than twice the cap: the fit is red). Broken
scenes are made from scene 1's MP4 with ffmpeg (sound moved, muted, clipped; picture blacked
out, frozen, the presenter covered) and checked with :func:`vidkit.qc.check_scene` against the
same narration and captions.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.backends.portraits import astronaut
from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.config import load_config
from vidkit.media import ffmpeg_exe
from vidkit.pipeline import RenderResult, render
from vidkit.pipeline.graph import SceneGraph
from vidkit.qc import QcReport, SceneFacts, check_scene
from vidkit.stages.qc import Checked
from vidkit.stages.speak import Speech

SLUG = "qc"
FAST = '[avatar]\nmatting = "mediapipe"\n[render]\npreset = "ultrafast"\nworkers = 1\n'
CLEAN = "Here is a loop you have probably written a hundred times before today."
SHORT = "Now the same thing in one line."
FPS = 25

Cue = tuple[int, int, str]


@dataclass(frozen=True)
class Rendered:
    """One rendered scene as the graph looks it up: what its QC was made from."""

    ws: Workspace
    result: RenderResult
    speech: Speech
    video: Path
    cues: list[Cue]
    facts: SceneFacts
    checked: Checked

    def check(
        self, video: Path, *, cues: list[Cue] | None = None, facts: SceneFacts | None = None
    ) -> QcReport:
        """The checks of ``video`` (a broken copy of this scene), made as the stage makes them."""
        from vidkit.pipeline.graph import backend

        chosen = facts or self.facts
        return check_scene(
            video,
            narration=self.ws.asset_path(self.speech.audio),
            timings=self.speech.timings,
            cues=self.cues if cues is None else cues,
            facts=chosen,
            limits=self.ws.config.qc,
            facerig=backend(self.ws.config, "facerig") if chosen.presenter else None,
        )


def _recording(path: Path, seconds: float) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi",
         "-i", f"testsrc2=s=640x360:r={FPS}:d={seconds}", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True, timeout=60,
    )  # fmt: skip
    return path


def _project(folder: Path) -> Workspace:
    ws = Workspace(load_config(write_config(folder / "ws", FAST)))
    ws.create_project(SLUG, "Checked", width=640, height=360, fps=FPS)
    photo = folder / "astronaut.png"
    Image.fromarray(astronaut()).save(photo)
    ws.import_asset(SLUG, photo, kind="avatar_image")
    clean = ws.add_scene(SLUG, "Clean", narration=CLEAN)
    long = ws.add_scene(SLUG, "Too long", narration=SHORT)
    for scene, seconds in ((clean, 5.0), (long, 12.0)):
        recording = _recording(folder / f"screen{scene.position}.mp4", seconds)
        ws.import_asset(SLUG, recording, kind="screen_capture", scene_id=scene.id)
    return ws


def looked_up(ws: Workspace, result: RenderResult, position: int) -> Rendered:
    """Scene ``position`` of the rendered project, looked up through the graph."""
    graph = SceneGraph(ws, SLUG, lookup_only=True)
    presenter = graph.presenter()
    project = ws.project(SLUG)
    scene = next(s for s in ws.scenes(SLUG) if s.position == position)
    speech = graph.speech(scene, project)
    animation, _ = graph.animation(project, scene, speech, presenter)
    composed, facts = graph.composed(project, scene, speech, presenter, animation)
    checked = graph.qc(scene, speech, composed, facts)
    cues = [tuple(c) for c in json.loads(ws.asset_path(composed.captions).read_text())]
    return Rendered(
        ws,
        result,
        speech,
        ws.asset_path(composed.video),
        cues,
        facts,
        checked,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="package")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, RenderResult]:
    """The project, rendered whole (both scenes, checked, and assembled)."""
    ws = _project(tmp_path_factory.mktemp("qc"))
    return ws, render(ws, SLUG, workers=1)


@pytest.fixture(scope="package")
def clean(project: tuple[Workspace, RenderResult]) -> Rendered:
    return looked_up(*project, 1)


def broken(
    source: Path, out: Path, *, video: str | None = None, audio: str | None = None,
    audio_offset_s: float | None = None, complex_video: str | None = None,
) -> Path:  # fmt: skip
    """A copy of ``source`` with its picture through ``video`` (or the two-input
    ``complex_video`` graph) and its sound through ``audio``, or its sound stream starting
    ``audio_offset_s`` later (negative: earlier), copied as it is."""
    ff: list[Any] = [ffmpeg_exe(), "-y", "-loglevel", "error"]
    if audio_offset_s is not None:
        ff += ["-i", source, "-itsoffset", f"{audio_offset_s}", "-i", source,
               "-map", "0:v", "-map", "1:a", "-c", "copy"]  # fmt: skip
    else:
        ff += ["-i", source]
        if complex_video:
            ff += ["-filter_complex", complex_video, "-map", "[v]", "-map", "0:a"]
        else:
            ff += ["-map", "0:v", "-map", "0:a"]
            if video:
                ff += ["-vf", video]
        if video or complex_video:
            ff += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        else:
            ff += ["-c:v", "copy"]
        if audio:
            ff += ["-af", audio, "-c:a", "aac", "-b:a", "160k", "-ar", "48000", "-ac", "1"]
        else:
            ff += ["-c:a", "copy"]
    subprocess.run([*map(str, ff), "-movflags", "+faststart", str(out)], check=True, timeout=60)
    return out
