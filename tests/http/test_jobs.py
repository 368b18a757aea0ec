"""Jobs over HTTP against real servers: a render started over HTTP streams its events, survives
its server being killed (the job's process goes on, and a new server follows it) and then the
server and the job's process both being killed (the next server resumes it, the finished scene
from the cache); its film plays and its sidecars download with their types. Cancelling stops the
job's process. Nothing to render, a second job of a project, unknown jobs and files are refused
in plain words."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import vidkit
from tests.conftest import write_config
from tests.http.support import (
    SERVE,
    RunningServer,
    _wait_until_healthy,
    field_errors,
    free_port,
    server_env,
)
from vidkit.jobs import job_log, lock_held
from vidkit.media import probe

FAST = '[render]\npreset = "ultrafast"\nworkers = 1\n'
NARRATION = "Here is a loop you have probably written a hundred times before today."
SMALL = {"width": 320, "height": 180, "fps": 10}
WAIT_S = 240.0


@dataclass(frozen=True)
class Event:
    id: int
    event: str
    data: dict[str, Any]


def read_events(
    api: httpx.Client,
    url: str,
    until: Callable[[Event], bool],
    *,
    after: int | None = None,
    timeout_s: float = WAIT_S,
) -> list[Event]:
    """The events of ``url`` (after id ``after``, sent as Last-Event-ID) up to the first that
    ``until`` accepts; the stream is closed then."""
    headers = {"Last-Event-ID": str(after)} if after is not None else {}
    events: list[Event] = []
    deadline = time.monotonic() + timeout_s
    fields: dict[str, str] = {}
    with api.stream("GET", url, headers=headers, timeout=timeout_s) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            assert time.monotonic() < deadline, events
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(": ")
                fields[name] = value
                continue
            if "data" in fields:
                event = Event(int(fields["id"]), fields["event"], json.loads(fields["data"]))
                assert event.data["event"] == event.event
                events.append(event)
                if until(event):
                    return events
            fields = {}
    raise AssertionError(f"the stream ended first: {[e.event for e in events]}")


def ended(event: Event) -> bool:
    return event.event in ("finished", "failed", "cancelled", "interrupted")


def _wait_gone(pid: int, timeout_s: float = 15.0) -> None:
    """Wait until no process of group ``pid`` is left (reaped, not a zombie)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, f"process group {pid} is still there"
        time.sleep(0.1)


# a server that can be killed -------------------------------------------------------------------


class Killable:
    """``vidkit.http.serve`` in a process of its own, on a free port, that a test can kill -9."""

    def __init__(self, folder: Path, config: Path) -> None:
        port = free_port()
        self.log_path = folder / f"server-{port}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE, str(config), str(port), "0"],
                stdout=log, stderr=subprocess.STDOUT, env=server_env(), cwd=folder,
            )  # fmt: skip
        self.server = RunningServer(f"http://127.0.0.1:{port}", config, self.log_path)
        try:
            _wait_until_healthy(self.server, self.process)
        except BaseException:
            self.kill()
            raise

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no shutdown, no cleanup
        self.process.wait()


@pytest.fixture
def killables(tmp_path: Path) -> Iterator[list[Killable]]:
    started: list[Killable] = []
    yield started
    for one in started:
        one.kill()


