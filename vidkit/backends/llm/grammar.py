"""JSON schema → llama.cpp GBNF grammar, for the subset vidkit's answers use.

llama-cpp-python's own converter sorts properties by name (so a scene's title would come last)
and spells ``maxLength`` as nested optionals that llama.cpp's parser rejects beyond a few hundred
characters. This one keeps the schema's property order and uses ``{m,n}`` repetitions, which
llama.cpp expands itself (up to :data:`MAX_REPEAT` per rule).

Supported: objects (every property required, in order), strings (``minLength``/``maxLength``),
integers (``minimum``/``maximum`` bound the number of digits; the exact range is checked after
parsing), numbers, booleans, ``enum`` of strings, and arrays (``minItems``/``maxItems``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_REPEAT", "max_json_chars", "schema_to_gbnf"]

#: llama.cpp refuses a repetition whose expansion passes 2000 rules.
MAX_REPEAT = 1900

_PRIMITIVES = {
    "space": '" "?',
    "char": r'[^"\\\x7F\x00-\x1F] | [\\] (["\\/bfnrt] | "u" [0-9a-fA-F]{4})',
    "boolean": '("true" | "false") space',
    "number": '"-"? [0-9]{1,15} ("." [0-9]{1,15})? space',
}


class _Builder:
    def __init__(self) -> None:
        self.rules: dict[str, str] = {}

    def add(self, name: str, body: str) -> str:
        name = re.sub(r"[^a-zA-Z0-9-]+", "-", name).strip("-") or "r"
        key, n = name, 1
        while key in self.rules and self.rules[key] != body:
            n += 1
            key = f"{name}{n}"
        self.rules[key] = body
        return key

    def visit(self, schema: Mapping[str, Any], name: str) -> str:
        if "enum" in schema:
            options = " | ".join(json.dumps(json.dumps(v)) for v in schema["enum"])
            return self.add(name, f"({options}) space")
        kind = schema.get("type")
        if kind == "object":
            props = schema.get("properties", {})
            parts = []
            for index, (prop, sub) in enumerate(props.items()):
                value = self.visit(sub, f"{name}-{prop}")
                comma = '"," space ' if index else ""
                parts.append(f'{comma}{json.dumps(json.dumps(prop))} space ":" space {value}')
            body = " ".join(parts)
            return self.add(
                name, f'"{{" space {body} "}}" space' if body else '"{" space "}" space'
            )
        if kind == "array":
            item = self.visit(schema.get("items", {"type": "string"}), f"{name}-item")
            low = int(schema.get("minItems", 0))
            high = schema.get("maxItems")
            if high is not None and int(high) == 0:
                return self.add(name, '"[" space "]" space')
            more = f"{{{max(0, low - 1)},{'' if high is None else int(high) - 1}}}"
            items = f'{item} ("," space {item}){more}'
            body = f'"[" space {items} "]" space' if low else f'"[" space ({items})? "]" space'
            return self.add(name, body)
        if kind == "string":
            low = int(schema.get("minLength", 0))
            high = min(int(schema.get("maxLength", MAX_REPEAT)), MAX_REPEAT)
            return self.add(name, f'"\\"" char{{{low},{high}}} "\\"" space')
        if kind == "integer":
            return self.add(name, self._integer(schema))
        if kind in ("number", "boolean"):
            return str(kind)
        raise ValueError(f"the grammar converter does not support the schema {schema!r}")

    @staticmethod
    def _integer(schema: Mapping[str, Any]) -> str:
        low = schema.get("minimum")
        high = schema.get("maximum")
        digits = len(str(abs(int(high)))) if high is not None else 15
        sign = '"-"? ' if low is None or int(low) < 0 else ""
        first = "[1-9]" if low is not None and int(low) >= 1 else "[0-9]"
        if digits == 1:
            return f"{sign}{first} space"
        return f"{sign}({first} | [1-9] [0-9]{{1,{digits - 1}}}) space"


def schema_to_gbnf(schema: Mapping[str, Any]) -> str:
    """A GBNF grammar whose sentences are JSON values of ``schema``'s shape."""
    builder = _Builder()
    root = builder.visit(schema, "root")
    rules = dict(builder.rules)
    if root != "root":
        rules["root"] = root
    rules.update(_PRIMITIVES)
    return "\n".join(f"{name} ::= {body}" for name, body in rules.items()) + "\n"


def max_json_chars(schema: Mapping[str, Any]) -> int:
    """The longest answer ``schema`` allows, in characters (an array without ``maxItems``
    counts as 10 items): with the grammar, the embedded model can never write more."""
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"]) + 1
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return 4 + sum(len(json.dumps(p)) + 4 + max_json_chars(s) for p, s in props.items())
    if kind == "array":
        items = int(schema.get("maxItems", 10))
        return 4 + items * (max_json_chars(schema.get("items", {"type": "string"})) + 2)
    if kind == "string":
        return min(int(schema.get("maxLength", MAX_REPEAT)), MAX_REPEAT) + 3
    if kind == "integer":
        high = schema.get("maximum")
        return (len(str(abs(int(high)))) if high is not None else 16) + 2
    return 34 if kind == "number" else 6
