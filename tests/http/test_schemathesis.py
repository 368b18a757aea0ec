"""schemathesis over the whole OpenAPI schema, every check, against the real server.

The CLI (``schemathesis run``) runs every operation of ``/openapi.json`` on a server of its own
(a fresh workspace on a free loopback port, its LLM a local stand-in) with a bounded number of
examples per operation, through its examples, coverage, fuzzing and stateful phases, and must
find nothing.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends.llm.servers import ChatServer
from tests.http.support import RunningServer, running_server, server_env
from tests.http.test_author_routes import ENV, KEY, answer, openai_config
from vidkit.errors import VidkitError

#: Cases per operation and phase: enough to reach every status an operation documents, small
#: enough for about a minute on two cores.
MAX_EXAMPLES = 10
SEED = 12
TIMEOUT_S = 600

# positive_data_acceptance expects a schema-valid request to succeed. vidkit's documented
# answer to a request that breaks one of its rules is a 422 `invalid_input` (docs/http.md). Where
# a rule can be said in JSON Schema, the schema says it, and a 422 to schema-valid data fails the
# check. These operations have rules it cannot say (what is stored, what a file holds, fields
# that go together), so a 422 is the right answer there:
RULES_BEYOND_THE_SCHEMA = {
    "POST /api/projects": "an fps such as '30000/1001' must come to 1..120 frames a second",
    "PATCH /api/projects/{slug}": "an fps such as '30000/1001' must come to 1..120",
    "POST /api/projects/{slug}/scenes": "avatar_x and avatar_y go together",
    "PATCH /api/projects/{slug}/scenes/{scene_id}": "avatar_x and avatar_y go together",
    "POST /api/projects/{slug}/lexicon/suggest": "the project needs a script or narration",
    "POST /api/projects/{slug}/assets": "the file must decode as media of its kind",
    "POST /api/projects/{slug}/assets/{asset_id}/split": "the asset must be a recording",
    "POST /api/projects/{slug}/avatar/candidates/{asset_id}/pick": "the asset must be a candidate",
    "POST /api/projects/{slug}/voices": "the reference must hold 3 s to 5 min of speech",
    "POST /api/projects/{slug}/plan": "the project needs a script to plan",
    "POST /api/projects/{slug}/script": "a script needs a topic or an outline, not both",
    "POST /api/projects/{slug}/scenes/reorder": "the order must name every scene once",
    "POST /api/projects/{slug}/scenes/{scene_id}/move": "the position must be within the scenes",
    "PUT /api/projects/{slug}/scenes/{scene_id}/recording": "in and out within the recording",
    "PUT /api/projects/{slug}/scenes/{scene_id}/recording/cuts": "spans within the recording",
    "POST /api/projects/{slug}/scenes/{scene_id}/recording/tighten": "it must be transcribed",
    "PUT /api/projects/{slug}/scenes/{scene_id}/capture": "TOML steps this server may run",
    "POST /api/projects/{slug}/scenes/{scene_id}/capture/run": "each step must work on the page",
    "GET /api/projects/{slug}/scenes/{scene_id}/capture/steps/{step}.png": "a step the script has",
    "POST /api/projects/{slug}/render": "the project needs scenes, and the ids must be its own",
    "POST /api/projects/{slug}/jobs": "scenes of the project that suit the kind (a recording...)",
}
EXPECTED = '"2xx", "401", "403", "404", "409", "5xx"'
#
# ensure_resource_availability follows a scene that was just created to its `.../recording`
# and `.../capture` routes and expects them to find it. They answer about the scene's recording
# or capture script, a resource of its own that `PUT` creates, and a scene without one is a 404
# on every route there (docs/http.md, "Recordings", "Capture scenes"): the scene exists, its
# recording or script does not.
#
# In the stateful phase schemathesis links an asset's `scene_id` to the `{scene_id}` of the
# scene routes; an asset of no scene (a project-wide upload, an avatar candidate) has `null`
# there, which it sends as the path text "None". That is no integer, and FastAPI's 422
# `int_parsing` is the right answer, so in that phase a 422 is accepted on the scene routes.
#
# max_response_time (part of `--checks all`, 10 s by default) is held to the request timeout:
# some routes do their work before they answer (picking an avatar cuts it out and rigs it,
# transcribing runs whisper), which takes seconds to tens of seconds on a loaded 2-core machine.
CONFIG = f"""\
[checks]
max_response_time = 60

[checks.positive_data_acceptance]
expected-statuses = [{EXPECTED}]

[[operations]]
include-path-regex = "/(recording|capture)"
checks.ensure_resource_availability.enabled = false

[[operations]]
include-path-regex = '/[{{]scene_id[}}]'
phases.stateful.checks.positive_data_acceptance.expected-statuses = [{EXPECTED}, "422"]
""" + "".join(
    f"""
# {why}
[[operations]]
include-name = "{name}"
checks.positive_data_acceptance.expected-statuses = [{EXPECTED}, "422"]
"""
    for name, why in RULES_BEYOND_THE_SCHEMA.items()
)


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A fresh workspace whose ``[llm]`` is a local stand-in answering at once, so the
    authoring routes are fuzzed too without a model's minutes."""
    folder = tmp_path_factory.mktemp("schemathesis-ws")
    with ChatServer(answer, key=KEY) as chat:
        config = openai_config(folder, chat.openai_url)
        env = server_env(**{ENV: KEY})
        try:
            with running_server(folder, config_path=config, env=env) as running:
                yield running
        finally:
            _cancel_jobs(config)


def _cancel_jobs(config: Path) -> None:
    """Jobs outlive their server by design: stop those the fuzzing started."""
    import vidkit
    from vidkit.jobs import ACTIVE_JOBS, cancel_job

    ws = vidkit.open(config)
    for job in ws.catalogue.render_jobs(statuses=ACTIVE_JOBS):
        with contextlib.suppress(VidkitError):
            cancel_job(ws, job.id)


@pytest.mark.slow
def test_schemathesis_finds_nothing(fuzzed_server: RunningServer, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{fuzzed_server.url}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        "60",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path / "report"),
    ]
    started = time.monotonic()
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        cwd=tmp_path,
        check=False,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    summary = output.strip().splitlines()[-1] if output.strip() else "(no output)"
    print(f"schemathesis: {summary} in {elapsed:.0f} s")
    assert result.returncode == 0, (
        output[-20000:] + "\n--- server log ---\n" + fuzzed_server.log()[-5000:]
    )
