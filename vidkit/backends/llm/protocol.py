"""The LLM backend protocol: chat messages in, text that should match a JSON schema out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypedDict

__all__ = ["LLM", "Message", "Progress", "Reply", "chars_to_tokens", "tokens_to_chars"]

#: ``progress(tokens_so_far, token_budget)``, called as the answer streams in.
Progress = Callable[[int, int], None]

#: Rough characters per token, to budget prompts without a tokenizer. Low on purpose (English
#: prose runs at about 4), so estimates err towards fitting.
CHARS_PER_TOKEN = 3.0


class Message(TypedDict):
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer: its text, how many tokens streamed, why it stopped, and how long it took."""

    text: str
    tokens: int
    finish: str = "stop"
    seconds: float = 0.0

    @property
    def cut_off(self) -> bool:
        """True when the answer stopped at the token limit (so its JSON is likely unfinished)."""
        return self.finish == "length"

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


class LLM(Protocol):
    """A chat model that answers in JSON.

    ``name`` is the ``[llm] backend`` value it implements; ``where`` names the config key that
    points at it (for messages); ``context_tokens`` is how much it reads and writes at once.
    """

    @property
    def name(self) -> str: ...

    @property
    def where(self) -> str: ...

    @property
    def context_tokens(self) -> int: ...

    def fingerprint(self) -> str:
        """Backend, model and sampling parameters (never a key): part of every cache key."""
        ...

    def chat_json(
        self,
        messages: Sequence[Message],
        schema: Mapping[str, Any],
        *,
        max_tokens: int,
        progress: Progress | None = None,
    ) -> Reply:
        """Answer ``messages`` with text meant to be a JSON value valid against ``schema``,
        at most ``max_tokens`` long. Transient failures are retried inside; what cannot be
        recovered raises :class:`~vidkit.errors.BackendError` with one clear line."""
        ...


def chars_to_tokens(chars: int) -> int:
    return int(chars / CHARS_PER_TOKEN) + 1


def tokens_to_chars(tokens: int) -> int:
    return max(0, int(tokens * CHARS_PER_TOKEN))
