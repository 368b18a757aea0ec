"""What a user sees when an HTTP backend is misconfigured, and that keys never leak."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.backends.llm.conftest import KEY
from tests.backends.llm.servers import Answer, ChatServer, Status
from tests.backends.llm.test_contract import FAST, GOOD, MESSAGES, SCHEMA, free_port
from tests.conftest import write_config
from vidkit.backends.llm.ollama_chat import OllamaChat
from vidkit.backends.llm.openai_chat import OpenAIChat
from vidkit.backends.registry import build_llm
from vidkit.config import load_config
from vidkit.errors import BackendError, ConfigError

ENV = "VIDKIT_TEST_LLM_KEY"


def openai_config(tmp_path: Path, url: str, env: str = ENV) -> Path:
    return write_config(
        tmp_path,
        f'[llm]\nbackend = "openai"\nretries = 1\n[llm.cloud]\nbase_url = "{url}"\n'
        f'model = "gpt-test"\napi_key_env = "{env}"\ntimeout_s = 5.0\n',
    )


def test_wrong_key_names_the_environment_variable(
    server: ChatServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "sk-wrong-key-that-must-not-show"
    monkeypatch.setenv(ENV, wrong)
    llm = build_llm(load_config(openai_config(tmp_path, server.openai_url)))
    with pytest.raises(BackendError) as info:
        llm.chat_json(MESSAGES, SCHEMA, max_tokens=32)
    message = str(info.value)
    assert (
        "refused the key (HTTP 401): check the environment variable VIDKIT_TEST_LLM_KEY" in message
    )
    assert "[llm.cloud] base_url" in message
    assert wrong not in message and "\n" not in message
    assert len(server.requests) == 1  # a refused key is not retried


def test_missing_key_names_the_variable_and_the_config_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    with pytest.raises(ConfigError, match=r"set the environment variable VIDKIT_TEST_LLM_KEY.*"
                       r"\[llm.cloud\] api_key_env"):  # fmt: skip
        build_llm(load_config(openai_config(tmp_path, "http://127.0.0.1:9/v1")))


def test_no_key_variable_sends_no_real_key(tmp_path: Path) -> None:
    with ChatServer() as server:
        llm = build_llm(load_config(openai_config(tmp_path, server.openai_url, env="")))
        assert json.loads(llm.chat_json(MESSAGES, SCHEMA, max_tokens=32).text) == {"ok": True}
        headers = {k.lower(): v for k, v in server.requests[0].headers.items()}
        assert headers["authorization"] == "Bearer not-needed"


def test_keys_never_reach_messages_logs_reprs_or_fingerprints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(ENV, KEY)
    with ChatServer(key=KEY, echo_auth=True) as server:
        llm = build_llm(load_config(openai_config(tmp_path, server.openai_url)))
        server.push(Status(500), Answer(GOOD))  # the 500 body repeats "Bearer <key>"
        assert json.loads(llm.chat_json(MESSAGES, SCHEMA, max_tokens=32).text)
        server.push(Status(500), Status(500))
        with pytest.raises(BackendError) as info:
            llm.chat_json(MESSAGES, SCHEMA, max_tokens=32)
    assert "upstream failed for Bearer ***" in str(info.value)
    for text in (str(info.value), caplog.text, repr(llm), llm.fingerprint()):
        assert KEY not in text
    assert "retrying" in caplog.text  # the retries were logged, without the key


def test_ollama_without_the_model_says_how_to_pull_it() -> None:
    with ChatServer() as server:
        server.push(Status(404, {"error": "model 'smollm2:135m' not found"}))
        llm = OllamaChat(server.ollama_url, model="smollm2:135m", policy=FAST)
        with pytest.raises(BackendError) as info:
            llm.chat_json(MESSAGES, SCHEMA, max_tokens=32)
    message = info.value.for_cli()
    assert "run `ollama pull smollm2:135m`, or change [llm.local] model" in message
    assert "\n" not in message and "ollama pull" not in info.value.for_studio()


def test_unreachable_ollama_from_config_names_the_key(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    config = write_config(
        tmp_path, f'[llm]\nbackend = "ollama"\n[llm.local]\nollama_url = "{url}"\n'
    )
    with pytest.raises(BackendError) as info:
        build_llm(load_config(config)).chat_json(MESSAGES, SCHEMA, max_tokens=32)
    assert info.value.for_cli() == (
        f"cannot reach Ollama at [llm.local] ollama_url {url}; is `ollama serve` running, and "
        "is [llm.local] ollama_url right?"
    )


def test_llamacpp_uses_the_local_url_and_model(tmp_path: Path) -> None:
    with ChatServer() as server:
        config = write_config(
            tmp_path,
            f'[llm]\nbackend = "llamacpp"\n[llm.local]\nllamacpp_url = "{server.ollama_url}"\n'
            'model = "qwen"\n',
        )
        llm = build_llm(load_config(config))
        assert isinstance(llm, OpenAIChat) and llm.name == "llamacpp"
        llm.chat_json(MESSAGES, SCHEMA, max_tokens=32)
        assert server.requests[0].path == "/v1/chat/completions"  # /v1 added to a bare host
        assert server.requests[0].body["model"] == "qwen"


def test_a_server_without_json_schema_support_says_so() -> None:
    with ChatServer() as server:
        server.push(Status(400, {"error": {"message": "unknown field response_format"}}))
        llm = OpenAIChat(server.openai_url, model="m", policy=FAST, structured="json_schema")
        with pytest.raises(BackendError, match=r"HTTP 400\): unknown field response_format; "
                           r"it does not take structured output as \[llm.cloud\] structured "
                           r"asks"):  # fmt: skip
            llm.chat_json(MESSAGES, SCHEMA, max_tokens=32)
        assert len(server.requests) == 1  # a rejected request is not retried
