"""``vidkit write / plan / revise / lexicon`` as a user runs them: against a real local
OpenAI-compatible server, the embedded model, and the ways a new user gets it wrong."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends.llm.servers import ChatServer, Request
from tests.backends.llm.test_contract import free_port
from tests.cli.conftest import Result, assert_user_error, cli_env, run_cli
from tests.conftest import write_config

KEY = "sk-cli-test-key-0123456789"
ENV = "VIDKIT_CLI_LLM_KEY"


def answer(request: Request) -> str:
    """A plausible answer for whichever schema the request carries."""
    schema = request.body["response_format"]["json_schema"]["schema"]
    fields = list(schema["properties"])
    prompt = request.body["messages"][-1]["content"]
    if fields == ["title", "narration"]:
        return json.dumps({"title": "Comprehensions", "narration": "Loops build lists.\n\n"
                           "Comprehensions build them in one line."})  # fmt: skip
    if fields == ["scenes"]:
        return json.dumps({"scenes": [
            {"title": "Loops", "narration": "Loops build lists.", "screen": "a for loop",
             "seconds": 4},
            {"title": "One line", "narration": "Comprehensions build them in one line.",
             "screen": "[n * n for n in range(10)]", "seconds": 5},
        ]})  # fmt: skip
    if fields == ["narration"]:
        return json.dumps({"narration": "Shorter." if "shorter" in prompt else "Hi."})
    return json.dumps({"entries": [{"term": "snake_case", "say": "snake case"}]})


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer(answer, key=KEY) as running:
        yield running


def openai_config(folder: Path, url: str, extra: str = "") -> Path:
    return write_config(
        folder,
        f'[llm]\nbackend = "openai"\nretries = 0\n[llm.cloud]\nbase_url = "{url}"\n'
        f'model = "gpt-test"\napi_key_env = "{ENV}"\ntimeout_s = 10.0\n{extra}',
    )


def vk(config: Path, *args: str | Path, key: str | None = KEY, stdin: str = "") -> Result:
    env = cli_env(**({ENV: key} if key is not None else {}))
    return run_cli("-c", config, *args, env=env, stdin=stdin)


def test_write_plan_revise_and_lexicon(server: ChatServer, tmp_path: Path) -> None:
    config = openai_config(tmp_path / "ws", server.openai_url)
    assert vk(config, "projects", "create", "--slug", "lc", "--title", "LC").ok
    written = vk(config, "write", "lc", "--topic", "list comprehensions", "--minutes", "0.5")
    assert written.ok, written
    out, err = written.stdout, written.stderr
    assert "title   Comprehensions" in out and "Loops build lists." in out
    assert "next: vidkit -c" in out and out.rstrip().endswith("plan lc")
    assert err.startswith("write: ") and "tokens in" in err
    planned = vk(config, "plan", "lc")
    assert planned.ok, planned
    assert "planned 2 scene(s) in project lc" in planned.stdout
    scenes = json.loads(vk(config, "scenes", "list", "lc", "--json").stdout)
    assert [s["title"] for s in scenes] == ["Loops", "One line"]
    assert scenes[1]["target_duration_ms"] == 5000
    again = vk(config, "plan", "lc")
    assert_user_error(again, "already has 2 scene(s)", "--replace", "--append")
    revised = vk(config, "revise", "lc", "--scene", str(scenes[0]["id"]), "--ask", "shorter")
    assert revised.ok, revised
    assert "revised scene" in revised.stdout and "Shorter." in revised.stdout
    after = json.loads(vk(config, "scenes", "list", "lc", "--json").stdout)
    assert [s["narration"] for s in after] == ["Shorter.", scenes[1]["narration"]]
    replaced = vk(config, "plan", "lc", "--replace", "--json")
    data = json.loads(replaced.stdout)
    assert data["cached"] and data["backup"]["metadata"]["role"] == "scenes-backup"
    assert len(server.requests) == 3  # the second plan came from the cache


def test_plan_a_script_file_with_the_embedded_model(tmp_path: Path) -> None:
    """The offline default, for real: a script file becomes one scene in the catalogue."""
    config = write_config(tmp_path / "ws")
    script = tmp_path / "script.txt"
    script.write_text("Loops repeat code. A list comprehension builds a list in one line.\n")
    assert run_cli("-c", config, "projects", "create", "--slug", "t", "--title", "T").ok
    result = run_cli("-c", config, "plan", "t", "--script", script, "--max-scenes", "1", "--json")
    assert result.ok, result
    data = json.loads(result.stdout)
    assert len(data["scenes"]) == 1 and data["scenes"][0]["narration"]
    assert "plan: " in result.stderr and "tokens in" in result.stderr
    shown = json.loads(run_cli("-c", config, "scenes", "list", "t", "--json").stdout)
    assert shown == data["scenes"]


def test_empty_topic(tmp_path: Path) -> None:
    config = write_config(tmp_path / "ws")
    assert run_cli("-c", config, "projects", "create", "--slug", "p", "--title", "P").ok
    result = run_cli("-c", config, "write", "p", "--topic", "  ")
    assert_user_error(result, "nothing to write about", '--topic "', "--outline FILE")


def test_fifty_page_outline_is_shortened_with_a_note(server: ChatServer, tmp_path: Path) -> None:
    config = openai_config(tmp_path / "ws", server.openai_url, "context_tokens = 2048\n")
    outline = tmp_path / "outline.md"
    outline.write_text(
        "\n".join(
            f"## Week {n}\n- goal {n}\n" + "  - exercise " + "words " * 400 for n in range(60)
        )
    )
    pages = round(len(outline.read_text().strip()) / 3000)
    assert 45 <= pages <= 55
    assert vk(config, "projects", "create", "--slug", "c", "--title", "C").ok
    result = vk(config, "write", "c", "--outline", outline, "--minutes", "1")
    assert result.ok, result
    notes = [ln for ln in result.stderr.splitlines() if ln.startswith("note: ")]
    assert len(notes) == 1
    assert f"(about {pages} pages)" in notes[0] and "120 headings and top-level points" in notes[0]
    assert "raise [llm.cloud] context_tokens (now 2048)" in notes[0]
    sent = server.requests[-1].body["messages"][-1]["content"]
    assert "## Week 59" in sent and "exercise" not in sent


def test_non_english_topic_gets_a_note(server: ChatServer, tmp_path: Path) -> None:
    config = openai_config(tmp_path / "ws", server.openai_url)
    assert vk(config, "projects", "create", "--slug", "ru", "--title", "RU").ok
    result = vk(config, "write", "ru", "--topic", "Списковые включения в Python")
    assert result.ok, result
    (note,) = [ln for ln in result.stderr.splitlines() if ln.startswith("note: ")]
    assert "not in English (Cyrillic)" in note and "[voice] piper_voice" in note
    assert (
        "Language: the language of the topic (Cyrillic)"
        in (server.requests[-1].body["messages"][-1]["content"])
    )


def test_unreachable_ollama(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    config = write_config(
        tmp_path / "ws", f'[llm]\nbackend = "ollama"\n[llm.local]\nollama_url = "{url}"\n'
    )
    assert run_cli("-c", config, "projects", "create", "--slug", "o", "--title", "O").ok
    result = run_cli("-c", config, "write", "o", "--topic", "loops")
    assert_user_error(
        result, f"cannot reach Ollama at [llm.local] ollama_url {url}", "ollama serve"
    )


def test_wrong_api_key(server: ChatServer, tmp_path: Path) -> None:
    config = openai_config(tmp_path / "ws", server.openai_url)
    assert vk(config, "projects", "create", "--slug", "k", "--title", "K").ok
    result = vk(config, "write", "k", "--topic", "loops", key="sk-wrong-0000")
    line = assert_user_error(result, "refused the key (HTTP 401)", f"environment variable {ENV}")
    assert "sk-wrong-0000" not in line


def test_missing_api_key(tmp_path: Path) -> None:
    config = openai_config(tmp_path / "ws", "http://127.0.0.1:9/v1")
    assert vk(config, "projects", "create", "--slug", "k", "--title", "K").ok
    result = vk(config, "write", "k", "--topic", "loops", key=None)
    assert_user_error(result, f"set the environment variable {ENV}", "[llm.cloud] api_key_env")


@pytest.mark.parametrize(
    ("args", "phrases"),
    [
        (("revise", "p", "--scene", "1", "--ask", " "), ("say how to change the narration",)),
        (("plan", "p", "--replace", "--append"), ("pass --replace or --append, not both",)),
        (("plan", "p"), ("no script yet", "vidkit write p")),
        (("write", "p", "--outline", "missing.md"), ("outline file missing.md does not exist",)),
        (("write", "nope", "--topic", "x"), ("nope",)),
    ],
)
def test_mistakes_get_one_clear_line(
    tmp_path: Path, args: tuple[str, ...], phrases: tuple[str, ...]
) -> None:
    config = write_config(tmp_path / "ws")
    assert run_cli("-c", config, "projects", "create", "--slug", "p", "--title", "P").ok
    assert run_cli("-c", config, "scenes", "add", "p", "--title", "S").ok
    if args[0] == "plan" and len(args) == 2:
        assert run_cli("-c", config, "scenes", "delete", "p", "1", "--yes").ok
    assert_user_error(run_cli("-c", config, *args, cwd=tmp_path), *phrases)


def test_lexicon_show(tmp_path: Path) -> None:
    config = write_config(tmp_path / "ws")
    assert run_cli("-c", config, "projects", "create", "--slug", "p", "--title", "P").ok
    result = run_cli("-c", config, "lexicon", "show", "p")
    assert result.ok and result.stdout.strip() == "project p has no lexicon entries of its own"
