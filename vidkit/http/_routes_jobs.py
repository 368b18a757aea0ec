"""Jobs over HTTP: ``POST /api/projects/{slug}/render`` (or ``.../jobs`` with a ``kind``)
starts a render, speaking, capturing or tightening as a job (:mod:`vidkit.jobs`) and answers
``202`` with it; ``GET .../jobs/{job_id}`` says how it stands, per scene; ``.../events`` streams
its progress as server-sent events; ``.../files/{name}`` downloads what it made once it has
finished; ``POST .../cancel`` stops it.

A job runs in a process of its own and is a row in the catalogue, so it survives the server:
a restarted server follows it again, or resumes it when its process is gone too
(:mod:`._job_manager`). Its events are its log's records, numbered from 1: a client that comes
back (after a restart, a dropped connection) sends the last number it saw as ``Last-Event-ID``
(``since``) and gets what came after, nothing twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Final

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, StreamingResponse

from vidkit.catalogue import RenderJob
from vidkit.errors import NotFound
from vidkit.http._deps import ERRORS, JSON_BODY_LIMIT, WorkspaceDep, get_workspace
from vidkit.http._job_manager import JobManager
from vidkit.http._schemas import ID_MAX, ErrorOut
from vidkit.http._schemas_jobs import EVENT_SCHEMA, EVENTS, JobOut, JobRequest, RenderRequest
from vidkit.jobs import TERMINAL, JobLog, JobProgress

__all__ = ["router"]

#: How often a stream looks at its job's log, and how long it stays silent at most (a comment
#: line keeps proxies and clients from giving up on a long stage).
POLL_S: Final = 0.25
KEEPALIVE_S: Final = 15.0
#: How long a client waits before it reconnects (the stream's ``retry``), in milliseconds.
RETRY_MS: Final = 2000
#: What each log record is called in the stream.
_EVENT_OF: Final = {"launched": "queued", "stopped": "cancelled"}
_NOT_DATA: Final = frozenset({"event", "seq", "time", "final", "sidecars", "files", "scenes",
                              "qc", "message", "pid", "job"})  # fmt: skip


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Jobs are brought up to date (and resumed) as the server starts, and followed while it
    runs; they keep running when it stops."""
    manager = _manager_of(app)
    manager.start()
    try:
        yield
    finally:
        manager.stop()


router = APIRouter(
    prefix="/api/projects/{slug}",
    tags=["jobs"],
    responses=ERRORS,
    max_body_size=JSON_BODY_LIMIT,
    lifespan=_lifespan,
)

JobId = Annotated[int, PathParam(ge=1, le=ID_MAX)]
_CONFLICT: Final[dict[int | str, dict[str, Any]]] = {
    409: {"model": ErrorOut, "description": "Another job of the project has not ended"}
}


def _manager_of(app: FastAPI) -> JobManager:
    manager = getattr(app.state, "jobs", None)
    if manager is None:
        manager = app.state.jobs = JobManager(app.state.workspace)
    assert isinstance(manager, JobManager)
    return manager


def _manager(request: Request) -> JobManager:
    manager = _manager_of(request.app)
    manager.start()  # an app served without its lifespan (a test client) starts it here
    return manager


