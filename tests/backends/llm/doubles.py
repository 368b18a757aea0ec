"""A deterministic stand-in for the LLM protocol: answers come from a queue or a function."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vidkit.backends.llm.protocol import Message, Progress, Reply

Answerer = Callable[[Sequence[Message], Mapping[str, Any]], Any]


class ScriptedLLM:
    """Implements :class:`vidkit.backends.llm.protocol.LLM` exactly. Queued answers (strings are
    sent as they are, anything else as JSON) are used first, then ``answer(messages, schema)``."""

    def __init__(
        self,
        answer: Answerer | None = None,
        *,
        name: str = "scripted",
        context_tokens: int = 8192,
        tag: str = "v1",
    ) -> None:
        self.answer = answer
        self._name = name
        self._context_tokens = context_tokens
        self.tag = tag
        self.queue: deque[Any] = deque()
        self.calls: list[tuple[list[Message], dict[str, Any], int]] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def where(self) -> str:
        return "[llm] backend (a test double)"

    @property
    def context_tokens(self) -> int:
        return self._context_tokens

    def fingerprint(self) -> str:
        return f"scripted:{self.tag}"

    def push(self, *answers: Any) -> ScriptedLLM:
        self.queue.extend(answers)
        return self

    def chat_json(
        self,
        messages: Sequence[Message],
        schema: Mapping[str, Any],
        *,
        max_tokens: int,
        progress: Progress | None = None,
    ) -> Reply:
        self.calls.append((list(messages), dict(schema), max_tokens))
        if self.queue:
            value = self.queue.popleft()
        elif self.answer is not None:
            value = self.answer(messages, schema)
        else:
            raise AssertionError("ScriptedLLM has no answer queued")
        text = value if isinstance(value, str) else json.dumps(value)
        words = text.split()
        for done in range(1, len(words) + 1):
            if progress is not None:
                progress(done, max_tokens)
        return Reply(text, len(words), "stop", 0.01)
