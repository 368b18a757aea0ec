"""Narration text: pronunciation lexicon, normalisation to speakable words, chunking.

``normalize(text, lexicon)`` turns written narration (numbers, code, symbols, emoji) into what
the voice says, with a map back to the written words; ``split_chunks`` cuts it into pieces a
voice speaks at once (:func:`vidkit.backends.tts.long.synthesize_long` speaks them).
"""

from __future__ import annotations

from vidkit.text.chunks import split_chunks
from vidkit.text.lexicon import DEFAULT_ENTRIES, Lexicon
from vidkit.text.normalize import SpokenText, normalize, spoken_words

__all__ = [
    "DEFAULT_ENTRIES",
    "Lexicon",
    "SpokenText",
    "normalize",
    "split_chunks",
    "spoken_words",
]
