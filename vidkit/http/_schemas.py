"""Request and response models of the HTTP API.

Request models check types and unknown fields only; the rules on values (slug format, blank
titles, ranges) belong to the library, which raises :class:`~vidkit.errors.InvalidInput` naming
the field, so the CLI, the widgets and the API report a rule in the same words.

Response models mirror the ``to_dict()`` forms in :mod:`vidkit.model` field for field, so the
OpenAPI schema describes exactly what the CLI's ``--json`` prints. A field left out of a request
is left unchanged (or defaulted); only the fields marked nullable accept ``null``.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator
from pydantic_core import PydanticCustomError

from vidkit.http._schemas_out import (
    AssetOut,
    CaptionsOut,
    CutChangeOut,
    CutListOut,
    ErrorOut,
    Health,
    HintOut,
    LexiconSuggestionsOut,
    PlanOut,
    ProjectOut,
    RecordingViewOut,
    RevisedOut,
    SceneEditOut,
    SceneOut,
    ScriptOut,
    SpanOut,
    TightenOut,
    TranscriptWordOut,
)
from vidkit.model import (
    CAPTION_EDIT_MAX,
    CAPTION_EDITS_MAX,
    CORNERS,
    SLUG_MAX,
    SLUG_RE,
    TEXT_MAX,
    TITLE_MAX,
)

__all__ = [
    "ID_MAX",
    "AssetOut",
    "CaptionEditIn",
    "CaptionIn",
    "CaptionsOut",
    "CutChangeOut",
    "CutListIn",
    "CutListOut",
    "ErrorOut",
    "Health",
    "HintOut",
    "LexiconSuggest",
    "LexiconSuggestionsOut",
    "MoveScene",
    "PlanOut",
    "PlanRequest",
    "ProjectCreate",
    "ProjectOut",
    "ProjectUpdate",
    "RecordingUse",
    "RecordingViewOut",
    "ReorderScenes",
    "ReviseRequest",
    "RevisedOut",
    "SceneCreate",
    "SceneEditOut",
    "SceneOut",
    "SceneUpdate",
    "ScriptOut",
    "ScriptSave",
    "ScriptWrite",
    "SpanIn",
    "SpanOut",
    "SplitRequest",
    "TightenOut",
    "TightenRequest",
    "TranscriptWordOut",
    "word_ranges",
]

#: Ids are positive 64-bit integers.
ID_MAX: Final = 2**63 - 1
#: What the library takes as a frame rate in text (1..120 once computed).
_FPS_RE: Final = re.compile(r"^[0-9]{1,6}(?:\.[0-9]{1,6})?(?:/[0-9]{1,6})?$")


def _unicode(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError(
            "string_unicode", "text must be valid Unicode (it holds a lone surrogate)"
        ) from None
    return value


def _fps(value: Any) -> int | float | str:
    # Checked here because Fraction("1e999999999") would take minutes to compute.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, str) and _FPS_RE.match(value):
        return value
    raise PydanticCustomError(
        "fps_format", "fps must be a number such as 30 or 29.97, or a fraction such as '30000/1001'"
    )


def _whole_number(value: Any) -> Any:
    """JSON has one number type: 16.0 is the integer 16 (JSON Schema says so too), but 16.5 and
    "16" are not integers and stay as they are, for the strict check to refuse."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Text = Annotated[str, AfterValidator(_unicode)]
#: An integer, as JSON Schema means it (a number with no fraction, 16.0 included).
Whole = Annotated[int, BeforeValidator(_whole_number)]
#: What the library accepts as a frame width or height, documented; it checks it itself (with
#: its own message), so these only tell clients and schemathesis the rule.
_PIXELS: Final[dict[str, Any]] = {"minimum": 16, "maximum": 7680, "multipleOf": 2}
Fps = Annotated[
    int | float | str,
    PlainValidator(
        _fps,
        json_schema_input_type=Annotated[float, Field(ge=1, le=120)]
        | Annotated[str, Field(pattern=_FPS_RE.pattern)],
    ),
]
#: The library's own rules, documented (it checks them itself, with its own messages).
_SLUG: Final[dict[str, Any]] = {"pattern": SLUG_RE.pattern, "maxLength": SLUG_MAX}
_TITLE: Final[dict[str, Any]] = {"pattern": r"\S", "maxLength": TITLE_MAX}
_TEXT: Final[dict[str, Any]] = {"maxLength": TEXT_MAX}
_CORNER: Final[dict[str, Any]] = {"enum": list(CORNERS)}
_FRACTION: Final[dict[str, Any]] = {"minimum": 0, "maximum": 1}
_SCENE_MS: Final[dict[str, Any]] = {"minimum": 1, "maximum": 24 * 3600 * 1000}


