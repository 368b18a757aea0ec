"""The dialects of OpenAI-compatible servers people run, against loopback stand-ins: how each
takes structured output, ``structured = "auto"`` falling back and remembering, requests the
server rejected not being retried, non-streamed answers to a stream, malformed bodies, and
reasons quoted without cutting words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.backends.llm.servers import (
    ChatServer,
    Raw,
    Status,
    Whole,
    mode_of,
)
from tests.backends.llm.test_contract import FAST, GOOD, MESSAGES, SCHEMA
from tests.conftest import write_config
from vidkit.backends.llm.modes import quote
from vidkit.backends.llm.ollama_chat import OllamaChat
from vidkit.backends.llm.openai_chat import OpenAIChat
from vidkit.backends.registry import build_llm
from vidkit.config import load_config
from vidkit.errors import BackendError, ConfigError

#: Which modes each real server takes (DESIGN.md, "Measured about the real peers").
DIALECTS = {
    "openai / vLLM / LM Studio / Ollama /v1": frozenset({"json_schema"}),
    "llama-server": frozenset({"json_schema", "grammar", "json_object"}),
    "llama-cpp-python": frozenset({"grammar", "json_object"}),
    "json_object only": frozenset({"json_object"}),
}


def local(url: str, structured: str = "auto") -> OpenAIChat:
    return OpenAIChat(
        url, model="local", policy=FAST, name="llamacpp", section="[llm.local]",
        url_key="llamacpp_url", structured=structured,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize("dialect", DIALECTS)
def test_auto_finds_the_mode_each_server_takes_and_remembers_it(dialect: str) -> None:
    accepts = DIALECTS[dialect]
    with ChatServer(lambda _r: GOOD, accepts=accepts) as server:
        llm = local(server.openai_url)
        assert json.loads(llm.chat_json(MESSAGES, SCHEMA, max_tokens=64).text) == {
            "narration": "Welcome!"
        }
        asked = [mode_of(r.body) for r in server.requests]
        assert asked[-1] in accepts and all(m not in accepts for m in asked[:-1])
        assert llm.mode == asked[-1]
        first = len(server.requests)
        llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert len(server.requests) == first + 1  # the second call goes straight to it
        assert mode_of(server.requests[-1].body) == asked[-1]


def test_llama_cpp_python_gets_its_grammar_after_one_refusal_and_no_retries() -> None:
    with ChatServer(lambda _r: GOOD, accepts=DIALECTS["llama-cpp-python"]) as server:
        local(server.openai_url).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert [mode_of(r.body) for r in server.requests] == ["json_schema", "grammar"]
        grammar = server.requests[1].body["grammar"]
        assert "\nroot ::= " in f"\n{grammar}" and '\\"narration\\"' in grammar
        assert "response_format" not in server.requests[1].body


@pytest.mark.parametrize(
    ("structured", "expected"),
    [
        ("json_schema", {"type": "json_schema"}),
        ("json_object", {"type": "json_object", "schema": dict(SCHEMA)}),
    ],
)
def test_a_configured_mode_is_sent_as_that_server_expects(
    structured: str, expected: dict[str, object]
) -> None:
    with ChatServer(lambda _r: GOOD) as server:
        local(server.openai_url, structured).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        sent = server.requests[0].body["response_format"]
        assert expected.items() <= sent.items()
        if structured == "json_schema":
            assert sent["json_schema"]["schema"] == dict(SCHEMA)


def test_a_configured_mode_does_not_fall_back() -> None:
    with ChatServer(accepts=DIALECTS["llama-cpp-python"]) as server:
        with pytest.raises(
            BackendError, match=r"HTTP 500\): 1 validation error: .*response_format"
        ):
            local(server.openai_url, "json_schema").chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert len(server.requests) == 1  # a validation error sent as a 500 is not retried


def test_auto_when_every_mode_is_refused_says_what_it_tried() -> None:
    with ChatServer(accepts=frozenset()) as server:
        with pytest.raises(BackendError) as info:
            local(server.openai_url).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert [mode_of(r.body) for r in server.requests] == [
            "json_schema", "grammar", "json_object"
        ]  # fmt: skip
        message = str(info.value)
        assert "tried as json_schema, grammar first" in message
        assert "[llm.local] structured" in message


@pytest.mark.parametrize("status", [400, 404, 413, 422])
def test_an_invalid_request_is_not_retried_and_not_retried_as_another_mode(status: int) -> None:
    reason = "this model's maximum context length is 2048 tokens, you asked for 9000"
    with ChatServer() as server:
        server.push(Status(status, {"error": {"message": reason}}))
        with pytest.raises(BackendError, match=f"{status}.*maximum context length"):
            local(server.openai_url).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert len(server.requests) == 1


@pytest.mark.parametrize("status", [408, 409, 502, 503])
def test_transient_statuses_are_still_retried(status: int) -> None:
    with ChatServer(lambda _r: GOOD) as server:
        server.push(Status(status, {"error": {"message": "busy, try again"}}))
        local(server.openai_url).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert len(server.requests) == 2


def test_ollama_does_not_retry_a_validation_error_sent_as_500() -> None:
    with ChatServer() as server:
        server.push(Status(500, {"error": "json: cannot unmarshal: validation error in format"}))
        llm = OllamaChat(server.ollama_url, model="m", policy=FAST)
        with pytest.raises(BackendError, match="rejected the request"):
            llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert len(server.requests) == 1


def test_a_server_that_ignores_stream_is_read_from_its_json_body() -> None:
    with ChatServer() as server:
        server.push(Whole(GOOD, finish="length"))
        steps: list[int] = []
        llm = local(server.openai_url)
        reply = llm.chat_json(
            MESSAGES, SCHEMA, max_tokens=64, progress=lambda n, _t: steps.append(n)
        )
        assert server.requests[0].body["stream"] is True
        assert json.loads(reply.text) == {"narration": "Welcome!"}
        assert reply.finish == "length" and reply.tokens > 0 and steps == [reply.tokens]


def test_ollama_reads_a_single_json_line_too() -> None:
    with ChatServer() as server:
        server.push(Whole(GOOD))
        reply = OllamaChat(server.ollama_url, model="m", policy=FAST).chat_json(
            MESSAGES, SCHEMA, max_tokens=64
        )
        assert json.loads(reply.text) == {"narration": "Welcome!"}


@pytest.mark.parametrize(
    ("raw", "expect"),
    [
        (Raw(b"<html><body>Bad gateway page from a proxy</body></html>"), "neither an event"),
        (Raw(b"", content_type="application/json"), "an empty body"),
        (Raw(b'{"unexpected": true}', content_type="application/json"), "neither an event"),
        (Raw(b"data: {not json\n\n", content_type="text/event-stream"), "malformed event stream"),
    ],
)
def test_malformed_bodies_fail_with_one_line_that_quotes_them(raw: Raw, expect: str) -> None:
    with ChatServer() as server:
        server.push(raw)
        with pytest.raises(BackendError, match=expect) as info:
            local(server.openai_url).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert "\n" not in str(info.value)
        assert "[llm.local] llamacpp_url" in str(info.value)


def test_long_reasons_are_cut_at_a_word_boundary_and_keys_scrubbed() -> None:
    key = "sk-secret-0123456789"
    words = " ".join(f"word{n}" for n in range(200))
    with ChatServer() as server:
        server.push(Status(400, {"error": {"message": f"bad request {key} {words}"}}))
        llm = OpenAIChat(server.openai_url, model="m", api_key=key, policy=FAST)
        with pytest.raises(BackendError) as info:
            llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
        message = str(info.value)
        assert key not in message and "***" in message
        quoted = message.split("): ", 1)[1].split("…", 1)[0]
        assert quoted.split()[-1] in words.split()  # the last word quoted is a whole word
        assert "…" in message and len(message) < 500


def test_quote() -> None:
    assert quote("  short \n text ") == "short text"
    text = "alpha beta gamma delta epsilon"
    assert quote(text, 14) == "alpha beta…"
    assert len(quote("x" * 500, 50)) == 50  # one long word is cut where it must be


def test_structured_comes_from_config(tmp_path: Path) -> None:
    with ChatServer(lambda _r: GOOD) as server:
        config = write_config(
            tmp_path,
            f'[llm]\nbackend = "llamacpp"\n[llm.local]\nllamacpp_url = "{server.openai_url}"\n'
            'structured = "grammar"\n',
        )
        build_llm(load_config(config)).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert mode_of(server.requests[0].body) == "grammar"
        cloud = write_config(
            tmp_path,
            f'[llm]\nbackend = "openai"\n[llm.cloud]\nbase_url = "{server.openai_url}"\n'
            'api_key_env = ""\nstructured = "json_object"\n',
        )
        build_llm(load_config(cloud)).chat_json(MESSAGES, SCHEMA, max_tokens=64)
        assert mode_of(server.requests[1].body) == "json_object"


def test_a_bad_structured_value_names_the_key(tmp_path: Path) -> None:
    config = write_config(tmp_path, '[llm.local]\nstructured = "xml"\n')
    with pytest.raises(ConfigError, match=r"\[llm.local\] structured"):
        load_config(config)
