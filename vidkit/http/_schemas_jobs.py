"""Request and response models of the job routes (:mod:`._routes_jobs`)."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from vidkit.catalogue import JOB_KINDS, JOB_STATUSES
from vidkit.http._schemas import HintOut, Whole

__all__ = [
    "EVENTS",
    "EVENT_SCHEMA",
    "JobFileOut",
    "JobKind",
    "JobOut",
    "JobProgressOut",
    "JobRequest",
    "JobResultOut",
    "RenderRequest",
    "SceneProgressOut",
]

JobKind = Literal["render", "speak", "capture", "tighten"]
JobStatus = Literal["queued", "running", "finished", "failed", "cancelled", "interrupted"]
assert set(JobKind.__args__) == set(JOB_KINDS)  # type: ignore[attr-defined]
assert set(JobStatus.__args__) == set(JOB_STATUSES)  # type: ignore[attr-defined]

#: The events of a job's stream, and what each says.
EVENTS: Final = {
    "queued": "the job was created; it starts when the server has room",
    "started": "its process is up (again, after `resumed`)",
    "resumed": "its process had ended without an outcome (a restart): it runs again, and the "
    "stages it finished come from the cache",
    "plan": "the scenes it works on",
    "progress": "a stage of a scene (or of the film) moved on",
    "scene": "a scene is done",
    "finished": "the job is done: `result` has its files",
    "failed": "the job failed: `detail` says why, `hint` what to do",
    "cancelled": "the job was cancelled",
    "interrupted": "its process ended without an outcome too often to resume",
}

SceneIds = Annotated[
    list[Annotated[Whole, Field(json_schema_extra={"minimum": 1})]],
    Field(
        max_length=1000,
        description="the scenes to work on, by id; left out or empty: the whole project (a "
        "render then joins them into the film)",
    ),
]


#: One event of a job's stream, as OpenAPI 3.1 describes the items of ``text/event-stream``.
EVENT_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["id", "event", "data"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9]+$", "description": "its number, from 1"},
        "event": {"type": "string", "enum": list(EVENTS)},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "description": "one line of JSON: job_id, event, time, percent and the event's fields",
        },
        "retry": {"type": "integer", "minimum": 0},
    },
}


class RenderRequest(BaseModel):
    """What to render: the whole project (the film, its captions and chapters), or chosen
    scenes (their videos)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    scene_ids: SceneIds | None = None


class JobRequest(RenderRequest):
    """A job of any kind: ``render`` as ``POST .../render``; ``speak`` speaks the narrations;
    ``capture`` captures the screens of scenes with a capture script; ``tighten`` tightens
    scenes made from a recording by the ``[tighten]`` rules."""

    kind: JobKind = "render"


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow")


class SceneProgressOut(_Response):
    position: int
    scene_id: int | None
    title: str
    stage: str | None = Field(description="the stage at work (speak, animate, compose...)")
    words: str = Field(description="what the scene is doing, in words")
    percent: int | None = Field(description="how far its stage is, when it counts steps")
    finished: bool
    cached: bool = Field(description="true when the scene came from the cache")


class JobProgressOut(_Response):
    percent: int = Field(ge=0, le=100, description="the share of the job done")
    stage: str | None
    words: str = Field(description="what the job is doing now, in words")
    scenes: list[SceneProgressOut]


class JobFileOut(_Response):
    name: str = Field(description="video.mp4, captions.srt, captions.vtt, chapters.txt, "
                      "qc.json, scene-<id>.mp4 (or .wav for speech)")  # fmt: skip
    url: str
    media_type: str
    size_bytes: int | None


class JobResultOut(_Response):
    video: str | None = Field(description="the film's URL (a whole-project render), else null")
    files: list[JobFileOut]
    scenes: list[dict[str, Any]] = Field(description="per scene: position, scene_id, title, "
                                         "file, cached, duration_ms, qc_status...")  # fmt: skip
    qc: dict[str, Any] | None = Field(description="a render's QC report: status, film, scenes")
    seconds: float | None


class JobOut(_Response):
    id: int
    kind: JobKind
    slug: str
    status: JobStatus
    scene_ids: list[int] | None = Field(description="the scenes asked for; null: the project")
    attempts: int = Field(description="processes started for the job (a resume adds one)")
    progress: JobProgressOut
    result: JobResultOut | None = Field(description="once finished: its files and report")
    error: str | None = Field(description="why it failed, was cancelled or interrupted")
    hint: HintOut | None = Field(description="what to do about the error, when known")
    last_event_id: int = Field(description="the id of the newest event of its stream")
    url: str
    events_url: str = Field(description="its events, as a server-sent event stream")
    created_at: str | None
    started_at: str | None
    finished_at: str | None
