"""``/api/projects/{slug}/scenes/{scene_id}/recording`` and ``/assets/{asset_id}/split``:
scenes made from a raw recording, as ``vidkit recordings``, ``transcribe`` and ``tighten`` do.

``GET .../recording`` only looks: it answers from what is stored and never starts a
transcription (409 until ``POST .../recording/transcribe`` has run). Transcribing, tightening
and splitting decode the recording the first time (seconds to minutes; cached by its content
after that), so they run in worker threads of their own, at most :data:`RECORDING_WORKERS` at
once; the other routes answer meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Final, TypeVar

import anyio
import anyio.to_thread
from fastapi import APIRouter, Body, Request

from vidkit.errors import Conflict, InvalidInput, NotFound
from vidkit.http._deps import ERRORS, JSON_BODY_LIMIT, AssetId, SceneId, WorkspaceDep, get_workspace
from vidkit.http._schemas import (
    CutListIn,
    ErrorOut,
    RecordingUse,
    RecordingViewOut,
    SceneEditOut,
    SceneOut,
    SplitRequest,
    TightenOut,
    TightenRequest,
    word_ranges,
)
from vidkit.model import Asset, SceneEdit
from vidkit.workspace import Workspace

__all__ = ["RECORDING_WORKERS", "router"]

log = logging.getLogger("vidkit.http")
T = TypeVar("T")

#: Transcriptions, analyses and splits that run at once (each uses the CPU fully).
RECORDING_WORKERS: Final = 2

router = APIRouter(
    prefix="/api/projects/{slug}",
    tags=["recordings"],
    responses=ERRORS,
    max_body_size=JSON_BODY_LIMIT,
)
_NOT_TRANSCRIBED: Final[dict[int | str, dict[str, Any]]] = {
    409: {
        "model": ErrorOut,
        "description": "The recording is not transcribed yet: POST .../recording/transcribe",
    }
}
_NOTHING_TO_UNDO: Final[dict[int | str, dict[str, Any]]] = {
    409: {"model": ErrorOut, "description": "The scene's edit has no earlier version"}
}


async def _off_loop(request: Request, work: Callable[[Workspace], T]) -> T:
    """``work(workspace)`` in a worker thread of the recordings pool."""
    state = request.app.state
    limiter = getattr(state, "recording_limiter", None)
    if limiter is None:  # made on the loop: it belongs to the loop that runs the app
        limiter = state.recording_limiter = anyio.CapacityLimiter(RECORDING_WORKERS)
    return await anyio.to_thread.run_sync(partial(work, get_workspace(request)), limiter=limiter)


def _url(slug: str, scene_id: int) -> str:
    return f"/api/projects/{slug}/scenes/{scene_id}/recording"


def _edit(ws: Workspace, slug: str, scene_id: int) -> SceneEdit:
    """The scene's current edit; 404 (saying how to choose one) when it uses no recording."""
    edit = ws.catalogue.scene_edit(slug, scene_id)
    if edit is None:
        raise NotFound(
            f"scene {scene_id} is not made from a recording: choose one with "
            f"PUT {_url(slug, scene_id)}"
        )
    return edit


def _recording(ws: Workspace, slug: str, asset_id: int, field: str = "recording_id") -> Asset:
    """The project's recording with this id: 404 when the project has no such asset, 422 on
    ``field`` when it is not a recording."""
    project = ws.project(slug)
    try:
        asset = ws.catalogue.asset(asset_id)
    except NotFound:
        asset = None
    if asset is None or asset.project_id != project.id:
        raise NotFound(
            f"project {slug!r} has no asset with id {asset_id}; "
            f"GET /api/projects/{slug}/assets?kind=screen_capture lists its recordings"
        )
    if asset.kind != "screen_capture":
        raise InvalidInput(
            f"asset {asset_id} is a {asset.kind}, not a recording: upload the recording with "
            "kind screen_capture",
            field=field,
        )
    return asset


def _transcribed(ws: Workspace, slug: str, recording: Asset) -> bool:
    """Whether the recording's words are stored (one with no sound has none to wait for).
    Checked apart from the view, which shows no words, as for a silent recording, when only
    the analysis is stored (a split makes that)."""
    from vidkit.pipeline import SceneGraph
    from vidkit.pipeline.cache import NotCached

    if not recording.metadata.get("has_audio"):
        return True
    try:
        SceneGraph(ws, slug, lookup_only=True).transcript(recording)
    except NotCached:
        return False
    return True


