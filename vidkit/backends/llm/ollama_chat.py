"""An Ollama server: ``POST /api/chat`` with ``format`` set to the JSON schema, streamed.

``[llm.local] context_tokens`` is sent as ``num_ctx`` (Ollama otherwise cuts long prompts to its
own default without saying so). Ollama's client keeps no response headers on its errors, so a
response hook remembers ``Retry-After`` for 429 and 503 answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from vidkit.backends.llm.modes import quote, validation_failure
from vidkit.backends.llm.protocol import Message, Progress, Reply
from vidkit.backends.llm.retry import RetryPolicy, Transient, parse_retry_after, with_retries
from vidkit.errors import BackendError, Hint
from vidkit.hints import SETUP, install

__all__ = ["OllamaChat"]

log = logging.getLogger("vidkit.backends.llm")


class OllamaChat:
    """Chat from the Ollama server at ``url`` (``http://127.0.0.1:11434`` by default)."""

    def __init__(
        self,
        url: str,
        *,
        model: str,
        timeout_s: float = 120.0,
        temperature: float = 0.3,
        context_tokens: int = 4096,
        seed: int = 0,
        policy: RetryPolicy | None = None,
    ) -> None:
        if not url:
            raise BackendError("no Ollama server is configured: set [llm.local] ollama_url")
        self.url = url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self.temperature = temperature
        self.seed = seed
        self._context_tokens = context_tokens
        self.policy = policy or RetryPolicy()
        self._client: Any = None
        self._headers = threading.local()

    def __repr__(self) -> str:
        return f"OllamaChat(url={self.url!r}, model={self.model!r})"

    @property
    def name(self) -> str:
        return "ollama"

    @property
    def where(self) -> str:
        return f"[llm.local] ollama_url {self.url}"

    @property
    def context_tokens(self) -> int:
        return self._context_tokens

    def fingerprint(self) -> str:
        return (
            f"ollama:{self.url}:{self.model}:t={self.temperature}:seed={self.seed}"
            f":ctx={self._context_tokens}"
        )

    def chat_json(
        self,
        messages: Sequence[Message],
        schema: Mapping[str, Any],
        *,
        max_tokens: int,
        progress: Progress | None = None,
    ) -> Reply:
        client = self._get_client()
        options = {
            "num_predict": max_tokens,
            "num_ctx": self._context_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
        }

        def attempt() -> Reply:
            start = time.monotonic()
            parts: list[str] = []
            finish = "stop"
            self._headers.retry_after = None
            with self._errors():
                stream = client.chat(
                    model=self.model,
                    messages=[dict(m) for m in messages],
                    format=dict(schema),
                    options=options,
                    stream=True,
                )
                for part in stream:
                    content = part.message.content if part.message is not None else None
                    if content:
                        parts.append(content)
                        if progress is not None:
                            progress(len(parts), max_tokens)
                    if part.done:
                        finish = part.done_reason or "stop"
            return Reply("".join(parts), len(parts), finish, time.monotonic() - start)

        log.info(
            "asking Ollama at %s (model %s) for up to %d tokens", self.url, self.model, max_tokens
        )
        return with_retries(attempt, self.policy)

    def _get_client(self) -> Any:
        if self._client is None:
            try:
                import ollama
            except ImportError as exc:
                raise BackendError(
                    "the ollama package is missing", hint=install("the ollama package", "ollama")
                ) from exc

            def remember(response: Any) -> None:
                self._headers.retry_after = response.headers.get("retry-after")

            self._client = ollama.Client(
                host=self.url, timeout=self.timeout_s, event_hooks={"response": [remember]}
            )
        return self._client

    @contextmanager
    def _errors(self) -> Iterator[None]:
        import httpx
        import ollama

        where = f"Ollama at {self.where}"
        try:
            yield
        except ollama.ResponseError as exc:
            reason = " ".join(str(exc.error).split())
            detail = quote(reason)
            status = exc.status_code
            if status == 404:
                raise BackendError(
                    f"{where} has no model {self.model!r} ({detail})",
                    hint=Hint(
                        "pull_model",
                        cli=f"run `ollama pull {self.model}`, or change [llm.local] model",
                        studio=f"{SETUP} fetch the model {self.model!r} into Ollama",
                    ),
                ) from exc
            transient = status in (408, 409, 429) or status == -1
            if transient or (status >= 500 and not validation_failure(reason)):
                label = f"HTTP {status}" if status > 0 else "error mid-answer"
                raise Transient(
                    f"{where} failed ({label}: {detail})",
                    retry_after_s=parse_retry_after(getattr(self._headers, "retry_after", None)),
                ) from exc
            raise BackendError(
                f"{where} rejected the request (HTTP {status}): {detail}; an older Ollama may "
                "not support a JSON schema as format (0.5 or newer does)"
            ) from exc
        except (httpx.ConnectError, ConnectionError) as exc:
            raise BackendError(
                f"cannot reach {where}",
                hint=Hint(
                    "start_service",
                    cli="is `ollama serve` running, and is [llm.local] ollama_url right?",
                    studio=f"{SETUP} start Ollama",
                ),
            ) from exc
        except httpx.TimeoutException as exc:
            raise Transient(
                f"{where} did not answer within {self.timeout_s:g} s; it may still be loading "
                "the model, or raise [llm.local] timeout_s"
            ) from exc
        except httpx.TransportError as exc:
            raise Transient(f"{where} broke off while answering ({type(exc).__name__})") from exc
