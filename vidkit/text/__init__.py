"""Narration text: pronunciation lexicon, normalisation to speakable words, chunking.

``normalize(text, lexicon)`` turns written narration (numbers, code, symbols, emoji) into what
the voice says, with a map back to the written words; ``synthesize_long`` speaks narration of
any length through a TTS backend chunk by chunk.
"""

from __future__ import annotations

from vidkit.text.chunks import Progress, split_chunks, synthesize_long
from vidkit.text.lexicon import DEFAULT_ENTRIES, Lexicon
from vidkit.text.normalize import SpokenText, normalize, spoken_words

__all__ = [
    "DEFAULT_ENTRIES",
    "Lexicon",
    "Progress",
    "SpokenText",
    "normalize",
    "split_chunks",
    "spoken_words",
    "synthesize_long",
]
