"""A pronunciation lexicon: how terms in narration are said (``len`` → "length").

Terms match whole words: not inside a longer run of letters or digits (``int`` does not match
in ``print``), but an underscore, dot or bracket ends a word (``len()`` → "length()"). A term
with a capital letter matches only exactly (``SQL`` → "sequel" leaves ``sql`` alone); an
all-lowercase term also matches its Capitalised form at the start of a sentence. Terms are
single words (no spaces). The lexicon is applied before normalisation, so what a term is said
as may itself hold numbers or symbols.

Stored as JSON: ``{"version": 1, "entries": {"SQL": "sequel", "kubectl": "cube control"}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from types import MappingProxyType

from vidkit.errors import InvalidInput

__all__ = ["DEFAULT_ENTRIES", "Lexicon"]

DEFAULT_ENTRIES: Mapping[str, str] = MappingProxyType(
    {
        # Python names
        "len": "length",
        "str": "string",
        "int": "integer",
        "dict": "dictionary",
        "bool": "boolean",
        "enum": "ee-num",
        "kwargs": "keyword args",
        "elif": "else if",
        "async": "ay-sink",
        "stdin": "standard in",
        "stdout": "standard out",
        "stderr": "standard error",
        "numpy": "num-pie",
        "NumPy": "num-pie",
        "SciPy": "sigh-pie",
        "PyPI": "pie-P-I",
        "PyTorch": "pie-torch",
        "pytest": "pie-test",
        "Jupyter": "jupiter",
        # tools and formats
        "sudo": "soo-doo",
        "kubectl": "cube control",
        "regex": "rej-ex",
        "SQL": "sequel",
        "SQLite": "sequel-light",
        "MySQL": "my-sequel",
        "PostgreSQL": "post-gress-sequel",
        "JSON": "jason",
        "json": "jason",
        "YAML": "yammel",
        "yaml": "yammel",
        "TOML": "tom-ul",
        "toml": "tom-ul",
        "GitHub": "git-hub",
        "macOS": "mac-O-S",
        # acronyms espeak would read as one word
        "API": "A-P-I",
        "APIs": "A-P-Is",
        "CLI": "C-L-I",
        "GUI": "gooey",
        "IDs": "I-Ds",
        "C++": "C plus plus",
        "C#": "C sharp",
        "F#": "F sharp",
        ".NET": "dot net",
        "Node.js": "node J-S",
        "i.e.": "that is",
        "e.g.": "for example",
        "etc.": "et cetera",
        "vs.": "versus",
    }
)


class Lexicon(Mapping[str, str]):
    """An immutable term → pronunciation mapping. ``Lexicon.default()`` is the built-in one;
    ``Lexicon.default().updated(project_entries)`` lets a project's entries win."""

    def __init__(self, entries: Mapping[str, str] | None = None) -> None:
        clean: dict[str, str] = {}
        for term, said in (entries or {}).items():
            if not isinstance(term, str) or not isinstance(said, str):
                raise InvalidInput("lexicon terms and pronunciations must be text", field="lexicon")
            term, said = term.strip(), " ".join(said.split())
            if not term or any(ch.isspace() for ch in term):
                raise InvalidInput(
                    f"lexicon term {term!r} must be one word without spaces", field="lexicon"
                )
            clean[term] = said
        self._entries = clean

    @staticmethod
    def default() -> Lexicon:
        return Lexicon(DEFAULT_ENTRIES)

    def updated(self, entries: Mapping[str, str]) -> Lexicon:
        """A new lexicon: these entries, with ``entries`` added or overriding them."""
        return Lexicon({**self._entries, **entries})

    def __getitem__(self, term: str) -> str:
        return self._entries[term]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Lexicon({len(self)} entries)"

    def apply(self, text: str) -> str:
        """``text`` with every whole-word occurrence of a term replaced by how it is said."""
        if not self._entries:
            return text
        return self._pattern.sub(lambda m: self._lookup[m.group(0)], text)

    @cached_property
    def _lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for term, said in self._entries.items():
            if term.islower() and term[:1].isalpha():
                lookup.setdefault(term[0].upper() + term[1:], said)
        lookup.update(self._entries)  # exact spellings win over capitalised variants
        return lookup

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        terms = sorted(self._lookup, key=len, reverse=True)
        alternatives = "|".join(re.escape(t) for t in terms)
        return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")

    def to_json(self) -> str:
        return json.dumps({"version": 1, "entries": self._entries}, ensure_ascii=False, indent=2)

    @staticmethod
    def from_json(text: str) -> Lexicon:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"the lexicon is not valid JSON: {exc}", field="lexicon") from exc
        if isinstance(raw, dict) and "entries" in raw:
            raw = raw["entries"]
        if not isinstance(raw, dict):
            raise InvalidInput(
                'a lexicon is a JSON object: {"version": 1, "entries": {"term": "said as"}}',
                field="lexicon",
            )
        return Lexicon(raw)
