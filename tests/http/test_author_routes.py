"""Authoring over HTTP: write, plan, revise and lexicon routes on a real uvicorn server, with the
LLM a real local OpenAI-compatible server (``tests.backends.llm.servers``), a deterministic
stand-in for the protocol, or the embedded model itself; and every way the LLM fails, as an
HTTP status."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.backends.llm.doubles import ScriptedLLM
from tests.backends.llm.servers import Answer, ChatServer, Request, Status
from tests.conftest import write_config
from tests.http.support import RunningServer, field_errors, running_server, server_env
from vidkit.backends.llm.protocol import Message, Progress, Reply
from vidkit.backends.llm.retry import LLMOutputError, Transient
from vidkit.config import load_config
from vidkit.errors import BackendError
from vidkit.http import create_app
from vidkit.http._llm import upstream_error
from vidkit.http._routes_author import LLM_WORKERS

KEY = "sk-http-author-test-0123456789"
ENV = "VIDKIT_HTTP_TEST_LLM_KEY"
SCRIPT = (
    "A loop builds a list one item at a time.\n\n"
    "A list comprehension builds it in one line.\n\n"
    "Add a condition at the end to keep only some items."
)


# the LLM: a real OpenAI-compatible server that answers whichever schema it is sent ------------


def _script_in(prompt: str) -> str:
    return prompt.split("Script:\n", 1)[1].rsplit("\n\nUse at most", 1)[0]


def answer(request: Request) -> str:
    """A plausible answer for the schema the request carries: one scene per paragraph."""
    schema = request.body["response_format"]["json_schema"]["schema"]
    fields = list(schema["properties"])
    prompt = request.body["messages"][-1]["content"]
    if fields == ["title", "narration"]:
        return json.dumps({"title": "Comprehensions", "narration": SCRIPT})
    if fields == ["scenes"]:
        limit = schema["properties"]["scenes"]["maxItems"]
        paragraphs = [p for p in _script_in(prompt).split("\n\n") if p.strip()][:limit]
        scenes = [
            {"title": f"Part {n}", "narration": p, "screen": "an editor", "seconds": 4 + n}
            for n, p in enumerate(paragraphs, start=1)
        ]
        return json.dumps({"scenes": scenes})
    if fields == ["narration"]:
        return json.dumps({"narration": "Shorter now." if "shorter" in prompt else "Hi there."})
    return json.dumps({"entries": [{"term": "snake_case", "say": "snake case"}]})


def openai_config(folder: Path, url: str, *, retries: int = 1, timeout_s: float = 1.5) -> Path:
    return write_config(
        folder,
        f'[llm]\nbackend = "openai"\nretries = {retries}\n[llm.cloud]\nbase_url = "{url}"\n'
        f'model = "gpt-test"\napi_key_env = "{ENV}"\ntimeout_s = {timeout_s}\n'
        "context_tokens = 4096\n",
    )


@pytest.fixture(scope="module")
def chat() -> Iterator[ChatServer]:
    with ChatServer(answer, key=KEY) as running:
        yield running


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chat: ChatServer) -> Iterator[RunningServer]:
    """``vidkit.http.serve`` in a subprocess, its ``[llm]`` the chat server above."""
    folder = tmp_path_factory.mktemp("http-author")
    config = openai_config(folder, chat.openai_url)
    with running_server(folder, config_path=config, env=server_env(**{ENV: KEY})) as running:
        yield running


@pytest.fixture(scope="module")
def client(served: RunningServer) -> Iterator[httpx.Client]:
    with served.client() as api:
        yield api


@pytest.fixture
def slug(client: httpx.Client, new_slug: Callable[[], str]) -> str:
    created = client.post("/api/projects", json={"slug": new_slug(), "title": "Comprehensions"})
    assert created.status_code == 201, created.text
    value: str = created.json()["slug"]
    return value


def scenes_of(api: httpx.Client, slug: str) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = api.get(f"/api/projects/{slug}/scenes").json()
    return listed


# the happy path -------------------------------------------------------------------------------


def test_write_plan_revise_and_suggest(client: httpx.Client, slug: str, chat: ChatServer) -> None:
    asked = len(chat.requests)
    body = {"topic": "list comprehensions", "audience": "new coders", "minutes": 0.5,
            "sources": {"loop.py": "squares = [n * n for n in range(10)]\n"}}  # fmt: skip
    written = client.post(f"/api/projects/{slug}/script", json=body)
    assert written.status_code == 200, written.text
    script = written.json()
    assert (script["title"], script["text"], script["cached"]) == ("Comprehensions", SCRIPT, False)
    assert script["script"]["kind"] == "document"
    assert script["script"]["metadata"]["role"] == "script"
    assert script["tokens"] > 0 and script["seconds"] > 0 and script["notes"] == []
    sent = chat.requests[-1].body["messages"][-1]["content"]
    assert "list comprehensions" in sent and "new coders" in sent and "n * n" in sent
    assert client.get(f"/api/projects/{slug}/script").json() == {**script, "cached": True}
    again = client.post(f"/api/projects/{slug}/script", json=body).json()
    assert again["cached"] and again["script"] == script["script"]

    planned = client.post(f"/api/projects/{slug}/plan", json={"max_scenes": 3})
    assert planned.status_code == 200, planned.text
    plan = planned.json()
    assert [s["title"] for s in plan["scenes"]] == ["Part 1", "Part 2", "Part 3"]
    assert plan["scenes"] == scenes_of(client, slug)
    assert plan["scenes"][0]["notes"] == "screen: an editor"
    assert plan["scenes"][0]["target_duration_ms"] == 5000
    assert plan["plan"]["metadata"]["role"] == "plan" and plan["backup"] is None

    refused = client.post(f"/api/projects/{slug}/plan")  # no body at all: the defaults
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"] == (
        f'project {slug!r} already has 3 scene(s): send "replace": true to replace them (they '
        'are saved first) or "append": true to add the plan after them'
    )
    assert len(scenes_of(client, slug)) == 3

    first = plan["scenes"][0]
    revised = client.post(
        f"/api/projects/{slug}/scenes/{first['id']}/revise", json={"ask": "shorter, fit 20 s"}
    )
    assert revised.status_code == 200, revised.text
    change = revised.json()
    assert change["before"] == first["narration"]
    assert change["scene"]["narration"] == "Shorter now."
    assert change["scene"]["target_duration_ms"] == 20_000
    assert change["revision"]["scene_id"] == first["id"]
    after = scenes_of(client, slug)
    assert after[0] == change["scene"] and after[1:] == plan["scenes"][1:]

    replacing = {"replace": True, "max_scenes": 3}
    replaced = client.post(f"/api/projects/{slug}/plan", json=replacing).json()
    assert replaced["cached"]  # the same script, model and prompt: no new request
    assert replaced["backup"]["metadata"]["role"] == "scenes-backup"
    assert [s["id"] for s in replaced["scenes"]] == [s["id"] for s in plan["scenes"]]
    appended = client.post(f"/api/projects/{slug}/plan", json={"append": True, "max_scenes": 1})
    assert appended.status_code == 200, appended.text
    assert [s["position"] for s in scenes_of(client, slug)] == [1, 2, 3, 4]

    client.put(f"/api/projects/{slug}/script", json={"text": "Use snake_case names."})
    proposed = client.post(f"/api/projects/{slug}/lexicon/suggest")
    assert proposed.status_code == 200, proposed.text
    assert proposed.json() == {"candidates": ["snake_case"], "entries": {"snake_case":
                               "snake case"}, "applied": {}, "cached": False}  # fmt: skip
    assert client.get(f"/api/projects/{slug}/lexicon").json() == {}
    applied = client.post(f"/api/projects/{slug}/lexicon/suggest", json={"apply": True}).json()
    assert applied["cached"] and applied["applied"] == {"snake_case": "snake case"}
    assert client.get(f"/api/projects/{slug}/lexicon").json() == {"snake_case": "snake case"}
    assert len(chat.requests) - asked == 5  # write, plan, revise, plan (1 scene), lexicon


def test_your_own_script(client: httpx.Client, slug: str) -> None:
    missing = client.get(f"/api/projects/{slug}/script")
    assert missing.status_code == 404
    assert "has no script yet: write one with POST" in missing.json()["detail"]
    stored = client.put(f"/api/projects/{slug}/script", json={"text": "One.\n\nTwo.", "title": "T"})
    assert stored.status_code == 200, stored.text
    assert (stored.json()["text"], stored.json()["title"]) == ("One.\n\nTwo.", "T")
    assert client.get(f"/api/projects/{slug}/script").json()["text"] == "One.\n\nTwo."
    planned = client.post(f"/api/projects/{slug}/plan", json={"script": "Mine.\n\nAlso mine."})
    assert planned.status_code == 200, planned.text
    assert [s["narration"] for s in planned.json()["scenes"]] == ["Mine.", "Also mine."]
    assert client.get(f"/api/projects/{slug}/script").json()["text"] == "Mine.\n\nAlso mine."


def test_a_long_outline_and_another_language_get_notes(client: httpx.Client, slug: str) -> None:
    outline = "\n".join(f"## Week {n}\n- goal {n}\n  - " + "words " * 400 for n in range(60))
    written = client.post(f"/api/projects/{slug}/script", json={"outline": outline})
    assert written.status_code == 200, written.text
    (note,) = written.json()["notes"]
    assert "the outline" in note and "headings and top-level points" in note
    foreign = client.post(f"/api/projects/{slug}/script",
                          json={"topic": "Списковые включения в Python"})  # fmt: skip
    assert foreign.status_code == 200, foreign.text
    assert any("not in English (Cyrillic)" in n for n in foreign.json()["notes"])


# bad input: 422 naming the field, 404, and nothing asked of the LLM ---------------------------


@pytest.mark.parametrize(
    ("path", "body", "loc", "phrase"),
    [
        ("script", {"topic": "  "}, ("body", "topic"), 'nothing to write about: send a "topic"'),
        ("script", {}, ("body", "topic"), '"outline"'),
        ("script", {"topic": "x", "minutes": 0}, ("body", "minutes"), "between 0.1 and 60"),
        ("script", {"topic": None}, ("body", "topic"), "valid string"),
        ("script", {"topic": "x", "words": 9}, ("body", "words"), "Extra inputs"),
        ("script", {"topic": "x", "minutes": "2"}, ("body", "minutes"), "valid number"),
        ("plan", {"append": True, "replace": True}, ("body", "replace"), "not both"),
        ("plan", {}, ("body", "script"), "has no script yet: write one with POST"),
        ("plan", {"script": " \n"}, ("body", "script"), "the script is empty"),
        ("plan", {"script": "x", "max_scenes": 0}, ("body", "max_scenes"), "between 1 and 40"),
        ("plan", {"script": "x", "append": 1}, ("body", "append"), "valid boolean"),
        ("lexicon/suggest", {"text": " "}, ("body", "text"), '"text" is empty'),
        ("lexicon/suggest", {}, ("body", "text"), "no script or narration"),
        ("script-put", {"text": " "}, ("body", "text"), "the script is empty"),
    ],
)
def test_bad_input_is_422_and_asks_nothing(
    client: httpx.Client,
    slug: str,
    chat: ChatServer,
    path: str,
    body: dict[str, Any],
    loc: tuple[str, ...],
    phrase: str,
) -> None:
    asked = len(chat.requests)
    if path == "script-put":
        response = client.put(f"/api/projects/{slug}/script", json=body)
    else:
        response = client.post(f"/api/projects/{slug}/{path}", json=body)
    errors = field_errors(response)
    assert loc in errors, errors
    assert phrase in errors[loc]
    assert len(chat.requests) == asked
    assert scenes_of(client, slug) == []


def test_revise_needs_an_ask_and_a_scene(client: httpx.Client, slug: str) -> None:
    scene = client.post(f"/api/projects/{slug}/scenes", json={"title": "S", "narration": "Hi."})
    url = f"/api/projects/{slug}/scenes/{scene.json()['id']}/revise"
    blank = field_errors(client.post(url, json={"ask": "  "}))
    assert 'e.g. "ask": "shorter"' in blank[("body", "ask")]
    assert ("body", "ask") in field_errors(client.post(url, json={}))
    too_long = field_errors(client.post(url, json={"ask": "fit 4000 s"}))
    assert "between 1 s and an hour" in too_long[("body", "ask")]
    gone = client.post(f"/api/projects/{slug}/scenes/999999/revise", json={"ask": "shorter"})
    assert gone.status_code == 404 and "999999" in gone.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "script", {"topic": "x"}),
        ("GET", "script", None),
        ("PUT", "script", {"text": "x"}),
        ("POST", "plan", {"script": "x"}),
        ("POST", "lexicon/suggest", {}),
        ("GET", "lexicon", None),
    ],
)
def test_unknown_project_is_404(
    client: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = client.request(method, f"/api/projects/no-such-project/{path}", json=body)
    assert response.status_code == 404, response.text
    assert "no-such-project" in response.json()["detail"]


# the LLM failing: 502, 503 with Retry-After, 504, each with one line naming what to fix -------


def _write(api: httpx.Client, slug: str, topic: str) -> httpx.Response:
    return api.post(f"/api/projects/{slug}/script", json={"topic": topic})


def test_server_errors_are_retried_then_502(
    client: httpx.Client, slug: str, chat: ChatServer
) -> None:
    chat.push(Status(500, {"error": {"message": "boom"}}), Status(502, {"error": "bad"}))
    response = _write(client, slug, "five hundred")
    assert response.status_code == 502, response.text
    detail = response.json()["detail"]
    assert f"[llm.cloud] base_url {chat.openai_url}" in detail
    assert "gave up after 2 attempts" in detail and "\n" not in detail
    assert "Retry-After" not in response.headers
    chat.push(Status(500, {"error": {"message": "once"}}))
    assert _write(client, slug, "five hundred once").status_code == 200  # retried


def test_rate_limits_are_503_with_retry_after(
    client: httpx.Client, slug: str, chat: ChatServer
) -> None:
    chat.push(Status(429, {"error": {"message": "slow down"}}, {"Retry-After": "600"}))
    started = time.monotonic()
    response = _write(client, slug, "too many")
    assert time.monotonic() - started < 5  # no point waiting ten minutes
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "600"
    assert "asks to wait 600 s" in response.json()["detail"]
    chat.push(*[Status(429, {"error": {"message": "still"}}, {"Retry-After": "0.2"})] * 2)
    twice = _write(client, slug, "too many twice")
    assert twice.status_code == 503 and twice.headers["Retry-After"] == "1"
    assert "rate-limiting requests (HTTP 429" in twice.json()["detail"]


def test_a_timeout_is_504(client: httpx.Client, slug: str, chat: ChatServer) -> None:
    chat.push(Answer("{}", delay_s=4), Answer("{}", delay_s=4))
    response = _write(client, slug, "slow")
    assert response.status_code == 504, response.text
    detail = response.json()["detail"]
    assert "did not answer within 1.5 s" in detail and "[llm.cloud] timeout_s" in detail


def test_invalid_answers_are_502_and_kept(
    client: httpx.Client, slug: str, chat: ChatServer, served: RunningServer
) -> None:
    chat.push(Answer('{"title": "no narration"}'), Answer("not json"))
    response = _write(client, slug, "nonsense")
    assert response.status_code == 502, response.text
    detail = response.json()["detail"]
    assert "gave 2 answer(s) for write_script that do not match the schema" in detail
    match = re.search(r"the raw answers are in (\S+?\.txt)", detail)
    assert match, detail
    kept = (served.config_path.parent / match.group(1)).read_text(encoding="utf-8")
    assert "no narration" in kept and "not json" in kept
    chat.push(Answer("not json"))  # invalid, then corrected with the error fed back
    assert _write(client, slug, "nonsense corrected").status_code == 200
    assert "not valid" in chat.requests[-1].body["messages"][-1]["content"]


# the LLM not there: each config in its own server (in this process, real uvicorn) -----------


@contextmanager
def serving(app: FastAPI) -> Iterator[httpx.Client]:
    """``app`` under uvicorn on a free loopback port, in a thread, until the block ends."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with httpx.Client(base_url=url, timeout=60.0) as api:
            yield api
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def app_for(folder: Path, extra: str = "", *, llm: Any = None) -> Iterator[httpx.Client]:
    with serving(create_app(load_config(write_config(folder, extra)), llm=llm)) as api:
        created = api.post("/api/projects", json={"slug": "p", "title": "P"})
        assert created.status_code == 201, created.text
        yield api


