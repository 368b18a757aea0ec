"""A real live-coding recording, tightened end to end: Chromium typing code, recorded by
Playwright and re-encoded as VP8 webm at a variable frame rate, muxed with Piper speech that
has pauses and a spoken filler at known times. Tightened, rendered, and transcribed again."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pytest

import vidkit
from tests.conftest import write_config
from tests.recordings.media import (
    RecordedScreen,
    SpokenTruth,
    decode_audio,
    max_jump_at,
    mux,
    speech_with_gaps,
    typical_jump_in_speech,
    typing_recording,
)
from vidkit.api import Workspace
from vidkit.backends import registry
from vidkit.cuts import CutList
from vidkit.editing.recording import (
    RecordingView,
    TightenReport,
    tighten,
    transcript,
    undo,
    use_recording,
)
from vidkit.errors import InvalidInput

PLAN = [
    ("say", "Today we write a function that squares a list of numbers."),
    ("pause", 2500),  # idle screen: cut down to the kept pause
    ("filler", "um"),
    ("pause", 300),
    ("say", "First we loop over the numbers and collect each square."),
    ("pause", 4000),  # typing without talking: sped up, not cut
    ("say", "Then we return the new list, and that is all it takes."),
    ("pause", 1800),  # idle again
    ("say", "Let us run it."),
]


@dataclass(frozen=True)
class Session:
    ws: Workspace
    scene_id: int
    truth: SpokenTruth
    screen: RecordedScreen
    view: RecordingView
    report: TightenReport


def _typing_script(truth: SpokenTruth) -> list[tuple[str, object]]:
    """Idle except while the long pause runs: then the code is typed."""
    long_pause = max(truth.pauses, key=lambda p: p[1] - p[0])
    start, end = long_pause
    code = "def squares(xs):\n    return [x * x for x in xs]\n"
    return [("idle", start + 400), ("type", code), ("idle", max(0, truth.duration_ms - end))]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    folder = tmp_path_factory.mktemp("tighten")
    truth = speech_with_gaps(folder, PLAN)
    screen = typing_recording(folder, script=_typing_script(truth))
    recording = mux(screen.path, truth.wav, folder / "session.webm")
    ws = vidkit.open(write_config(folder / "ws", "[render]\ntitle_cards = false\n"))
    ws.create_project("live", "Live coding", width=640, height=360)
    scene = ws.add_scene("live", "Squares")
    asset = ws.import_asset("live", recording, kind="screen_capture")
    use_recording(ws, "live", scene.id, asset.id)
    report = tighten(ws, "live", scene.id)
    view = transcript(ws, "live", scene.id)
    return Session(ws, scene.id, truth, screen, view, report)


def _norm(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_the_recording_is_what_browsers_record(session: Session) -> None:
    asset = session.ws.assets("live", kind="screen_capture")[0]
    assert asset.metadata["video_codec"] == "vp8" and asset.metadata["audio_codec"] == "opus"
    assert session.view.analysis is not None
    assert session.view.analysis.meta["screen"] == "packets"


def test_idle_silences_are_cut_to_the_kept_pause_and_typing_is_sped_up(session: Session) -> None:
    config = session.ws.config.tighten
    cuts = session.report.cuts
    typing = session.screen.typing
    for start, end in session.truth.pauses:
        typed = any(a < end and start < b for a, b in typing)
        kept = _kept_ms(cuts, start, end)
        if typed:
            sped = [s for s in cuts.spans if s.action == "speed"]
            assert sped and all(s.reason == "typing" for s in sped)
            [fast] = [s for s in sped if cuts.ms(s.start) < end and start < cuts.ms(s.end)]
            plays = cuts.ms(fast.out_frames)
            assert fast.speed == config.max_speed or abs(plays - config.typing_min_ms) <= 40
            assert kept < (end - start) - 1000, "typing without talking is sped up"
            # The typing itself is never cut (an idle stretch after it, when the browser typed
            # faster than the pause lasted, may be). Its edges are found from packet sizes,
            # to a frame or so.
            typed_here = [(max(a, start), min(b, end)) for a, b in typing if a < end and start < b]
            assert not any(
                s.action == "cut"
                and cuts.ms(s.start) < b - _EDGE_MS
                and a + _EDGE_MS < cuts.ms(s.end)
                for s in cuts.spans
                for a, b in typed_here
            ), "and the typing is never cut"
        elif end - start > config.min_silence_ms:
            # Down to the kept pause, plus what the VAD and the word margins hold on to.
            assert kept <= config.keep_pause_ms + 2 * config.word_margin_ms + 250, (start, kept)
    assert session.report.after_ms < session.report.before_ms - 2500


#: How far a cut may reach into typing found from packet sizes (a frame or so).
_EDGE_MS = 100


def _kept_ms(cuts: CutList, start: int, end: int) -> float:
    total = 0.0
    for piece in cuts.pieces():
        a, b = max(cuts.ms(piece.start), start), min(cuts.ms(piece.end), end)
        if b > a:
            total += (b - a) * float(piece.rate)
    return total


def test_the_filler_is_cut_and_no_cut_touches_a_kept_word(session: Session) -> None:
    cuts = session.report.cuts
    [(_, f0, f1)] = session.truth.fillers
    assert _kept_ms(cuts, f0, f1) < (f1 - f0) * 0.5, "the spoken 'um' is cut"
    kept = [w for w in session.view.words if w.kept]
    for span in cuts.changes():
        a, b = cuts.ms(span.start), cuts.ms(span.end)
        for word in kept:
            if span.action == "cut":
                assert b <= word.start_ms - 50 or a >= word.end_ms + 50, (span, word)


def test_a_fresh_transcription_holds_the_kept_words_in_order(session: Session) -> None:
    result = vidkit.render(session.ws, "live", workers=1)
    heard = registry.build_transcriber(session.ws.config)
    wav = result.final.with_suffix(".check.wav")
    from vidkit.audio import convert_to_pcm16

    convert_to_pcm16(result.final, wav, sample_rate=16000)
    again = _norm(heard.transcribe(wav, language="en").text)
    kept = _norm(" ".join(w.text for w in session.view.words if w.kept))
    matcher = difflib.SequenceMatcher(a=kept, b=again, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks())
    assert found >= 0.98 * len(kept), (kept, again)
    # The captions are the kept words.
    srt = result.sidecars["srt"].read_text(encoding="utf-8")
    assert "squares" in srt.lower() and " um" not in srt.lower()


def test_no_click_at_any_join(session: Session) -> None:
    result = vidkit.render(session.ws, "live", workers=1)
    samples = decode_audio(result.final)
    cuts = session.report.cuts
    joins = [cuts.ms(frame) for frame in cuts.joins()]
    assert joins
    speech = [(w.start_ms, w.end_ms) for w in session.view.words if w.kept]
    out_speech = []
    for a, b in speech:
        ma, mb = cuts.to_output(a), cuts.to_output(b - 1)
        if ma is not None and mb is not None:
            out_speech.append((round(ma), round(mb)))
    assert max_jump_at(samples, 48000, joins) < typical_jump_in_speech(samples, 48000, out_speech)


def test_deleting_words_by_text_cuts_them_and_undo_brings_them_back(session: Session) -> None:
    ws, scene_id = session.ws, session.scene_id
    words = transcript(ws, "live", scene_id).words
    target = next(i for i, w in enumerate(words) if _norm(w.text) == ["first"])
    before = tighten(ws, "live", scene_id, dry_run=True).after_ms
    report = tighten(ws, "live", scene_id, delete=[(target, target + 1)])
    after = transcript(ws, "live", scene_id).words
    assert not after[target].kept and after[target].reason == "deleted"
    assert not after[target + 1].kept
    assert report.after_ms < before
    assert any(c["reason"] == "deleted" for c in report.changes)
    undo(ws, "live", scene_id)
    assert transcript(ws, "live", scene_id).words[target].kept
    with pytest.raises(InvalidInput, match="not in this scene's transcript"):
        tighten(ws, "live", scene_id, delete=[10_000])


def test_re_voicing_speaks_the_kept_words_and_fits_the_video(session: Session) -> None:
    ws, scene_id = session.ws, session.scene_id
    edit = ws.catalogue.scene_edit("live", scene_id)
    assert edit is not None
    ws.catalogue.save_scene_edit("live", scene_id, voice="project")
    try:
        result = vidkit.render(ws, "live", workers=1)
        report = result.scenes[0].report
        assert report["screen"] == "screen_capture" and report["fit"] != "tightened"
        audio = ws.assets("live", kind="tts_audio")
        assert audio, "the kept words were spoken by the project voice"
    finally:
        undo(ws, "live", scene_id)
