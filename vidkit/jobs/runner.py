"""The process that runs one job: ``python -m vidkit.jobs.runner --config C --job N
[--lock-fd FD]``, started by :func:`vidkit.jobs.launch_job` in a session of its own, holding its
project's lock (``FD``, handed over by the launcher) until it exits.

It reads what to do from the job's row, does it (a render with :func:`vidkit.pipeline.render`,
or speaking, capturing or tightening scenes) and appends its progress to the job's log (see
:mod:`vidkit.jobs`), so the work goes on whoever started it and whatever happens to them.
At the end it writes the outcome to the job's row and then to its log. SIGTERM (cancel, the
studio's Stop) ends it and everything it started at once; the stages it finished stay cached,
so running the job again resumes there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Final

from vidkit.jobs._log import append

if TYPE_CHECKING:
    from vidkit.catalogue import RenderJob
    from vidkit.model import Scene
    from vidkit.workspace import Workspace

__all__ = ["MEDIA_TYPES", "RunLog", "main"]

#: At most one progress record per stage and scene this often (seconds); ends always.
PROGRESS_EVERY_S: Final = 0.3
#: The files a job can give, by suffix: what each is.
MEDIA_TYPES: Final = {
    ".mp4": "video/mp4",
    ".wav": "audio/wav",
    ".srt": "application/x-subrip",
    ".vtt": "text/vtt",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}
_SIDECAR_NAMES: Final = {"srt": "captions.srt", "vtt": "captions.vtt", "chapters": "chapters.txt"}


class RunLog:
    """Appends records to the job's log, each flushed to disk at once; thins progress out
    and writes a ``scene`` record when a scene's last stage ends."""

    def __init__(self, path: Path, *, last_stage: str = "qc") -> None:
        self.path = path
        self.last_stage = last_stage
        self.scenes: dict[int, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._last: dict[tuple[str, int | None], float] = {}
        self._done: set[int] = set()

    def write(self, event: str, **fields: Any) -> None:
        with self._lock:
            append(self.path, event, **fields)

    def plan(self, scenes: list[Scene], *, avatar: bool, whole: bool) -> None:
        self.scenes = {
            s.position: {"position": s.position, "scene_id": s.id, "title": s.title} for s in scenes
        }
        self.write("plan", scenes=list(self.scenes.values()), avatar=avatar, whole=whole)

    def progress(self, event: Any) -> None:
        """A :class:`vidkit.pipeline.Event`, thinned out to a few records a second."""
        key = (event.stage, event.position)
        now = time.monotonic()
        final = event.total > 0 and event.done >= event.total
        if not final and now - self._last.get(key, 0.0) < PROGRESS_EVERY_S:
            return
        self._last[key] = now
        self.write(
            "progress", stage=event.stage, position=event.position, done=event.done,
            total=event.total, cached=event.cached,
        )  # fmt: skip
        if final and event.stage == self.last_stage:
            self.scene_done(event.position, cached=event.cached)

    def scene_done(self, position: int | None, *, cached: bool) -> None:
        if position is None or position in self._done:
            return
        self._done.add(position)
        scene = self.scenes.get(position, {"position": position})
        self.write("scene", **scene, cached=cached)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m vidkit.jobs.runner", description=__doc__)
    parser.add_argument("--config", required=True)
    parser.add_argument("--job", required=True, type=int)
    parser.add_argument("--lock-fd", type=int, default=None, help="held until the end")
    return parser.parse_args(argv)


def _file(path: Path) -> dict[str, Any]:
    return {
        "path": str(path),
        "media_type": MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
        "size_bytes": path.stat().st_size if path.is_file() else None,
    }


def _stored(ws: Workspace, slug: str, published: Path, kinds: tuple[str, ...]) -> Path:
    """The asset-store copy of a file the render published (stable: a later render of the
    project replaces the published file, never a stored one); the file itself if none."""
    digest = hashlib.sha256()
    with published.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    sha = digest.hexdigest()
    for kind in kinds:
        for asset in ws.assets(slug, kind=kind):
            if asset.sha256 == sha and ws.asset_path(asset).is_file():
                return ws.asset_path(asset)
    return published


def _positions(scenes: list[Scene], scene_ids: tuple[int, ...] | None) -> list[int] | None:
    """The chosen scenes' positions now (they may have moved since the job was created)."""
    if scene_ids is None:
        return None
    from vidkit.errors import InvalidInput

    at = {s.id: s.position for s in scenes}
    gone = [i for i in scene_ids if i not in at]
    if gone:
        raise InvalidInput(
            f"scene {gone[0]} was deleted after the job was created; start a new job",
            field="scene_ids",
        )
    return sorted(at[i] for i in scene_ids)


def _chosen(ws: Workspace, job: RenderJob, suits: Callable[[Scene], bool]) -> list[Scene]:
    scenes = ws.scenes(job.slug)
    positions = _positions(scenes, job.scene_ids)
    return [s for s in scenes if (s.position in positions if positions else suits(s))]


def _render(ws: Workspace, job: RenderJob, log: RunLog) -> dict[str, Any]:
    from vidkit.pipeline import render
    from vidkit.qc import QcReport, Status, check_film, worst

    slug = job.slug
    scenes = ws.scenes(slug)
    positions = _positions(scenes, job.scene_ids)
    chosen = [s for s in scenes if positions is None or s.position in positions]
    avatar = bool(ws.assets(slug, kind="avatar_image"))
    log.plan(chosen, avatar=avatar, whole=positions is None)
    result = render(ws, slug, positions=positions, progress=log.progress)
    files: dict[str, dict[str, Any]] = {}
    out_scenes: list[dict[str, Any]] = []
    qc_scenes: list[dict[str, Any]] = []
    statuses: list[Status] = []
    for s in result.scenes:
        log.scene_done(s.position, cached=all(s.cached.values()))
        path = ws.asset_path(s.video)
        files[f"scene-{s.scene_id}.mp4"] = _file(path)
        qc = s.report.get("qc") or None
        out_scenes.append({
            "position": s.position, "scene_id": s.scene_id, "title": s.title,
            "video": str(path), "file": f"scene-{s.scene_id}.mp4",
            "cached": all(s.cached.values()), "duration_ms": s.report.get("duration_ms"),
            "qc_status": qc.get("status") if qc else None,
        })  # fmt: skip
        qc_scenes.append({"scene_id": s.scene_id, "position": s.position, "title": s.title,
                          "report": qc})  # fmt: skip
        if qc:
            statuses.append(QcReport.from_dict(qc).status)
    film = None
    if result.final is not None:
        files["video.mp4"] = _file(_stored(ws, slug, result.final, ("final_video",)))
        for role, side in result.sidecars.items():
            name = _SIDECAR_NAMES.get(role, side.name)
            files[name] = _file(_stored(ws, slug, side, ("captions", "document")))
        checked = check_film(result.report, ws.config.qc)
        statuses.append(checked.status)
        film = checked.to_dict()
    qc_all = {"status": worst(statuses) if statuses else None, "film": film, "scenes": qc_scenes}
    report = Path(job.log_path).with_suffix(".qc.json")
    report.write_text(json.dumps(qc_all, indent=2, ensure_ascii=False), encoding="utf-8")
    files["qc.json"] = _file(report)
    return {
        "final": str(result.final) if result.final else None,
        "sidecars": {k: str(v) for k, v in result.sidecars.items()},
        "scenes": out_scenes, "files": files, "qc": qc_all,
        "duration_ms": result.report.get("duration_ms"), "seconds": round(result.seconds, 2),
    }  # fmt: skip


def _speak(ws: Workspace, job: RenderJob, log: RunLog) -> dict[str, Any]:
    from vidkit.pipeline import SceneGraph

    chosen = _chosen(ws, job, lambda _s: True)
    log.last_stage = "speak"
    log.plan(chosen, avatar=False, whole=job.scene_ids is None)
    graph = SceneGraph(ws, job.slug, progress=log.progress)
    files, out = {}, []
    for scene in chosen:
        speech = graph.speech(scene)
        path = ws.asset_path(speech.audio)
        name = f"scene-{scene.id}{path.suffix}"
        files[name] = _file(path)
        log.scene_done(scene.position, cached=speech.cached)
        out.append({
            "position": scene.position, "scene_id": scene.id, "title": scene.title,
            "file": name, "cached": speech.cached,
            "duration_ms": speech.timings.duration_ms, "words": len(speech.timings.words),
        })  # fmt: skip
    return {"scenes": out, "files": files}


def _capture(ws: Workspace, job: RenderJob, log: RunLog) -> dict[str, Any]:
    from vidkit.capture.service import Surface
    from vidkit.editing import capture_scene, capture_script

    surface: Surface = "http" if job.options.get("surface") == "http" else "local"
    chosen = _chosen(ws, job, lambda s: capture_script(ws, job.slug, s.id) is not None)
    log.last_stage = "capture"
    log.plan(chosen, avatar=False, whole=job.scene_ids is None)
    files, out = {}, []
    for scene in chosen:
        video = capture_scene(ws, job.slug, scene.id, surface=surface, progress=log.progress)
        path = ws.asset_path(video)
        name = f"scene-{scene.id}{path.suffix}"
        files[name] = _file(path)
        log.scene_done(scene.position, cached=False)
        out.append({
            "position": scene.position, "scene_id": scene.id, "title": scene.title,
            "file": name, "duration_ms": video.duration_ms, "asset_id": video.id,
        })  # fmt: skip
    return {"scenes": out, "files": files}


def _tighten(ws: Workspace, job: RenderJob, log: RunLog) -> dict[str, Any]:
    from vidkit.editing import tighten

    chosen = _chosen(ws, job, lambda s: ws.catalogue.scene_edit(job.slug, s.id) is not None)
    log.last_stage = "tighten"
    log.plan(chosen, avatar=False, whole=job.scene_ids is None)
    out = []
    for scene in chosen:
        report = tighten(ws, job.slug, scene.id, progress=log.progress)
        log.scene_done(scene.position, cached=False)
        out.append({"position": scene.position, "title": scene.title, **report.to_dict()})
    return {"scenes": out, "files": {}}


_WORK: Final = {"render": _render, "speak": _speak, "capture": _capture, "tighten": _tighten}


def _run(config: str, job_id: int) -> int:
    from vidkit.config import load_config
    from vidkit.errors import VidkitError
    from vidkit.workspace import Workspace

    ws = Workspace(load_config(config))
    job = ws.catalogue.render_job(job_id)
    log = RunLog(Path(job.log_path))

    def stop(_signum: int, _frame: FrameType | None) -> None:
        # No lock here: the signal may come while this thread holds the log's. One write of
        # one line to a file opened for appending does not mix with another.
        record = {"event": "stopped", "time": time.time(),
                  "message": "stopped before it finished; start it again to resume"}  # fmt: skip
        fd = os.open(log.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        os.write(fd, (json.dumps(record) + "\n").encode("utf-8"))
        os._exit(143)  # at once: workers and ffmpeg got the same signal (one process group)

    signal.signal(signal.SIGTERM, stop)
    log.write("started", pid=os.getpid(), attempt=job.attempts)
    _record(ws, job_id, pid=os.getpid())
    try:
        result = _WORK[job.kind](ws, job, log)
    except Exception as exc:
        if isinstance(exc, VidkitError):
            detail, message = str(exc), exc.for_studio()
            hint = exc.hint.as_dict() if exc.hint is not None else None
        else:
            traceback.print_exc()
            err = Path(job.log_path).with_suffix(".err")
            detail = f"something went wrong ({type(exc).__name__}: {exc}); the details are in {err}"
            message, hint = detail[:1].upper() + detail[1:], None
        _record(ws, job_id, status="failed", error=detail, hint=hint, finished_at=_now())
        log.write("failed", message=message, detail=detail, hint=hint)
        return 1
    _record(ws, job_id, status="finished", result=result, finished_at=_now())
    log.write("finished", **result)
    return 0


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(tzinfo=None)


def _record(ws: Workspace, job_id: int, **changes: Any) -> None:
    """Write to the job's row; the log says the same, so a row left behind (the catalogue
    held too long by others) is brought up to date by the next reader."""
    from vidkit.errors import VidkitError

    try:
        ws.catalogue.update_render_job(job_id, expect=("running",), **changes)
    except VidkitError as exc:
        logging.getLogger("vidkit.jobs").warning("could not record job %d: %s", job_id, exc)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    return _run(args.config, args.job)


if __name__ == "__main__":
    sys.exit(main())
