"""Long narration, spoken chunk by chunk into one WAV file with continuous timings.

:func:`synthesize_long` normalises the narration, cuts it with
:func:`vidkit.text.chunks.split_chunks` into pieces of about ``chunk_chars`` characters at
sentence ends, speaks each chunk with any :class:`~vidkit.backends.tts.TTS` to a temporary WAV,
streams it into the output after a short pause, and joins the chunks' timings. Memory stays
bounded whatever the length.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from vidkit.audio import Pcm16Writer, atomic_output, convert_to_pcm16, wav_info
from vidkit.backends.tts import TTS, VoiceProfile
from vidkit.errors import NarrationError
from vidkit.model import check_narration
from vidkit.text.chunks import split_chunks
from vidkit.text.lexicon import Lexicon
from vidkit.text.normalize import normalize, spoken_words
from vidkit.timing import PhonemeTiming, Timings

__all__ = ["Progress", "synthesize_long"]

Progress = Callable[[int, int], None]
"""Called as ``progress(chunks_done, chunks_total)`` after each chunk."""

_SILENCE = {"ipa": "_", "arpabet": "SIL"}


def synthesize_long(
    tts: TTS,
    text: str,
    out_wav: Path,
    *,
    chunk_chars: int,
    voice: VoiceProfile | None = None,
    progress: Progress | None = None,
    lexicon: Lexicon | None = None,
    pause_ms: int = 300,
) -> Timings:
    """Normalise ``text`` (with ``lexicon``, default :meth:`Lexicon.default`) and speak it with
    ``tts`` chunk by chunk into ``out_wav``, ``pause_ms`` of silence between chunks.

    The returned timings cover the whole file; their ``meta["word_sources"]`` gives, for each
    word, the index of the written token (``text.split()``) it was spoken for.
    Raises :class:`NarrationError` for narration that breaks the narration rule
    (:func:`vidkit.model.check_narration`) or has nothing speakable.
    """
    check_narration(text, spoken=True)
    spoken = normalize(text, lexicon)
    if not spoken.words:
        raise NarrationError(
            "the narration has nothing speakable: after normalisation (emoji, symbols and "
            "characters the voice cannot say are dropped) no words are left",
            reason="unspeakable",
        )
    chunks = [c for c in split_chunks(spoken.text, chunk_chars) if spoken_words(c)]
    out_wav = Path(out_wav)
    parts: list[tuple[int, Timings]] = []
    with (
        tempfile.TemporaryDirectory(prefix=".speak-", dir=out_wav.parent) as tmpdir,
        atomic_output(out_wav) as tmp,
    ):
        writer: Pcm16Writer | None = None
        try:
            for index, chunk in enumerate(chunks):
                part = Path(tmpdir) / f"{index}.wav"
                timings = tts.synthesize(chunk, part, voice=voice)
                info = wav_info(part)
                if writer is None:
                    writer = Pcm16Writer(tmp, info.sample_rate)
                elif info.sample_rate != writer.sample_rate or not info.is_mono_pcm16:
                    convert_to_pcm16(part, part, sample_rate=writer.sample_rate)
                if index:
                    writer.write_silence(pause_ms)
                parts.append((writer.duration_ms, timings))
                writer.append_file(part)
                part.unlink()
                if progress is not None:
                    progress(index + 1, len(chunks))
            if writer is None:  # pragma: no cover - normalised words always make a chunk
                raise NarrationError("the narration has nothing speakable", reason="unspeakable")
            duration = writer.duration_ms
        finally:
            if writer is not None:
                writer.close()
    joined = Timings.join(parts, duration)
    silence = str(parts[0][1].meta.get("silence") or _SILENCE.get(joined.alphabet, "_"))
    return replace(
        joined,
        phonemes=_continuous(joined.phonemes, duration, silence),
        meta={**parts[0][1].meta, "chunks": len(chunks), "word_sources": list(spoken.sources)},
    )


def _continuous(
    phonemes: tuple[PhonemeTiming, ...], duration_ms: int, silence: str
) -> tuple[PhonemeTiming, ...]:
    """Phonemes with the pauses between chunks filled by silence and rounding overlaps cut."""
    out: list[PhonemeTiming] = []
    cursor = 0
    for p in phonemes:
        start = max(p.start_ms, cursor)
        if start > cursor:
            out.append(PhonemeTiming(silence, cursor, start))
        end = min(max(p.end_ms, start), duration_ms)
        if end > start:
            out.append(PhonemeTiming(p.phoneme, start, end))
            cursor = end
    if cursor < duration_ms:
        out.append(PhonemeTiming(silence, cursor, duration_ms))
    return tuple(out)
