"""animate hands its frames on as it makes them (``frames_to``) while storing them all, and
compose takes a scene composed from those frames (LiveCompose) instead of decoding them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image

from vidkit.backends.facerig import Rig
from vidkit.config import RenderConfig
from vidkit.errors import MediaError
from vidkit.media import probe
from vidkit.pipeline.cache import run
from vidkit.pipeline.graph import scene_timeline
from vidkit.stages.animate import Animation, animate
from vidkit.stages.compose import ComposedScene, LiveCompose, compose
from vidkit.stages.rig import RigResult
from vidkit.stages.speak import Speech
from vidkit.timeline import AvatarLayer
from vidkit.timing import Timings, WordTiming
from vidkit.video import read_rgba_frames
from vidkit.workspace import Workspace

FPS = Fraction(25)
SIZE = 64
Frame = npt.NDArray[np.uint8]


class Strobe:
    """A deterministic stand-in animator (the Animator protocol): a disc whose colour
    changes every frame. ``fail_at`` makes frame ``fail_at`` raise, as a broken model would."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.fail_at = fail_at
        self.made = 0

    def fingerprint(self) -> str:
        return f"strobe:{self.fail_at}"

    def frames(
        self, portrait: Frame, rig: Rig, wav: Path, timings: Timings, fps: Fraction
    ) -> Iterator[Frame]:
        count = -(-timings.duration_ms * fps.numerator // (1000 * fps.denominator))
        yy, xx = np.mgrid[0:SIZE, 0:SIZE]
        disc = (xx - SIZE // 2) ** 2 + (yy - SIZE // 2) ** 2 < (SIZE // 3) ** 2
        for index in range(count):
            if index == self.fail_at:
                raise MediaError("the animator broke")
            frame = np.zeros((SIZE, SIZE, 4), np.uint8)
            frame[disc] = (index * 9 % 256, 255 - index * 5 % 256, 80, 255)
            self.made += 1
            yield frame


@pytest.fixture
def scene(workspace: Workspace, tmp_path: Path, make_media: object) -> tuple[int, Speech]:
    workspace.create_project("p", "P", width=320, height=180, fps=FPS)
    scene = workspace.add_scene("p", "Hello", narration="Hello there")
    wav = make_media("audio", 1.2)  # type: ignore[operator]
    audio = workspace.import_asset("p", wav, kind="tts_audio", scene_id=scene.id)
    timings = Timings(1200, (WordTiming("hello", 100, 500), WordTiming("there", 550, 1000)))
    return scene.id, Speech(audio, timings)


def _portrait_and_rig(ws: Workspace, tmp_path: Path) -> tuple[object, RigResult]:
    png = tmp_path / "face.png"
    Image.fromarray(np.full((SIZE, SIZE, 4), 200, np.uint8)).save(png)
    portrait = ws.import_asset("p", png, kind="avatar_cutout")
    points = np.zeros((478, 3), np.float32) + SIZE / 2
    face = Rig(SIZE, SIZE, points)
    rig_file = tmp_path / "rig.json"
    rig_file.write_text(face.to_json())
    return portrait, RigResult(ws.import_asset("p", rig_file, kind="face_rig"), face)


def _animate(
    ws: Workspace, tmp_path: Path, scene: tuple[int, Speech], animator: Strobe, **kwargs: object
) -> object:
    portrait, rig = _portrait_and_rig(ws, tmp_path)
    step = animate(
        ws, scene[0], animator, portrait=portrait, rig=rig, speech=scene[1], fps=FPS,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    return run(ws, "p", step)


def _timeline(
    ws: Workspace, scene: tuple[int, Speech], render: RenderConfig, avatar: AvatarLayer
) -> tuple[object, list[tuple[int, int, str]]]:
    timeline, cues, _ = scene_timeline(
        ws, ws.project("p"), ws.scene("p", scene[0]), scene[1].timings,
        audio=ws.asset_path(scene[1].audio), avatar=avatar, render=render,
    )  # fmt: skip
    return timeline, cues


def _live(
    ws: Workspace, scene: tuple[int, Speech], render: RenderConfig, size: tuple[int, int]
) -> LiveCompose:
    timeline, cues = _timeline(ws, scene, render, AvatarLayer(*size))
    return LiveCompose(timeline, cues, render=render)  # type: ignore[arg-type]


def _compose(
    ws: Workspace,
    scene: tuple[int, Speech],
    made: Animation,
    render: RenderConfig,
    live: LiveCompose | None = None,
) -> ComposedScene:
    avatar = AvatarLayer(SIZE, SIZE, video=ws.asset_path(made.video))
    timeline, cues = _timeline(ws, scene, render, avatar)
    step = compose(
        ws,
        scene[0],
        timeline,
        cues,
        render=render,
        report={},
        live=live,  # type: ignore[arg-type]
    )
    return run(ws, "p", step)


def test_frames_are_handed_on_and_all_stored(
    workspace: Workspace, tmp_path: Path, scene: tuple[int, Speech]
) -> None:
    taken: list[Frame] = []

    def reader(frames: Iterator[Frame]) -> None:
        for frame in frames:  # takes ten, then stops, as ffmpeg does when it has enough
            taken.append(frame.copy())
            if len(taken) == 10:
                return

    made = _animate(workspace, tmp_path, scene, Strobe(), frames_to=reader)
    stored = list(read_rgba_frames(workspace.asset_path(made.video), SIZE, SIZE))  # type: ignore[attr-defined]
    assert len(taken) == 10 and len(stored) == made.frames == 30  # type: ignore[attr-defined]
    for mine, kept in zip(taken, stored, strict=False):
        assert np.abs(mine.astype(int) - kept.astype(int)).max() <= 2  # yuva444p round trip
    again = _animate(workspace, tmp_path, scene, Strobe(), frames_to=reader)
    assert again.cached and len(taken) == 10  # type: ignore[attr-defined]  # cached: no reading


def test_a_broken_frame_fails_animate_even_if_the_reader_swallowed_it(
    workspace: Workspace, tmp_path: Path, scene: tuple[int, Speech]
) -> None:
    def swallowing(frames: Iterator[Frame]) -> None:
        try:
            for _ in frames:
                pass
        except MediaError:
            pass

    with pytest.raises(MediaError, match="the animator broke"):
        _animate(workspace, tmp_path, scene, Strobe(fail_at=12), frames_to=swallowing)
    [job] = [j for j in workspace.jobs("p") if j.stage == "animate"]
    assert job.status == "failed"
    assert not workspace.assets("p", kind="avatar_video"), "nothing half-made is kept"


@pytest.mark.slow
def test_live_compose_gives_the_scene_that_compose_would(
    workspace: Workspace, tmp_path: Path, scene: tuple[int, Speech]
) -> None:
    render = RenderConfig(preset="ultrafast", title_cards=False)
    live = _live(workspace, scene, render, (SIZE, SIZE))
    strobe = Strobe()
    made = _animate(workspace, tmp_path, scene, strobe, frames_to=live)
    assert live.ready and strobe.made == 30
    composed = _compose(workspace, scene, made, render, live)  # type: ignore[arg-type]
    assert not live.ready, "its files were taken"
    path = workspace.asset_path(composed.video)
    info = probe(path)
    assert info.has_audio and (info.width, info.height) == (320, 180)
    cues = json.loads(workspace.asset_path(composed.captions).read_text())
    assert [c[2] for c in cues] == ["Hello there"]

    # The same scene composed from the stored animation looks the same.
    render_again = render.model_copy(update={"crf": render.crf + 1})  # another key: renders
    from_file = _compose(workspace, scene, made, render_again)  # type: ignore[arg-type]
    a = list(read_rgba_frames(path, 320, 180))
    b = list(read_rgba_frames(workspace.asset_path(from_file.video), 320, 180))
    assert len(a) == len(b) == 30
    corner = (slice(180 - 100, 180), slice(320 - 100, 320))
    for k in (3, 17, 29):
        assert np.abs(a[k][corner].astype(int) - b[k][corner].astype(int)).mean() < 3
    assert [j.stage for j in workspace.jobs("p")].count("compose") == 2


def test_a_failing_live_compose_falls_back_to_the_stored_animation(
    workspace: Workspace,
    tmp_path: Path,
    scene: tuple[int, Speech],
    caplog: pytest.LogCaptureFixture,
) -> None:
    render = RenderConfig(preset="ultrafast", title_cards=False)
    live = _live(workspace, scene, render, (SIZE, SIZE + 1))  # a wrong size: ffmpeg refuses it
    made = _animate(workspace, tmp_path, scene, Strobe(), frames_to=live)
    assert not live.ready and "composing it from the stored animation" in caplog.text
    assert workspace.asset_path(made.video).is_file()  # type: ignore[attr-defined]
    composed = _compose(workspace, scene, made, render, live)  # type: ignore[arg-type]
    assert probe(workspace.asset_path(composed.video)).has_video
