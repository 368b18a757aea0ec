"""Phonemes to visemes (IPA from Piper/espeak, ARPAbet from pocketsphinx) and per-frame mouth
shapes with coarticulation."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from vidkit.timing import PhonemeTiming, Timings
from vidkit.visemes import (
    LEAD_MS,
    VISEMES,
    MouthShape,
    is_stressed,
    mouth_track,
    viseme_of,
)

FPS = Fraction(30)


def timings(*phones: tuple[str, int, int], alphabet: str = "ipa") -> Timings:
    end = max((p[2] for p in phones), default=0)
    return Timings(
        duration_ms=end,
        phonemes=tuple(PhonemeTiming(p, s, e) for p, s, e in phones),
        alphabet=alphabet,
    )


def frame_at(ms: float) -> int:
    return round(ms * FPS / 1000)


@pytest.mark.parametrize(
    ("phoneme", "viseme"),
    [
        ("m", "closed"),
        ("b", "closed"),
        ("p", "closed"),
        ("f", "fv"),
        ("v", "fv"),
        ("θ", "th"),
        ("ð", "th"),
        ("ɑː", "open"),
        ("ˈɑː", "open"),
        ("æ", "open"),
        ("aɪ", "open"),
        ("aʊ", "open"),
        ("ə", "mid"),
        ("ʌ", "mid"),
        ("ɛ", "mid"),
        ("eɪ", "mid"),
        ("ɜː", "mid"),
        ("ɚ", "mid"),
        ("i", "wide"),
        ("iː", "wide"),
        ("ˌɪ", "wide"),
        ("s", "wide"),
        ("z", "wide"),
        ("o", "round"),
        ("oʊ", "round"),
        ("uː", "round"),
        ("ʊ", "round"),
        ("w", "round"),
        ("ɔː", "round"),
        ("ɔɪ", "round"),
        ("t", "other"),
        ("d", "other"),
        ("k", "other"),
        ("ɡ", "other"),
        ("n", "other"),
        ("ŋ", "other"),
        ("l", "other"),
        ("ɹ", "other"),
        ("h", "other"),
        ("tʃ", "other"),
        ("dʒ", "other"),
        ("ʃ", "other"),
        ("ɾ", "other"),
        ("ʔ", "other"),
        ("_", "rest"),
        (" ", "rest"),
        (",", "rest"),
        (".", "rest"),
        ("!", "rest"),
        ("^", "rest"),
        ("$", "rest"),
        ("", "rest"),
        ("ˈ", "rest"),
        ("ː", "rest"),
    ],
)
def test_ipa_as_espeak_writes_it(phoneme: str, viseme: str) -> None:
    assert viseme_of(phoneme, "ipa") == viseme


@pytest.mark.parametrize(
    ("phoneme", "viseme"),
    [
        ("M", "closed"),
        ("B", "closed"),
        ("P", "closed"),
        ("F", "fv"),
        ("V", "fv"),
        ("TH", "th"),
        ("DH", "th"),
        ("AA1", "open"),
        ("AE0", "open"),
        ("AY2", "open"),
        ("AH0", "mid"),
        ("EH1", "mid"),
        ("ER0", "mid"),
        ("IY1", "wide"),
        ("IH0", "wide"),
        ("S", "wide"),
        ("OW1", "round"),
        ("UW1", "round"),
        ("AO2", "round"),
        ("W", "round"),
        ("T", "other"),
        ("K", "other"),
        ("NG", "other"),
        ("SH", "other"),
        ("HH", "other"),
        ("SIL", "rest"),
        ("sil", "rest"),
        ("+NSN+", "rest"),
        ("+SPN+", "rest"),
        ("", "rest"),
    ],
)
def test_arpabet_as_pocketsphinx_writes_it(phoneme: str, viseme: str) -> None:
    assert viseme_of(phoneme, "arpabet") == viseme


def test_stress() -> None:
    assert is_stressed("ˈɑː") and not is_stressed("ˌɑː") and not is_stressed("ɑː")
    assert is_stressed("AA1", "arpabet") and not is_stressed("AA0", "arpabet")


def test_viseme_targets_are_ordered_as_mouths_are() -> None:
    jaw = {name: v.shape.jaw for name, v in VISEMES.items()}
    assert jaw["open"] > jaw["mid"] > jaw["wide"] > jaw["closed"]
    assert VISEMES["round"].shape.width < 0 < VISEMES["wide"].shape.width
    assert VISEMES["closed"].shape.seal == 1.0
    assert VISEMES["open"].shape.seal == 0.0


def test_one_shape_per_frame_and_silence_rests() -> None:
    track = mouth_track(timings(("_", 0, 1000)), FPS, 30)
    assert len(track) == 30
    assert np.allclose(track.jaw, 0.0)
    assert track.shape(5) == MouthShape(0.0, 0.0, VISEMES["rest"].shape.seal)
    empty = mouth_track(Timings(duration_ms=500), FPS, 15)
    assert len(empty) == 15 and np.allclose(empty.jaw, 0)


def test_vowels_open_the_jaw_and_round_vowels_narrow_it() -> None:
    track = mouth_track(
        timings(
            ("_", 0, 200),
            ("ɑː", 200, 600),
            ("_", 600, 900),
            ("uː", 900, 1300),
            ("_", 1300, 1600),
            ("iː", 1600, 2000),
            ("_", 2000, 2400),
        ),
        FPS,
        72,
    )
    aa, uu, ii = (track.shape(frame_at(ms)) for ms in (400, 1100, 1800))
    assert aa.jaw > 0.7 and aa.jaw > uu.jaw and aa.jaw > ii.jaw
    assert uu.width < -0.7 and ii.width > 0.4
    assert track.jaw[frame_at(750)] < 0.1  # back to rest between the words


def test_every_bilabial_is_fully_closed_however_short() -> None:
    phones = [("_", 0, 100)]
    t = 100
    for length in (12, 23, 35, 46, 80):  # shorter than a frame, up to a few frames
        phones += [("ɑː", t, t + 150), ("m", t + 150, t + 150 + length)]
        t += 150 + length
    phones.append(("ɑː", t, t + 200))
    track = mouth_track(timings(*phones), FPS, frame_at(t + 200) + 1)
    for phone, start, end in phones:
        if phone == "m":
            middle = frame_at((start + end) / 2)
            assert track.seal[middle] == 1.0
            assert track.jaw[middle] == 0.0
    # and opens again in the vowels between them
    assert all(track.seal[frame_at(s + 75 - LEAD_MS)] < 0.3 for p, s, _ in phones if p == "ɑː")


def test_transitions_are_smooth_and_anticipate() -> None:
    track = mouth_track(timings(("_", 0, 500), ("ɑː", 500, 900), ("_", 900, 1500)), FPS, 45)
    steps = np.abs(np.diff(track.jaw))
    assert steps.max() < 0.45  # no snap from rest to wide open in one frame
    onset = int(np.argmax(track.jaw > 0.05))
    assert onset * 1000 / FPS < 500  # the mouth starts opening before the vowel is heard
    assert onset * 1000 / FPS > 500 - LEAD_MS - 150


def test_raw_piper_marks_join_their_phoneme() -> None:
    """Piper's raw alignments give stress and length marks time of their own."""
    raw = timings(
        ("_", 0, 100),
        ("m", 100, 150),
        ("ˈ", 150, 200),
        ("ɑ", 200, 300),
        ("ː", 300, 400),
        ("_", 400, 700),
    )
    folded = timings(("_", 0, 100), ("m", 100, 150), ("ˈɑː", 150, 400), ("_", 400, 700))
    a, b = mouth_track(raw, FPS, 21), mouth_track(folded, FPS, 21)
    assert np.allclose(a.jaw, b.jaw) and np.allclose(a.seal, b.seal)