def _request_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Show ``null`` only where it means something, and no defaults: a field left out of a
    PATCH is left unchanged, not set to its default."""
    nullable: frozenset[str] = getattr(model, "nullable", frozenset())
    for name, prop in schema.get("properties", {}).items():
        prop.pop("default", None)
        options = prop.get("anyOf")
        if name in nullable or not options or {"type": "null"} not in options:
            continue
        rest = [option for option in options if option != {"type": "null"}]
        del prop["anyOf"]
        if len(rest) == 1:
            prop.update(rest[0])
        else:
            prop["anyOf"] = rest


class _Request(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, json_schema_extra=_request_schema
    )
    #: Fields for which ``null`` is a value; for the others the library rejects it (422).
    nullable: ClassVar[frozenset[str]] = frozenset()

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, with the values it sent."""
        return self.model_dump(exclude_unset=True)


class ProjectCreate(_Request):
    slug: Text = Field(examples=["intro-to-python"], json_schema_extra=_SLUG)
    title: Text = Field(examples=["Intro to Python"], json_schema_extra=_TITLE)
    subtitle: Text | None = None
    description: Text | None = None
    width: Whole | None = Field(default=None, examples=[1920], json_schema_extra=_PIXELS)
    height: Whole | None = Field(default=None, examples=[1080], json_schema_extra=_PIXELS)
    fps: Fps | None = Field(default=None, examples=["30000/1001", 30])


class ProjectUpdate(_Request):
    """Any project field; a new ``slug`` renames the project (its scenes and assets follow)."""

    slug: Text | None = Field(default=None, json_schema_extra=_SLUG)
    title: Text | None = Field(default=None, json_schema_extra=_TITLE)
    subtitle: Text | None = None
    description: Text | None = None
    width: Whole | None = Field(default=None, json_schema_extra=_PIXELS)
    height: Whole | None = Field(default=None, json_schema_extra=_PIXELS)
    fps: Fps | None = None
    voice: Text | None = Field(
        default=None,
        description="the voice profile every narration is spoken in; '' for the speech "
        "backend's default voice",
        examples=["Ada", ""],
    )


class CaptionEditIn(_Request):
    """The caption that reads ``was`` (its lines joined by spaces) shows ``text`` instead."""

    was: Text = Field(json_schema_extra={"pattern": r"\S", "maxLength": TEXT_MAX})
    text: Text = Field(json_schema_extra={"pattern": r"\S", "maxLength": CAPTION_EDIT_MAX})


class CaptionIn(_Request):
    text: Text = Field(
        description="what the caption shows instead, at the same times ('' or the words "
        "themselves: back to the words)",
        json_schema_extra={"maxLength": CAPTION_EDIT_MAX},
        examples=["Orders live in SQL."],
    )


class _SceneFields(_Request):
    nullable = frozenset({"target_duration_ms", "avatar_corner", "avatar_x", "avatar_y"})

    narration: Text | None = Field(default=None, json_schema_extra=_TEXT)
    notes: Text | None = Field(default=None, json_schema_extra=_TEXT)
    target_duration_ms: Annotated[Whole, Field(json_schema_extra=_SCENE_MS)] | None = None
    avatar_corner: Annotated[Text, Field(json_schema_extra=_CORNER)] | None = Field(
        default=None, examples=["bottom-right"]
    )
    avatar_x: Annotated[float, Field(json_schema_extra=_FRACTION)] | None = Field(
        default=None, description="with avatar_y: the avatar's centre, 0..1 of the frame"
    )
    avatar_y: Annotated[float, Field(json_schema_extra=_FRACTION)] | None = None
    avatar_scale: float | None = Field(
        default=None, json_schema_extra={"minimum": 0.05, "maximum": 1}
    )
    avatar_margin: Whole | None = Field(
        default=None, json_schema_extra={"minimum": 0, "maximum": 1000}
    )
    captions: bool | None = None
    caption_edits: list[CaptionEditIn] | None = Field(
        default=None,
        description="captions shown in place of those made from the words (the whole list)",
        json_schema_extra={"maxItems": CAPTION_EDITS_MAX},
    )


class SceneCreate(_SceneFields):
    nullable = _SceneFields.nullable | {"position"}

    title: Text = Field(json_schema_extra=_TITLE)
    position: Whole | None = Field(
        default=None, description="1-based; the scene goes at the end when left out"
    )


class SceneUpdate(_SceneFields):
    title: Text | None = Field(default=None, json_schema_extra=_TITLE)


class MoveScene(_Request):
    position: Whole = Field(description="the new 1-based position")


class ReorderScenes(_Request):
    scene_ids: list[Annotated[Whole, Field(json_schema_extra={"minimum": 1})]] = Field(
        description="every scene id of the project, once, in the new order"
    )


