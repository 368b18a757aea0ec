"""The tightening rules over known intervals: what is cut, sped up or kept, and the margins."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vidkit.cuts import CutList
from vidkit.errors import InvalidInput
from vidkit.recordings.rules import TightenRules, filler_spans, plan_cuts, restart_spans
from vidkit.timing import TranscribedWord as W

FPS = Fraction(30)
RULES = TightenRules()


def said(*words: tuple[str, int, int]) -> list[W]:
    return [W(t, a, b) for t, a, b in words]


def cut_ms(cuts: CutList) -> list[tuple[int, int, str]]:
    return [(cuts.ms(s.start), cuts.ms(s.end), s.reason) for s in cuts.spans if s.action == "cut"]


def test_a_long_silence_on_an_idle_screen_is_cut_down_to_the_kept_pause() -> None:
    words = said(("hello", 0, 500), ("again", 4500, 5000))
    cuts = plan_cuts(fps=FPS, in_ms=0, out_ms=5000, words=words, speech=[(0, 500), (4500, 5000)],
                     idle=[(0, 5000)], rules=RULES)  # fmt: skip
    [(a, b, reason)] = cut_ms(cuts)
    assert reason == "silence"
    assert a >= 500 + RULES.keep_pause_ms // 2 and b <= 4500 - RULES.keep_pause_ms // 2
    assert (b - a) >= 4000 - RULES.keep_pause_ms - 2 * 34  # frame rounding only shrinks it
    # A pause shorter than the threshold stays.
    short = said(("hello", 0, 500), ("again", 1300, 1800))
    assert not cut_ms(plan_cuts(fps=FPS, in_ms=0, out_ms=1800, words=short, speech=[],
                                idle=[(0, 1800)], rules=RULES))  # fmt: skip


def test_typing_without_talking_is_sped_up_not_cut() -> None:
    words = said(("look", 0, 400), ("done", 10_400, 10_800))
    cuts = plan_cuts(fps=FPS, in_ms=0, out_ms=10_800, words=words, speech=[], idle=[],
                     rules=RULES)  # fmt: skip
    assert not cut_ms(cuts)
    [fast] = [s for s in cuts.spans if s.action == "speed"]
    assert fast.reason == "typing" and fast.speed == RULES.max_speed
    assert cuts.ms(fast.start) >= 400 + RULES.word_margin_ms


def test_fillers_restarts_and_unworded_sounds_are_cut_with_margins() -> None:
    words = said(
        ("so", 0, 200), ("um", 500, 800), ("the", 1100, 1300), ("function", 1300, 1800),
        ("the", 2000, 2200), ("function", 2200, 2700), ("returns", 2700, 3200),
    )  # fmt: skip
    cuts = plan_cuts(fps=FPS, in_ms=0, out_ms=5000, words=words,
                     speech=[(0, 3200), (3800, 4300)], idle=[], rules=RULES)  # fmt: skip
    found = cut_ms(cuts)
    reasons = [r for _, _, r in found]
    assert reasons == ["filler", "restart", "filler"]
    for a, b, _ in found:  # nothing within the margin of a kept word
        for w in (words[0], words[4], words[5], words[6]):
            assert b <= w.start_ms - RULES.word_margin_ms + 34 or a >= w.end_ms
    assert filler_spans(said(("you", 0, 1), ("know", 1, 2), ("it", 2, 3)), ["you know"]) == [
        (0, 2, "you know")
    ]
    assert restart_spans(said(("sell", 0, 1), ("the", 1, 2), ("function", 2, 3), ("so", 3, 4),
                               ("the", 4, 5), ("function", 5, 6)))[0][:2] == (0, 3)  # fmt: skip
    assert restart_spans(said(("a", 0, 1), ("a", 1, 2))) == []  # "a a" is too short to judge


def test_deleted_words_are_cut_and_restored_ones_kept() -> None:
    words = said(("keep", 0, 400), ("drop", 600, 1000), ("this", 1000, 1400), ("end", 1600, 2000))
    cuts = plan_cuts(fps=FPS, in_ms=0, out_ms=2000, words=words, speech=[], idle=[],
                     rules=RULES, deleted=[(600, 1400)])  # fmt: skip
    [(a, b, reason)] = cut_ms(cuts)
    assert reason == "deleted" and a <= 600 and b >= 1400
    assert a >= 400 + RULES.word_margin_ms - 34 and b <= 1600 - RULES.word_margin_ms + 34
    um = said(("well", 0, 400), ("um", 600, 900), ("yes", 1200, 1500))
    kept = plan_cuts(fps=FPS, in_ms=0, out_ms=1500, words=um, speech=[], idle=[], rules=RULES,
                     restored=[(600, 900)])  # fmt: skip
    assert not cut_ms(kept)


def test_without_audio_only_the_idle_screen_is_cut() -> None:
    cuts = plan_cuts(fps=FPS, in_ms=0, out_ms=6000, words=[], speech=[], idle=[(1000, 5000)],
                     rules=RULES, has_audio=False)  # fmt: skip
    [(a, b, reason)] = cut_ms(cuts)
    assert (
        reason == "silence"
        and a == pytest.approx(1200, abs=34)
        and b == pytest.approx(4800, abs=34)
    )


def test_rules_refuse_inconsistent_knobs() -> None:
    with pytest.raises(InvalidInput, match="twice word_margin_ms"):
        TightenRules(keep_pause_ms=100, word_margin_ms=80)
    with pytest.raises(InvalidInput, match="out point"):
        plan_cuts(fps=FPS, in_ms=100, out_ms=100, words=[], speech=[], idle=[], rules=RULES)


def test_a_deleted_word_between_close_neighbours_is_cut_whole() -> None:
    words = said(("list", 7000, 7150), ("returns", 7160, 7580), ("a", 7600, 7700))
    cuts = plan_cuts(fps=FPS, in_ms=6000, out_ms=9000, words=words, speech=[], idle=[],
                     rules=RULES, deleted=[(7160, 7580)])  # fmt: skip
    [(a, b, reason)] = cut_ms(cuts)
    assert reason == "deleted" and a <= 7160 and b >= 7580  # no frame's sliver of it plays


def test_a_sliver_kept_between_two_cuts_is_cut_too() -> None:
    # "um" then at once a restart: the margins between them leave a frame or two.
    words = said(("well", 0, 300), ("um", 700, 900), ("so", 960, 1100), ("the", 1100, 1200),
                 ("so", 1300, 1450), ("the", 1450, 1600), ("end", 1700, 2000))  # fmt: skip
    cuts = plan_cuts(fps=FPS, in_ms=0, out_ms=2000, words=words, speech=[], idle=[],
                     rules=RULES)  # fmt: skip
    assert not [s for s in cuts.spans if s.action == "keep" and s.frames <= 2]
    assert [r for _, _, r in cut_ms(cuts)] in (["filler"], ["filler", "restart"])


def test_a_sound_with_a_word_timed_just_beside_it_is_not_a_filler() -> None:
    # Whisper put "great" (said 297550..297900) at 297960 with no length.
    words = said(("that", 296800, 297100), ("great", 297960, 297960))
    cuts = plan_cuts(fps=FPS, in_ms=296000, out_ms=299000, words=words,
                     speech=[(296800, 297100), (297550, 297900)], idle=[], rules=RULES)  # fmt: skip
    assert not cut_ms(cuts)
