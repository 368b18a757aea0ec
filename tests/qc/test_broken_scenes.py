"""Each check is proven on a rendered scene broken on purpose, and a clean scene is not
flagged: the QC is measured on the files, not read from the plan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.qc.conftest import FPS, Rendered, broken
from vidkit.qc import QcReport

pytestmark = pytest.mark.slow

CHECKS = [
    "av_offset", "captions", "loudness", "clipping", "silence", "black", "frozen", "face", "fit",
]  # fmt: skip


def _statuses(report: QcReport) -> dict[str, str]:
    return {item.check: item.status for item in report.items}


def _only(report: QcReport, *checks: str) -> None:
    """Every check but ``checks`` is green (so a broken scene is flagged for what broke)."""
    others = {c: s for c, s in _statuses(report).items() if c not in checks and s != "green"}
    assert not others, report.to_json()


def test_the_clean_scene_is_green_on_every_check(clean: Rendered) -> None:
    report = clean.checked.report
    assert [i.check for i in report.items] == CHECKS
    assert report.status == "green", report.to_json()
    sync = report.item("av_offset").numbers
    assert abs(sync["frames"]) < 0.5 and sync["match"] > 0.9
    assert report.item("face").numbers["found"] == report.item("face").numbers["samples"] > 0
    fit = report.item("fit").numbers
    assert fit["needed_speed"] == pytest.approx(5000 / fit["scene_ms"], rel=0.01)
    # The same checks made again on the same file agree.
    assert _statuses(clean.check(clean.video)) == _statuses(report)


def test_sound_five_frames_late_or_early_is_red(clean: Rendered, tmp_path: Path) -> None:
    shift = 5 / FPS
    late = clean.check(broken(clean.video, tmp_path / "late.mp4", audio_offset_s=shift))
    item = late.item("av_offset")
    assert item.status == "red" and item.numbers["frames"] == pytest.approx(5, abs=0.25)
    assert "200 ms (5.0 frames) late" in item.sentence
    assert late.item("captions").status != "green"  # they now show before their words
    early = clean.check(
        broken(clean.video, tmp_path / "early.mp4", audio="atrim=start=0.2,asetpts=PTS-STARTPTS")
    )
    assert early.item("av_offset").status == "red"
    assert early.item("av_offset").numbers["frames"] == pytest.approx(-5, abs=0.25)


def test_a_caption_moved_past_the_speech_is_red(clean: Rendered) -> None:
    *before, (_start, _end, text) = clean.cues
    duration = clean.checked.report.facts["duration_ms"]
    moved = [*before, (duration - 200, duration + 2500, text)]
    report = clean.check(clean.video, cues=moved)
    assert report.item("captions").status == "red"
    assert "after" in report.item("captions").sentence
    _only(report, "captions")

    # The same words in two captions, the second shown 800 ms before its first word.
    words = clean.speech.timings.words
    tokens = " ".join(t for _, _, t in clean.cues).split()
    half = len(tokens) // 2
    second = words[half].start_ms - 800
    split = [(words[0].start_ms, second - 80, " ".join(tokens[:half])),
             (second, duration, " ".join(tokens[half:]))]  # fmt: skip
    report = clean.check(clean.video, cues=split)
    item = report.item("captions")
    assert item.status == "red" and "caption 2 shows 800 ms before its first word" in item.sentence


def test_a_silent_stretch_is_red(clean: Rendered, tmp_path: Path) -> None:
    muted = broken(clean.video, tmp_path / "muted.mp4", audio="volume=0:enable='between(t,1,2.6)'")
    report = clean.check(muted)
    item = report.item("silence")
    assert item.status == "red" and "drops out" in item.sentence
    [[start, end]] = item.numbers["lost"]
    assert abs(start - 1000) <= 60 and abs(end - 2600) <= 60
    _only(report, "silence", "loudness")


def test_a_faceless_presenter_is_red(clean: Rendered, tmp_path: Path) -> None:
    assert clean.facts.presenter is not None
    x, y, w, h = clean.facts.presenter
    covered = broken(
        clean.video, tmp_path / "covered.mp4",
        video=f"drawbox=x={x}:y={y + h // 8}:w={w}:h={h * 5 // 8}:color=0xd0a080:t=fill",
    )  # fmt: skip
    report = clean.check(covered)
    face = report.item("face")
    assert face.status == "red" and face.numbers["found"] == 0
    assert "face is lost" in face.sentence
    # Without a presenter there is no face to lose.
    plain = clean.check(covered, facts=dataclasses.replace(clean.facts, presenter=None))
    assert plain.item("face").status == "green"


def test_loud_clipped_sound_is_red(clean: Rendered, tmp_path: Path) -> None:
    loud = broken(clean.video, tmp_path / "loud.mp4", audio="volume=18dB,aformat=sample_fmts=s16")
    report = clean.check(loud)
    assert report.item("clipping").status == "red"
    assert report.item("clipping").numbers["most_in_a_second"] >= clean.ws.config.qc.clipped_per_s
    assert report.item("loudness").status != "green"
    assert "louder" in report.item("loudness").sentence


def test_a_black_stretch_is_red(clean: Rendered, tmp_path: Path) -> None:
    dark = broken(
        clean.video, tmp_path / "black.mp4",
        video="drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='between(t,1,2.2)'",
    )  # fmt: skip
    report = clean.check(dark)
    item = report.item("black")
    assert item.status == "red"
    [[start, end]] = item.numbers["black"]
    assert abs(start - 1000) <= 80 and abs(end - 2240) <= 80
    _only(report, "black", "face", "frozen")  # the presenter is black too meanwhile


def test_a_frozen_picture_is_flagged(clean: Rendered, tmp_path: Path) -> None:
    stuck = broken(
        clean.video, tmp_path / "frozen.mp4",
        complex_video="[0:v]split[a][b];[a][b]freezeframes=first=25:last=85:replace=25[v]",
    )  # fmt: skip
    report = clean.check(stuck)
    item = report.item("frozen")
    assert item.status == "amber"  # 2.4 s: past 2 s, not yet twice it
    assert "stops moving" in item.sentence
    _only(report, "frozen")


def test_a_recording_past_the_speed_cap_is_red(project: object) -> None:
    from tests.qc.conftest import looked_up

    too_long = looked_up(*project, 2)  # type: ignore[misc]
    item = too_long.checked.report.item("fit")
    assert item.status == "red"
    scene_ms = item.numbers["scene_ms"]
    assert item.numbers["needed_speed"] == pytest.approx(12000 / scene_ms, rel=0.01)
    assert "past the 2× cap" in item.sentence and "cut" in item.sentence
