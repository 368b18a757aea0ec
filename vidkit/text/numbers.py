"""Numbers as words (US English): cardinals, ordinals, years, decimals, digit strings."""

from __future__ import annotations

__all__ = ["cardinal", "decimal", "digits", "ordinal", "year"]

_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES = (
    (10**12, "trillion"),
    (10**9, "billion"),
    (10**6, "million"),
    (10**3, "thousand"),
)
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def cardinal(n: int) -> str:
    """``1024`` → ``"one thousand twenty-four"``; past the trillions, digit by digit."""
    if n < 0:
        return f"minus {cardinal(-n)}"
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{_ONES[hundreds]} hundred" + (f" {cardinal(rest)}" if rest else "")
    if n >= 1000 * _SCALES[0][0]:
        return digits(str(n))
    for scale, name in _SCALES:
        if n >= scale:
            head, rest = divmod(n, scale)
            return f"{cardinal(head)} {name}" + (f" {cardinal(rest)}" if rest else "")
    raise AssertionError("unreachable")  # pragma: no cover


def ordinal(n: int) -> str:
    """``2`` → ``"second"``, ``21`` → ``"twenty-first"``, ``100`` → ``"one hundredth"``."""
    words = cardinal(n)
    head, sep, last = words.rpartition(" " if "-" not in words.rsplit(" ", 1)[-1] else "-")
    if last in _IRREGULAR_ORDINALS:
        last = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


def year(n: int) -> str:
    """``1999`` → ``"nineteen ninety-nine"``, ``2005`` → ``"two thousand five"``,
    ``2024`` → ``"twenty twenty-four"``, ``1900`` → ``"nineteen hundred"``."""
    if not 1000 <= n <= 9999 or 2000 <= n <= 2009 or n % 1000 == 0:
        return cardinal(n)
    high, low = divmod(n, 100)
    if low == 0:
        return f"{cardinal(high)} hundred"
    if low < 10:
        return f"{cardinal(high)} oh {_ONES[low]}"
    return f"{cardinal(high)} {cardinal(low)}"


def decimal(text: str) -> str:
    """``"3.5"`` → ``"three point five"``; ``"-0.25"`` → ``"minus zero point two five"``."""
    sign = ""
    if text.startswith("-"):
        sign, text = "minus ", text[1:]
    whole, _, fraction = text.partition(".")
    spoken = cardinal(int(whole.replace(",", "") or "0"))
    if fraction:
        spoken += " point " + digits(fraction)
    return sign + spoken


def digits(text: str) -> str:
    """Each digit on its own: ``"007"`` → ``"zero zero seven"``."""
    return " ".join(_ONES[int(ch)] for ch in text if ch.isdigit())