def _url(slug: str, job_id: int) -> str:
    return f"/api/projects/{slug}/jobs/{job_id}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _view(job: RenderJob, slug: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The job as the API shows it: with its progress from its log and URLs for its files."""
    url = _url(slug, job.id)
    progress = JobProgress.of(job.kind, records)
    result = None
    if job.status == "finished" and job.result is not None:
        result = _result(job.result, url)
        progress.words = "finished"
    return {
        "id": job.id, "kind": job.kind, "slug": slug, "status": job.status,
        "scene_ids": list(job.scene_ids) if job.scene_ids is not None else None,
        "attempts": job.attempts, "progress": progress.to_dict(), "result": result,
        "error": job.error, "hint": job.hint,
        "last_event_id": max((int(r.get("seq", 0)) for r in records), default=0),
        "url": url, "events_url": f"{url}/events",
        "created_at": _iso(job.created_at), "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }  # fmt: skip


def _result(result: dict[str, Any], url: str) -> dict[str, Any]:
    files = result.get("files") or {}
    listed = [
        {"name": name, "url": f"{url}/files/{name}", "media_type": f.get("media_type", ""),
         "size_bytes": f.get("size_bytes")}
        for name, f in files.items()
    ]  # fmt: skip
    scenes = []
    for scene in result.get("scenes", []):
        shown = {k: v for k, v in scene.items() if k not in ("video", "file")}
        if scene.get("file") in files:
            shown["url"] = f"{url}/files/{scene['file']}"
        scenes.append(shown)
    return {
        "video": f"{url}/files/video.mp4" if "video.mp4" in files else None,
        "files": listed, "scenes": scenes, "qc": result.get("qc"),
        "seconds": result.get("seconds"),
    }  # fmt: skip


def _find(ws_job: RenderJob, slug: str) -> RenderJob:
    if ws_job.slug != slug:
        raise NotFound(f"project {slug!r} has no job {ws_job.id}")
    return ws_job


def _job(request: Request, slug: str, job_id: int) -> RenderJob:
    """The project's job, up to date; 404 when the project has no such job."""
    ws = get_workspace(request)
    ws.project(slug)  # 404 for the project first
    return _find(_manager(request).get(job_id), slug)


def _answer(job: RenderJob, slug: str) -> dict[str, Any]:
    reader = JobLog(Path(job.log_path))
    reader.read()
    return _view(job, slug, reader.records)


async def _start(request: Request, slug: str, kind: str, scene_ids: list[int] | None,
                 response: Response) -> dict[str, Any]:  # fmt: skip
    def work() -> dict[str, Any]:
        job = _manager(request).submit(slug, kind, scene_ids or None, {"surface": "http"})
        return _answer(job, slug)

    answer = await anyio.to_thread.run_sync(work)
    response.headers["Location"] = answer["url"]
    return answer


_STARTED: Final = "The job, queued or running; its URL is in `Location`"


@router.post(
    "/render", status_code=202, response_model=JobOut, responses=_CONFLICT,
    summary="Render the project (or chosen scenes) as a job", response_description=_STARTED,
)  # fmt: skip
async def render(
    slug: str, request: Request, response: Response, body: RenderRequest | None = None
) -> dict[str, Any]:
    """Start rendering the whole project (the film with its captions, chapters and QC report)
    or the scenes in ``scene_ids`` (their videos), in a process of its own; answers at once
    with the job. One job per project at a time (a second is a 409); the server runs one job
    at a time and queues the others. A project with no scenes is a 422, and no job is made."""
    chosen = body.scene_ids if body is not None else None
    return await _start(request, slug, "render", chosen, response)


@router.post(
    "/jobs", status_code=202, response_model=JobOut, responses=_CONFLICT,
    summary="Start a job of any kind", response_description=_STARTED,
)  # fmt: skip
async def start_job(
    slug: str, request: Request, response: Response, body: JobRequest | None = None
) -> dict[str, Any]:
    """``render`` as ``POST .../render``; ``speak`` speaks the narrations of the scenes (their
    audio are the job's files); ``capture`` captures the screens of the scenes that have a
    capture script (as ``POST .../capture/run`` does, one scene after another); ``tighten``
    tightens the scenes made from a recording by the server's ``[tighten]`` rules. A scene
    that does not suit the kind is a 422 on ``scene_ids``."""
    body = body or JobRequest()
    return await _start(request, slug, body.kind, body.scene_ids, response)


@router.get("/jobs", response_model=list[JobOut], summary="The project's jobs, newest first")
def list_jobs(
    slug: str,
    request: Request,
    ws: WorkspaceDep,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 50,
) -> list[dict[str, Any]]:
    manager = _manager(request)
    out = []
    for job in ws.catalogue.render_jobs(slug, limit=limit):
        fresh = manager.get(job.id) if job.active else job
        out.append(_answer(fresh, slug))
    return out


@router.get("/jobs/{job_id}", response_model=JobOut, summary="A job: status, progress, result")
def get_job(slug: str, job_id: JobId, request: Request) -> dict[str, Any]:
    """How the job stands: its status, its progress overall and per scene, and once finished
    its ``result``: the URLs of its files and the QC report."""
    return _answer(_job(request, slug, job_id), slug)


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=JobOut,
    responses={409: {"model": ErrorOut, "description": "The job has already ended"}},
    summary="Cancel a job",
)
async def cancel(slug: str, job_id: JobId, request: Request) -> dict[str, Any]:
    """Stop the job: a queued one never starts; a running one's process and everything it
    started are stopped (within seconds). What it finished stays cached, so starting it again
    resumes there. A job that has already ended is a 409."""

    def work() -> dict[str, Any]:
        _job(request, slug, job_id)
        return _answer(_manager(request).cancel(job_id), slug)

    return await anyio.to_thread.run_sync(work)