@pytest.mark.slow
def test_a_render_outlives_its_servers_and_resumes(
    tmp_path: Path, killables: list[Killable]
) -> None:
    folder = tmp_path / "ws"
    config = write_config(folder, FAST)
    ws = vidkit.open(config)
    ws.create_project("film", "Film", **SMALL)  # type: ignore[arg-type]
    first = ws.add_scene("film", "One", narration=NARRATION)
    # long enough (about 40 s of speech) that the kill below lands while it is being made
    ws.add_scene("film", "Two", narration=" ".join([NARRATION] * 8))

    def serve() -> httpx.Client:
        killables.append(Killable(folder, config))
        return killables[-1].server.client()

    with serve() as api:
        started = api.post("/api/projects/film/render")
        assert started.status_code == 202, started.text
        url = started.headers["Location"]
        job = started.json()
        assert url == job["url"] == f"/api/projects/film/jobs/{job['id']}"
        assert job["status"] in ("queued", "running") and job["kind"] == "render"
        assert api.post("/api/projects/film/render").status_code == 409  # one at a time
        seen = read_events(api, f"{url}/events", lambda e: e.event == "scene")
    assert [e.id for e in seen] == list(range(1, len(seen) + 1))
    assert [e.event for e in seen][:3] == ["queued", "started", "plan"]
    assert seen[-1].data["position"] == 1 and seen[-1].data["scene_id"] == first.id
    assert seen[-1].data["cached"] is False and 0 < seen[-1].data["percent"] < 100
    pid = int(job_log(ws.catalogue.render_job(job["id"])).last("started")["pid"])  # type: ignore[index]
    lock = Path(ws.catalogue.render_job(job["id"]).log_path).parent / "job.lock"

    try:
        # 1. The server is killed mid-render; the job's process goes on, and the next server
        # follows it. The process is paused meanwhile (it keeps its lock), so however slow the
        # machine is to start the next server, scene 2 is still to be made when it is up.
        os.killpg(pid, signal.SIGSTOP)
        killables[-1].kill()
        with serve() as api:
            view = api.get(url).json()
            assert (view["status"], view["attempts"]) == ("running", 1), view
            assert view["last_event_id"] >= seen[-1].id
            assert view["progress"]["scenes"][0]["finished"] is True
            os.killpg(pid, signal.SIGCONT)
            more = read_events(
                api,
                f"{url}/events",
                lambda e: e.event == "progress" and e.data["position"] == 2,
                after=seen[-1].id,
            )
        assert [e.id for e in more] == list(range(seen[-1].id + 1, more[-1].id + 1))

        # 2. The server and the job's process are both killed (a machine that went down):
        # the next server resumes the job as it starts.
        killables[-1].kill()
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while lock_held(lock):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with serve() as api:
            rest = read_events(api, f"{url}/events", ended, after=more[-1].id)
            view = api.get(url).json()
            files = {f["name"]: f for f in view["result"]["files"]}
            film = api.get(view["result"]["video"])
            vtt = api.get(files["captions.vtt"]["url"])
            srt = api.get(files["captions.srt"]["url"])
            qc = api.get(files["qc.json"]["url"])
    finally:
        with suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)

    assert [e.id for e in rest] == list(range(more[-1].id + 1, rest[-1].id + 1))
    names = [e.event for e in rest]
    resumed = names.index("resumed")  # a record or two may have come before the kill landed
    assert set(names[:resumed]) <= {"progress"}, names
    assert names[resumed : resumed + 2] == ["resumed", "started"] and names[-1] == "finished"
    assert rest[resumed].data["attempt"] == 2
    again = [e for e in rest if e.event == "scene"]
    assert [(e.data["position"], e.data["cached"]) for e in again] == [(1, True), (2, False)]
    assert rest[-1].data["result"]["video"] == view["result"]["video"]
    assert (view["status"], view["attempts"], view["progress"]["percent"]) == ("finished", 2, 100)
    assert view["error"] is None and set(files) >= {
        "video.mp4", "captions.srt", "captions.vtt", "chapters.txt", "qc.json",
        f"scene-{first.id}.mp4",
    }  # fmt: skip

    assert film.status_code == 200 and film.headers["content-type"] == "video/mp4"
    assert film.content[4:8] == b"ftyp"
    played = tmp_path / "film.mp4"
    played.write_bytes(film.content)
    info = probe(played)
    assert info.has_video and info.has_audio
    assert info.duration_ms is not None and info.duration_ms > 4000
    assert (info.width, info.height) == (320, 180)
    assert vtt.headers["content-type"].startswith("text/vtt") and vtt.text.startswith("WEBVTT")
    assert srt.headers["content-type"].startswith("application/x-subrip") and "-->" in srt.text
    assert qc.json()["status"] in ("green", "amber", "red")
    assert len(qc.json()["scenes"]) == 2 and qc.json()["film"] is not None


