"""Any OpenAI-compatible chat-completions server: OpenAI itself, vLLM, LM Studio, Ollama's
``/v1``, llama.cpp's ``llama-server`` or llama-cpp-python's server (``[llm] backend =
"llamacpp"`` reuses this class with ``[llm.local] llamacpp_url``).

Structured output is asked for the way ``structured`` says (see :mod:`vidkit.backends.llm.modes`;
``auto`` falls back when the server rejects the field) and the answer is streamed, so progress
can be shown; a server that ignores ``stream`` and sends one ``chat.completion`` body is read
too. A request the server rejects as invalid is not retried. The key is read once from the
environment variable the config names; it is never logged, never part of a fingerprint or a
message, and scrubbed from any server text vidkit repeats.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from vidkit.backends._openai import base_url, openai_client
from vidkit.backends.llm import modes
from vidkit.backends.llm.modes import Mode, Rejected, Setting, quote
from vidkit.backends.llm.protocol import Message, Progress, Reply
from vidkit.backends.llm.retry import RetryPolicy, Transient, parse_retry_after, with_retries
from vidkit.errors import BackendError

__all__ = ["OpenAIChat"]

log = logging.getLogger("vidkit.backends.llm")
_DUMMY_KEY = "not-needed"  # local servers ignore the key, but the client insists on one


class OpenAIChat:
    """Chat completions from ``url`` (``http://host:port/v1``; a bare host gets ``/v1``).

    ``section`` is the config table the settings came from (``[llm.cloud]`` or ``[llm.local]``)
    and ``url_key`` the key holding the URL; both only shape messages. ``api_key_env`` names the
    variable ``api_key`` came from, for messages only.
    """

    def __init__(
        self,
        url: str,
        *,
        model: str,
        api_key: str | None = None,
        api_key_env: str = "",
        timeout_s: float = 60.0,
        temperature: float = 0.3,
        context_tokens: int = 128_000,
        name: str = "openai",
        section: str = "[llm.cloud]",
        url_key: str = "base_url",
        policy: RetryPolicy | None = None,
        structured: Setting = "auto",
    ) -> None:
        if not url:
            raise BackendError(f"no LLM server is configured: set {section} {url_key}")
        self.url = base_url(url)
        self.model = model
        self.api_key_env = api_key_env
        self.timeout_s = timeout_s
        self.temperature = temperature
        self._context_tokens = context_tokens
        self._name = name
        self.section = section
        self.url_key = url_key
        self.policy = policy or RetryPolicy()
        self.structured: Setting = structured
        self._api_key = api_key or _DUMMY_KEY
        self._client: Any = None

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIChat(url={self.url!r}, model={self.model!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def where(self) -> str:
        return f"{self.section} {self.url_key} {self.url}"

    @property
    def context_tokens(self) -> int:
        return self._context_tokens

    def fingerprint(self) -> str:
        return f"openai-chat:{self.url}:{self.model}:t={self.temperature}"

    def auth_headers(self) -> dict[str, str]:
        """The ``Authorization`` header for a plain request to this server (never logged)."""
        return {"Authorization": f"Bearer {self._api_key}"}

    @property
    def mode_key(self) -> str:
        """What ``auto`` remembers a working mode under: this server and model."""
        return f"{self.url} {self.model}"

    @property
    def mode(self) -> Mode | None:
        """The structured-output mode this server took last, or the configured one."""
        return modes.known(self.mode_key) or (
            None if self.structured == "auto" else self.structured
        )

    def chat_json(
        self,
        messages: Sequence[Message],
        schema: Mapping[str, Any],
        *,
        max_tokens: int,
        progress: Progress | None = None,
    ) -> Reply:
        tried: list[str] = []
        order = modes.candidates(self.structured, self.mode_key)
        for index, mode in enumerate(order):
            try:
                reply = self._ask(messages, schema, mode, max_tokens, progress)
            except Rejected as exc:
                last = index == len(order) - 1
                if self.structured != "auto" or not exc.names_field or last:
                    if tried:
                        raise Rejected(
                            f"{exc} (structured output tried as {', '.join(tried)} first, "
                            f"rejected too)",
                            reason=exc.reason,
                        ) from exc
                    raise
                tried.append(mode)
                log.warning(
                    "%s rejected structured output as %s (%s); trying %s",
                    self.url,
                    mode,
                    quote(exc.reason, 120),
                    order[index + 1],
                )
                continue
            modes.remember(self.mode_key, mode)
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def _ask(
        self,
        messages: Sequence[Message],
        schema: Mapping[str, Any],
        mode: Mode,
        max_tokens: int,
        progress: Progress | None,
    ) -> Reply:
        client = self._get_client()
        fields = modes.request_fields(mode, schema)

        def attempt() -> Reply:
            start = time.monotonic()
            with (
                self._errors(),
                client.chat.completions.with_streaming_response.create(
                    model=self.model,
                    messages=list(messages),
                    max_tokens=max_tokens,
                    temperature=self.temperature,
                    stream=True,
                    **fields,
                ) as response,
            ):
                kind = response.headers.get("content-type", "")
                if "text/event-stream" not in kind:
                    text, tokens, finish = self._whole(response.text(), kind)
                    if progress is not None:
                        progress(tokens, max_tokens)
                else:
                    text, tokens, finish = self._streamed(response.parse(), max_tokens, progress)
            return Reply(text, tokens, finish, time.monotonic() - start)

        log.info(
            "asking %s (model %s, structured output as %s) for up to %d tokens",
            self.url,
            self.model,
            mode,
            max_tokens,
        )
        return with_retries(attempt, self.policy)

    @staticmethod
    def _streamed(stream: Any, max_tokens: int, progress: Progress | None) -> tuple[str, int, str]:
        parts: list[str] = []
        finish = "stop"
        for chunk in stream:
            if not chunk.choices:
                continue
            choice = chunk.choices[0]
            if choice.delta is not None and choice.delta.content:
                parts.append(choice.delta.content)
                if progress is not None:
                    progress(len(parts), max_tokens)
            if choice.finish_reason:
                finish = choice.finish_reason
        return "".join(parts), len(parts), finish

    def _whole(self, body: str, kind: str) -> tuple[str, int, str]:
        """One ``chat.completion`` body, from a server that ignored ``stream: true``."""
        where = f"the LLM server at {self.where}"
        try:
            data = json.loads(body)
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
            finish = str(choice.get("finish_reason") or "stop")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise BackendError(
                f"{where} answered with neither an event stream nor a chat completion "
                f"(content-type {kind or 'none'}): {quote(self._scrub(body)) or 'an empty body'}; "
                f"is {self.section} {self.url_key} an OpenAI-compatible /v1 URL?"
            ) from exc
        usage = data.get("usage") or {}
        tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
        if not isinstance(tokens, int):
            tokens = len(text.split())
        log.info("%s ignored stream: true and sent one JSON body", self.url)
        return str(text), tokens, finish

    def _get_client(self) -> Any:
        if self._client is None:
            self._client = openai_client(self.url, self._api_key, self.timeout_s)
        return self._client

    def _scrub(self, text: str) -> str:
        text = " ".join(str(text).split())
        return text.replace(self._api_key, "***") if self._api_key != _DUMMY_KEY else text

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The ``openai`` package's errors as :class:`Transient` (retried) or one-line
        :class:`BackendError` messages that name the config key to fix."""
        import openai

        where = f"the LLM server at {self.where}"
        try:
            yield
        except openai.APITimeoutError as exc:
            raise Transient(
                f"{where} did not answer within {self.timeout_s:g} s; it may be overloaded, or "
                f"raise {self.section} timeout_s"
            ) from exc
        except openai.APIConnectionError as exc:
            if type(exc.__cause__).__name__ != "ConnectError":
                cause = type(exc.__cause__).__name__
                raise Transient(f"{where} dropped the connection ({cause})") from exc
            raise BackendError(
                f"cannot reach {where}: is the server running, and is {self.section} "
                f"{self.url_key} right?"
            ) from exc
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            fix = (
                f"check the environment variable {self.api_key_env}"
                if self.api_key_env
                else f"set {self.section} api_key_env to the name of the environment variable "
                "that holds the key"
            )
            raise BackendError(f"{where} refused the key (HTTP {exc.status_code}): {fix}") from exc
        except openai.RateLimitError as exc:
            raise Transient(
                f"{where} is rate-limiting requests (HTTP 429: {self._detail(exc)})",
                retry_after_s=parse_retry_after(exc.response.headers.get("retry-after")),
            ) from exc
        except openai.NotFoundError as exc:
            raise BackendError(
                f"{where} answered 404 Not Found ({self._detail(exc)}): check that the URL ends "
                f"in /v1 and that {self.section} model {self.model!r} exists on the server"
            ) from exc
        except openai.APIStatusError as exc:
            status = exc.status_code
            reason = self._reason(exc)
            if status in (408, 409) or (status >= 500 and not modes.validation_failure(reason)):
                raise Transient(
                    f"{where} failed (HTTP {status}: {quote(reason)})",
                    retry_after_s=parse_retry_after(exc.response.headers.get("retry-after")),
                ) from exc
            if modes.names_structured_field(reason):
                fix = (
                    f"it does not take structured output as {self.section} structured asks; set "
                    "it to auto, json_schema, json_object or grammar"
                )
            else:
                fix = f"check {self.section} model and the server's log"
            raise Rejected(
                f"{where} rejected the request (HTTP {status}): {quote(reason)}; {fix}",
                reason=reason,
            ) from exc
        except json.JSONDecodeError as exc:
            raise BackendError(
                f"{where} sent a malformed event stream ({exc.msg}): is {self.section} "
                f"{self.url_key} an OpenAI-compatible /v1 URL?"
            ) from exc
        except openai.OpenAIError as exc:
            raise BackendError(f"{where} failed: {quote(self._scrub(str(exc)))}") from exc
        except Exception as exc:  # the HTTP layer under openai, while the answer streams in
            if type(exc).__module__.split(".")[0] not in {"httpx", "httpx2", "httpcore"}:
                raise
            raise Transient(f"{where} broke off while answering ({type(exc).__name__})") from exc

    def _detail(self, exc: Any) -> str:
        return quote(self._reason(exc))

    def _reason(self, exc: Any) -> str:
        """The server's own reason for an error answer, whole, on one line, key scrubbed."""
        body = getattr(exc, "body", None)
        message: Any = None
        if isinstance(body, dict):
            message = body.get("message") or body.get("detail") or body.get("error")
            if isinstance(message, dict):
                message = message.get("message")
            elif isinstance(message, list):
                message = json.dumps(message)
        elif isinstance(body, str):
            message = body
        return self._scrub(str(message or getattr(exc, "message", "") or "no detail"))
