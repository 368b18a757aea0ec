"""The LLM behind the authoring routes, and its failures as HTTP statuses.

:class:`LLMSource` builds the model ``[llm]`` describes once, on the first authoring request
(so a server that never writes never loads a model), and keeps it: the embedded model stays
loaded between requests. A build that fails is not kept, so fetching the model or setting the
key while the server runs is enough. :func:`upstream_error` turns a failed call into an
:class:`~vidkit.http._errors.UpstreamError` with the status that says what happened:

====== ========================================================================================
502    the service failed (HTTP 5xx after the retries), refused the key or the request, or
       answered with output that never matched the schema
503    it is not reachable (connection refused), not set up on this server (no model file, no
       package, no key in the environment), or it is rate-limiting (``Retry-After`` when it
       said how long to wait)
504    it did not answer within its ``timeout_s``
====== ========================================================================================

The message stays the library's one line, which names the config key or environment variable
to fix.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from vidkit.backends.llm.retry import LLMOutputError, Transient
from vidkit.config import Config
from vidkit.errors import BackendError, ConfigError, Hint
from vidkit.hints import SETUP
from vidkit.http._errors import UpstreamError

if TYPE_CHECKING:
    from vidkit.authoring import LLM

__all__ = ["LLMSource", "upstream_error"]


class LLMSource:
    """The app's LLM: ``llm`` when given (a model of your own), else built from ``config``."""

    def __init__(self, config: Config, llm: LLM | None = None) -> None:
        self.config = config
        self._llm = llm
        self._lock = threading.Lock()

    @property
    def attempts(self) -> int:
        """How many answers a step asks for before it gives up on invalid ones."""
        return self.config.llm.retries + 1

    def get(self) -> LLM:
        """The model; an :class:`UpstreamError` (503) when it cannot be set up."""
        with self._lock:
            if self._llm is None:
                try:
                    self._llm = _build(self.config)
                except (BackendError, ConfigError) as exc:
                    raise UpstreamError(
                        f"the LLM is not available: {exc}", status=503, hint=exc.hint
                    ) from exc
            return self._llm


def _build(config: Config) -> LLM:
    from vidkit.authoring import build_llm

    llm = build_llm(config)
    if config.llm.backend == "embedded":
        from vidkit.backends.llm.embedded import INSTALL_HINT, NOT_INSTALLED, EmbeddedLLM

        assert isinstance(llm, EmbeddedLLM)
        # What the model's first use would find, found now, so that it is a 503 and not kept.
        if importlib.util.find_spec("llama_cpp") is None:
            raise BackendError(NOT_INSTALLED, hint=INSTALL_HINT)
        if not llm.gguf.is_file():
            raise BackendError(
                f"the embedded model file {llm.gguf} is missing",
                hint=Hint(
                    "fetch_models",
                    cli="set [llm.embedded] gguf to a GGUF file, or leave it empty for "
                    "SmolLM2-135M and run `make models`",
                    studio=f"{SETUP} fetch the offline models",
                ),
            )
    return llm


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and the exceptions it was raised from, as a traceback shows them."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if current.__cause__ is not None:
            current = current.__cause__
        elif not current.__suppress_context__:
            current = current.__context__
        else:
            current = None


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _timed_out(exc: BaseException) -> bool:
    # httpx.TimeoutException (Ollama), openai.APITimeoutError, socket and builtin timeouts
    return isinstance(exc, TimeoutError) or bool(
        _names(exc) & {"TimeoutException", "APITimeoutError"}
    )


def _rate_limited(exc: BaseException) -> bool:
    return "RateLimitError" in _names(exc) or getattr(exc, "status_code", None) == 429


def _refused(exc: BaseException) -> bool:
    # httpx.ConnectError (under openai's APIConnectionError, or Ollama's client)
    return isinstance(exc, ConnectionRefusedError) or "ConnectError" in _names(exc)


def upstream_error(exc: BackendError) -> UpstreamError:
    """The HTTP form of a failed LLM call (see the module docstring)."""
    if isinstance(exc, UpstreamError):
        return exc
    message = str(exc)
    if isinstance(exc, LLMOutputError):
        return UpstreamError(message, hint=exc.hint, status=502)
    chain = list(_chain(exc))
    transient = next((e for e in chain if isinstance(e, Transient)), None)
    if transient is not None:
        wait = transient.retry_after_s
        if wait is not None or any(_rate_limited(e) for e in chain):
            seconds = max(1, math.ceil(wait)) if wait is not None else None
            return UpstreamError(message, hint=exc.hint, status=503, retry_after_s=seconds)
        if any(_timed_out(e) for e in chain):
            return UpstreamError(message, hint=exc.hint, status=504)
        return UpstreamError(message, hint=exc.hint, status=502)
    if any(_refused(e) or isinstance(e, ImportError) for e in chain):
        return UpstreamError(message, hint=exc.hint, status=503)
    return UpstreamError(message, hint=exc.hint, status=502)
