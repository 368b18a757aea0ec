"""What an LLM server can do, for ``vidkit doctor``: which models it lists, whether the
configured one is among them, and which structured-output mode it takes.

The structured-output check sends one tiny request (a few tokens) the way vidkit will, so
``structured = "auto"`` finds and remembers its mode exactly as a real request would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vidkit.backends.llm.modes import quote
from vidkit.backends.llm.ollama_chat import OllamaChat
from vidkit.backends.llm.openai_chat import OpenAIChat
from vidkit.backends.llm.protocol import Message
from vidkit.backends.llm.retry import RetryPolicy
from vidkit.errors import BackendError

__all__ = ["ServerReport", "probe"]

_SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
_MESSAGES: list[Message] = [{"role": "user", "content": 'Answer {"ok": true}'}]


@dataclass(frozen=True, slots=True)
class ServerReport:
    """``models``: what the server lists (None: it has no list route); ``mode``: the
    structured-output mode that worked (None: none did, ``problem`` says why)."""

    models: list[str] | None
    mode: str | None
    problem: str = ""

    def lists(self, model: str) -> bool | None:
        if self.models is None:
            return None
        return any(m == model or m.split(":")[0] == model for m in self.models)


def probe(llm: OpenAIChat | OllamaChat, *, timeout_s: float = 10.0) -> ServerReport:
    """Ask ``llm``'s server for its models and, when it lists ``llm.model`` (or has no list),
    for one tiny structured answer."""
    models = _models(llm, timeout_s)
    report = ServerReport(models, None, f"the server does not list model {llm.model!r}")
    if report.lists(llm.model) is False:
        return report  # no request for a model the server would refuse
    llm.policy = RetryPolicy(attempts=1)
    llm.timeout_s = min(llm.timeout_s, timeout_s)
    try:
        llm.chat_json(_MESSAGES, _SCHEMA, max_tokens=8)
    except BackendError as exc:
        return ServerReport(models, None, quote(str(exc), 240))
    if isinstance(llm, OllamaChat):
        return ServerReport(models, "format (JSON schema)")
    return ServerReport(models, llm.mode)


def _models(llm: OpenAIChat | OllamaChat, timeout_s: float) -> list[str] | None:
    import httpx

    if isinstance(llm, OllamaChat):
        url, field, key = f"{llm.url}/api/tags", "models", "name"
        headers: dict[str, str] = {}
    else:
        url, field, key = f"{llm.url}/models", "data", "id"
        headers = llm.auth_headers()
    try:
        answer = httpx.get(url, headers=headers, timeout=timeout_s)
        if answer.status_code != 200:
            return None
        data: Any = answer.json()
        return [str(item[key]) for item in data[field]]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
