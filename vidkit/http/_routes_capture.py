"""``/api/projects/{slug}/scenes/{scene_id}/capture``: a scene's screen captured from a script,
as ``vidkit capture`` does (:mod:`vidkit.editing.capture`).

``PUT`` stores the script (checked first: a mistake is a 422 naming the step, and the scene
keeps its old one), ``GET`` gives it back with its steps in words, ``DELETE`` takes it away.
``POST .../run`` captures the scene (speaking the narration first when a step is tied to its
words) and ``GET .../steps/{step}.png`` makes a still of the screen right after one step: both
run a browser or a shell for seconds, so they run in worker threads of their own, one at a
time (:data:`CAPTURE_WORKERS`); the other routes answer meanwhile.

Captures started here are the HTTP surface's: a terminal script is refused unless
``[services.capture] allow_terminal``, a browser script opening ``file://`` URLs or pages on
this machine or its network unless ``allow_local`` (both when the script is stored and when it
runs). A capture that fails (a step that cannot be done, an unreachable page) is a 422 whose
message names the step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Final, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from vidkit.capture import CaptureError, load_script
from vidkit.errors import InvalidInput, NotFound
from vidkit.http._deps import ERRORS, JSON_BODY_LIMIT, SceneId, WorkspaceDep, get_workspace
from vidkit.http._schemas import AssetOut, Text
from vidkit.model import TEXT_MAX
from vidkit.workspace import Workspace

__all__ = ["CAPTURE_WORKERS", "router"]

log = logging.getLogger("vidkit.http")
T = TypeVar("T")

#: Captures and stills that run at once (each drives a browser or a shell and encodes video).
CAPTURE_WORKERS: Final = 1

router = APIRouter(
    prefix="/api/projects/{slug}/scenes/{scene_id}/capture",
    tags=["capture"],
    responses=ERRORS,
    max_body_size=JSON_BODY_LIMIT,
)

_EXAMPLE = (
    '[browser]\nurl = "https://example.com/"\nsteps = [\n'
    '  { click = { text = "More information" }, at = "follow the link" },\n]\n'
)


class CaptureScriptIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    script: Annotated[
        Text,
        Field(
            min_length=1,
            max_length=TEXT_MAX,
            description="the capture script: TOML with one table, [browser] or [terminal] "
            "(docs/capture.md)",
            examples=[_EXAMPLE],
        ),
    ]


class CaptureStepOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    index: int
    kind: str = Field(description="what the step does: open, click, type, press, key, wait...")
    description: str
    at: str = Field(description="the narration's words the step acts at ('' for none)")


class CaptureScriptOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    scene_id: int
    kind: str = Field(description="browser or terminal")
    script: str
    steps: list[CaptureStepOut]


class CapturedStepOut(CaptureStepOut):
    start_ms: int | None = Field(description="when the step started, in the captured video")
    end_ms: int | None


class CaptureRunOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    scene_id: int
    kind: str
    video: AssetOut = Field(description="the captured screen, a captured_screen asset")
    duration_ms: int | None
    steps: list[CapturedStepOut]
    warnings: list[str]


def _url(slug: str, scene_id: int) -> str:
    return f"/api/projects/{slug}/scenes/{scene_id}/capture"


async def _off_loop(request: Request, work: Callable[[Workspace], T]) -> T:
    """``work(workspace)`` in a worker thread of the captures pool."""
    state = request.app.state
    limiter = getattr(state, "capture_limiter", None)
    if limiter is None:  # made on the loop: it belongs to the loop that runs the app
        limiter = state.capture_limiter = anyio.CapacityLimiter(CAPTURE_WORKERS)
    return await anyio.to_thread.run_sync(partial(work, get_workspace(request)), limiter=limiter)


def _script(ws: Workspace, slug: str, scene_id: int) -> str:
    """The scene's script; 404 (saying how to store one) when it has none."""
    from vidkit.editing.capture import capture_script

    text = capture_script(ws, slug, scene_id)
    if text is None:
        raise NotFound(
            f"scene {scene_id} has no capture script: store one with PUT {_url(slug, scene_id)}"
        )
    return text


