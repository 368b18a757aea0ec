"""Forced alignment with pocketsphinx 5 (the US English model inside its wheel).

Two passes over 16 kHz mono PCM16 audio: ``set_align_text`` gives word times, then
``set_alignment`` gives phone times (ARPAbet, 10 ms frames; silence is ``"SIL"``). Audio in
another format is converted with ffmpeg first. The phone pass fails now and then where the word
pass worked; each word then gets its dictionary phones spread evenly over its time. If even the
word pass fails, the words are spread over the audio by length (``meta["fallback"]``).

Words missing from the CMU dictionary (``kubectl``, invented names) get a pronunciation guessed
by espeak-ng (which ships with Piper), converted to ARPAbet, or without espeak-ng a crude one
spelled letter by letter. A word that yields no phones at all is aligned as the "spoken noise"
filler ``[SPEECH]`` and shares the time between its known neighbours. Hyphenated words are
aligned part by part and joined again.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidkit.audio import convert_to_pcm16, wav_info
from vidkit.errors import BackendError, InvalidInput
from vidkit.hints import install
from vidkit.text.normalize import spoken_words
from vidkit.timing import PhonemeTiming, Timings, WordTiming

__all__ = ["SAMPLE_RATE", "SILENCE", "PocketsphinxAligner"]

_log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
SILENCE = "SIL"
_FRAME_MS = 10
_MIN_WORD_MS = 120  # time an unknown word is given when it has to be taken from neighbours
_VERSION = 3
_ESPEAK: Any = None  # piper's espeak-ng phonemiser, made on first use
_ESPEAK_LOCK = threading.Lock()
_FILLER = "[SPEECH]"  # stands in for an unknown word, so its audio is not forced onto others


@dataclass(slots=True)
class _Span:
    word: str
    start: int  # ms
    end: int
    known: bool


class PocketsphinxAligner:
    """Aligns known text to speech. The decoder loads on first use (about 0.1 s)."""

    def __init__(self) -> None:
        self._decoder: Any = None
        self._lock = threading.Lock()

    def fingerprint(self) -> str:
        return f"pocketsphinx:5.1.1:en-us:align=v{_VERSION}"

    def align(self, wav: Path, text: str) -> Timings:
        words = spoken_words(text)
        if not words:
            raise InvalidInput("the text to align has no words", field="text")
        wav = Path(wav)
        info = wav_info(wav)
        with tempfile.TemporaryDirectory(prefix="vidkit-align-") as tmpdir:
            source = wav
            if not (info.is_mono_pcm16 and info.sample_rate == SAMPLE_RATE):
                source = Path(tmpdir) / "16k.wav"
                convert_to_pcm16(wav, source, sample_rate=SAMPLE_RATE)
            import wave

            with wave.open(str(source), "rb") as fh:
                audio = fh.readframes(fh.getnframes())
        duration = info.duration_ms
        with self._lock:
            decoder = self._load()
            known = [_known_parts(decoder, w) for w in words]
            tokens = [p for parts in known for p in (parts or [_FILLER])]
            aligned = self._run(decoder, audio, tokens)
        if aligned is None:
            _log.warning("pocketsphinx could not align %d words; spreading them evenly", len(words))
            return _spread(words, duration)
        segments, phones = aligned
        spans = _word_spans(words, known, segments)
        _place_unknown(spans, duration)
        return Timings(
            duration_ms=duration,
            words=tuple(WordTiming(s.word, s.start, s.end) for s in spans),
            phonemes=_cover(phones, duration),
            alphabet="arpabet",
            meta={"backend": "pocketsphinx", "silence": SILENCE},
        )

    def _load(self) -> Any:
        if self._decoder is None:
            try:
                from pocketsphinx import Decoder
            except ImportError as exc:
                raise BackendError(
                    "pocketsphinx is not installed",
                    hint=install("pocketsphinx", "pocketsphinx==5.1.1"),
                ) from exc
            self._decoder = Decoder(lm=None, loglevel="FATAL")
        return self._decoder

    @staticmethod
    def _run(
        decoder: Any, audio: bytes, tokens: list[str]
    ) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]] | None:
        """Segments of the dictionary words among ``tokens`` and the phones, as
        ``(name, start_ms, end_ms)``; None if alignment failed."""
        parts = [t for t in tokens if t != _FILLER]
        if not parts:
            return None
        try:
            decoder.set_align_text(" ".join(tokens))
            decoder.start_utt()
            decoder.process_raw(audio, full_utt=True)
            decoder.end_utt()
            segments = [
                (seg.word, seg.start_frame * _FRAME_MS, (seg.end_frame + 1) * _FRAME_MS)
                for seg in decoder.seg() or ()
                if not seg.word.startswith(("<", "["))  # silences and fillers
            ]
        except RuntimeError as exc:
            _log.warning("pocketsphinx could not align the words: %s", exc)
            return None
        if len(segments) != len(parts):
            return None
        try:
            decoder.set_alignment()
            decoder.start_utt()
            decoder.process_raw(audio, full_utt=True)
            decoder.end_utt()
            phones = [
                (phone.name, phone.start * _FRAME_MS, (phone.start + phone.duration) * _FRAME_MS)
                for word in decoder.get_alignment() or ()
                for phone in word
            ]
            if not phones:
                raise RuntimeError("no phone alignment")
        except RuntimeError as exc:
            # The phone pass fails now and then where the word pass worked: give each word
            # its dictionary phones, evenly over its time.
            _log.info("pocketsphinx phone alignment failed (%s); spreading phones", exc)
            phones = [p for name, a, b in segments for p in _even(decoder.lookup_word(name), a, b)]
        return [(name.split("(")[0], a, b) for name, a, b in segments], phones


def _even(pronunciation: str | None, start: int, end: int) -> list[tuple[str, int, int]]:
    names = (pronunciation or "").split() or [SILENCE]
    edges = [start + (end - start) * k // len(names) for k in range(len(names) + 1)]
    return [(n, edges[k], edges[k + 1]) for k, n in enumerate(names)]


def _known_parts(decoder: Any, word: str) -> list[str]:
    """The word's parts, each in the dictionary or added to it with a pronunciation guessed
    by espeak-ng; [] if a part can be neither (an unknown word)."""
    parts = _parts(word)
    for part in parts:
        if decoder.lookup_word(part):
            continue
        guess = _guess_arpabet(part) or _spell_arpabet(decoder, part)
        if not guess:
            return []
        decoder.add_word(part, guess, True)
    return parts


_LETTERS = {
    "a": "AE", "b": "B", "c": "K", "d": "D", "e": "EH", "f": "F", "g": "G", "h": "HH",
    "i": "IH", "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "o": "AA", "p": "P",
    "q": "K", "r": "R", "s": "S", "t": "T", "u": "AH", "v": "V", "w": "W", "x": "K S",
    "y": "Y", "z": "Z",
}  # fmt: skip
_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def _spell_arpabet(decoder: Any, word: str) -> str:
    """A crude pronunciation, letter by letter (digits as their names), for when espeak-ng is
    not there: it only has to take up about the right time."""
    phones: list[str] = []
    for ch in word:
        if ch.isdigit():
            phones.extend((decoder.lookup_word(_DIGITS[int(ch)]) or "").split())
        elif ch in _LETTERS:
            for phone in _LETTERS[ch].split():
                if not phones or phones[-1] != phone:
                    phones.append(phone)
    return " ".join(phones)


_IPA_TO_ARPABET = {
    "aɪ": "AY", "aʊ": "AW", "eɪ": "EY", "oʊ": "OW", "ɔɪ": "OY", "dʒ": "JH", "tʃ": "CH",
    "a": "AA", "ɑ": "AA", "ɒ": "AA", "æ": "AE", "ʌ": "AH", "ə": "AH", "ɐ": "AH", "ɛ": "EH",
    "e": "EY", "ɜ": "ER", "ɚ": "ER", "ɝ": "ER", "ɪ": "IH", "ᵻ": "IH", "i": "IY", "ʊ": "UH",
    "u": "UW", "o": "OW", "ɔ": "AO", "b": "B", "d": "D", "ð": "DH", "f": "F", "ɡ": "G",
    "g": "G", "h": "HH", "j": "Y", "k": "K", "l": "L", "ɬ": "L", "m": "M", "n": "N",
    "ŋ": "NG", "p": "P", "ɹ": "R", "r": "R", "s": "S", "ʃ": "SH", "t": "T", "ɾ": "D",
    "ʔ": "T", "θ": "TH", "v": "V", "w": "W", "x": "K", "z": "Z", "ʒ": "ZH",
}  # fmt: skip


def _guess_arpabet(word: str) -> str:
    """ARPAbet phones for a word the dictionary lacks, from espeak-ng (shipped with Piper)."""
    try:
        from piper import voice as piper_voice
        from piper.phonemize_espeak import EspeakPhonemizer
    except ImportError:
        return ""
    global _ESPEAK
    lock = getattr(piper_voice, "_ESPEAK_PHONEMIZER_LOCK", _ESPEAK_LOCK)
    with lock:
        if _ESPEAK is None:
            _ESPEAK = EspeakPhonemizer()
        ipa = "".join(c for sentence in _ESPEAK.phonemize("en-us", word) for c in sentence)
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        pair, one = ipa[i : i + 2], ipa[i]
        if pair in _IPA_TO_ARPABET:
            phones.append(_IPA_TO_ARPABET[pair])
            i += 2
            continue
        if one in _IPA_TO_ARPABET:
            phones.append(_IPA_TO_ARPABET[one])
        i += 1  # stress, length and other marks are skipped
    return " ".join(phones)


def _parts(word: str) -> list[str]:
    """Dictionary spellings for a word: lowercase, hyphenated words part by part."""
    lowered = word.lower().replace("’", "'")
    return [p.strip("'") for p in lowered.split("-") if any(ch.isalnum() for ch in p)]


def _word_spans(
    words: list[str], known: list[list[str]], segments: list[tuple[str, int, int]]
) -> list[_Span]:
    spans: list[_Span] = []
    cursor = 0
    for word, parts in zip(words, known, strict=True):
        if not parts:
            spans.append(_Span(word, 0, 0, known=False))
            continue
        mine = segments[cursor : cursor + len(parts)]
        cursor += len(parts)
        spans.append(_Span(word, mine[0][1], mine[-1][2], known=True))
    return spans


def _place_unknown(spans: list[_Span], duration: int) -> None:
    """Give runs of unknown words the time between their known neighbours (widened into the
    neighbours when it is too short), evenly."""
    i = 0
    while i < len(spans):
        if spans[i].known:
            i += 1
            continue
        j = i
        while j < len(spans) and not spans[j].known:
            j += 1
        before = spans[i - 1] if i > 0 else None
        after = spans[j] if j < len(spans) else None
        lo = before.end if before else 0
        hi = after.start if after else duration
        need = _MIN_WORD_MS * (j - i)
        if hi - lo < need:
            if before:
                lo = max(before.start + (before.end - before.start) // 2, hi - need)
                before.end = min(before.end, lo)
            if after:
                hi = min(after.start + (after.end - after.start) // 2, max(hi, lo + need))
                after.start = max(after.start, hi)
        for k in range(i, j):
            spans[k].start = lo + (hi - lo) * (k - i) // (j - i)
            spans[k].end = lo + (hi - lo) * (k - i + 1) // (j - i)
        i = j


def _cover(phones: list[tuple[str, int, int]], duration: int) -> tuple[PhonemeTiming, ...]:
    """Phones from 0 to ``duration``: gaps and the ends filled with silence."""
    out: list[PhonemeTiming] = []
    cursor = 0
    for name, start, end in phones:
        start, end = max(start, cursor), min(end, duration)
        if start > cursor:
            out.append(PhonemeTiming(SILENCE, cursor, start))
        if end > start:
            out.append(PhonemeTiming(name, start, end))
            cursor = end
    if cursor < duration:
        out.append(PhonemeTiming(SILENCE, cursor, duration))
    return tuple(out)


def _spread(words: list[str], duration: int) -> Timings:
    """Words spread by length over the audio, when alignment is impossible."""
    weights = [len(w) + 1 for w in words]
    total = sum(weights)
    edges = [duration * sum(weights[:k]) // total for k in range(len(words) + 1)]
    timed = tuple(WordTiming(w, edges[k], edges[k + 1]) for k, w in enumerate(words))
    return Timings(
        duration_ms=duration,
        words=timed,
        phonemes=(PhonemeTiming(SILENCE, 0, duration),) if duration else (),
        alphabet="arpabet",
        meta={"backend": "pocketsphinx", "silence": SILENCE, "fallback": "spread"},
    )
