"""A small rendered project for the export tests, made once per test process: a code scene,
two scenes cut from one real spoken recording (both tightened; the second plays its pause
sped up), the example presenter and music, 640x360 at 25 fps."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import vidkit
from tests.conftest import write_config
from tests.spoken_recording import spoken_recording
from vidkit.api import Workspace
from vidkit.config import load_config
from vidkit.editing import tighten, undo, use_example_presenter, use_recording
from vidkit.editing.recording import set_cuts
from vidkit.export import write_export
from vidkit.media import ffmpeg_exe
from vidkit.pipeline import RenderResult

SLUG = "lesson"
#: Quick to render: a small presenter, ultrafast x264, one process (no workers to start).
FAST = (
    '[avatar]\nmatting = "mediapipe"\nmax_side = 256\n[render]\npreset = "ultrafast"\nworkers = 1\n'
)


@dataclass(frozen=True)
class Rendered:
    ws: Workspace
    config: Path
    result: RenderResult
    code: int  # scene ids
    hello: int
    run: int
    seconds: float

    @property
    def slug(self) -> str:
        return SLUG


def _music(folder: Path) -> Path:
    out = folder / "music.wav"
    subprocess.run(
        [ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi", "-i",
         "sine=frequency=220:d=1.5", str(out)],
        check=True, timeout=60,
    )  # fmt: skip
    return out


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    began = time.monotonic()
    recording = spoken_recording(tmp_path_factory)
    folder = tmp_path_factory.mktemp("export")
    config = write_config(folder / "ws", FAST)
    ws = Workspace(load_config(config))
    ws.create_project(SLUG, "Lists in Python", width=640, height=360, fps=25)
    use_example_presenter(ws, SLUG)
    ws.import_asset(SLUG, _music(folder), kind="music")
    code = ws.add_scene(SLUG, "Intro", narration="Maps make a list.")
    (folder / "squares.py").write_text("squares = [n * n for n in range(3)]\n")
    ws.import_asset(SLUG, folder / "squares.py", kind="code_file", scene_id=code.id)
    asset = ws.import_asset(SLUG, recording, kind="screen_capture")
    hello = ws.add_scene(SLUG, "Hello")
    run = ws.add_scene(SLUG, "Run it")
    # "Hello and welcome ..." then a pause; the pause, then "Let us run it now."
    use_recording(ws, SLUG, hello.id, asset.id, in_ms=0, out_ms=4600)
    use_recording(ws, SLUG, run.id, asset.id, in_ms=8600)
    tighten(ws, SLUG, hello.id)
    cuts = tighten(ws, SLUG, run.id).cuts
    pause = next(s for s in cuts.spans if s.action == "cut")
    set_cuts(ws, SLUG, run.id, cuts.with_action(pause.start, pause.end, "speed", "typing", 4.0))
    result = vidkit.render(ws, SLUG)
    return Rendered(ws, config, result, code.id, hello.id, run.id, time.monotonic() - began)


@pytest.fixture
def exported(rendered: Rendered, tmp_path: Path) -> Iterator[Path]:
    """The project exported as OTIO; its scene order and cut lists are put back afterwards."""
    ws, slug = rendered.ws, rendered.slug
    order = [s.id for s in ws.scenes(slug)]
    versions = {sid: ws.catalogue.scene_edit(slug, sid) for sid in (rendered.hello, rendered.run)}
    yield write_export(ws, slug, "otio", tmp_path / "lesson.otio")
    ws.reorder_scenes(slug, order)
    for sid, edit in versions.items():
        while (now := ws.catalogue.scene_edit(slug, sid)) and edit and now.version > edit.version:
            undo(ws, slug, sid)
