"""The REAL llama-cpp-python server (``python -m llama_cpp.server``) with SmolLM2-135M, driven
through the public authoring API with ``[llm] backend = "llamacpp"``: write → plan → revise.

That server rejects ``response_format: {type: "json_schema"}`` (an HTTP 500 validation error),
so ``structured = "auto"`` must settle on a mode it takes, after one refusal, without retries.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import vidkit
from tests.conftest import write_config
from vidkit.api import Workspace
from vidkit.authoring import plan_scenes, revise_scene, write_script
from vidkit.backends.llm import modes
from vidkit.backends.llm.openai_chat import OpenAIChat
from vidkit.backends.registry import build_llm
from vidkit.doctor import check_llm_server
from vidkit.models import require

pytest.importorskip("sse_starlette", reason="llama-cpp-python[server] needs the dev extra")
pytestmark = pytest.mark.slow

SLUG = "real"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    config = vidkit.open(write_config(tmp_path_factory.mktemp("gguf"))).config
    gguf = require(config, "smollm2-135m")
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host",
             "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1",
             "--model_alias", "smollm2"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as answer:
                    models = json.load(answer)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        assert [m["id"] for m in models["data"]] == ["smollm2"]
        yield url, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def refusals(log: Path) -> int:
    """How many chat requests the server answered with HTTP 500 (its access log)."""
    return log.read_text(errors="replace").count('"POST /v1/chat/completions HTTP/1.1" 500')


def test_write_plan_revise_against_the_real_server(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    server_url, log = server
    config = write_config(
        tmp_path,
        f'[llm]\nbackend = "llamacpp"\ntemperature = 0.0\n[llm.local]\n'
        f'llamacpp_url = "{server_url}"\nmodel = "smollm2"\ncontext_tokens = 2048\n'
        "timeout_s = 120.0\n",
    )
    ws: Workspace = vidkit.open(config)
    ws.create_project(SLUG, "Lists")
    llm = build_llm(ws.config)
    assert isinstance(llm, OpenAIChat) and llm.structured == "auto"

    script = write_script(ws, SLUG, llm, topic="Python lists", minutes=0.2)
    assert script.title.strip() and script.text.strip()
    # the server refused json_schema; auto moved on to a mode it takes and remembers it
    assert llm.mode in ("grammar", "json_object")
    assert modes.known(llm.mode_key) == llm.mode

    plan = plan_scenes(ws, SLUG, llm, max_scenes=2)
    scenes = ws.scenes(SLUG)
    assert 1 <= len(scenes) <= 2 and scenes == plan.scenes
    assert all(s.title.strip() and s.narration.strip() for s in scenes)

    revised = revise_scene(ws, SLUG, scenes[0].id, llm, ask="shorter")
    after = next(s for s in ws.scenes(SLUG) if s.id == scenes[0].id)
    assert after.narration.strip() and revised is not None
    assert [j.status for j in ws.jobs(SLUG)] == ["done"] * len(ws.jobs(SLUG))
    assert refusals(log) == 1  # json_schema once, not retried, never asked again


def test_doctor_reports_what_the_real_server_takes(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    server_url, _log = server
    config = write_config(
        tmp_path,
        f'[llm]\nbackend = "llamacpp"\n[llm.local]\nllamacpp_url = "{server_url}"\n'
        'model = "smollm2"\n',
    )
    modes.forget_all()
    [check] = check_llm_server(vidkit.open(config).config)
    assert check.ok, check
    assert check.detail == "lists model 'smollm2'; structured output works as grammar"
