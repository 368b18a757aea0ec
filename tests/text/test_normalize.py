"""Normalisation tables: what the voice is given for what was written."""

from __future__ import annotations

import random

import pytest

from vidkit.text import Lexicon, normalize, spoken_words

CASES = [
    # numbers
    ("3.5", "three point five"),
    ("1,024", "one thousand twenty-four"),
    ("1,000,000", "one million"),
    ("2nd and 21st", "second and twenty-first"),
    ("in 2024", "in twenty twenty-four"),
    ("1999", "nineteen ninety-nine"),
    ("2048 bytes", "two thousand forty-eight bytes"),
    ("the 1990s", "the nineteen nineties"),
    ("50%", "fifty percent"),
    ("$5", "five dollars"),
    ("$1", "one dollar"),
    ("$3.50", "three dollars and fifty cents"),
    ("$1.5M", "one point five million dollars"),
    ("-5", "minus five"),
    ("-3.5", "minus three point five"),
    ("007", "zero zero seven"),
    ("Python 3.11.2", "Python three point eleven point two"),
    ("10:30", "ten thirty"),
    ("1-10", "one to ten"),
    ("2024-01-15", "january fifteenth, twenty twenty-four"),
    ("10px 64GB", "ten pixels sixty-four gigabytes"),
    # symbols
    ("a == b", "a double equals b"),
    ("x -> y", "x arrow y"),
    ("a + b", "a plus b"),
    ("you & me", "you and me"),
    ("@user", "at user"),
    ("a / b", "a slash b"),
    ("#python and #1", "hash python and number one"),
    ("a * b", "a times b"),
    ("*args", "star args"),
    ("_", "underscore"),
    ("x<=y", "x less than or equal to y"),
    # code
    ("snake_case", "snake case"),
    ("camelCase", "camel case"),
    ("HTTPServer", "HTTP server"),
    ("len()", "length"),
    ("my_list[0]", "my list index zero"),
    ("os.path.join", "os dot path dot join"),
    ("main.py", "main dot pie"),
    ("Open src/main.py.", "Open src slash main dot pie."),
    ("__init__", "dunder init"),
    ("--verbose", "dash dash verbose"),
    ("utf8", "utf eight"),
    ("https://docs.python.org/3/?q=1", "docs dot python dot org slash three"),
    ("bob@example.com", "bob at example dot com"),
    # prose, emoji, unknown unicode
    ("Hello, world. How are you?", "Hello, world. How are you?"),
    ("Great 🎉 job 👍🏽!", "Great job!"),
    ("café 中文 naïve", "cafe naive"),
    ("Wait — what...", "Wait, what."),
    ("(see this).", "see this."),
    ("U.S.A. rocks", "U-S-A. rocks"),
    ("e.g. this", "for example this"),
    # lexicon defaults
    ("SQL and sql", "sequel and sql"),
    ("kubectl apply", "cube control apply"),
    ("str int dict", "string integer dictionary"),
    ("print is not int", "print is not integer"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_table(written: str, spoken: str) -> None:
    assert normalize(written).text == spoken


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_normalising_twice_changes_nothing(written: str, spoken: str) -> None:
    assert normalize(spoken).text == spoken


def test_words_map_back_to_written_tokens() -> None:
    spoken = normalize("Use len() on my_list, then 🎉 SQL.")
    assert spoken.words == ("Use", "length", "on", "my", "list", "then", "sequel")
    assert [spoken.original[i] for i in spoken.sources] == [
        "Use", "len()", "on", "my_list,", "my_list,", "then", "SQL.",
    ]  # fmt: skip
    assert list(spoken.words) == spoken_words(spoken.text)


def test_project_lexicon_wins_and_is_case_sensitive() -> None:
    lexicon = Lexicon.default().updated({"sql": "S-Q-L", "len": "len", "vidkit": "vid kit"})
    spoken = normalize("SQL, sql, Sql, len, Vidkit", lexicon)
    assert spoken.text == "sequel, S-Q-L, S-Q-L, len, vid kit"


def test_empty_lexicon_leaves_terms_alone() -> None:
    assert normalize("SQL len", Lexicon()).text == "SQL len"


def test_only_emoji_has_no_words() -> None:
    spoken = normalize("🎉 👍🏽 ✅ —")
    assert spoken.words == ()
    assert spoken.text == ""


def test_spoken_words_strip_edge_punctuation() -> None:
    assert spoken_words('"Hello," she said — twenty-four times... o\'clock!') == [
        "Hello", "she", "said", "twenty-four", "times", "o'clock",
    ]  # fmt: skip


def test_random_junk_never_breaks_it() -> None:
    alphabet = [
        *"abcXYZ019 .,;:!?-_/\\()[]{}<>@#$%^&*+=~|'\"`",
        *("é", "中", "🎉", "—", "…", "’", "½", "\u200d", "\ufe0f", "π", "€"),
    ]
    rng = random.Random(7)
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        spoken = normalize(text)
        assert normalize(spoken.text).text == spoken.text, text
        assert all(ch.isalnum() or ch in "'-" for w in spoken.words for ch in w), text
        assert len(spoken.sources) == len(spoken.words)