def test_arpabet_timings_animate_like_ipa() -> None:
    ipa = timings(("_", 0, 100), ("b", 100, 160), ("ɑː", 160, 500), ("_", 500, 800))
    arpabet = timings(
        ("SIL", 0, 100), ("B", 100, 160), ("AA1", 160, 500), ("SIL", 500, 800), alphabet="arpabet"
    )
    a, b = mouth_track(ipa, FPS, 24), mouth_track(arpabet, FPS, 24)
    assert np.allclose(a.jaw, b.jaw) and np.allclose(a.seal, b.seal)


def test_loudness_opens_loud_syllables_wider_and_quiet_ones_less() -> None:
    phones = timings(("_", 0, 100), ("ɑː", 100, 500), ("_", 500, 600), ("ɑː", 600, 1000))
    loud = np.zeros(30)
    loud[3:15] = 1.0  # the first vowel loud, the second whispered
    track = mouth_track(phones, FPS, 30, loudness=loud)
    plain = mouth_track(phones, FPS, 30)
    first, second = frame_at(300), frame_at(800)
    assert track.jaw[first] > 2 * track.jaw[second]
    assert track.seal[second] > track.seal[first]
    assert abs(plain.jaw[first] - plain.jaw[second]) < 0.05
    assert mouth_track(phones, FPS, 30, amount=0.5).jaw[first] == pytest.approx(
        0.5 * plain.jaw[first]
    )


def test_each_of_two_bilabials_in_a_row_closes() -> None:
    """ "Bombay": m and b back to back, each closed at its own middle."""
    phones = (("_", 0, 100), ("ɑ", 100, 250), ("m", 250, 331), ("b", 331, 389), ("e", 389, 600))
    track = mouth_track(timings(*phones), FPS, 19)
    assert track.seal[frame_at(290.5)] == 1.0
    assert track.seal[frame_at(360)] == 1.0


def test_without_phonemes_the_loudness_moves_the_mouth() -> None:
    loud = np.zeros(30)
    loud[10:20] = 1.0
    track = mouth_track(Timings(duration_ms=1000), FPS, 30, loudness=loud)
    assert track.jaw[15] > 0.4 and track.jaw[2] == 0.0
    assert track.seal[15] < track.seal[2]
