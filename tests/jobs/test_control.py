"""Jobs as catalogue rows and logs: refused before a row exists when there is nothing to do,
one per project, cancelled while queued; a job whose process is gone is resumed (a new process,
one more attempt) or marked interrupted, deterministically from its row, its log and its lock;
a log that ended settles the row."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import vidkit
from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.errors import Conflict, InvalidInput, NotFound
from vidkit.jobs import (
    MAX_ATTEMPTS,
    JobProgress,
    RenderJob,
    append,
    cancel_job,
    get_job,
    job_log,
    refresh,
    start_job,
)
from vidkit.jobs._log import try_lock

FAST = '[render]\npreset = "ultrafast"\nworkers = 1\n'


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = vidkit.open(write_config(tmp_path / "ws", FAST))
    workspace.create_project("p", "P", width=320, height=180, fps=10)
    return workspace


def _wait(ws: Workspace, job_id: int, timeout_s: float = 120.0) -> RenderJob:
    deadline = time.monotonic() + timeout_s
    while True:
        job = get_job(ws, job_id)
        if not job.active:
            return job
        assert time.monotonic() < deadline, job_log(job).records
        time.sleep(0.2)


def _crashed(ws: Workspace, job: RenderJob, attempts: int) -> RenderJob:
    """The row of a job whose process started and died without a word (kill -9, a reboot)."""
    crashed = ws.catalogue.update_render_job(job.id, status="running", attempts=attempts)
    assert crashed is not None
    return crashed


def test_nothing_to_do_is_refused_before_a_job_exists(ws: Workspace) -> None:
    with pytest.raises(InvalidInput, match="no scenes yet") as caught:
        start_job(ws, "p", launch=False)
    assert caught.value.field == "scene_ids"
    assert caught.value.hint is not None and caught.value.hint.action == "add_scene"
    ws.add_scene("p", "One", narration="Hello.")
    with pytest.raises(InvalidInput, match="no scene at position 2"):
        start_job(ws, "p", positions=[2], launch=False)
    with pytest.raises(InvalidInput, match="not a scene of this project"):
        start_job(ws, "p", scene_ids=[999], launch=False)
    with pytest.raises(InvalidInput, match="no scene of this project has a recording"):
        start_job(ws, "p", "tighten", launch=False)
    with pytest.raises(InvalidInput, match="kind must be one of"):
        start_job(ws, "p", "dance", launch=False)
    with pytest.raises(NotFound):
        start_job(ws, "nope", launch=False)
    assert ws.catalogue.render_jobs("p") == []


def test_one_job_per_project_and_a_cancelled_queued_job_never_starts(ws: Workspace) -> None:
    scene = ws.add_scene("p", "One", narration="Hello.")
    job = start_job(ws, "p", scene_ids=[scene.id], launch=False)
    assert (job.status, job.kind, job.scene_ids, job.attempts) == ("queued", "render", (1,), 0)
    with pytest.raises(Conflict, match="already queued"):
        start_job(ws, "p", launch=False)
    cancelled = cancel_job(ws, job.id)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    assert [r["event"] for r in job_log(cancelled).records] == ["launched", "cancelled"]
    with pytest.raises(Conflict, match="already ended"):
        cancel_job(ws, job.id)
    assert start_job(ws, "p", launch=False).status == "queued"  # the project is free again


def test_a_log_that_ended_settles_the_row(ws: Workspace) -> None:
    ws.add_scene("p", "One", narration="Hello.")
    job = _crashed(ws, start_job(ws, "p", launch=False), attempts=1)
    append(Path(job.log_path), "finished", final=None, scenes=[], files={}, seconds=1.5)
    settled = refresh(ws, job, resume=True)
    assert settled.status == "finished" and settled.attempts == 1
    assert settled.result == {"final": None, "scenes": [], "files": {}, "seconds": 1.5}


def test_a_held_lock_means_running(ws: Workspace) -> None:
    ws.add_scene("p", "One", narration="Hello.")
    job = _crashed(ws, start_job(ws, "p", launch=False), attempts=1)
    with try_lock(job_log(job).lock_path) as fd:  # the job's process, alive
        assert fd is not None
        same = refresh(ws, job, resume=True)
    assert (same.status, same.attempts) == ("running", 1)
    assert [r["event"] for r in job_log(same).records] == ["launched"]


def test_a_job_whose_process_is_gone_resumes_in_a_new_process(ws: Workspace) -> None:
    ws.add_scene("p", "Silent")  # no narration: the new process fails at once, and says so
    job = _crashed(ws, start_job(ws, "p", launch=False), attempts=1)
    resumed = refresh(ws, job, resume=True)
    assert (resumed.status, resumed.attempts) == ("running", 2)
    ended = _wait(ws, job.id)
    assert ended.status == "failed" and "has no narration" in (ended.error or "")
    events = [r["event"] for r in job_log(ended).records]
    assert events[:3] == ["launched", "resumed", "started"] and events[-1] == "failed"
    assert job_log(ended).records[2]["attempt"] == 2


@pytest.mark.parametrize("resume", [True, False], ids=["too-often", "not-asked"])
def test_a_job_whose_process_is_gone_is_marked_interrupted(ws: Workspace, resume: bool) -> None:
    ws.add_scene("p", "One", narration="Hello.")
    job = start_job(ws, "p", launch=False)
    job = _crashed(ws, job, attempts=MAX_ATTEMPTS if resume else 1)
    ended = refresh(ws, job, resume=resume)
    assert ended.status == "interrupted" and "start it again to resume" in (ended.error or "")
    assert job_log(ended).outcome is not None
    assert job_log(ended).outcome["event"] == "interrupted"  # type: ignore[index]
    assert refresh(ws, ended, resume=True) == ended  # it has ended: nothing more happens


def test_deleting_a_project_deletes_its_jobs(ws: Workspace) -> None:
    ws.add_scene("p", "One", narration="Hello.")
    job = start_job(ws, "p", launch=False)
    ws.delete_project("p")
    with pytest.raises(NotFound):
        ws.catalogue.render_job(job.id)


def test_progress_from_records() -> None:
    records = [
        {"event": "launched"},
        {"event": "started", "pid": 1},
        {"event": "plan", "whole": True, "avatar": False,
         "scenes": [{"position": 1, "scene_id": 7, "title": "A"},
                    {"position": 2, "scene_id": 8, "title": "B"}]},
        {"event": "progress", "stage": "speak", "position": 1, "done": 1, "total": 1},
        {"event": "progress", "stage": "compose", "position": 1, "done": 5, "total": 10},
    ]  # fmt: skip
    progress = JobProgress.of("render", records)
    assert progress.words == "scene 1: composing the scene, 50%"
    # 2 scenes x (speak, compose, qc) + joining them: 1.5 of 7 units done
    assert progress.percent == 21
    first, second = progress.to_dict()["scenes"]
    assert (first["stage"], first["percent"], first["finished"]) == ("compose", 50, False)
    assert (second["words"], second["scene_id"]) == ("waiting", 8)
    progress.add({"event": "scene", "position": 1, "cached": True})
    assert progress.to_dict()["scenes"][0]["words"] == "done (from the cache)"
    progress.add({"event": "finished"})
    assert progress.percent == 100 and progress.words == "finished"


def test_a_running_job_is_stopped_before_its_project_is_deleted(ws: Workspace) -> None:
    from vidkit.jobs import lock_held, stop_project_jobs

    ws.add_scene("p", "One", narration=" ".join(["A loop repeats its body for every item."] * 6))
    job = start_job(ws, "p")
    deadline = time.monotonic() + 60
    while (found := job_log(get_job(ws, job.id))).last("started") is None:
        assert time.monotonic() < deadline, found.records
        time.sleep(0.1)
    (stopped,) = stop_project_jobs(ws, "p")
    assert stopped.id == job.id and stopped.status == "cancelled"
    assert not lock_held(found.lock_path)  # its process has ended: the lock goes with it
    assert stop_project_jobs(ws, "p") == []  # nothing left to stop
    ws.delete_project("p")