def _closed_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_unreachable_ollama_is_503(tmp_path: Path) -> None:
    url = _closed_url()
    extra = f'[llm]\nbackend = "ollama"\n[llm.local]\nollama_url = "{url}"\n'
    with app_for(tmp_path, extra) as api:
        response = _write(api, "p", "loops")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["detail"] == f"cannot reach Ollama at [llm.local] ollama_url {url}"
    assert body["hint"]["cli"] == "is `ollama serve` running, and is [llm.local] ollama_url right?"
    assert "Retry-After" not in response.headers  # a wrong URL does not fix itself


def test_a_missing_then_a_wrong_key(
    tmp_path: Path, chat: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    config = openai_config(tmp_path, chat.openai_url)
    with serving(create_app(load_config(config))) as api:
        assert api.post("/api/projects", json={"slug": "k", "title": "K"}).status_code == 201
        missing = _write(api, "k", "loops")
        assert missing.status_code == 503, missing.text
        assert missing.json()["detail"] == (
            f"the LLM is not available: set the environment variable {ENV} to the LLM service "
            "key ([llm.cloud] api_key_env names the variable)"
        )
        monkeypatch.setenv(ENV, "sk-wrong-000000")  # a failed build is not kept
        wrong = _write(api, "k", "loops")
    assert wrong.status_code == 502, wrong.text
    assert "refused the key (HTTP 401)" in wrong.json()["detail"]
    assert f"check the environment variable {ENV}" in wrong.json()["detail"]
    assert "sk-wrong" not in wrong.text


def test_a_missing_embedded_model_is_503(tmp_path: Path) -> None:
    extra = '[llm.embedded]\ngguf = "no-such-model.gguf"\n'
    with app_for(tmp_path, extra) as api:
        response = _write(api, "p", "loops")
    assert response.status_code == 503, response.text
    body = response.json()
    assert f"the embedded model file {tmp_path / 'no-such-model.gguf'} is missing" in body["detail"]
    assert "`make models`" not in body["detail"]
    assert body["hint"]["action"] == "fetch_models"
    assert "[llm.embedded] gguf" in body["hint"]["cli"] and "`make models`" in body["hint"]["cli"]
    assert "`" not in body["hint"]["studio"]


# the event loop stays free --------------------------------------------------------------------


class GatedLLM(ScriptedLLM):
    """Answers only once ``release`` is set; ``entered`` counts the calls waiting."""

    def __init__(self) -> None:
        super().__init__(lambda _m, _s: {"title": "T", "narration": "Held, then free."})
        self.release = threading.Event()
        self.waiting = 0
        self._count = threading.Lock()

    def chat_json(
        self,
        messages: Sequence[Message],
        schema: Mapping[str, Any],
        *,
        max_tokens: int,
        progress: Progress | None = None,
    ) -> Reply:
        with self._count:
            self.waiting += 1
        assert self.release.wait(timeout=60), "never released"
        return super().chat_json(messages, schema, max_tokens=max_tokens, progress=progress)


def _until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def test_slow_llm_calls_leave_the_rest_of_the_api_free(tmp_path: Path) -> None:
    llm = GatedLLM()
    with app_for(tmp_path, llm=llm) as api, ThreadPoolExecutor(LLM_WORKERS + 2) as pool:
        topics = [f"topic {n}" for n in range(LLM_WORKERS + 2)]
        pending = [pool.submit(_write, api, "p", topic) for topic in topics]
        try:
            _until(lambda: llm.waiting == LLM_WORKERS)
            time.sleep(0.3)
            assert llm.waiting == LLM_WORKERS  # the pool's size: the others wait their turn
            started = time.monotonic()
            assert api.get("/api/health").status_code == 200
            created = api.post("/api/projects/p/scenes", json={"title": "Meanwhile"})
            assert created.status_code == 201
            assert [s["title"] for s in api.get("/api/projects/p/scenes").json()] == ["Meanwhile"]
            assert time.monotonic() - started < 5
            assert not any(f.done() for f in pending)
        finally:
            llm.release.set()
        results = [f.result(timeout=60) for f in pending]
    assert [r.status_code for r in results] == [200] * len(topics)
    assert {r.json()["text"] for r in results} == {"Held, then free."}


# the OpenAPI schema, and how failures are classified ------------------------------------------


def test_openapi_describes_the_authoring_routes(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/projects/{slug}/script"]) == {"get", "put", "post"}
    assert set(paths["/api/projects/{slug}/plan"]) == {"post"}
    assert set(paths["/api/projects/{slug}/scenes/{scene_id}/revise"]) == {"post"}
    assert set(paths["/api/projects/{slug}/lexicon"]) == {"get"}
    assert set(paths["/api/projects/{slug}/lexicon/suggest"]) == {"post"}
    plan = paths["/api/projects/{slug}/plan"]["post"]
    assert {"409", "422", "502", "503", "504"} <= set(plan["responses"])
    assert plan["tags"] == ["authoring"]


def _raised(make: Callable[[], None]) -> BackendError:
    try:
        make()
    except BackendError as exc:
        return exc
    raise AssertionError("nothing raised")


def test_failures_are_classified_by_their_cause() -> None:
    def gave_up(cause: BaseException, retry_after: float | None = None) -> None:
        try:
            try:
                raise cause
            except BaseException as exc:
                raise Transient("it failed", retry_after_s=retry_after) from exc
        except Transient as exc:
            raise BackendError("it failed (gave up after 2 attempts)") from exc

    def plain(cause: BaseException) -> None:
        raise BackendError("it failed") from cause

    cases: list[tuple[Callable[[], None], int, int | None]] = [
        (lambda: gave_up(TimeoutError()), 504, None),
        (lambda: gave_up(httpx.ReadTimeout("slow")), 504, None),
        (lambda: gave_up(RuntimeError("HTTP 500")), 502, None),
        (lambda: gave_up(RuntimeError("HTTP 503"), 2.5), 503, 3),
        (lambda: plain(ConnectionRefusedError()), 503, None),
        (lambda: plain(httpx.ConnectError("refused")), 503, None),
        (lambda: plain(ImportError("no llama_cpp")), 503, None),
        (lambda: plain(ValueError("anything else")), 502, None),
    ]
    for make, status, wait in cases:
        error = upstream_error(_raised(make))
        assert (error.status, error.retry_after_s, str(error).startswith("it failed")) == (
            status,
            wait,
            True,
        )
    invalid = LLMOutputError("nonsense", raw=["x"], path=None)
    assert (upstream_error(invalid).status, upstream_error(invalid).retry_after_s) == (502, None)


# the embedded model, for real ----------------------------------------------------------------


def test_the_embedded_model_plans_over_http(api: httpx.Client, project: str) -> None:
    """The shared server's config is the offline default: SmolLM2 in the server process."""
    script = "Loops repeat code. A list comprehension builds a list in one line."
    planned = api.post(f"/api/projects/{project}/plan", json={"script": script, "max_scenes": 1})
    assert planned.status_code == 200, planned.text
    plan = planned.json()
    assert len(plan["scenes"]) == 1 and plan["scenes"][0]["narration"].strip()
    assert plan["scenes"][0]["notes"].startswith("screen: ")
    assert plan["tokens"] > 0 and not plan["cached"]
    assert api.get(f"/api/projects/{project}/scenes").json() == plan["scenes"]
    assert api.get(f"/api/projects/{project}/script").json()["text"] == script
