"""What the model must answer: pydantic models, and the JSON schemas sent on the wire.

The wire schema is the model's schema with ``$ref`` inlined, titles dropped, every property
required and no others allowed, so that OpenAI's ``json_schema``, Ollama's ``format`` and
llama.cpp's grammar all read it the same way. Per-request limits (how many scenes, how long a
narration) are tightened in the wire schema and checked again after parsing.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from vidkit.backends.llm.retry import InvalidAnswer

__all__ = [
    "MAX_ENTRIES",
    "MAX_SCENES",
    "LexiconProposal",
    "Plan",
    "PlannedScene",
    "Pronunciation",
    "Revision",
    "Script",
    "lexicon_schema",
    "parse_lexicon",
    "parse_plan",
    "parse_revision",
    "parse_script",
    "plan_schema",
    "revision_schema",
    "script_schema",
    "wire_schema",
]

TITLE_CHARS = 60
SCREEN_CHARS = 160
SCENE_CHARS = 2000
MAX_SCENES = 40
MAX_ENTRIES = 60


def _text(max_length: int) -> Any:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Script(_Answer):
    """A narration script."""

    title: Annotated[str, _text(120)] = Field(description="a short title for the video")
    narration: Annotated[str, _text(100_000)] = Field(
        description="everything the presenter says, as plain paragraphs"
    )


class PlannedScene(_Answer):
    title: Annotated[str, _text(TITLE_CHARS)] = Field(description="a short scene title")
    narration: Annotated[str, _text(SCENE_CHARS)] = Field(
        description="what the presenter says in this scene"
    )
    screen: Annotated[str, _text(SCREEN_CHARS)] = Field(
        description="what the screen shows meanwhile (code, a diagram, a slide)"
    )
    seconds: int = Field(ge=1, le=600, description="estimated duration in seconds")


class Plan(_Answer):
    """The script cut into ordered scenes."""

    scenes: list[PlannedScene] = Field(min_length=1, max_length=MAX_SCENES)


class Revision(_Answer):
    narration: Annotated[str, _text(SCENE_CHARS)] = Field(
        description="the rewritten narration of this one scene"
    )


class Pronunciation(_Answer):
    term: Annotated[str, _text(40)] = Field(description="the term exactly as written")
    say: Annotated[str, _text(60)] = Field(description="how to say it, in plain words")


class LexiconProposal(_Answer):
    entries: list[Pronunciation] = Field(max_length=MAX_ENTRIES)


def wire_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema, self-contained and closed (see the module docstring)."""
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]))
            out = {k: walk(v) for k, v in node.items() if k != "title"}
            if isinstance(node.get("properties"), dict):  # property names are not annotations
                out["properties"] = {k: walk(v) for k, v in node["properties"].items()}
            if out.get("type") == "object" and "properties" in out:
                out["required"] = list(out["properties"])
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    result: dict[str, Any] = walk(raw)
    return result


def script_schema(max_chars: int) -> dict[str, Any]:
    schema = wire_schema(Script)
    schema["properties"]["narration"]["maxLength"] = max_chars
    return schema


def plan_schema(max_scenes: int, max_chars: int = SCENE_CHARS) -> dict[str, Any]:
    schema = wire_schema(Plan)
    scenes = schema["properties"]["scenes"]
    scenes["maxItems"] = max_scenes
    scenes["items"]["properties"]["narration"]["maxLength"] = max_chars
    return schema


def revision_schema(max_chars: int) -> dict[str, Any]:
    schema = wire_schema(Revision)
    schema["properties"]["narration"]["maxLength"] = max_chars
    return schema


def lexicon_schema(max_entries: int) -> dict[str, Any]:
    schema = wire_schema(LexiconProposal)
    schema["properties"]["entries"]["maxItems"] = max_entries
    return schema


def _limit(text: str, limit: int, what: str) -> None:
    if len(text) > limit:
        raise InvalidAnswer(f"{what} has {len(text)} characters; at most {limit} are allowed")


def parse_script(data: Any, max_chars: int) -> Script:
    script = Script.model_validate(data)
    _limit(script.narration, max_chars, "narration")
    return script


def parse_plan(data: Any, max_scenes: int, max_chars: int = SCENE_CHARS) -> Plan:
    plan = Plan.model_validate(data)
    if len(plan.scenes) > max_scenes:
        raise InvalidAnswer(f"scenes has {len(plan.scenes)} items; at most {max_scenes} allowed")
    for number, scene in enumerate(plan.scenes):
        _limit(scene.narration, max_chars, f"scenes.{number}.narration")
    return plan


def parse_revision(data: Any, max_chars: int) -> Revision:
    revision = Revision.model_validate(data)
    _limit(revision.narration, max_chars, "narration")
    return revision


def parse_lexicon(data: Any, max_entries: int) -> LexiconProposal:
    proposal = LexiconProposal.model_validate(data)
    if len(proposal.entries) > max_entries:
        raise InvalidAnswer(f"entries has {len(proposal.entries)} items; at most {max_entries}")
    return proposal
