"""The QC stage in the pipeline (its key, its asset, the render's report, the cache), the
film's checks, ``editing.qc_summary`` and the ``vidkit qc`` / ``render --strict`` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.qc.conftest import SHORT, SLUG, Rendered
from vidkit.api import Workspace
from vidkit.cli import main
from vidkit.config import QcConfig
from vidkit.editing import film_qc, qc_summary
from vidkit.model import Asset
from vidkit.pipeline import RenderResult, render
from vidkit.qc import Fit, SceneFacts, check_film
from vidkit.stages.qc import qc
from vidkit.timing import Timings, WordTiming

SHA = "a" * 64


class _Rig:
    def __init__(self, fingerprint: str = "rig:v1") -> None:
        self._fingerprint = fingerprint

    def fingerprint(self) -> str:
        return self._fingerprint

    def detect(self, image: Any, *, name: str | None = None) -> Any:  # pragma: no cover
        raise AssertionError("keys are computed without running anything")


def _key(**change: Any) -> str:
    args: dict[str, Any] = {
        "video": Asset(1, 1, "composited_scene", "v.mp4", SHA, 10),
        "narration": Asset(2, 1, "tts_audio", "n.wav", "b" * 64, 10),
        "timings": Timings(1000, (WordTiming("hi", 100, 400),)),
        "cues": [(100, 900, "Hi.")],
        "facts": SceneFacts(
            25.0, (10, 10, 100, 120), "screen_capture", Fit(5000, 1.2, "exact", 0.5, 2)
        ),
        "limits": QcConfig(),
        "facerig": _Rig(),
    }
    args.update(change)
    step = qc(
        None, 1, args["video"], narration=args["narration"], timings=args["timings"],  # type: ignore[arg-type]
        cues=args["cues"], facts=args["facts"], limits=args["limits"], facerig=args["facerig"],
    )  # fmt: skip
    return step.key


def test_the_key_holds_every_input_and_limit() -> None:
    base = _key()
    assert _key() == base
    changed = [
        _key(video=Asset(1, 1, "composited_scene", "v.mp4", "c" * 64, 10)),
        _key(narration=Asset(2, 1, "tts_audio", "n.wav", "d" * 64, 10)),
        _key(timings=Timings(1000, (WordTiming("hi", 120, 400),))),
        _key(cues=[(100, 950, "Hi.")]),
        _key(limits=QcConfig(av_offset_frames=2.0)),
        _key(limits=QcConfig(face_fps=1.0)),
        _key(facts=SceneFacts(25.0, (12, 10, 100, 120), "screen_capture")),
        _key(facerig=_Rig("rig:v2")),
    ]
    assert len({base, *changed}) == len(changed) + 1
    # Where it stands in the asset store does not matter: only its content.
    assert _key(video=Asset(7, 1, "composited_scene", "w.mp4", SHA, 10)) == base
    # Without a presenter, the face landmarker plays no part.
    plain = SceneFacts(25.0, None, "image")
    assert _key(facts=plain, facerig=_Rig("x")) == _key(facts=plain, facerig=_Rig("y"))


def test_every_render_checks_each_scene_once(
    project: tuple[Workspace, RenderResult], clean: Rendered
) -> None:
    ws, result = project
    first, second = result.scenes
    assert first.report["qc"]["status"] == "green" and first.report["qc"]["flagged"] == []
    assert second.report["qc"]["status"] == "red"
    [flag] = second.report["qc"]["flagged"]
    assert flag["check"] == "fit" and flag["status"] == "red"
    stored = ws.catalogue.asset(first.report["qc"]["report_asset_id"])
    assert stored.kind == "qc_report" and stored.scene_id == first.scene_id
    assert stored.metadata["video_sha256"] == first.video.sha256
    assert json.loads(ws.asset_path(stored).read_text())["status"] == "green"
    assert clean.checked.asset.id == stored.id and clean.checked.cached

    again = render(ws, SLUG, workers=1)
    assert [s.cached["qc"] for s in again.scenes] == [True, True]
    assert sum(1 for j in ws.jobs(SLUG) if j.stage == "qc") == 2


def test_the_film_is_checked_from_the_assembly(project: tuple[Workspace, RenderResult]) -> None:
    ws, result = project
    film = film_qc(ws, SLUG)
    assert film is not None and film.status == "green", film.to_json()
    assert film.item("film_loudness").numbers["integrated_lufs"] == result.report["loudness_lufs"]
    limits = QcConfig()
    loud = check_film({"loudness_lufs": -9.0, "true_peak_dbtp": 0.4}, limits)
    assert [i.status for i in loud.items] == ["red", "red"]
    near = check_film({"loudness_lufs": -18.5, "true_peak_dbtp": -0.5}, limits)
    assert [i.status for i in near.items] == ["amber", "amber"]


def test_the_studio_badge_summary(project: tuple[Workspace, RenderResult]) -> None:
    ws, result = project
    found = qc_summary(ws, SLUG)
    first, second = (found[s.scene_id] for s in result.scenes)
    assert (first.status, first.badge, first.sentences) == ("green", "green", ())
    assert second.status == "red" and second.sentences[0].startswith("fit: the recording needs")
    # An edited scene has no report until it is rendered again.
    ws.update_scene(SLUG, result.scenes[1].scene_id, narration="A different line to say.")
    assert qc_summary(ws, SLUG)[result.scenes[1].scene_id].badge == "unchecked"
    ws.update_scene(SLUG, result.scenes[1].scene_id, narration=SHORT)
    assert qc_summary(ws, SLUG)[result.scenes[1].scene_id].status == "red"


def test_the_qc_command_and_strict_render(
    project: tuple[Workspace, RenderResult], capsys: pytest.CaptureFixture[str]
) -> None:
    ws, _ = project
    config = str(ws.config.source)
    assert main(["-c", config, "qc", SLUG]) == 0
    out = capsys.readouterr().out
    assert "scene 1  green" in out and "scene 2  red" in out
    assert "FAIL  fit" in out and "film     green" in out
    assert "2 scene(s): 1 green, 0 amber, 1 red" in out

    assert main(["-c", config, "qc", SLUG, "--scene", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [scene] = data["scenes"]
    assert scene["status"] == "green" and len(scene["report"]["items"]) == 9
    assert data["film"] is None

    assert main(["-c", config, "-q", "render", SLUG, "--scene", "1", "--strict"]) == 0
    capsys.readouterr()
    assert main(["-c", config, "-q", "render", SLUG, "--strict"]) == 1
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line.startswith("error: scene 2 ('Too long') failed its quality checks: fit — ")
    assert f"`vidkit qc {SLUG} --scene 2` shows the whole report" in line
    assert "QC red" in captured.out  # the render itself is reported first


def test_an_unknown_scene_is_one_line(
    project: tuple[Workspace, RenderResult], capsys: pytest.CaptureFixture[str]
) -> None:
    ws, _ = project
    assert main(["-c", str(ws.config.source), "qc", SLUG, "--scene", "9"]) == 1
    assert capsys.readouterr().err.strip() == f"error: project {SLUG!r} has no scene 9"


def test_a_changed_limit_rejudges_without_rendering(
    project: tuple[Workspace, RenderResult], tmp_path: Path
) -> None:
    ws, _ = project
    home = Path(str(ws.config.source)).parent
    copy = tmp_path / "config.toml"
    copy.write_text(
        Path(str(ws.config.source))
        .read_text()
        .replace('"var/', f'"{home}/var/')
        .replace("[render]", "[qc]\nav_offset_frames = 2.0\n[render]")
    )
    from vidkit.config import load_config

    other = Workspace(load_config(copy))
    again = render(other, SLUG, positions=[1], workers=1)
    [scene] = again.scenes
    assert scene.cached == {"speak": True, "animate": True, "compose": True, "qc": False}