def _view(scene_id: int, text: str) -> dict[str, Any]:
    from vidkit.editing.capture import capture_steps, script_kind

    script = load_script(text)
    steps = [step.to_dict() for step in capture_steps(script)]
    return {"scene_id": scene_id, "kind": script_kind(script), "script": text, "steps": steps}


@router.get("", response_model=CaptureScriptOut, summary="A scene's capture script")
def get_capture(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> dict[str, Any]:
    """The scene's capture script and its steps in words; 404 when it has none."""
    return _view(scene_id, _script(ws, slug, scene_id))


@router.put("", response_model=CaptureScriptOut, summary="Store a scene's capture script")
def put_capture(
    slug: str, scene_id: SceneId, body: CaptureScriptIn, ws: WorkspaceDep
) -> dict[str, Any]:
    """Check the script and store it as the scene's screen, replacing its old one; answers
    with its steps in words. A mistake is a 422 naming the step (the old script stays), as is
    a script this server may not run: a terminal script unless ``[services.capture]
    allow_terminal``, a page on this machine or its network unless ``allow_local``."""
    from vidkit.editing.capture import set_capture_script

    set_capture_script(ws, slug, scene_id, body.script, surface="http")
    return _view(scene_id, body.script)


@router.delete("", status_code=204, summary="Take a scene's capture script away")
def delete_capture(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> None:
    """The scene shows its recording, code file or image again; 404 when it has no script."""
    from vidkit.editing.capture import drop_capture_script

    _script(ws, slug, scene_id)
    drop_capture_script(ws, slug, scene_id)


@router.post("/run", response_model=CaptureRunOut, summary="Capture a scene's screen")
async def run_capture(slug: str, scene_id: SceneId, request: Request) -> dict[str, Any]:
    """Run the scene's script and store the captured video, through the cache as a render
    does (an unchanged script, size, frame rate and tie times answer at once); the narration
    is spoken first when a step is tied to its words. Answers with the video asset and when
    each step ran. Seconds to a minute; one capture runs at a time."""
    return await _off_loop(request, partial(_run, slug, scene_id))


def _run(slug: str, scene_id: int, ws: Workspace) -> dict[str, Any]:
    from vidkit.editing.capture import capture_scene

    text = _script(ws, slug, scene_id)
    try:
        video = capture_scene(ws, slug, scene_id, surface="http")
    except CaptureError as exc:
        raise InvalidInput(str(exc), field="script") from exc
    view = _view(scene_id, text)
    meta = video.metadata.get("capture") or {}
    times = {int(i): (a, b) for i, a, b in meta.get("steps", ())}
    steps = []
    for step in view["steps"]:
        start, end = times.get(step["index"], (None, None))
        steps.append({
            **step,
            "start_ms": None if start is None else round(start * 1000),
            "end_ms": None if end is None else round(end * 1000),
        })  # fmt: skip
    log.info("captured scene %d of %s: %s", scene_id, slug, video.path)
    return {
        "scene_id": scene_id, "kind": view["kind"], "video": video.to_dict(),
        "duration_ms": video.duration_ms, "steps": steps,
        "warnings": [str(w) for w in meta.get("warnings", ())],
    }  # fmt: skip


@router.get(
    "/steps/{step}.png",
    response_class=Response,
    responses={
        200: {
            "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
            "description": "A still of the screen right after the step, the project's size",
        }
    },
    summary="A still of the screen after one step",
)
async def step_still(
    slug: str,
    scene_id: SceneId,
    step: Annotated[int, Path(ge=1, le=10_000)],
    request: Request,
) -> Response:
    """Run the script up to ``step`` (1-based) and answer with a still (PNG) of the screen
    right after it; nothing is stored. A step past the script's end, or one that fails, is a
    422 naming it."""
    return await _off_loop(request, partial(_still, slug, scene_id, step))


def _still(slug: str, scene_id: int, step: int, ws: Workspace) -> Response:
    from vidkit.editing.capture import preview_capture_step

    _script(ws, slug, scene_id)
    try:
        path = preview_capture_step(ws, slug, scene_id, step, surface="http")
    except CaptureError as exc:
        raise InvalidInput(str(exc), field="script") from exc
    return Response(path.read_bytes(), media_type="image/png")
