"""Long narration cut into chunks a voice speaks at once.

:func:`split_chunks` cuts text into pieces of about ``chunk_chars`` characters at sentence
ends (a sentence longer than that at commas, then at spaces; never inside a word).
:func:`vidkit.backends.tts.long.synthesize_long` speaks the chunks into one WAV file.
"""

from __future__ import annotations

import re

__all__ = ["split_chunks"]

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n\s*\n")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def split_chunks(text: str, chunk_chars: int) -> list[str]:
    """Pieces of ``text`` of at most about ``chunk_chars`` characters, cut between words and,
    where possible, between sentences; together they hold every word, in order."""
    if chunk_chars < 1:
        raise ValueError("chunk_chars must be positive")
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        pieces.extend(_fit(" ".join(sentence.split()), chunk_chars))
    chunks: list[str] = []
    for piece in pieces:
        if chunks and len(chunks[-1]) + 1 + len(piece) <= chunk_chars:
            chunks[-1] += " " + piece
        elif piece:
            chunks.append(piece)
    return chunks


def _fit(sentence: str, limit: int) -> list[str]:
    """A sentence as pieces within ``limit``: whole, else cut at clauses, else at spaces."""
    if len(sentence) <= limit:
        return [sentence]
    out: list[str] = []
    for clause in _CLAUSE_END.split(sentence):
        parts = [clause] if len(clause) <= limit else _by_words(clause, limit)
        for part in parts:
            if out and len(out[-1]) + 1 + len(part) <= limit:
                out[-1] += " " + part
            else:
                out.append(part)
    return out


def _by_words(text: str, limit: int) -> list[str]:
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= limit:
            out[-1] += " " + word
        else:
            out.append(word)  # a single word longer than the limit stays whole
    return out