# events -----------------------------------------------------------------------------------------


def _event(record: dict[str, Any], job_id: int, progress: JobProgress) -> str:
    """One record as a server-sent event (``id``, ``event``, one ``data`` line of JSON)."""
    name = _EVENT_OF.get(str(record.get("event")), str(record.get("event")))
    data: dict[str, Any] = {"job_id": job_id, "event": name}
    stamp = record.get("time")
    if isinstance(stamp, int | float):
        data["time"] = datetime.fromtimestamp(stamp, UTC).isoformat().replace("+00:00", "Z")
    data.update({k: v for k, v in record.items() if k not in _NOT_DATA})
    if name == "progress":
        stage = str(record.get("stage", ""))
        scene = progress.scenes.get(record["position"]) if record.get("position") else None
        data["scene_id"] = scene.scene_id if scene else None
        data["words"] = progress.words
        data["stage_percent"] = (
            None if not record.get("total") or int(record["total"]) <= 1
            else min(100, int(100 * int(record.get("done", 0)) // int(record["total"])))
        )  # fmt: skip
        data["stage"] = stage
    elif name == "plan":
        data["scenes"] = record.get("scenes", [])
    elif name in ("failed", "cancelled", "interrupted"):
        data["detail"] = str(record.get("detail") or record.get("message") or name)
        data.setdefault("hint", None)
    data["percent"] = progress.percent
    body = json.dumps(data, ensure_ascii=False, default=str)
    return f"id: {record['seq']}\nevent: {name}\ndata: {body}\n\n"


def _since(since: int | None, last_event_id: str | None) -> int:
    if last_event_id is not None and last_event_id.strip().isdigit():
        return int(last_event_id.strip())
    return since or 0


async def _stream(request: Request, job: RenderJob, slug: str, after: int) -> AsyncIterator[str]:
    reader = JobLog(Path(job.log_path))
    progress = JobProgress(job.kind)
    manager = _manager(request)
    yield f"retry: {RETRY_MS}\n\n"
    quiet_since = checked = time.monotonic()
    while True:
        new = await anyio.to_thread.run_sync(reader.read)
        for record in new:
            progress.add(record)
            if int(record.get("seq", 0)) <= after:
                if record.get("event") in TERMINAL:
                    return  # the client has every event of a job that has ended
                continue
            if record.get("event") == "finished":
                fresh = await anyio.to_thread.run_sync(partial(manager.get, job.id))
                result = fresh.result or {k: v for k, v in record.items() if k not in _NOT_DATA}
                record = {**record, "result": _result(result, _url(slug, job.id))}
            yield _event(record, job.id, progress)
            quiet_since = time.monotonic()
            if record.get("event") in TERMINAL:
                return
        now = time.monotonic()
        if now - checked >= 2.0:  # a process gone without an outcome is noticed (resumed)
            checked = now
            await anyio.to_thread.run_sync(partial(manager.get, job.id))
        if now - quiet_since >= KEEPALIVE_S:
            quiet_since = now
            yield ": still working\n\n"
        await anyio.sleep(POLL_S)


_EVENTS_DOC: Final = (
    "The job's events from the start (or after `Last-Event-ID` / `since`), then live as they "
    "happen, until the one that ends it (`finished`, `failed`, `cancelled`, `interrupted`); a "
    "job that has ended gives its events at once. Each event has an `id` (its number, from "
    "1), a name and one line of JSON `data` with `job_id`, `time` and `percent` (of the whole "
    "job). A client that reconnects sends the last id it saw as `Last-Event-ID` (browsers' "
    "EventSource does) and gets only what came after. The events:\n\n"
    + "\n".join(f"- `{name}`: {what}" for name, what in EVENTS.items())
)


@router.get(
    "/jobs/{job_id}/events",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {"schema": EVENT_SCHEMA}},
            "description": "Server-sent events, until the job ends",
        }
    },
    summary="A job's progress as server-sent events",
    description=_EVENTS_DOC,
)
async def events(
    slug: str,
    job_id: JobId,
    request: Request,
    since: Annotated[
        int | None,
        Query(ge=0, le=ID_MAX, description="send the events after this id (as Last-Event-ID)"),
    ] = None,
    last_event_id: Annotated[
        str | None,
        Header(max_length=40, description="the id of the last event the client saw"),
    ] = None,
) -> StreamingResponse:
    """The job's events as server-sent events (see the route's description)."""
    job = await anyio.to_thread.run_sync(partial(_job, request, slug, job_id))
    after = _since(since, last_event_id)
    return StreamingResponse(
        _stream(request, job, slug, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# files ------------------------------------------------------------------------------------------

_FILE_TYPES: Final = ("video/mp4", "audio/wav", "text/vtt", "application/x-subrip",
                      "text/plain", "application/json")  # fmt: skip


@router.get(
    "/jobs/{job_id}/files/{name}",
    response_class=FileResponse,
    responses={
        200: {
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in _FILE_TYPES},
            "description": "The file (range requests work)",
        },
        404: {"model": ErrorOut, "description": "No such job or file, or it has not finished"},
    },
    summary="A file a finished job made",
)
def download(
    slug: str,
    job_id: JobId,
    name: Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9.-]{0,63}$")],
    request: Request,
) -> FileResponse:
    """One of the files the job made, named in its ``result.files``: ``video.mp4`` (the film),
    ``captions.srt``, ``captions.vtt``, ``chapters.txt``, ``qc.json`` (the QC report),
    ``scene-<id>.mp4`` (each scene's video; ``.wav`` for a speak job's audio). A job that has
    not finished has none yet (404)."""
    job = _job(request, slug, job_id)
    if job.status != "finished" or job.result is None:
        if job.active:
            why = f"job {job.id} is {job.status}: its files are ready once it has finished"
        else:
            why = f"job {job.id} {job.status}, so it made no files; start a new one"
        raise NotFound(why)
    files = job.result.get("files") or {}
    found = files.get(name)
    if found is None:
        names = ", ".join(files) or "none"
        raise NotFound(f"job {job.id} made no file {name!r}; its files: {names}")
    path = Path(found["path"])
    if not path.is_file():
        raise NotFound(f"the file {name} of job {job.id} is gone from the server ({path})")
    return FileResponse(
        path,
        media_type=str(found.get("media_type") or "application/octet-stream"),
        filename=f"{slug}-{job.id}-{name}",
        content_disposition_type="inline",
        headers={"X-Content-Type-Options": "nosniff"},
    )
