"""Written narration to speakable text, with a map from spoken words back to written ones.

:func:`normalize` applies the pronunciation lexicon, then works token by token (a token is a
run of non-space characters of the original text): numbers, money, percentages, ordinals and
years become words; code (``snake_case``, ``camelCase``, ``len()``, ``my_list[0]``,
``os.path.join``, ``main.py``), paths, URLs and e-mail addresses are read out; operators and
symbols are named; emoji and characters no English voice can say are dropped. Sentence
punctuation stays, for the voice's phrasing. The output is stable: normalising it again
changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vidkit.text import numbers
from vidkit.text.lexicon import Lexicon

__all__ = ["SpokenText", "normalize", "spoken_words"]

_EDGE_PUNCT = "\"'`.,;:!?()[]{}<>«»“”‘’—–-…"
_TRAILING = ".,;:!?…"
_QUOTES = "\"'`«»“”‘’"

_OPERATORS = {
    "===": "triple equals", "!==": "not double equals", "==": "double equals",
    "!=": "not equals", "<=": "less than or equal to", ">=": "greater than or equal to",
    "->": "arrow", "=>": "fat arrow", "<-": "left arrow", ":=": "walrus", "**": "double star",
    "//": "double slash", "&&": "and", "||": "or", "<<": "shift left", ">>": "shift right",
    "+=": "plus equals", "-=": "minus equals", "*=": "times equals", "/=": "divide equals",
    "::": "double colon", "...": "", "--": "", "+": "plus", "-": "minus", "*": "times",
    "/": "slash", "\\": "backslash", "=": "equals", "<": "less than", ">": "greater than",
    "&": "and", "|": "pipe", "@": "at", "#": "hash", "%": "percent", "^": "caret",
    "~": "tilde", "_": "underscore", "$": "dollar", "!": "", "?": "", ":": "", ";": "",
    "→": "to", "←": "from", "⇒": "implies", "×": "times", "÷": "divided by", "≠": "not equal to",
    "≤": "less than or equal to", "≥": "greater than or equal to", "±": "plus or minus",
    "≈": "approximately", "°": "degrees", "π": "pi", "∞": "infinity", "√": "square root of",
    "½": "one half", "¼": "one quarter", "¾": "three quarters", "§": "section", "©": "copyright",
    "®": "registered", "™": "trademark", "€": "euros", "£": "pounds", "¥": "yen",
    "—": ",", "–": ",",
}  # fmt: skip
_INNER_SYMBOLS = {
    "+": "plus", "=": "equals", "&": "and", "@": "at", "#": "hash", "*": "star", "%": "percent",
    "/": "slash", "\\": "backslash", "|": "pipe", "~": "tilde", "^": "caret", ":": "colon",
    "<": "less than", ">": "greater than", "$": "dollar", "!": "not", "?": "",
}  # fmt: skip
_EXTENSIONS = {
    "py": "pie", "pyi": "pie I", "ipynb": "I-pie-N-B", "js": "J-S", "ts": "T-S", "md": "M-D",
    "txt": "text", "json": "jason", "toml": "tom-ul", "yaml": "yammel", "yml": "yammel",
    "csv": "C-S-V", "html": "H-T-M-L", "css": "C-S-S", "rs": "R-S", "go": "go", "cpp": "C-P-P",
    "sh": "S-H", "sql": "sequel", "wav": "wave", "mp4": "M-P-four", "png": "P-N-G",
    "jpg": "jay-peg", "svg": "S-V-G", "pdf": "P-D-F", "exe": "E-X-E", "gz": "G-Z",
}  # fmt: skip
_UNITS = {
    "ms": "milliseconds", "s": "seconds", "px": "pixels", "kb": "kilobytes", "mb": "megabytes",
    "gb": "gigabytes", "tb": "terabytes", "hz": "hertz", "khz": "kilohertz", "mhz": "megahertz",
    "ghz": "gigahertz", "fps": "F-P-S", "x": "times", "k": "thousand", "m": "million",
    "bn": "billion", "km": "kilometers", "cm": "centimeters", "mm": "millimeters",
    "kg": "kilograms",
    "d": "D", "h": "hours", "min": "minutes",
}  # fmt: skip
_CURRENCY = {"$": ("dollar", "dollars", "cent", "cents"), "€": ("euro", "euros", "cent", "cents"),
             "£": ("pound", "pounds", "penny", "pence")}  # fmt: skip
_MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
]  # fmt: skip
_YEAR_CONTEXT = {"in", "since", "by", "from", "until", "till", "year", "of", "before", "after",
                 "around", "circa", "during", "early", "late", "mid", "summer", "winter",
                 "spring", "autumn", "fall", *_MONTHS}  # fmt: skip

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_RE_PLAIN = re.compile(rf"-?(?:{_NUMBER})")
_RE_MONEY = re.compile(rf"(-?)([$€£])({_NUMBER})([kmb]|bn)?", re.IGNORECASE)
_RE_PERCENT = re.compile(rf"(-?(?:{_NUMBER}))%")
_RE_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)", re.IGNORECASE)
_RE_DECADE = re.compile(r"'?(\d{1,3}0|\d{2}00)s")
_RE_UNIT = re.compile(rf"({_NUMBER})([a-zA-Z]+)")
_RE_RANGE = re.compile(rf"({_NUMBER})[-–]({_NUMBER})")
_RE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_RE_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_RE_VERSION = re.compile(r"v?\d+(?:\.\d+){2,}")
_RE_FRACTION = re.compile(r"(\d+)/(\d+)")
_RE_URL = re.compile(r"(?:https?://|www\.)[^\s]+", re.IGNORECASE)
_RE_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RE_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_RE_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]\.?")


@dataclass(frozen=True, slots=True)
class SpokenText:
    """Narration as the voice will say it.

    ``words`` are the spoken words (as :func:`spoken_words` splits ``text``); ``sources[i]``
    is the index, in ``original`` (the whitespace-separated tokens of the written text), of
    the token that spoken word ``i`` came from, for captions that show what was written.
    """

    text: str
    words: tuple[str, ...]
    sources: tuple[int, ...]
    original: tuple[str, ...]


def spoken_words(text: str) -> list[str]:
    """The words of (normalised) text as timings name them: whitespace-separated tokens with
    edge punctuation removed; tokens without a letter or digit are not words."""
    words = []
    for token in text.split():
        word = token.strip(_EDGE_PUNCT)
        if any(ch.isalnum() for ch in word):
            words.append(word)
    return words


def normalize(text: str, lexicon: Lexicon | None = None) -> SpokenText:
    """Speakable text for ``text``; ``lexicon`` defaults to :meth:`Lexicon.default`."""
    lexicon = Lexicon.default() if lexicon is None else lexicon
    original = tuple(text.split())
    pieces: list[str] = []
    words: list[str] = []
    sources: list[int] = []
    previous = ""
    for index, token in enumerate(original):
        spoken = " ".join(_speak(sub, previous) for sub in lexicon.apply(token).split())
        spoken = " ".join(spoken.split())
        found = spoken_words(spoken)
        if found:
            pieces.append(spoken)
            words.extend(found)
            sources.extend([index] * len(found))
        elif spoken and pieces and pieces[-1][-1] not in _TRAILING:
            pieces[-1] += _tail(spoken.replace(" ", ""))  # a pause: "—", "...", a lone ","
        previous = token.strip(_EDGE_PUNCT).lower()
    return SpokenText(" ".join(pieces), tuple(words), tuple(sources), original)


def _speak(token: str, previous: str) -> str:
    """One token (no spaces), spoken, with its sentence punctuation kept."""
    token = _clean_unicode(token)
    core, tail = _split_tail(token)
    core = core.lstrip("([{" + _QUOTES)
    core = core.rstrip(_QUOTES)
    if core.endswith((")", "]", "}")) and not _balanced(core):
        core = core.rstrip(")]}")
    if not core:
        return _tail(tail) if tail.strip(".…") else ""
    spoken = _speak_core(core, previous)
    return (spoken + _tail(tail)) if spoken else ""


def _clean_unicode(token: str) -> str:
    """Fold accents and typographic forms to ASCII-ish text, drop emoji and unknown scripts."""
    out = []
    for ch in unicodedata.normalize("NFC", token):
        if ch.isascii() or ch in _OPERATORS or ch in "…—–‘’“”«»":
            out.append(ch)
            continue
        folded = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in folded if not unicodedata.combining(c))
        if base.isascii() and base.strip() and (base.isalnum() or base in _OPERATORS):
            out.append(base)  # é → e, ﬁ → fi, ² → 2
        # else: emoji, pictographs, other scripts, control and format characters: dropped
    return "".join(out).replace("‘", "'").replace("’", "'")


def _split_tail(token: str) -> tuple[str, str]:
    """Split off trailing sentence punctuation, quotes and closing brackets that close nothing
    inside the token (``len().`` keeps its ``()``; ``(like this).`` loses the ``)``)."""
    end = len(token)
    while end > 0:
        ch = token[end - 1]
        if ch in _TRAILING or ch in _QUOTES or (ch in ")]}" and not _opens(token[: end - 1], ch)):
            end -= 1
        else:
            break
    return token[:end], token[end:]


def _opens(core: str, closer: str) -> bool:
    opener = {")": "(", "]": "[", "}": "{"}[closer]
    return core.count(opener) > core.count(closer)


def _balanced(core: str) -> bool:
    return all(core.count(o) == core.count(c) for o, c in ("()", "[]", "{}"))


def _tail(tail: str) -> str:
    kept = [ch for ch in tail if ch in _TRAILING]
    if not kept:
        return ""
    for strong in "?!.…":
        if strong in kept:
            return "." if strong == "…" else strong
    return kept[0]


def _speak_core(core: str, previous: str) -> str:
    if core in _OPERATORS:
        return _OPERATORS[core]
    if _RE_URL.fullmatch(core):
        return _url(core)
    if _RE_EMAIL.fullmatch(core):
        user, _, host = core.partition("@")
        return f"{_code(user)} at {_dotted(host)}"
    number = _number(core, previous)
    if number is not None:
        return number
    if _RE_INITIALS.fullmatch(core):
        return "-".join(ch for ch in core if ch.isalpha())
    if re.fullmatch(r"#\d+", core):
        return f"number {numbers.cardinal(int(core[1:]))}"
    if core.isalpha() or re.fullmatch(r"[A-Za-z]+(?:['-][A-Za-z]+)*", core):
        return _words_of(core)
    return _code(core)


def _number(core: str, previous: str) -> str | None:
    if m := _RE_MONEY.fullmatch(core):
        return _money(*m.groups())
    if m := _RE_PERCENT.fullmatch(core):
        return f"{_plain(m.group(1), previous)} percent"
    if m := _RE_DECADE.fullmatch(core):
        return _plural(
            numbers.year(int(m.group(1)))
            if len(m.group(1)) == 4
            else numbers.cardinal(int(m.group(1)))
        )
    if m := _RE_ORDINAL.fullmatch(core):
        return numbers.ordinal(int(m.group(1)))
    if m := _RE_DATE.fullmatch(core):
        y, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{_MONTHS[month - 1]} {numbers.ordinal(day)}, {numbers.year(y)}"
    if _RE_VERSION.fullmatch(core):
        return "version " * core.startswith("v") + " point ".join(
            numbers.cardinal(int(part)) for part in core.lstrip("v").split(".")
        )
    if m := _RE_TIME.fullmatch(core):
        hours, minutes = int(m.group(1)), int(m.group(2))
        if minutes == 0:
            return f"{numbers.cardinal(hours)} o'clock"
        sep = " oh " if minutes < 10 else " "
        return numbers.cardinal(hours) + sep + numbers.cardinal(minutes)
    if m := _RE_FRACTION.fullmatch(core):
        return f"{numbers.cardinal(int(m.group(1)))} over {numbers.cardinal(int(m.group(2)))}"
    if m := _RE_RANGE.fullmatch(core):
        return f"{_plain(m.group(1), previous)} to {_plain(m.group(2), previous)}"
    if _RE_PLAIN.fullmatch(core):
        return _plain(core, previous)
    if (m := _RE_UNIT.fullmatch(core)) and m.group(2).lower() in _UNITS:
        return f"{_plain(m.group(1), previous)} {_UNITS[m.group(2).lower()]}"
    return None


def _plural(words: str) -> str:
    """``nineteen ninety`` → ``nineteen nineties``; ``fifteen hundred`` → ``fifteen hundreds``."""
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def _plain(text: str, previous: str) -> str:
    """A plain number: integer (maybe a year), with thousands commas, decimal, or negative."""
    bare = text.replace(",", "")
    if "." in bare:
        return numbers.decimal(bare)
    if len(bare) > 1 and bare.startswith("0"):
        return numbers.digits(bare)
    value = int(bare)
    if "," not in text and len(bare) == 4 and _is_year(value, previous):
        return numbers.year(value)
    return numbers.cardinal(value)


def _is_year(value: int, previous: str) -> bool:
    return 1100 <= value <= 1999 or (1100 <= value <= 2099 and previous in _YEAR_CONTEXT)


def _money(sign: str, symbol: str, amount: str, scale: str | None) -> str:
    one, many, sub_one, sub_many = _CURRENCY[symbol]
    bare = amount.replace(",", "")
    minus = "minus " if sign else ""
    if scale:
        return f"{minus}{numbers.decimal(bare)} {_UNITS[scale.lower()]} {many}"
    whole_text, _, cents_text = bare.partition(".")
    whole = int(whole_text or "0")
    if len(cents_text) == 2:
        cents = int(cents_text)
        spoken = f"{numbers.cardinal(whole)} {one if whole == 1 else many}"
        if cents:
            spoken += f" and {numbers.cardinal(cents)} {sub_one if cents == 1 else sub_many}"
        return minus + spoken
    if cents_text:
        return f"{minus}{numbers.decimal(bare)} {many}"
    return f"{minus}{numbers.cardinal(whole)} {one if whole == 1 else many}"


def _url(url: str) -> str:
    rest = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    rest = re.split(r"[?#]", rest, maxsplit=1)[0].rstrip("/")
    host, _, path = rest.partition("/")
    spoken = _dotted(host)
    for part in filter(None, path.split("/")):
        spoken += " slash " + _code(part)
    return spoken


def _dotted(name: str) -> str:
    return " dot ".join(_code(part) for part in name.split(".") if part)


def _words_of(word: str) -> str:
    """A plain word, or a camelCase / PascalCase / ALLCAPS-prefixed name split into words."""
    if "-" in word or "'" in word or word.islower() or word.isupper() or word.istitle():
        return word
    return " ".join(p if p.isupper() else p.lower() for p in _RE_CAMEL.findall(word))


def _code(text: str) -> str:
    """An identifier, path, call or expression read out piece by piece."""
    if not text:
        return ""
    if text.startswith("__") and text.endswith("__") and len(text) > 4:
        return f"dunder {_code(text[2:-2])}"
    if m := re.fullmatch(r"(.*?)\.([A-Za-z0-9]{1,6})", text):
        stem, extension = m.groups()
        if extension.lower() in _EXTENSIONS and stem and not stem.endswith("."):
            return f"{_code(stem)} dot {_EXTENSIONS[extension.lower()]}"
    for operator in (
        "===",
        "!==",
        "==",
        "!=",
        "<=",
        ">=",
        "->",
        "=>",
        ":=",
        "**",
        "//",
        "&&",
        "||",
    ):
        if operator in text and text != operator:
            return f" {_OPERATORS[operator]} ".join(_code(p) for p in text.split(operator)).strip()
    parts: list[str] = []
    for piece in re.split(r"([^A-Za-z0-9'])", text):
        if not piece:
            continue
        if piece == ".":
            parts.append("dot")
        elif piece == "_" or piece == "-":
            continue
        elif piece in "([{)]}":
            if piece == "[":
                parts.append("index")
        elif piece in _INNER_SYMBOLS:
            parts.append(_INNER_SYMBOLS[piece])
        elif piece == "'":
            continue
        elif piece[0].isalnum() or piece[0] == "'":
            parts.append(_alnum(piece))
    if text.startswith("-") and text.lstrip("-")[:1].isalpha():
        parts.insert(0, "dash dash" if text.startswith("--") else "dash")
    if text.startswith("_") and not text.startswith("__"):
        parts.insert(0, "underscore")
    return " ".join(p for p in parts if p)


def _alnum(piece: str) -> str:
    """Letters and digits mixed (``utf8``, ``h1``, ``x2``, ``3D``)."""
    out = []
    for run in re.findall(r"\d+|[A-Za-z']+", piece):
        if run.isdigit():
            out.append(
                numbers.digits(run)
                if run.startswith("0") and len(run) > 1
                else numbers.cardinal(int(run))
            )
        else:
            out.append(_words_of(run.strip("'")))
    return " ".join(w for w in out if w)
