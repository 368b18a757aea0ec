"""Wire schemas are closed and ordered; the grammar keeps the order and the limits."""

from __future__ import annotations

import json

import pytest

from vidkit.backends.llm.grammar import max_json_chars, schema_to_gbnf
from vidkit.backends.llm.retry import InvalidAnswer
from vidkit.backends.llm.schemas import Plan, parse_plan, plan_schema, wire_schema


def test_wire_schema_is_inlined_closed_and_keeps_property_order() -> None:
    schema = wire_schema(Plan)
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text and '"title": "' not in text
    item = schema["properties"]["scenes"]["items"]
    assert list(item["properties"]) == ["title", "narration", "screen", "seconds"]
    assert item["required"] == ["title", "narration", "screen", "seconds"]
    assert item["additionalProperties"] is False and schema["additionalProperties"] is False


def test_grammar_keeps_order_and_bounds() -> None:
    grammar = schema_to_gbnf(plan_schema(3, 500))
    item = next(line for line in grammar.splitlines() if line.startswith("root-scenes-item ::="))
    assert item.index('\\"title\\"') < item.index('\\"narration\\"') < item.index('\\"seconds\\"')
    assert 'char{1,500} "\\"" space' in grammar
    assert '("," space root-scenes-item){0,2}' in grammar
    assert "root-scenes-item-seconds ::= ([1-9] | [1-9] [0-9]{1,2}) space" in grammar


def test_max_json_chars_bounds_every_valid_answer() -> None:
    schema = plan_schema(2, 50)
    longest = {"scenes": [{"title": "t" * 60, "narration": "n" * 50, "screen": "s" * 160,
                           "seconds": 600}] * 2}  # fmt: skip
    assert len(json.dumps(longest)) <= max_json_chars(schema) < 2 * len(json.dumps(longest))


def test_parse_plan_checks_the_request_limits() -> None:
    scene = {"title": "t", "narration": "n" * 30, "screen": "s", "seconds": 3}
    assert len(parse_plan({"scenes": [scene]}, 1, 30).scenes) == 1
    with pytest.raises(InvalidAnswer, match="scenes has 2 items; at most 1"):
        parse_plan({"scenes": [scene, scene]}, 1)
    with pytest.raises(InvalidAnswer, match=r"scenes\.0\.narration has 30 characters; at most 20"):
        parse_plan({"scenes": [scene]}, 1, 20)
