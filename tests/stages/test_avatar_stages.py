"""speak → cutout → rig → animate on a real portrait, through the catalogue and the cache."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.backends.portraits import astronaut, no_face
from vidkit.backends import registry
from vidkit.config import Config
from vidkit.errors import InvalidInput, NarrationError
from vidkit.pipeline.cache import run
from vidkit.pipeline.graph import SceneGraph
from vidkit.stages.animate import animate
from vidkit.stages.cutout import cutout
from vidkit.stages.rig import rig
from vidkit.stages.speak import speak
from vidkit.text.lexicon import Lexicon
from vidkit.video import read_rgba_frames
from vidkit.workspace import Workspace

FPS = Fraction(25)


def _config(ws: Workspace, **avatar: object) -> Config:
    return ws.config.model_copy(
        update={"avatar": ws.config.avatar.model_copy(update={"matting": "mediapipe", **avatar})}
    )


def _photo(tmp_path: Path, rgb: np.ndarray, name: str) -> Path:
    path = tmp_path / name
    Image.fromarray(rgb).save(path)
    return path


@pytest.mark.slow
def test_full_avatar_chain_is_cached_and_edits_rerun_only_what_changed(
    workspace: Workspace, tmp_path: Path
) -> None:
    config = _config(workspace)
    workspace.create_project("p", "P")
    scene = workspace.add_scene("p", "Hello", narration="My name is Bob. Maps and bubbles pop!")
    workspace.import_asset("p", _photo(tmp_path, astronaut(), "astronaut.png"), kind="avatar_image")
    tts, matting = registry.build_tts(config), registry.build_matting(config)
    facerig, animator = registry.build_facerig(config), registry.build_animator(config)

    [photo] = workspace.assets("p", kind="avatar_image")

    def chain() -> tuple[bool, ...]:
        narration = workspace.scene("p", scene.id).narration
        speech = run(
            workspace, "p", speak(workspace, scene.id, narration, tts, lexicon=Lexicon.default())
        )
        portrait = run(workspace, "p", cutout(workspace, photo, matting))
        face = run(workspace, "p", rig(workspace, portrait.portrait, facerig))
        video = run(
            workspace, "p",
            animate(
                workspace, scene.id, animator,
                portrait=portrait.portrait, rig=face, speech=speech, fps=FPS,
            ),
        )  # fmt: skip
        frames = list(read_rgba_frames(workspace.asset_path(video.video), 512, 512))
        assert len(frames) == video.frames == -(-speech.timings.duration_ms * 25 // 1000)
        assert frames[0][0, 0, 3] == 0 and frames[0][256, 256, 3] == 255, "cut out, with alpha"
        assert abs(speech.audio.duration_ms - speech.timings.duration_ms) <= 50  # type: ignore[operator]
        return speech.cached, portrait.cached, face.cached, video.cached

    assert chain() == (False, False, False, False)
    assert chain() == (True, True, True, True)
    workspace.update_scene("p", scene.id, narration="Now I say something else entirely.")
    assert chain() == (False, True, True, False)
    stages = [j.stage for j in workspace.jobs("p")]
    assert stages.count("speak") == 2 and stages.count("animate") == 2
    assert stages.count("cutout") == 1 and stages.count("rig") == 1
    assert {j.status for j in workspace.jobs("p")} == {"done"}


def test_no_avatar_photo_means_no_presenter(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    assert SceneGraph(workspace, "p").presenter() is None
    assert workspace.jobs("p") == []


def test_portrait_without_a_face_fails_clearly_and_records_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    config = _config(workspace)
    workspace.create_project("p", "P")
    image = workspace.import_asset("p", _photo(tmp_path, no_face(), "coffee.png"), kind="image")
    with pytest.raises(InvalidInput, match=r"coffee\.png.*no face|no face.*coffee\.png"):
        run(workspace, "p", rig(workspace, image, registry.build_facerig(config)))
    [job] = workspace.jobs("p")
    assert job.stage == "rig" and job.status == "failed"
    assert [a.kind for a in workspace.assets("p")] == ["image"], "nothing half-made is kept"


def test_empty_narration_is_refused_before_any_audio(workspace: Workspace) -> None:
    workspace.create_project("p", "P")
    graph = SceneGraph(workspace, "p")
    for narration, reason in (("", "empty"), ("   ", "empty"), ("🎉🚀✨", "unspeakable")):
        scene = workspace.add_scene("p", "Empty", narration=narration)
        with pytest.raises(NarrationError, match="narration") as raised:
            graph.speech(scene)
        assert raised.value.reason == reason and raised.value.field == "narration"
    assert workspace.assets("p") == []
