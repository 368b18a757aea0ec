"""Every stage's cache key holds every input its output depends on, and nothing else.

A stage returns a :class:`~vidkit.stages.step.Step` without running anything, so each test
builds the step twice: once with one input changed (the key must change) and once with only
things that do not matter changed (the key must stay)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vidkit.backends.facerig import Rig
from vidkit.backends.tts import VoiceProfile
from vidkit.config import RenderConfig
from vidkit.model import Asset, Layout
from vidkit.stages.animate import animate
from vidkit.stages.assemble import assemble
from vidkit.stages.compose import compose
from vidkit.stages.cutout import cutout
from vidkit.stages.rig import RigResult, rig
from vidkit.stages.speak import Speech, Voice, speak
from vidkit.text.lexicon import Lexicon
from vidkit.timeline import (
    AudioLayer,
    AvatarLayer,
    Caption,
    CaptionLayer,
    CardLayer,
    CodeSource,
    FitPlan,
    ImageSource,
    RecordingSource,
    ScreenLayer,
    Timeline,
)
from vidkit.timing import Timings, WordTiming

SHA = "a" * 64


def _asset(sha: str = SHA, *, id: int = 1, kind: str = "image") -> Asset:
    return Asset(id, 1, kind, f"objects/aa/{sha}.png", sha, 10)


class _Backend:
    """Any backend, as far as keys go: a fingerprint."""

    def __init__(self, fingerprint: str = "fake:v1") -> None:
        self._fingerprint = fingerprint

    def fingerprint(self) -> str:
        return self._fingerprint


def _differs(make: Callable[..., Any], base: dict[str, Any], changes: dict[str, Any]) -> None:
    """Each change alone gives a new key."""
    key = make(**base).key
    for name, value in changes.items():
        assert make(**{**base, name: value}).key != key, f"{name} is not in the key"


# speak ----------------------------------------------------------------------------------------


def _speak(**kw: Any) -> Any:
    voice = kw["voice"]
    return speak(
        None, kw["scene_id"], kw["narration"], _Backend(kw["tts"]),  # type: ignore[arg-type]
        lexicon=kw["lexicon"], chunk_chars=kw["chunk_chars"], voice=voice,
        progress=kw["progress"],
    )  # fmt: skip


SPEAK = {
    "scene_id": 1,
    "narration": "Hello there.",
    "tts": "piper:joe",
    "lexicon": Lexicon.default(),
    "chunk_chars": 1200,
    "voice": Voice(VoiceProfile("ada", Path("/a.wav"), "I am Ada.", "yes"), SHA),
    "progress": None,
}


def test_speak_key_holds_text_voice_backend_lexicon_and_chunking() -> None:
    _differs(
        _speak,
        SPEAK,
        {
            "narration": "Hello there!",
            "tts": "piper:amy",
            "lexicon": Lexicon.default().updated({"vidkit": "vid kit"}),
            "chunk_chars": 600,
            "voice": None,
        },
    )
    profile = SPEAK["voice"].profile
    for other in (
        Voice(dataclasses.replace(profile, name="bob"), SHA),
        Voice(profile, "b" * 64),  # the reference recording changed
        Voice(dataclasses.replace(profile, transcript="I am Bob."), SHA),
    ):
        assert _speak(**{**SPEAK, "voice": other}).key != _speak(**SPEAK).key


def test_speak_key_ignores_what_does_not_change_the_audio() -> None:
    same = {**SPEAK, "scene_id": 2, "progress": lambda d, t: None}
    moved = Voice(dataclasses.replace(SPEAK["voice"].profile, reference_wav=Path("/b.wav")), SHA)
    assert _speak(**same).key == _speak(**SPEAK).key
    assert _speak(**{**SPEAK, "voice": moved}).key == _speak(**SPEAK).key


# cutout, rig -----------------------------------------------------------------------------------


def test_cutout_key() -> None:
    def make(image: Asset, matting: str, max_side: int) -> Any:
        return cutout(None, image, _Backend(matting), max_side=max_side)  # type: ignore[arg-type]

    base = {"image": _asset(), "matting": "rembg:u2netp", "max_side": 1024}
    _differs(make, base, {"image": _asset("b" * 64), "matting": "mediapipe", "max_side": 512})
    assert make(**{**base, "image": _asset(id=7)}).key == make(**base).key  # same content


def test_rig_key() -> None:
    def make(portrait: Asset, facerig: str) -> Any:
        return rig(None, portrait, _Backend(facerig))  # type: ignore[arg-type]

    base = {"portrait": _asset(), "facerig": "mediapipe:1"}
    _differs(make, base, {"portrait": _asset("b" * 64), "facerig": "mediapipe:2"})


# animate ---------------------------------------------------------------------------------------


def _rig(sha: str = SHA) -> RigResult:
    return RigResult(_asset(sha, kind="face_rig"), Rig(8, 8, np.zeros((478, 3), np.float32)))


def _speech(audio: str = SHA, last_word_ms: int = 900) -> Speech:
    timings = Timings(1000, (WordTiming("hi", 100, last_word_ms),))
    return Speech(_asset(audio, kind="tts_audio"), timings)


def test_animate_key() -> None:
    def make(animator: str, portrait: Asset, rig: RigResult, speech: Speech, fps: Fraction) -> Any:
        return animate(
            None, 1, _Backend(animator), portrait=portrait, rig=rig, speech=speech, fps=fps,  # type: ignore[arg-type]
        )  # fmt: skip

    base = {
        "animator": "embedded:1",
        "portrait": _asset(),
        "rig": _rig(),
        "speech": _speech(),
        "fps": Fraction(30),
    }
    _differs(
        make,
        base,
        {
            "animator": "embedded:2",
            "portrait": _asset("b" * 64),
            "rig": _rig("c" * 64),
            "speech": _speech("d" * 64),
            "fps": Fraction(25),
        },
    )
    # The same audio with other word timings moves the mouth: a new key.
    assert make(**{**base, "speech": _speech(last_word_ms=700)}).key != make(**base).key


# compose ---------------------------------------------------------------------------------------


def _store(name: str) -> Path:
    return Path("/store/objects/aa") / f"{name * 64}.mp4"


TIMELINE = Timeline(
    1280,
    720,
    Fraction(30),
    90,
    screen=ScreenLayer(CodeSource("print(1)\n", "a.py"), FitPlan()),
    avatar=AvatarLayer(512, 512, Layout(), video=_store("a"), crop=(10, 10, 400, 500)),
    captions=CaptionLayer((Caption(0, 30, "Hello"),), burn_in=True),
    cards=(CardLayer("Intro", "", 0, 20),),
    audio=AudioLayer(_store("b"), music=None),
    title="Intro",
)


def _timeline_changes() -> dict[str, Timeline]:
    tl = TIMELINE
    avatar, screen = tl.avatar, tl.screen
    assert avatar is not None and screen is not None
    code = screen.source
    assert isinstance(code, CodeSource)
    r = dataclasses.replace
    return {
        "width": r(tl, width=1920),
        "height": r(tl, height=1080),
        "fps": r(tl, fps=Fraction(25)),
        "duration": r(tl, duration=91),
        "code": r(tl, screen=r(screen, source=r(code, code="print(2)\n"))),
        "code name": r(tl, screen=r(screen, source=r(code, filename="b.py"))),
        "code theme": r(tl, screen=r(screen, source=r(code, theme="light"))),
        "image": r(tl, screen=ScreenLayer(ImageSource(_store("c")))),
        "recording": r(tl, screen=ScreenLayer(RecordingSource(_store("c"), 3000, 1280, 720))),
        "fit": r(tl, screen=r(screen, fit=FitPlan(1.5, "exact"))),
        "no screen": r(tl, screen=None),
        "corner": r(tl, avatar=r(avatar, layout=Layout(corner="top-left"))),
        "dragged": r(tl, avatar=r(avatar, layout=Layout(corner=None, x=0.5, y=0.5))),
        "scale": r(tl, avatar=r(avatar, layout=Layout(scale=0.4))),
        "margin": r(tl, avatar=r(avatar, layout=Layout(margin=10))),
        "crop": r(tl, avatar=r(avatar, crop=(12, 10, 400, 500))),
        "avatar video": r(tl, avatar=r(avatar, video=_store("d"))),
        "no avatar": r(tl, avatar=None),
        "caption": r(tl, captions=CaptionLayer((Caption(0, 30, "Hullo"),))),
        "burn in": r(tl, captions=r(tl.captions, burn_in=False)),
        "card": r(tl, cards=(CardLayer("Outro", "", 0, 20),)),
        "no card": r(tl, cards=()),
        "narration": r(tl, audio=AudioLayer(_store("e"))),
        "music": r(tl, audio=AudioLayer(_store("b"), music=_store("f"))),
        "background": r(tl, background=(0, 0, 0)),
        "title": r(tl, title="Outro"),
    }


def _compose(timeline: Timeline, cues: list[tuple[int, int, str]], render: RenderConfig) -> Any:
    return compose(None, 1, timeline, cues, render=render, report={})  # type: ignore[arg-type]


COMPOSE = {"timeline": TIMELINE, "cues": [(0, 1000, "Hello")], "render": RenderConfig()}


@pytest.mark.parametrize("change", sorted(_timeline_changes()))
def test_compose_key_holds_every_part_of_the_timeline(change: str) -> None:
    changed = {**COMPOSE, "timeline": _timeline_changes()[change]}
    assert _compose(**changed).key != _compose(**COMPOSE).key


def test_compose_key_holds_cues_and_render_settings() -> None:
    _differs(
        _compose,
        COMPOSE,
        {
            "cues": [(0, 900, "Hello")],
            "render": RenderConfig(preset="ultrafast"),
        },
    )
    assert _compose(**{**COMPOSE, "render": RenderConfig(crf=21)}).key != _compose(**COMPOSE).key


def test_compose_key_ignores_where_files_go_and_how_many_workers() -> None:
    other = RenderConfig(output_dir=Path("/elsewhere"), workers=7, executor="tcp://sched:8786")
    assert _compose(**{**COMPOSE, "render": other}).key == _compose(**COMPOSE).key
    # The asset store moved: its files keep their content names, so the key holds.
    moved = dataclasses.replace(
        TIMELINE, audio=AudioLayer(Path("/other/objects/aa") / _store("b").name)
    )
    assert _compose(**{**COMPOSE, "timeline": moved}).key == _compose(**COMPOSE).key


def test_a_file_outside_the_store_is_keyed_by_its_content_stamp(tmp_path: Path) -> None:
    image = tmp_path / "slide.png"
    image.write_bytes(b"one")
    timeline = dataclasses.replace(TIMELINE, screen=ScreenLayer(ImageSource(image)))
    before = _compose(**{**COMPOSE, "timeline": timeline}).key
    image.write_bytes(b"other")
    assert _compose(**{**COMPOSE, "timeline": timeline}).key != before


# assemble --------------------------------------------------------------------------------------


def test_assemble_key() -> None:
    def make(title: str, scenes: list[tuple[str, Asset, Asset]]) -> Any:
        return assemble(None, "p", title, scenes)  # type: ignore[arg-type]

    one = ("Intro", _asset("a" * 64), _asset("b" * 64))
    two = ("Loops", _asset("c" * 64), _asset("d" * 64))
    base = {"title": "Course", "scenes": [one, two]}
    _differs(
        make,
        base,
        {
            "title": "Other course",
            "scenes": [two, one],  # order
        },
    )
    for changed in (
        ("Intro!", one[1], one[2]),
        ("Intro", _asset("e" * 64), one[2]),
        ("Intro", one[1], _asset("e" * 64)),
    ):
        assert make(**{**base, "scenes": [changed, two]}).key != make(**base).key
