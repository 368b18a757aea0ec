"""A capture script as a scene's screen, end to end: rendered (Piper speaks, local Chromium
captures the tiny web app, ffmpeg composes), cached per scene, fitted to the narration; and the
bad inputs that leave the scene as it was."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.browser.support import find_chromium
from tests.capture.webapp import serve
from tests.conftest import write_config
from vidkit import editing
from vidkit.api import Workspace
from vidkit.capture import CaptureError
from vidkit.config import load_config
from vidkit.errors import InvalidInput
from vidkit.media import ffmpeg_exe
from vidkit.pipeline import Event, render
from vidkit.pipeline.sources import stills_folder
from vidkit.timing import Timings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_chromium() is None, reason="no Chromium: run `make chromium`"),
]

W, H, FPS = 640, 360, 25
SLUG = "cap"
#: The tiny app's status block (x0, y0, x1, y1): grey, green once the form is saved.
STATUS = (60, 160, 420, 240)
GREY, GREEN = (187, 187, 187), (0, 160, 0)
RENDER = """
[render]
preset = "ultrafast"
workers = 1
title_cards = false
burn_captions = false
"""


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with serve() as url:
        yield url


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = Workspace(load_config(write_config(tmp_path / "ws", RENDER)))
    workspace.create_project(SLUG, "Capture", width=W, height=H, fps=FPS)
    return workspace


def _saving(url: str, name: str = "Ada", *, tied: bool = True) -> str:
    at_type = ', at = "type a name"' if tied else ""
    at_save = ', at = "save it"' if tied else ""
    return f"""[browser]
