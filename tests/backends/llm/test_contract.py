"""Every HTTP backend against a real local server speaking its wire format: success, invalid
JSON then corrected, 429 with Retry-After, 500, timeout, connection refused."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.backends.llm.conftest import KEY
from tests.backends.llm.servers import Answer, Broken, ChatServer, Status
from vidkit.backends.llm.ollama_chat import OllamaChat
from vidkit.backends.llm.openai_chat import OpenAIChat
from vidkit.backends.llm.protocol import LLM, Message
from vidkit.backends.llm.retry import RetryPolicy, structured
from vidkit.backends.llm.schemas import Revision, parse_revision, revision_schema
from vidkit.errors import BackendError

KINDS = ["openai", "llamacpp", "ollama"]
FAST = RetryPolicy(attempts=3, base_s=0.05, max_s=0.2, max_retry_after_s=5)
SCHEMA = revision_schema(200)
MESSAGES: list[Message] = [
    {"role": "system", "content": "You edit narration."},
    {"role": "user", "content": "Make it shorter: Hello there, and welcome to the course."},
]
GOOD = json.dumps({"narration": "Welcome!"})
TIMEOUT_KEY = {
    "openai": "[llm.cloud] timeout_s",
    "llamacpp": "[llm.local] timeout_s",
    "ollama": "[llm.local] timeout_s",
}
URL_KEY = {
    "openai": "[llm.cloud] base_url",
    "llamacpp": "[llm.local] llamacpp_url",
    "ollama": "[llm.local] ollama_url",
}


def build(kind: str, url: str, *, timeout_s: float = 10.0, policy: RetryPolicy = FAST) -> LLM:
    if kind == "ollama":
        return OllamaChat(url, model="smollm2:135m", timeout_s=timeout_s, policy=policy)
    if kind == "llamacpp":
        return OpenAIChat(
            url, model="local", timeout_s=timeout_s, policy=policy, name="llamacpp",
            section="[llm.local]", url_key="llamacpp_url",
        )  # fmt: skip
    return OpenAIChat(
        url, model="gpt-test", api_key=KEY, api_key_env="VIDKIT_TEST_LLM_KEY",
        timeout_s=timeout_s, policy=policy,
    )  # fmt: skip


@dataclass
class Chat:
    kind: str
    server: ChatServer
    llm: LLM

    def url(self) -> str:
        return self.server.ollama_url if self.kind == "ollama" else self.server.openai_url

    def rebuild(self, **kwargs: Any) -> LLM:
        return build(self.kind, self.url(), **kwargs)


@pytest.fixture(params=KINDS)
def chat(request: pytest.FixtureRequest) -> Iterator[Chat]:
    kind = request.param
    with ChatServer(key=KEY if kind == "openai" else None) as server:
        url = server.ollama_url if kind == "ollama" else server.openai_url
        yield Chat(kind, server, build(kind, url))


def schema_sent(chat: Chat, index: int = -1) -> Any:
    body = chat.server.requests[index].body
    if chat.kind == "ollama":
        return body["format"]
    assert body["response_format"]["type"] == "json_schema"
    return body["response_format"]["json_schema"]["schema"]


def test_success_streams_progress_and_sends_the_schema(chat: Chat) -> None:
    chat.server.push(Answer(GOOD))
    seen: list[tuple[int, int]] = []
    reply = chat.llm.chat_json(
        MESSAGES, SCHEMA, max_tokens=64, progress=lambda d, t: seen.append((d, t))
    )
    assert json.loads(reply.text) == {"narration": "Welcome!"}
    assert (reply.finish, reply.cut_off) == ("stop", False)
    assert reply.tokens == len(seen) >= 3  # streamed in pieces
    assert [d for d, _ in seen] == list(range(1, len(seen) + 1))
    assert {t for _, t in seen} == {64}
    assert schema_sent(chat) == SCHEMA
    body = chat.server.requests[-1].body
    assert body["stream"] is True
    assert body["messages"] == MESSAGES
    if chat.kind == "ollama":
        assert body["options"]["num_predict"] == 64
        assert body["options"]["num_ctx"] == chat.llm.context_tokens
    else:
        assert body["max_tokens"] == 64


def test_answer_cut_at_the_token_limit_is_reported(chat: Chat) -> None:
    chat.server.push(Answer('{"narration": "Wel', finish="length"))
    reply = chat.llm.chat_json(MESSAGES, SCHEMA, max_tokens=4)
    assert reply.cut_off


def test_invalid_json_then_corrected(chat: Chat) -> None:
    chat.server.push(Answer('{"narration": "Welcome'), Answer('{"narration": ""}'), Answer(GOOD))
    revision, replies = structured(
        chat.llm, MESSAGES, SCHEMA, lambda data: parse_revision(data, 200),
        task="revise_scene", max_tokens=64,
    )  # fmt: skip
    assert revision == Revision(narration="Welcome!")
    assert len(replies) == 3
    second, third = chat.server.requests[1].body, chat.server.requests[2].body
    assert second["messages"][-2] == {"role": "assistant", "content": '{"narration": "Welcome'}
    assert "not valid JSON" in second["messages"][-1]["content"]
    assert "narration: String should have at least 1 character" in third["messages"][-1]["content"]
    assert schema_sent(chat, 2) == SCHEMA


def test_429_honours_retry_after(chat: Chat) -> None:
    chat.server.push(
        Status(429, {"error": {"message": "slow down"}}, {"Retry-After": "1"}), Answer(GOOD)
    )
    start = time.monotonic()
    reply = chat.llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
    assert json.loads(reply.text)["narration"] == "Welcome!"
    first, second = chat.server.requests
    assert second.at - first.at >= 0.95  # waited what the server asked, not FAST's 0.05 s
    assert time.monotonic() - start < 5


def test_429_asking_too_long_fails_at_once_with_the_wait(chat: Chat) -> None:
    chat.server.push(Status(429, {"error": "busy"}, {"Retry-After": "3600"}))
    with pytest.raises(BackendError, match=r"HTTP 429.*asks to wait 3600 s.*try again later"):
        chat.llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
    assert len(chat.server.requests) == 1


def test_500_is_retried_then_succeeds(chat: Chat) -> None:
    chat.server.push(Status(500, {"error": "the model crashed"}), Answer(GOOD))
    reply = chat.llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
    assert json.loads(reply.text)["narration"] == "Welcome!"
    assert len(chat.server.requests) == 2


def test_500_every_time_gives_up_with_one_line(chat: Chat) -> None:
    chat.server.push(*[Status(503, {"error": "the model crashed"})] * 3)
    with pytest.raises(BackendError) as info:
        chat.llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
    message = str(info.value)
    assert "HTTP 503" in message and "the model crashed" in message
    assert "gave up after 3 attempts" in message
    assert URL_KEY[chat.kind] in message
    assert "\n" not in message
    assert len(chat.server.requests) == 3


def test_stream_broken_mid_answer_is_retried(chat: Chat) -> None:
    chat.server.push(Broken('{"narration": "Wel'), Answer(GOOD))
    reply = chat.llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
    assert json.loads(reply.text)["narration"] == "Welcome!"
    assert len(chat.server.requests) == 2


def test_timeout_is_retried_with_bounded_backoff_then_names_the_key(chat: Chat) -> None:
    llm = chat.rebuild(timeout_s=0.3, policy=RetryPolicy(attempts=2, base_s=0.05, max_s=0.05))
    chat.server.push(Answer(GOOD, delay_s=1.0), Answer(GOOD, delay_s=1.0))
    start = time.monotonic()
    with pytest.raises(BackendError) as info:
        llm.chat_json(MESSAGES, SCHEMA, max_tokens=64)
    assert time.monotonic() - start < 3
    message = str(info.value)
    assert "did not answer within 0.3 s" in message and TIMEOUT_KEY[chat.kind] in message
    assert "gave up after 2 attempts" in message
    assert len(chat.server.requests) == 2


def test_timeout_then_success(chat: Chat) -> None:
    llm = chat.rebuild(timeout_s=0.4)
    chat.server.push(Answer(GOOD, delay_s=1.0), Answer(GOOD))
    assert json.loads(llm.chat_json(MESSAGES, SCHEMA, max_tokens=64).text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("kind", KINDS)
def test_connection_refused_is_one_clear_line_at_once(kind: str) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}" + ("" if kind == "ollama" else "/v1")
    start = time.monotonic()
    with pytest.raises(BackendError) as info:
        build(kind, url).chat_json(MESSAGES, SCHEMA, max_tokens=64)
    assert time.monotonic() - start < 2  # not retried
    message = str(info.value)
    assert message.startswith("cannot reach")
    assert URL_KEY[kind] in message and f"127.0.0.1:{port}" in message
    assert "\n" not in message
