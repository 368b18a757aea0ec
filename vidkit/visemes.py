"""Visemes: what the mouth looks like for each phoneme, and per-frame mouth shapes for lip sync.

Phonemes come in one of two alphabets (see :class:`vidkit.timing.Timings`):

* ``"ipa"`` as espeak-ng emits it for Piper: one symbol per phoneme, possibly carrying stress
  marks (``ˈ ˌ``), length marks (``ː ˑ``) and combining diacritics, diphthongs and affricates
  either split (``a``, ``ɪ``) or joined (``aɪ``, ``tʃ``); pauses are ``_``, a space,
  punctuation, or espeak's sentence marks ``^`` and ``$``;
* ``"arpabet"`` as pocketsphinx emits it: ``AA1``, ``M``, ``SIL``, ``+NSN+`` ...

Each phoneme maps to one of a small set of visemes (:data:`VISEMES`), each with a target
:class:`MouthShape`. :func:`mouth_track` blends those targets over time into one shape per
video frame (coarticulation): every viseme pulls the mouth towards its shape with a strength
(its *dominance*) that is full during its phoneme and fades before it (anticipation, longer)
and after it (carry-over, shorter), and the frame shows the dominance-weighted mean. Lip
closures win: during m/b/p the lips are sealed, and the frame nearest the middle of every
m/b/p is fully closed however short the phoneme.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from vidkit.timing import Timings

__all__ = [
    "VISEMES",
    "MouthShape",
    "MouthTrack",
    "Viseme",
    "is_stressed",
    "mouth_track",
    "viseme_of",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class MouthShape:
    """A mouth pose, relative to the portrait's own (neutral) mouth.

    ``jaw``: 0 = the portrait's own opening, 1 = wide open (lips apart by ~40 % of the mouth's
    width, the chin lowered with them). ``width``: -1 = rounded and narrow (o, u, w), 0 = as
    in the portrait, 1 = spread (i, e, s). ``seal``: 1 = lips pressed together (m, b, p)
    whatever the jaw does, 0 = lips free.
    """

    jaw: float = 0.0
    width: float = 0.0
    seal: float = 0.0


@dataclass(frozen=True, slots=True)
class Viseme:
    """A mouth shape shared by several phonemes, with its coarticulation ``dominance``
    (how strongly it holds its shape against its neighbours)."""

    name: str
    shape: MouthShape
    dominance: float


VISEMES: dict[str, Viseme] = {
    v.name: v
    for v in (
        Viseme("rest", MouthShape(0.0, 0.0, 0.9), 0.8),
        Viseme("closed", MouthShape(0.0, 0.0, 1.0), 1.4),
        Viseme("fv", MouthShape(0.06, 0.15, 0.8), 1.2),
        Viseme("th", MouthShape(0.22, 0.1, 0.0), 0.8),
        Viseme("wide", MouthShape(0.25, 0.55, 0.0), 1.0),
        Viseme("mid", MouthShape(0.55, 0.25, 0.0), 1.0),
        Viseme("open", MouthShape(0.8, 0.05, 0.0), 1.0),
        Viseme("round", MouthShape(0.38, -0.85, 0.0), 1.2),
        Viseme("other", MouthShape(0.2, 0.05, 0.0), 0.5),
    )
}

# --- phoneme → viseme -------------------------------------------------------------------------

_IPA: dict[str, str] = {}
for _symbols, _viseme in (
    ("mbpɱʙ", "closed"),
    ("fvɸβ", "fv"),
    ("θð", "th"),
    ("aɑæɶɒ", "open"),
    ("eɛɐʌəɚɜɝɘ", "mid"),
    ("iɪᵻyʏjszɨ", "wide"),
    ("oɔuʊwʉɵøœɯɤʍ", "round"),
):
    for _symbol in _symbols:
        _IPA[_symbol] = _viseme

_ARPABET = {
    "B": "closed", "M": "closed", "P": "closed",
    "F": "fv", "V": "fv",
    "TH": "th", "DH": "th",
    "AA": "open", "AE": "open", "AW": "open", "AY": "open",
    "AH": "mid", "EH": "mid", "EY": "mid", "ER": "mid",
    "IH": "wide", "IY": "wide", "Y": "wide", "S": "wide", "Z": "wide",
    "AO": "round", "OW": "round", "OY": "round", "UH": "round", "UW": "round", "W": "round",
}  # fmt: skip
_ARPABET_PAUSES = {"SIL", "SP", "SPN", "NSN", "BREATH", "COUGH", "NOISE", "LAUGH", "UM", "UH_"}
_IPA_MARKS = set("ˈˌːˑ‿͡ ̩ ̯ʰʲʷˠˤ'")
_IPA_PAUSES = set("_^$#|‖")


def viseme_of(phoneme: str, alphabet: str = "ipa") -> str:
    """The viseme name (a key of :data:`VISEMES`) for one phoneme; pauses are ``"rest"``."""
    if alphabet == "arpabet":
        core = phoneme.strip().strip("+").upper().rstrip("012")
        if not core or core in _ARPABET_PAUSES:
            return "rest"
        return _ARPABET.get(core, "other")
    for char in unicodedata.normalize("NFD", phoneme):
        if char in _IPA_MARKS or unicodedata.category(char)[0] == "M":
            continue
        if char in _IPA_PAUSES or unicodedata.category(char)[0] in "PZ":
            return "rest"
        return _IPA.get(char, _IPA.get(char.lower(), "other"))
    return "rest"


def is_stressed(phoneme: str, alphabet: str = "ipa") -> bool:
    """True for a phoneme that carries primary stress (``ˈ`` in IPA, digit 1 in ARPAbet)."""
    if alphabet == "arpabet":
        return phoneme.strip().endswith("1")
    return "ˈ" in phoneme


# --- per-frame mouth shapes -------------------------------------------------------------------

LEAD_MS = 40.0  # the mouth shows each phoneme this much before it is heard
ANTICIPATION_MS = 50.0  # how far ahead of a phoneme its shape starts to pull (Gaussian width)
CARRY_OVER_MS = 35.0  # how long after a phoneme its shape lingers
_REACH = 3.0  # widths beyond which a phoneme's pull is ignored


@dataclass(frozen=True, slots=True)
class MouthTrack:
    """One :class:`MouthShape` per frame, as three arrays of the same length."""

    jaw: FloatArray
    width: FloatArray
    seal: FloatArray

    def __len__(self) -> int:
        return len(self.jaw)

    def shape(self, index: int) -> MouthShape:
        return MouthShape(float(self.jaw[index]), float(self.width[index]), float(self.seal[index]))


@dataclass(frozen=True, slots=True)
class _Segment:
    start: float  # ms
    end: float
    viseme: Viseme


def _segments(timings: Timings) -> list[_Segment]:
    """Phonemes as viseme segments; marks that arrive as phonemes of their own (a bare ``ˈ``
    or ``ː``) join the phoneme they belong to."""
    out: list[_Segment] = []
    pending_start: float | None = None  # a bare stress mark: its time goes to what follows
    for phone in sorted(timings.phonemes, key=lambda p: p.start_ms):
        start, end = float(phone.start_ms), float(phone.end_ms)
        if end <= start:
            continue
        bare = [c for c in phone.phoneme if c not in _IPA_MARKS and c.strip()]
        if timings.alphabet != "arpabet" and phone.phoneme.strip() and not bare:
            if "ˈ" in phone.phoneme or "ˌ" in phone.phoneme:
                pending_start = start if pending_start is None else pending_start
            elif out:  # a length mark lengthens the phoneme before it
                out[-1] = _Segment(out[-1].start, end, out[-1].viseme)
            continue
        if pending_start is not None:
            start, pending_start = pending_start, None
        out.append(_Segment(start, end, VISEMES[viseme_of(phone.phoneme, timings.alphabet)]))
    return out


def mouth_track(
    timings: Timings,
    fps: Fraction,
    frames: int,
    amount: float = 1.0,
    loudness: FloatArray | None = None,
) -> MouthTrack:
    """Mouth shapes for ``frames`` video frames at ``fps``; frame ``i`` shows time ``i / fps``.

    ``amount`` scales how far the jaw opens (1 = the viseme targets). ``loudness`` (per frame,
    ~1 for loud speech) makes loud syllables open wider than quiet ones, and keeps the mouth
    from hanging open through silences the phoneme timings leave inside a word (the closure
    of a stop consonant, a trailing breath).
    """
    times = np.arange(frames, dtype=np.float64) * 1000.0 * float(1 / fps)
    ahead = times + LEAD_MS
    segments = _segments(timings)
    rest = VISEMES["rest"].shape
    resting = np.array([rest.jaw, rest.width, rest.seal])
    idle = 0.05 * VISEMES["rest"].dominance
    jaw = np.full(frames, rest.jaw)
    width = np.full(frames, rest.width)
    seal = np.full(frames, rest.seal)
    if not segments:  # no phonemes (a voice without timings): the loudness alone moves the jaw
        if loudness is not None:
            level = _level(np.asarray(loudness, dtype=np.float64), frames)
            jaw, seal = VISEMES["mid"].shape.jaw * level, rest.seal * (1.0 - level)
        return MouthTrack(np.clip(jaw * amount, 0.0, 1.0), width, seal)
    starts = np.array([s.start for s in segments])
    ends = np.array([s.end for s in segments])
    dominance = np.array([s.viseme.dominance for s in segments])
    targets = np.array(
        [[s.viseme.shape.jaw, s.viseme.shape.width, s.viseme.shape.seal] for s in segments]
    )
    reach_before, reach_after = _REACH * ANTICIPATION_MS, _REACH * CARRY_OVER_MS
    lo = np.searchsorted(ends, ahead - reach_after, side="left")
    hi = np.searchsorted(starts, ahead + reach_before, side="right")
    for i, t in enumerate(ahead):
        near = slice(int(lo[i]), int(hi[i]))
        before = np.maximum(starts[near] - t, 0.0) / ANTICIPATION_MS
        after = np.maximum(t - ends[near], 0.0) / CARRY_OVER_MS
        weight = dominance[near] * np.exp(-((before + after) ** 2))
        # far from any phoneme the mouth settles back to rest
        shape = (weight @ targets[near] + idle * resting) / (float(weight.sum()) + idle)
        jaw[i], width[i], seal[i] = shape
    if loudness is not None:
        level = _level(np.asarray(loudness, dtype=np.float64), frames)
        jaw *= (1.0 - LOUDNESS_SHARE) + LOUDNESS_SHARE * level
        seal[:] = 1.0 - (1.0 - seal) * (1.0 - QUIET_CLOSE * (1.0 - level))
    _close_bilabials(segments, times, jaw, seal)
    return MouthTrack(np.clip(jaw * amount, 0.0, 1.0), np.clip(width, -1.0, 1.0), seal)


LOUDNESS_SHARE = 0.8  # how much of the jaw's opening follows the loudness (the rest: phonemes)
QUIET_CLOSE = 0.5  # how far the lips close when the speech goes quiet (0 = not at all)


def _level(loudness: FloatArray, frames: int) -> FloatArray:
    """Speech level per frame, 0..1 (1 = loud); a frame leads its sound by up to one frame."""
    level = np.zeros(frames)
    count = min(frames, len(loudness))
    level[:count] = loudness[:count]
    ahead = np.maximum(level, np.concatenate([level[1:], level[-1:]]))
    return np.asarray(np.clip(ahead / 0.7, 0.0, 1.0) ** 0.7, dtype=np.float64)


def _close_bilabials(
    segments: list[_Segment], times: FloatArray, jaw: FloatArray, seal: FloatArray
) -> None:
    """Seal the lips on every frame that shows an m/b/p (led by :data:`LEAD_MS`), and on the
    frame nearest the middle of the m/b/p as heard."""
    closed = VISEMES["closed"]
    for segment in segments:
        if segment.viseme is not closed:
            continue
        inside = (times >= segment.start - LEAD_MS) & (times < segment.end - LEAD_MS)
        middle = int(np.argmin(np.abs(times - (segment.start + segment.end) / 2)))
        inside[middle] = True
        seal[inside] = 1.0
        jaw[inside] = np.minimum(jaw[inside], closed.shape.jaw)
