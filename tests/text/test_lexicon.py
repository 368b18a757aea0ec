from __future__ import annotations

import pytest

from vidkit.errors import InvalidInput
from vidkit.text import DEFAULT_ENTRIES, Lexicon


def test_whole_words_only() -> None:
    lexicon = Lexicon({"int": "integer", "C++": "C plus plus"})
    assert lexicon.apply("print(int(x))") == "print(integer(x))"
    assert lexicon.apply("is_int intx C++ C++17") == "is_integer intx C plus plus C++17"


def test_capitals_match_exactly_lowercase_also_at_sentence_start() -> None:
    lexicon = Lexicon({"SQL": "sequel", "len": "length"})
    assert lexicon.apply("SQL sql Sql") == "sequel sql Sql"
    assert lexicon.apply("Len len LEN") == "length length LEN"


def test_json_round_trip_and_defaults() -> None:
    project = Lexicon({"vidkit": "vid kit", "SQL": "S-Q-L"})
    assert Lexicon.from_json(project.to_json()) == project
    merged = Lexicon.default().updated(project)
    assert merged["SQL"] == "S-Q-L"
    assert merged["kubectl"] == DEFAULT_ENTRIES["kubectl"] == "cube control"
    assert Lexicon.from_json('{"len": "length"}')["len"] == "length"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "JSON object"),
        ("{not json", "not valid JSON"),
        ('{"two words": "x"}', "one word"),
        ('{"x": 3}', "must be text"),
    ],
)
def test_bad_lexicons(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Lexicon.from_json(text)
