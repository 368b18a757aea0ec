"""Retries: transient HTTP failures with bounded backoff, and invalid answers with feedback.

:func:`with_retries` re-runs a request that raised :class:`Transient` (HTTP 429, 5xx, a
timeout, a stream that broke off): it waits what ``Retry-After`` asks (up to
``max_retry_after_s``) or ``base_s * 2**n`` capped at ``max_s``, at most ``attempts`` times in
all, then raises one :class:`BackendError` line.

:func:`structured` asks a backend for JSON, validates it, and on an invalid answer asks again
with the validation error appended to the conversation, at most ``attempts`` times. When every
answer was invalid it writes them all to a file and raises :class:`LLMOutputError`, whose
message names that file.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from vidkit.backends.llm.protocol import LLM, Message, Progress, Reply
from vidkit.errors import BackendError

__all__ = [
    "InvalidAnswer",
    "LLMOutputError",
    "RetryPolicy",
    "Transient",
    "describe_invalid",
    "parse_retry_after",
    "structured",
    "with_retries",
]

log = logging.getLogger("vidkit.backends.llm")
T = TypeVar("T")

#: How much of an invalid answer is fed back to the model (small models have small contexts).
FEEDBACK_CHARS = 1500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` requests in all; waits grow from ``base_s`` and never exceed ``max_s``,
    except that a server's ``Retry-After`` is honoured up to ``max_retry_after_s``."""

    attempts: int = 4
    base_s: float = 1.0
    max_s: float = 16.0
    max_retry_after_s: float = 120.0

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.max_s, self.base_s * 2 ** (attempt - 1)))


class Transient(Exception):
    """A failure worth retrying. ``message`` is one line that says what happened and which
    config key to look at; ``retry_after_s`` is what the server asked for, if it did."""

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_s = retry_after_s


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, retried on :class:`Transient` as ``policy`` allows."""
    attempts = max(1, policy.attempts)
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Transient as exc:
            asked = exc.retry_after_s
            if asked is not None and asked > policy.max_retry_after_s:
                raise BackendError(
                    f"{exc.message}; the server asks to wait {asked:.0f} s, longer than "
                    f"vidkit waits ({policy.max_retry_after_s:.0f} s): try again later"
                ) from exc
            if attempt == attempts:
                tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
                raise BackendError(f"{exc.message} (gave up after {tries})") from exc
            wait = asked if asked is not None else policy.backoff(attempt)
            log.warning(
                "%s; retrying in %.1f s (attempt %d of %d)",
                exc.message,
                wait,
                attempt + 1,
                attempts,
            )
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


class InvalidAnswer(ValueError):
    """An answer that is not valid JSON for the schema, or breaks a rule the schema cannot say."""


class LLMOutputError(BackendError):
    """Every answer was invalid. ``raw`` holds them; ``path`` is the file they were saved to."""

    def __init__(self, message: str, *, raw: Sequence[str], path: Path | None) -> None:
        super().__init__(message)
        self.raw = list(raw)
        self.path = path


def describe_invalid(exc: Exception, *, limit: int = 3) -> str:
    """One line naming the first few problems of a failed validation."""
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:limit]:
            where = ".".join(str(p) for p in err["loc"]) or "the answer"
            parts.append(f"{where}: {err['msg']}")
        more = exc.error_count() - limit
        return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at character {exc.pos})"
    return " ".join(str(exc).split())


def structured(
    llm: LLM,
    messages: Sequence[Message],
    schema: Mapping[str, Any],
    validate: Callable[[Any], T],
    *,
    task: str,
    max_tokens: int,
    attempts: int = 3,
    progress: Progress | None = None,
    raw_dir: Path | None = None,
) -> tuple[T, list[Reply]]:
    """Ask ``llm`` for JSON matching ``schema`` and return ``validate(parsed JSON)`` and every
    reply it took. ``validate`` raises :class:`pydantic.ValidationError` or
    :class:`InvalidAnswer` for an answer it rejects; the error goes back to the model."""
    conversation = list(messages)
    replies: list[Reply] = []
    problems: list[str] = []
    for attempt in range(1, max(1, attempts) + 1):
        reply = llm.chat_json(conversation, schema, max_tokens=max_tokens, progress=progress)
        replies.append(reply)
        try:
            return validate(json.loads(reply.text)), replies
        except (json.JSONDecodeError, ValidationError, InvalidAnswer) as exc:
            problem = describe_invalid(exc)
            if reply.cut_off:
                problem += f" (the answer was cut off at the limit of {max_tokens} tokens)"
            problems.append(problem)
            log.warning("%s: answer %d is invalid: %s", task, attempt, problem)
            conversation += [
                {"role": "assistant", "content": reply.text[:FEEDBACK_CHARS]},
                {"role": "user", "content": _feedback(problem, reply.cut_off)},
            ]
    path = _save_raw(raw_dir, task, replies, problems)
    where = f"; the raw answers are in {path}" if path else ""
    raw_tail = "" if path else f"; the last raw answer began {replies[-1].text[:200]!r}"
    raise LLMOutputError(
        f"the {llm.name} model ([llm] backend = {llm.name}) gave {len(replies)} answer(s) for "
        f"{task} that do not match the schema (last problem: {problems[-1]}){where}{raw_tail}; "
        "try again, or choose a stronger model with [llm] backend",
        raw=[r.text for r in replies],
        path=path,
    )


def _feedback(problem: str, cut_off: bool) -> str:
    shorter = " Keep it shorter so that it ends in time." if cut_off else ""
    return (
        f"That answer is not valid: {problem}. Answer again with only a JSON object that "
        f"matches the schema.{shorter}"
    )


def _save_raw(
    folder: Path | None, task: str, replies: Sequence[Reply], problems: Sequence[str]
) -> Path | None:
    if folder is None:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = folder / f"{task}-{stamp}.txt"
    parts = [
        f"=== answer {n} ({r.tokens} tokens, finish={r.finish}): {problem}\n{r.text}\n"
        for n, (r, problem) in enumerate(zip(replies, problems, strict=True), start=1)
    ]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(parts), encoding="utf-8")
    except OSError as exc:
        log.warning("could not keep the raw answers in %s: %s", path, exc)
        return None
    return path
