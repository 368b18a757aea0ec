"""Token budgets: how much of a model's context the input may take and the answer may use.

Estimates use :data:`~vidkit.backends.llm.protocol.CHARS_PER_TOKEN` (3 characters a token, on
the safe side for English), so a request never asks for more than the context holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vidkit.backends.llm.grammar import max_json_chars
from vidkit.backends.llm.protocol import LLM, Message, chars_to_tokens
from vidkit.errors import BackendError

__all__ = [
    "MIN_ANSWER_TOKENS",
    "PROMPT_TOKENS",
    "answer_tokens",
    "context_key",
    "limit_hint",
    "plan_chunk_words",
]

PROMPT_TOKENS = 450  # a system prompt and a worked example, before they are written out
TEMPLATE_TOKENS = 16  # what a chat template adds around each message
MIN_ANSWER_TOKENS = 48


def context_key(llm: LLM) -> str:
    """The config key that sets ``llm``'s context size."""
    return {
        "embedded": "[llm.embedded] context_tokens",
        "openai": "[llm.cloud] context_tokens",
        "ollama": "[llm.local] context_tokens",
        "llamacpp": "[llm.local] context_tokens",
    }.get(llm.name, "[llm] backend")


def limit_hint(llm: LLM) -> str:
    """How to give the model more room: the end of every note about shortened input."""
    return (
        f"raise {context_key(llm)} (now {llm.context_tokens}) or choose a model with a larger "
        "context with [llm] backend"
    )


def answer_tokens(llm: LLM, schema: Mapping[str, Any], messages: Sequence[Message]) -> int:
    """Tokens for the longest answer ``schema`` allows, within what the context leaves after
    ``messages``."""
    prompt = sum(chars_to_tokens(len(m["content"])) + TEMPLATE_TOKENS for m in messages)
    room = llm.context_tokens - prompt
    if room < MIN_ANSWER_TOKENS:
        raise BackendError(f"the input leaves the model no room to answer; {limit_hint(llm)}")
    return max(MIN_ANSWER_TOKENS, min(room, chars_to_tokens(max_json_chars(schema))))


def plan_chunk_words(llm: LLM) -> int:
    """How many script words one planning request can take. A part of C characters is read
    once (C/3 tokens) and may come back twice over with titles and screen notes (2C/3 tokens
    plus 120 a scene, a scene per 60 words): about 8 tokens a word, plus the prompt."""
    return max(60, int((llm.context_tokens - PROMPT_TOKENS - 120) / 8))