@router.get(
    "/scenes/{scene_id}/recording",
    response_model=RecordingViewOut,
    responses=_NOT_TRANSCRIBED,
    summary="A recorded scene's words and cut list",
)
def get_recording(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> dict[str, Any]:
    """Every word of the scene's stretch of the recording, kept or cut (and why), with the cut
    list and the edit. Answers from what is stored only: until the recording is transcribed
    this is a 409, and ``POST .../recording/transcribe`` transcribes it."""
    from vidkit.editing.recording import recording_view

    edit = _edit(ws, slug, scene_id)
    recording = ws.catalogue.asset(edit.recording_id)
    view = recording_view(ws, slug, scene_id) if _transcribed(ws, slug, recording) else None
    if view is None:
        raise Conflict(
            f"the recording of scene {scene_id} is not transcribed yet: "
            f"POST {_url(slug, scene_id)}/transcribe transcribes it"
        )
    return view.to_dict()


@router.put(
    "/scenes/{scene_id}/recording",
    response_model=SceneEditOut,
    summary="Make a scene from a recording",
)
def use_recording(
    slug: str, scene_id: SceneId, body: RecordingUse, ws: WorkspaceDep
) -> dict[str, Any]:
    """The scene plays the recording ``recording_id`` from ``in_ms`` to ``out_ms`` (its end
    when null), in the speaker's ``own`` voice or re-voiced in the ``project`` voice. A new
    recording or window starts untightened; it is a new version of the edit (undoable)."""
    from vidkit.editing import recording

    ws.scene(slug, scene_id)
    _recording(ws, slug, body.recording_id)
    return recording.use_recording(
        ws, slug, scene_id, body.recording_id, in_ms=body.in_ms, out_ms=body.out_ms,
        voice=body.voice,
    ).to_dict()  # fmt: skip


@router.get(
    "/scenes/{scene_id}/recording/edits",
    response_model=list[SceneEditOut],
    summary="A recorded scene's edits, oldest first",
)
def list_edits(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> list[dict[str, Any]]:
    """Every version of the scene's edit; the last is current, and ``undo`` drops it."""
    _edit(ws, slug, scene_id)
    return [edit.to_dict() for edit in ws.catalogue.scene_edit_history(slug, scene_id)]


@router.post(
    "/scenes/{scene_id}/recording/transcribe",
    response_model=RecordingViewOut,
    summary="Transcribe and analyse a scene's recording",
)
async def transcribe(slug: str, scene_id: SceneId, request: Request) -> dict[str, Any]:
    """Transcribe the recording (words, times, confidences) and find its pauses and idle
    screen, then answer as ``GET .../recording``. Both are cached by the recording's content:
    the first time takes about a tenth of the recording's length, later ones are instant, and
    other scenes cut from the same recording share them."""
    return await _off_loop(request, partial(_transcribe, slug, scene_id))


def _transcribe(slug: str, scene_id: int, ws: Workspace) -> dict[str, Any]:
    from vidkit.editing.recording import transcript
    from vidkit.pipeline import SceneGraph

    edit = _edit(ws, slug, scene_id)
    # The view answers GET only once the analysis is stored too (it carries its curves).
    SceneGraph(ws, slug).analysis(ws.catalogue.asset(edit.recording_id), ws.scene(slug, scene_id))
    view = transcript(ws, slug, scene_id)
    log.info("transcribed scene %d of %s: %d words", scene_id, slug, len(view.words))
    return view.to_dict()


@router.post(
    "/scenes/{scene_id}/recording/tighten",
    response_model=TightenOut,
    summary="Tighten a recorded scene, or delete and restore words",
)
async def tighten(
    slug: str,
    scene_id: SceneId,
    request: Request,
    body: Annotated[TightenRequest | None, Body()] = None,
) -> dict[str, Any]:
    """Plan the cut list by the ``[tighten]`` rules (pauses with an idle screen, filler words,
    restarted phrases; typing without talk sped up), with the words in ``delete`` cut and those
    in ``restore`` kept (indices as ``GET .../recording`` numbers them), and store it as a new
    version of the edit. With ``dry_run`` nothing is stored. Transcribes and analyses first
    when that was not done. The body may be left out."""
    return await _off_loop(request, partial(_tighten, slug, scene_id, body or TightenRequest()))


def _tighten(slug: str, scene_id: int, body: TightenRequest, ws: Workspace) -> dict[str, Any]:
    from vidkit.editing import recording

    _edit(ws, slug, scene_id)
    report = recording.tighten(
        ws, slug, scene_id, delete=word_ranges(body.delete), restore=word_ranges(body.restore),
        dry_run=body.dry_run, automatic=body.automatic,
    )  # fmt: skip
    log.info("tightened scene %d of %s: %s", scene_id, slug, report.summary())
    return report.to_dict()


@router.put(
    "/scenes/{scene_id}/recording/cuts",
    response_model=SceneEditOut,
    summary="Store a cut list edited by hand",
)
def set_cuts(slug: str, scene_id: SceneId, body: CutListIn, ws: WorkspaceDep) -> dict[str, Any]:
    """Store ``cuts`` (the form ``GET .../recording`` answers with, edited) as a new version
    of the edit. Spans must follow each other without gaps, on the project's frame rate."""
    from vidkit.editing import recording

    _edit(ws, slug, scene_id)
    return recording.set_cuts(ws, slug, scene_id, body.cut_list()).to_dict()


@router.post(
    "/scenes/{scene_id}/recording/undo",
    response_model=SceneEditOut,
    responses=_NOTHING_TO_UNDO,
    summary="Undo a recorded scene's last edit",
)
def undo(slug: str, scene_id: SceneId, ws: WorkspaceDep) -> dict[str, Any]:
    """Drop the newest version of the edit (a tightening, a text edit, a new window or voice);
    answers with the version that is current again."""
    from vidkit.editing import recording

    _edit(ws, slug, scene_id)
    return recording.undo(ws, slug, scene_id).to_dict()


@router.post(
    "/assets/{asset_id}/split",
    status_code=201,
    response_model=list[SceneOut],
    summary="Split a long recording into scenes",
)
async def split(
    slug: str,
    asset_id: AssetId,
    request: Request,
    body: Annotated[SplitRequest | None, Body()] = None,
) -> list[dict[str, Any]]:
    """Add one scene per part of the recording, at the end of the project: at its chapter
    markers when it has them (and ``chapters``), else where the talk pauses at least
    ``min_pause_ms``. Each new scene plays its stretch of the recording, untightened."""
    return await _off_loop(request, partial(_split, slug, asset_id, body or SplitRequest()))


def _split(slug: str, asset_id: int, body: SplitRequest, ws: Workspace) -> list[dict[str, Any]]:
    from vidkit.editing.recording import split_recording

    _recording(ws, slug, asset_id, field="asset_id")
    scenes = split_recording(
        ws, slug, asset_id, min_pause_ms=body.min_pause_ms, chapters=body.chapters,
        title=body.title, voice=body.voice,
    )  # fmt: skip
    return [scene.to_dict() for scene in scenes]