class _Action(BaseModel):
    """A request that runs a step: fields left out take the defaults shown in the schema."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class ScriptWrite(_Action):
    """What to write about: a ``topic`` and/or an ``outline`` (at least one)."""

    topic: Text = Field(default="", examples=["Python list comprehensions"])
    outline: Text = Field(default="", description="an outline or notes, any length")
    audience: Text = Field(default="", examples=["new coders"])
    minutes: float = Field(default=2.0, description="about how long, spoken (0.1..60)")
    tone: Text = Field(default="", examples=["friendly and clear"])
    sources: dict[Text, Text] = Field(
        default_factory=dict,
        description="source material to follow (a code file, notes): name → text",
        examples=[{"loop.py": "squares = [n * n for n in range(10)]\n"}],
    )


class ScriptSave(_Action):
    """Your own script, stored as the project's newest."""

    text: Text = Field(json_schema_extra={"minLength": 1})
    title: Text = ""


class PlanRequest(_Action):
    script: Text | None = Field(
        default=None,
        description="plan this text (it becomes the project's script) instead of the latest",
    )
    append: bool = Field(default=False, description="add the planned scenes after existing ones")
    replace: bool = Field(default=False, description="replace existing scenes (saved first)")
    max_scenes: Whole | None = Field(default=None, description="at most this many scenes (1..40)")


class ReviseRequest(_Action):
    ask: Text = Field(
        json_schema_extra={"pattern": r"\S"},
        description='how to change the narration: "shorter", "friendlier", "fit 20 s", '
        '"in 40 words"',
        examples=["fit 20 s"],
    )


class LexiconSuggest(_Action):
    apply: bool = Field(default=False, description="add the proposals to the project lexicon")
    text: Text | None = Field(
        default=None,
        description="look for terms in this text instead of the project's script",
        json_schema_extra={"minLength": 1},
    )


class RecordingUse(_Action):
    """Make the scene from a recording, between in and out points (it starts untightened)."""

    recording_id: Whole = Field(
        description="the recording: a screen_capture asset of the project",
        json_schema_extra={"minimum": 1},
    )
    in_ms: Whole = Field(default=0, description="where the scene starts in the recording (ms)")
    out_ms: Whole | None = Field(
        default=None, description="where it ends (ms); null or left out: the recording's end"
    )
    voice: Text = Field(
        default="own",
        description="'own': the speaker's voice from the recording; 'project': the kept words "
        "re-voiced in the project's voice",
        examples=["own", "project"],
    )


WordRange = Annotated[
    Whole | Annotated[list[Whole], Field(min_length=2, max_length=2)],
    Field(description="a word's index in the transcript, or [first, last] (inclusive)"),
]


def word_ranges(ranges: list[int | list[int]]) -> list[int | tuple[int, int]]:
    """``[12, [3, 7]]`` as :func:`vidkit.editing.recording.tighten` takes them."""
    return [r if isinstance(r, int) else (r[0], r[1]) for r in ranges]


class TightenRequest(_Action):
    """Plan the cut list by the ``[tighten]`` rules, with words deleted or restored by text."""

    delete: list[WordRange] = Field(
        default_factory=list,
        description="words to cut, by their index in the transcript: 12, or [3, 7]",
        examples=[[12, [3, 7]]],
    )
    restore: list[WordRange] = Field(
        default_factory=list,
        description="words to keep even where a rule (or an earlier delete) cuts them",
    )
    dry_run: bool = Field(default=False, description="only say what would be cut; store nothing")
    automatic: bool = Field(
        default=True,
        description="apply the [tighten] rules too (pauses, fillers, restarts, typing); false: "
        "only the words deleted or restored by text",
    )


class SpanIn(_Action):
    start: Whole = Field(description="first source frame (at the cut list's fps)")
    end: Whole = Field(description="source frame after the last")
    action: Text = Field(default="keep", description="keep, cut or speed")
    reason: Text = Field(default="", examples=["silence", "filler", "manual"])
    speed: float = Field(default=1.0, description="for speed: above 1, at most 64")
    text: Text = ""
    start_ms: Whole | None = Field(default=None, description="ignored (GET's output has it)")
    end_ms: Whole | None = Field(default=None, description="ignored (GET's output has it)")


class CutListIn(_Action):
    """A cut list as ``cuts`` in GET's answer: contiguous spans over the scene's stretch of
    the recording, on the project's frame rate."""

    fps: Fps = Field(examples=["30", "30000/1001"])
    spans: list[SpanIn]
    source_ms: Whole | None = Field(default=None, description="ignored (GET's output has it)")
    output_ms: Whole | None = Field(default=None, description="ignored (GET's output has it)")

    def cut_list(self) -> dict[str, Any]:
        """The :meth:`vidkit.cuts.CutList.from_dict` form."""
        return {"fps": str(self.fps), "spans": [span.model_dump() for span in self.spans]}


class SplitRequest(_Action):
    """Split a long recording into scenes, at its chapter markers or at long pauses."""

    min_pause_ms: Whole = Field(default=3000, description="split where the talk pauses this long")
    chapters: bool = Field(
        default=True, description="split at the recording's chapter markers when it has them"
    )
    title: Text = Field(default="Part", description="new scenes are '<title> 1', '<title> 2'…")
    voice: Text = Field(default="own", description="'own' or 'project', as in PUT .../recording")
