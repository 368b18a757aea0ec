from __future__ import annotations

import pytest

from vidkit.text.numbers import cardinal, decimal, digits, ordinal, year


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (13, "thirteen"),
        (40, "forty"),
        (99, "ninety-nine"),
        (100, "one hundred"),
        (101, "one hundred one"),
        (1024, "one thousand twenty-four"),
        (20_000_017, "twenty million seventeen"),
        (-7, "minus seven"),
        (10**15, "one zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero"),
    ],
)
def test_cardinal(n: int, words: str) -> None:
    assert cardinal(n) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [(1, "first"), (2, "second"), (3, "third"), (5, "fifth"), (12, "twelfth"), (20, "twentieth"),
     (22, "twenty-second"), (100, "one hundredth"), (1001, "one thousand first")],
)  # fmt: skip
def test_ordinal(n: int, words: str) -> None:
    assert ordinal(n) == words


@pytest.mark.parametrize(
    ("n", "words"),
    [(1999, "nineteen ninety-nine"), (1900, "nineteen hundred"), (1905, "nineteen oh five"),
     (2000, "two thousand"), (2007, "two thousand seven"), (2024, "twenty twenty-four")],
)  # fmt: skip
def test_year(n: int, words: str) -> None:
    assert year(n) == words


def test_decimal_and_digits() -> None:
    assert decimal("3.14") == "three point one four"
    assert decimal("-0.5") == "minus zero point five"
    assert decimal("1,024.5") == "one thousand twenty-four point five"
    assert digits("007") == "zero zero seven"