# on the session's server -----------------------------------------------------------------------


def _small_project(api: httpx.Client, slug: str, *narrations: str) -> list[int]:
    created = api.post("/api/projects", json={"slug": slug, "title": "Jobs", **SMALL})
    assert created.status_code == 201, created.text
    ids = []
    for index, narration in enumerate(narrations):
        scene = api.post(
            f"/api/projects/{slug}/scenes", json={"title": f"S{index}", "narration": narration}
        )
        assert scene.status_code == 201, scene.text
        ids.append(scene.json()["id"])
    return ids


def test_nothing_to_render_is_refused_and_makes_no_job(
    api: httpx.Client, project: str, new_slug: Callable[[], str]
) -> None:
    refused = api.post(f"/api/projects/{project}/render")
    errors = field_errors(refused)
    assert "no scenes yet" in errors[("body", "scene_ids")]
    assert refused.json()["hint"]["action"] == "add_scene"
    assert api.get(f"/api/projects/{project}/jobs").json() == []
    scene = api.post(f"/api/projects/{project}/scenes", json={"title": "A"}).json()
    other = _small_project(api, new_slug(), "Hello.")[0]
    foreign = api.post(f"/api/projects/{project}/render", json={"scene_ids": [other]})
    assert "not a scene of this project" in field_errors(foreign)[("body", "scene_ids")]
    assert field_errors(api.post(f"/api/projects/{project}/render", json={"scene_ids": ["1"]}))
    assert field_errors(api.post(f"/api/projects/{project}/render", json={"scenes": [1]}))
    kinds = {"capture": "capture script", "tighten": "recording"}
    for kind, missing in kinds.items():
        body = {"kind": kind, "scene_ids": [scene["id"]]}
        message = field_errors(api.post(f"/api/projects/{project}/jobs", json=body))
        assert missing in message[("body", "scene_ids")]
    assert api.post("/api/projects/no-such/render").status_code == 404
    assert api.get(f"/api/projects/{project}/jobs").json() == []
    missing_job = api.get(f"/api/projects/{project}/jobs/999999")
    assert missing_job.status_code == 404
    assert missing_job.json()["detail"] == "there is no job 999999"


@pytest.mark.slow
def test_cancel_stops_the_job_process_and_the_next_job_starts(
    api: httpx.Client, server: RunningServer, new_slug: Callable[[], str]
) -> None:
    slug, other = new_slug(), new_slug()
    _small_project(api, slug, " ".join([NARRATION] * 4))
    _small_project(api, other, "Waiting my turn.")
    started = api.post(f"/api/projects/{slug}/render", json={})
    assert started.status_code == 202, started.text
    url = started.headers["Location"]
    job_id = started.json()["id"]
    ws = vidkit.open(server.config_path)
    try:
        read_events(api, f"{url}/events", lambda e: e.event == "started")
        # The server runs one job at a time: another project's job waits its turn.
        waiting = api.post(f"/api/projects/{other}/jobs", json={"kind": "speak"})
        assert waiting.status_code == 202 and waiting.json()["status"] == "queued"
        pid = int(job_log(ws.catalogue.render_job(job_id)).last("started")["pid"])  # type: ignore[index]
        early = api.get(f"{url}/files/video.mp4")
        assert early.status_code == 404
        assert early.json()["detail"].endswith("its files are ready once it has finished")
        assert api.get(f"/api/projects/{other}/jobs/{job_id}").status_code == 404
        cancelled = api.post(f"{url}/cancel")
        assert cancelled.status_code == 200, cancelled.text
    except BaseException:
        for job in (
            api.get(f"/api/projects/{slug}/jobs").json()
            + api.get(f"/api/projects/{other}/jobs").json()
        ):
            if job["status"] in ("queued", "running"):
                api.post(f"{job['url']}/cancel")
        raise
    turn = read_events(api, waiting.json()["events_url"], ended)
    assert [e.event for e in turn][:2] == ["queued", "started"] and turn[-1].event == "finished"
    view = cancelled.json()
    assert view["status"] == "cancelled" and "start it again to resume" in view["error"]
    _wait_gone(pid)  # the job's process and everything it started
    events = read_events(api, f"{url}/events", ended)
    assert events[-1].event == "cancelled" and events[-1].data["detail"]
    again = api.post(f"{url}/cancel")
    assert again.status_code == 409 and "already ended" in again.json()["detail"]
    late = api.get(f"{url}/files/video.mp4")
    assert late.status_code == 404 and "cancelled" in late.json()["detail"]
    listed = api.get(f"/api/projects/{slug}/jobs").json()
    assert [(j["id"], j["status"]) for j in listed] == [(job_id, "cancelled")]


