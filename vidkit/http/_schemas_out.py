"""Response models of the HTTP API (re-exported by :mod:`vidkit.http._schemas`).

They mirror the ``to_dict()`` forms in :mod:`vidkit.model` field for field, so the OpenAPI
schema describes exactly what the CLI's ``--json`` prints.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AnalysisOut",
    "AssetOut",
    "CaptionRowOut",
    "CaptionsOut",
    "CutChangeOut",
    "CutListOut",
    "ErrorOut",
    "Health",
    "HintOut",
    "LexiconSuggestionsOut",
    "PlanOut",
    "ProjectOut",
    "RecordingViewOut",
    "RevisedOut",
    "SceneEditOut",
    "SceneOut",
    "ScriptOut",
    "SpanOut",
    "TightenOut",
    "TranscriptWordOut",
]


class _Response(BaseModel):
    # "allow": a key added to a to_dict() still reaches clients before it is described here.
    model_config = ConfigDict(extra="allow")


class ProjectOut(_Response):
    id: int
    slug: str
    title: str
    subtitle: str
    description: str
    width: int
    height: int
    fps: str
    voice: str = Field(
        description="the voice profile every narration is spoken in; '' for the speech "
        "backend's default voice"
    )
    scene_count: int
    created_at: str | None
    updated_at: str | None


class SceneOut(_Response):
    id: int
    project_id: int
    position: int
    title: str
    narration: str
    notes: str
    target_duration_ms: int | None
    avatar_corner: str | None
    avatar_x: float | None
    avatar_y: float | None
    avatar_scale: float
    avatar_margin: int
    captions: bool
    caption_edits: list[dict[str, str]]
    word_count: int
    estimated_duration_ms: int
    created_at: str | None
    updated_at: str | None


class CaptionRowOut(_Response):
    number: int
    start_ms: int
    end_ms: int
    written: str = Field(description="the caption as made from the words")
    shown: str = Field(description="what it shows: edited, or as written")
    said: str = Field(description="the words spoken while it shows")
    edited: bool
    differs: bool = Field(description="what is written differs from what is said")


class CaptionsOut(_Response):
    scene_id: int
    spoken: bool = Field(description="false: the times are estimated until it is spoken")
    captions: list[CaptionRowOut]
    stale_edits: list[dict[str, str]] = Field(description="edits no caption reads any more")


class AssetOut(_Response):
    id: int
    project_id: int
    scene_id: int | None
    kind: str
    path: str
    sha256: str
    size_bytes: int
    duration_ms: int | None
    metadata: dict[str, Any]
    created_at: str | None


class Health(_Response):
    status: str
    version: str


class HintOut(_Response):
    action: str = Field(description="what to do next, as a stable name (add_scene, ...)")
    cli: str | None = Field(None, description="the same, as a vidkit command line to run")
    studio: str | None = Field(None, description="the same, in the studio's words")


class ErrorOut(_Response):
    detail: str
    hint: HintOut | None = Field(None, description="what to do next, when the error knows")


_NOTES = "what the step changed about the request, and why (input shortened, a language)"
_CACHED = "true when the same inputs, model and prompt ran before: the result is that run's"


class ScriptOut(_Response):
    script: AssetOut
    title: str
    text: str
    notes: list[str] = Field(description=_NOTES)
    cached: bool = Field(description=_CACHED)
    tokens: int
    seconds: float


class PlanOut(_Response):
    scenes: list[SceneOut]
    plan: AssetOut
    backup: AssetOut | None = Field(description="the scenes a replace overwrote, saved first")
    notes: list[str] = Field(description=_NOTES)
    cached: bool = Field(description=_CACHED)
    tokens: int
    seconds: float


class RevisedOut(_Response):
    scene: SceneOut
    before: str
    revision: AssetOut
    cached: bool = Field(description=_CACHED)
    tokens: int
    seconds: float


class LexiconSuggestionsOut(_Response):
    candidates: list[str] = Field(description="terms that no lexicon covers yet")
    entries: dict[str, str] = Field(description="proposals: term → how it is said")
    applied: dict[str, str] = Field(description="what was added to the project lexicon")
    cached: bool = Field(description=_CACHED)


class SpanOut(_Response):
    start: int
    end: int
    action: str = Field(description="keep, cut or speed")
    reason: str = Field(description="why it is cut or sped up: silence, filler, restart, "
                        "deleted, manual, typing")  # fmt: skip
    speed: float
    text: str = Field(description="the words a cut removes")
    start_ms: int
    end_ms: int


class CutListOut(_Response):
    fps: str
    source_ms: int = Field(description="how long the scene's stretch of the recording is")
    output_ms: int = Field(description="how long it plays once tightened")
    spans: list[SpanOut]


class SceneEditOut(_Response):
    """One version of how a scene uses its recording."""

    scene_id: int
    version: int
    recording_id: int
    in_ms: int
    out_ms: int | None
    voice: str
    deleted: list[list[int]] = Field(description="source intervals deleted by text (ms)")
    restored: list[list[int]] = Field(description="source intervals restored by text (ms)")
    cuts: CutListOut | None = Field(description="the cut list; null until tightened")
    note: str = Field(description="what this version changed")
    created_at: str | None


class TranscriptWordOut(_Response):
    index: int = Field(description="what delete and restore name the word by")
    text: str
    start_ms: int
    end_ms: int
    confidence: float
    kept: bool
    reason: str = Field(description="why a cut word is cut; '' when kept")


class AnalysisOut(_Response):
    version: int
    duration_ms: int
    has_audio: bool
    has_video: bool
    width: int
    height: int
    speech: list[list[int]] = Field(description="where someone speaks (Silero VAD), ms")
    idle: list[list[int]] = Field(description="where the screen does not change, ms")
    activity_hz: int
    activity: list[int] = Field(description="screen activity, 0..255, activity_hz a second")
    waveform_hz: int
    waveform: list[int] = Field(description="sound peaks, 0..255, waveform_hz a second")
    chapters: list[list[int | str]] = Field(description="[start_ms, end_ms, title] markers")
    meta: dict[str, Any]


class RecordingViewOut(_Response):
    scene_id: int
    edit: SceneEditOut
    cuts: CutListOut = Field(description="what plays: the edit's cut list, or the whole window")
    language: str
    words: list[TranscriptWordOut]
    analysis: AnalysisOut | None = Field(
        description="the recording's speech, idle screen, activity and waveform, for a strip"
    )


class CutChangeOut(_Response):
    start_ms: int
    end_ms: int
    action: str
    reason: str
    what: str = Field(description="the reason in words")
    speed: float
    text: str


class TightenOut(_Response):
    scene_id: int
    before_ms: int
    after_ms: int
    dry_run: bool
    summary: str = Field(examples=["10:02 → 6:41, 212 cuts, 9 sped up"])
    changes: list[CutChangeOut] = Field(description="every cut and speed-up, in order")
    cuts: CutListOut
    version: int | None = Field(description="the edit's new version; null for a dry run")
