"""Retry rules: backoff, Retry-After, and invalid answers fed back then kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.backends.llm.doubles import ScriptedLLM
from vidkit.backends.llm.retry import (
    InvalidAnswer,
    LLMOutputError,
    RetryPolicy,
    Transient,
    parse_retry_after,
    structured,
    with_retries,
)
from vidkit.errors import BackendError


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_doubles_up_to_the_cap_and_gives_up_with_one_line() -> None:
    waits: list[float] = []
    calls = 0

    def failing() -> str:
        nonlocal calls
        calls += 1
        raise Transient("the server at [llm.cloud] base_url failed (HTTP 502)")

    policy = RetryPolicy(attempts=5, base_s=1.0, max_s=3.0)
    with pytest.raises(BackendError) as info:
        with_retries(failing, policy, sleep=waits.append)
    assert waits == [1.0, 2.0, 3.0, 3.0] and calls == 5
    assert str(info.value) == (
        "the server at [llm.cloud] base_url failed (HTTP 502) (gave up after 5 attempts)"
    )


def test_retry_after_wins_over_backoff_and_success_ends_the_loop() -> None:
    waits: list[float] = []
    answers = iter([Transient("429", retry_after_s=0.7), Transient("500"), "ok"])

    def call() -> str:
        value = next(answers)
        if isinstance(value, Exception):
            raise value
        return value

    assert with_retries(call, RetryPolicy(base_s=0.2), sleep=waits.append) == "ok"
    assert waits == [0.7, 0.4]


def test_zero_retries_means_one_attempt() -> None:
    def failing() -> None:
        raise Transient("down")

    with pytest.raises(BackendError, match=r"down \(gave up after 1 attempt\)"):
        with_retries(failing, RetryPolicy(attempts=1), sleep=lambda _s: None)


def validate(data: object) -> int:
    if not isinstance(data, dict) or not isinstance(data.get("n"), int):
        raise InvalidAnswer("n must be a whole number")
    return data["n"]


def test_structured_feeds_the_problem_back_and_returns_the_valid_answer() -> None:
    llm = ScriptedLLM().push('{"n": "one"}', '{"n": 1}')
    value, replies = structured(llm, [{"role": "user", "content": "n?"}], {}, validate,
                                task="count", max_tokens=10)  # fmt: skip
    assert value == 1 and len(replies) == 2
    second = llm.calls[1][0]
    assert second[-2] == {"role": "assistant", "content": '{"n": "one"}'}
    assert second[-1]["content"].startswith("That answer is not valid: n must be a whole number.")


def test_structured_gives_up_and_keeps_every_raw_answer(tmp_path: Path) -> None:
    llm = ScriptedLLM().push("not json", '{"n": null}')
    with pytest.raises(LLMOutputError) as info:
        structured(llm, [{"role": "user", "content": "n?"}], {}, validate, task="count",
                   max_tokens=10, attempts=2, raw_dir=tmp_path / "raw")  # fmt: skip
    error = info.value
    assert error.raw == ["not json", '{"n": null}']
    assert error.path is not None and error.path.parent == tmp_path / "raw"
    assert f"the raw answers are in {error.path}" in str(error)
    kept = error.path.read_text(encoding="utf-8")
    assert "=== answer 1" in kept and "not json" in kept and '{"n": null}' in kept
    assert "\n" not in str(error)


def test_without_a_folder_the_message_keeps_the_start_of_the_raw_answer() -> None:
    llm = ScriptedLLM().push("garbage out")
    with pytest.raises(LLMOutputError, match="the last raw answer began 'garbage out'"):
        structured(llm, [], {}, validate, task="count", max_tokens=10, attempts=1)