@pytest.mark.slow
def test_a_speak_job_gives_each_scene_audio(api: httpx.Client, new_slug: Callable[[], str]) -> None:
    slug = new_slug()
    first, second = _small_project(api, slug, "Hello there.", "And goodbye.")
    started = api.post(f"/api/projects/{slug}/jobs", json={"kind": "speak", "scene_ids": [second]})
    assert started.status_code == 202, started.text
    url = started.headers["Location"]
    events = read_events(api, f"{url}/events", ended)
    assert events[-1].event == "finished", events[-1]
    assert [e.data["scene_id"] for e in events if e.event == "scene"] == [second]
    view = api.get(url).json()
    assert (view["kind"], view["status"], view["scene_ids"]) == ("speak", "finished", [second])
    (scene,) = view["result"]["scenes"]
    assert scene["scene_id"] == second and scene["duration_ms"] > 300 and scene["words"] == 2
    audio = api.get(scene["url"])
    assert audio.headers["content-type"] == "audio/wav" and audio.content[:4] == b"RIFF"
    assert first not in [s["scene_id"] for s in view["result"]["scenes"]]


def test_a_failing_job_says_why(api: httpx.Client, new_slug: Callable[[], str]) -> None:
    slug = new_slug()
    _small_project(api, slug, "")  # a scene with nothing to say
    started = api.post(f"/api/projects/{slug}/render")
    assert started.status_code == 202, started.text
    events = read_events(api, started.json()["events_url"], ended)
    failed = events[-1]
    assert failed.event == "failed" and "has no narration yet" in failed.data["detail"]
    assert "hint" in failed.data and "Traceback" not in failed.data["detail"]
    view = api.get(started.headers["Location"]).json()
    assert (view["status"], view["error"]) == ("failed", failed.data["detail"])
    assert view["result"] is None and view["progress"]["words"] == "failed"
    # a client that has every event of a job that ended gets none, and the stream ends at once
    headers = {"Last-Event-ID": str(failed.id)}
    with api.stream("GET", started.json()["events_url"], headers=headers, timeout=10) as response:
        rest = [line for line in response.iter_lines() if line.startswith(("id:", "data:"))]
    assert rest == []


def test_the_schema_describes_the_job_routes(api: httpx.Client) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    render = paths["/api/projects/{slug}/render"]["post"]
    assert "202" in render["responses"] and "409" in render["responses"]
    events = paths["/api/projects/{slug}/jobs/{job_id}/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]
    assert "Last-Event-ID" in events["description"]
    assert {p["name"] for p in events["parameters"]} >= {"since", "last-event-id"}
    download = paths["/api/projects/{slug}/jobs/{job_id}/files/{name}"]["get"]
    assert {"video/mp4", "text/vtt"} <= set(download["responses"]["200"]["content"])
    assert "post" in paths["/api/projects/{slug}/jobs/{job_id}/cancel"]
