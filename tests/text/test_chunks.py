"""Cutting long narration into chunks at sentences, then clauses, then words."""

from __future__ import annotations

import itertools

from vidkit.text import split_chunks

SENTENCES = [
    "Lists keep their items in order.",
    "You can add items, remove them, and sort them!",
    "Why would you use a tuple instead?",
    "Because a tuple cannot change, it can be a dictionary key.",
]


def scene(words: int) -> str:
    text, count = [], 0
    for sentence in itertools.cycle(SENTENCES):
        text.append(sentence)
        count += len(sentence.split())
        if count >= words:
            return " ".join(text)
    raise AssertionError("unreachable")


def test_chunks_end_at_sentences_and_keep_every_word() -> None:
    text = scene(10_000)
    chunks = split_chunks(text, 1200)
    assert " ".join(chunks).split() == text.split()
    assert all(len(c) <= 1200 for c in chunks)
    assert all(c.endswith((".", "!", "?")) for c in chunks)
    assert len(chunks) >= len(text) // 1200


def test_a_huge_sentence_is_cut_at_commas_then_spaces() -> None:
    clauses = ", ".join(f"item number {n} goes here" for n in range(60))
    chunks = split_chunks(clauses + ".", 200)
    assert " ".join(chunks).split() == (clauses + ".").split()
    assert all(len(c) <= 200 for c in chunks)
    assert all(c.endswith((",", ".")) for c in chunks)
    words = split_chunks("word " * 100, 50)
    assert all(len(c) <= 50 for c in words)
    assert split_chunks("Supercalifragilistic", 5) == ["Supercalifragilistic"]
