"""How an OpenAI-compatible server is asked for structured output, and how its refusals read.

Servers differ: OpenAI, vLLM, LM Studio and llama.cpp's ``llama-server`` take
``response_format = {"type": "json_schema", ...}``; llama-cpp-python's server rejects that (with
an HTTP 500 that is really a validation error) but takes its ``grammar`` field (GBNF, built by
:mod:`vidkit.backends.llm.grammar`) or ``{"type": "json_object", "schema": ...}``.
``[llm.local] structured`` / ``[llm.cloud] structured`` names one mode or ``auto``: try them in
:data:`AUTO_ORDER`, moving on when the server rejects the request naming the field, and
remember for the rest of the process which mode worked for that server and model.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any, Literal

from vidkit.errors import BackendError

__all__ = [
    "AUTO_ORDER",
    "Mode",
    "Rejected",
    "Setting",
    "candidates",
    "forget_all",
    "known",
    "names_structured_field",
    "quote",
    "remember",
    "request_fields",
    "validation_failure",
]

Mode = Literal["json_schema", "json_object", "grammar"]
Setting = Literal["auto", "json_schema", "json_object", "grammar"]

#: ``auto`` tries these in turn. ``grammar`` comes before ``json_object`` because
#: llama-cpp-python compiles a schema's long ``maxLength`` into a grammar it cannot load.
AUTO_ORDER: tuple[Mode, ...] = ("json_schema", "grammar", "json_object")

#: How much of a server's reason a message quotes.
QUOTE_CHARS = 300

_lock = threading.Lock()
_worked: dict[str, Mode] = {}

_FIELD = re.compile(r"response_format|json_schema|json_object|grammar|guided_", re.IGNORECASE)
_VALIDATION = re.compile(
    r"validation error|literal_error|input should be|field required|extra inputs are not "
    r"permitted|unrecognized request argument|invalid request|unsupported parameter",
    re.IGNORECASE,
)


class Rejected(BackendError):
    """The server refused the request itself (not worth retrying as it is). ``reason`` is the
    server's own text; ``names_field`` says whether it is about the structured-output field."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.names_field = names_structured_field(reason)


def candidates(setting: Setting, key: str) -> list[Mode]:
    """The modes to try, in order: the configured one, or for ``auto`` the one that worked
    before for ``key`` (server and model) followed by the rest of :data:`AUTO_ORDER`."""
    if setting != "auto":
        return [setting]
    with _lock:
        known = _worked.get(key)
    if known is None:
        return list(AUTO_ORDER)
    return [known, *(m for m in AUTO_ORDER if m != known)]


def remember(key: str, mode: Mode) -> None:
    with _lock:
        _worked[key] = mode


def known(key: str) -> Mode | None:
    with _lock:
        return _worked.get(key)


def forget_all() -> None:
    """Forget what worked (for tests)."""
    with _lock:
        _worked.clear()


def request_fields(mode: Mode, schema: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``client.chat.completions.create`` that ask for ``mode``."""
    if mode == "json_schema":
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": dict(schema), "strict": False},
            }
        }
    if mode == "json_object":
        return {"response_format": {"type": "json_object", "schema": dict(schema)}}
    from vidkit.backends.llm.grammar import schema_to_gbnf

    return {"extra_body": {"grammar": schema_to_gbnf(schema)}}


def names_structured_field(text: str) -> bool:
    """True when a server's reason is about ``response_format``, ``json_schema``, ``grammar``."""
    return bool(_FIELD.search(text))


def validation_failure(text: str) -> bool:
    """True when a server's reason (even one sent as HTTP 500) says the request was invalid."""
    return bool(_VALIDATION.search(text))


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word boundary with an
    ellipsis when it is longer."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