url = "{url}"
hold_ms = 300
steps = [
  {{ type = "{name}", into = "#name"{at_type} }},
  {{ press = "Enter"{at_save} }},
]
"""


def _frames(path: Path) -> np.ndarray:
    """Every frame of a video, at a quarter of the size."""
    w, h = W // 4, H // 4
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
         "-vf", f"scale={w}:{h}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    return np.frombuffer(out, np.uint8).reshape(-1, h, w, 3).astype(np.int16)


def _share(frames: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    """Per frame: the share of the status block's pixels within 40 of ``colour``."""
    x0, y0, x1, y1 = (v // 4 for v in STATUS)
    block = frames[:, y0:y1, x0:x1]
    return np.asarray((np.abs(block - np.array(colour)).max(axis=-1) < 40).mean(axis=(1, 2)))


def _word_start(ws: Workspace, scene_id: int, word: str) -> int:
    (asset,) = ws.assets(SLUG, scene_id=scene_id, kind="timings")
    timings = Timings.from_json(ws.asset_path(asset).read_text(encoding="utf-8"))
    return next(w.start_ms for w in timings.words if w.word.lower().strip(",.") == word)


def test_a_scene_renders_with_the_screen_its_script_captures(ws: Workspace, app: str) -> None:
    scene = ws.add_scene(
        SLUG, "Save", narration="First we type a name. Then we save it, and the status turns green."
    )
    editing.set_capture_script(ws, SLUG, scene.id, _saving(app))
    events: list[Event] = []
    result = render(ws, SLUG, progress=events.append)

    (done,) = result.scenes
    report = done.report
    assert report["screen"] == "captured_screen"
    assert report["fit"].startswith("plays as captured (tied to the narration)")
    assert [s[0] for s in report["capture"]["steps"]] == [1, 2]
    assert any(e.stage == "capture" and e.done == e.total and e.position == 1 for e in events)
    assert done.cached == {"speak": False, "capture": False, "compose": False, "qc": False}

    # The scene shows the page: the status block is grey, and green from the frame on which
    # the narration says "save" (the Enter tied to it submits the form), within two frames.
    frames = _frames(ws.asset_path(done.video))
    assert len(frames) == report["frames"]
    save = _word_start(ws, scene.id, "save") * FPS / 1000
    green = np.flatnonzero(_share(frames, GREEN) > 0.9)
    assert green.size and abs(int(green[0]) - save) <= 2, (green[:3], save)
    assert (_share(frames[: int(save) - 2], GREY) > 0.9).all()
    assert (_share(frames[int(green[0]) :], GREEN) > 0.9).all()


def test_editing_one_step_recaptures_that_scene_only(ws: Workspace, app: str) -> None:
    first = ws.add_scene(SLUG, "One", narration="We save a name.")
    second = ws.add_scene(SLUG, "Two", narration="We save another one.")
    editing.set_capture_script(ws, SLUG, first.id, _saving(app, "Ada", tied=False))
    editing.set_capture_script(ws, SLUG, second.id, _saving(app, "Bob", tied=False))
    before = render(ws, SLUG, positions=[1, 2])
    assert [s.cached["capture"] for s in before.scenes] == [False, False]

    editing.set_capture_script(ws, SLUG, second.id, _saving(app, "Eve", tied=False))
    after = render(ws, SLUG, positions=[1, 2])
    assert after.scenes[0].cached == {"speak": True, "capture": True, "compose": True, "qc": True}
    assert after.scenes[1].cached == {
        "speak": True,
        "capture": False,
        "compose": False,
        "qc": False,
    }
    captures = [j for j in ws.jobs(SLUG) if j.stage == "capture"]
    assert sorted(j.scene_id for j in captures) == [first.id, second.id, second.id]

    # Re-rendering with no change captures nothing; removing the script gives the scene its
    # other screen (none here) and renders it again without capturing.
    again = render(ws, SLUG, positions=[2])
    assert all(again.scenes[0].cached.values())
    editing.drop_capture_script(ws, SLUG, second.id)
    plain = render(ws, SLUG, positions=[2])
    assert plain.scenes[0].report["screen"] == "none" and "capture" not in plain.scenes[0].cached


def test_a_capture_longer_than_the_narration_is_fitted_by_the_speed_rules(
    tmp_path: Path, app: str
) -> None:
    config = RENDER + 'max_speed = 2.0\nbeyond = "cut"\n'
    ws = Workspace(load_config(write_config(tmp_path / "fit", config)))
    ws.create_project(SLUG, "Fit", width=W, height=H, fps=FPS)
    scene = ws.add_scene(SLUG, "Long", narration="Saved.")
    script = _saving(app, tied=False).replace("hold_ms = 300", "hold_ms = 6000")
    editing.set_capture_script(ws, SLUG, scene.id, script)
    (done,) = render(ws, SLUG, positions=[1]).scenes

    video = editing.capture_scene(ws, SLUG, scene.id)  # the cached capture
    spoken = ws.assets(SLUG, scene_id=scene.id, kind="tts_audio")[0].duration_ms or 0
    assert (video.duration_ms or 0) > 2 * spoken  # too long even at 2x: sped up, then cut
    assert done.report["fit"].startswith("played at 2× and cut the last")
    assert abs(done.report["duration_ms"] - spoken) <= 1000 / FPS


def test_a_capture_that_fails_names_the_step_keeps_a_still_and_changes_nothing(
    ws: Workspace, app: str
) -> None:
    scene = ws.add_scene(SLUG, "Broken", narration="We click a button that is not there.")
    good = _saving(app, tied=False)
    editing.set_capture_script(ws, SLUG, scene.id, good)
    editing.capture_scene(ws, SLUG, scene.id)
    missing = good.replace('{ press = "Enter" }', '{ click = "#nothing" }').replace(
        "hold_ms = 300", "hold_ms = 300\ntimeout_ms = 1000"
    )
    editing.set_capture_script(ws, SLUG, scene.id, missing)

    with pytest.raises(CaptureError) as caught:
        editing.capture_scene(ws, SLUG, scene.id)
    message = str(caught.value)
    assert "\n" not in message and "step 2" in message and "#nothing" in message
    assert "after 1 s" in message
    stills = list(stills_folder(ws, SLUG, scene.id).glob("*.png"))
    assert stills and str(stills[0]) in message
    assert len(ws.assets(SLUG, scene_id=scene.id, kind="captured_screen")) == 1  # the good one
    assert editing.capture_script(ws, SLUG, scene.id) == missing

    with pytest.raises(CaptureError, match=r"^browser step 2 \(click '#nothing'\): nothing"):
        render(ws, SLUG, positions=[1])
    failed = [j for j in ws.jobs(SLUG) if j.stage == "capture" and j.status == "failed"]
    assert len(failed) == 2 and "#nothing" in (failed[-1].error or "")


def test_a_script_with_a_mistake_is_one_line_and_the_scene_keeps_its_script(
    ws: Workspace, app: str
) -> None:
    scene = ws.add_scene(SLUG, "Kept", narration="Nothing changes.")
    good = _saving(app)
    stored = editing.set_capture_script(ws, SLUG, scene.id, good)
    for bad, says in [
        ("[browser]\nurl = \n", "capture script: not valid TOML"),
        (good.replace("press", "presss"), "browser script step 2: give exactly one of"),
        ("[terminal]\nsteps = [{ key = 'Hyper-Q' }]\n", "terminal script step 1: unknown key"),
        ("[video]\nsteps = []\n", "give one table, [browser] or [terminal]"),
    ]:
        with pytest.raises(InvalidInput, match=re.escape(says)) as caught:
            editing.set_capture_script(ws, SLUG, scene.id, bad)
        assert "\n" not in str(caught.value)
        assert editing.capture_script(ws, SLUG, scene.id) == good
    assert [a.id for a in ws.assets(SLUG, scene_id=scene.id, kind="capture_script")] == [stored.id]
