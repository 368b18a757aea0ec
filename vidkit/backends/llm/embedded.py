"""The embedded model: llama-cpp-python in this process, offline, grammar-constrained.

The default GGUF is SmolLM2-135M-Instruct (Q4_1, 98 MB, fetched by `vidkit models fetch`). The
JSON schema is turned into a llama.cpp grammar, so every token it samples keeps the answer
valid JSON for the schema (string lengths and item counts included): its answers are weak but
always parse. Use it for demos and tests; point ``[llm] backend`` at a bigger model for real
scripts. One thread by default: on a busy CPU more threads collapse to a few tokens a second.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from vidkit.backends._fingerprint import file_tag, package_version
from vidkit.backends.llm.protocol import Message, Progress, Reply
from vidkit.errors import BackendError, Hint
from vidkit.hints import SETUP

__all__ = ["EmbeddedLLM"]

log = logging.getLogger("vidkit.backends.llm")
#: Small models loop on a phrase without it.
REPEAT_PENALTY = 1.1
NOT_INSTALLED = "llama-cpp-python is not installed"
INSTALL_HINT = Hint(
    "install_package",
    cli="run `make models` (it builds the wheel once, about 11 minutes, and keeps it), or "
    "choose another [llm] backend",
    studio=f"{SETUP} install llama-cpp-python, or to choose another [llm] backend",
)


class EmbeddedLLM:
    """A GGUF model run by llama.cpp in-process. The model loads on first use (about 0.2 s)."""

    def __init__(
        self,
        gguf: Path,
        *,
        threads: int = 1,
        context_tokens: int = 2048,
        temperature: float = 0.3,
        seed: int = 0,
    ) -> None:
        self.gguf = Path(gguf)
        self.threads = threads
        self.temperature = temperature
        self.seed = seed
        self._context_tokens = context_tokens
        self._llama: Any = None
        self._grammars: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EmbeddedLLM(gguf={str(self.gguf)!r}, threads={self.threads})"

    @property
    def name(self) -> str:
        return "embedded"

    @property
    def where(self) -> str:
        return f"[llm.embedded] gguf {self.gguf}"

    @property
    def context_tokens(self) -> int:
        return self._context_tokens

    def fingerprint(self) -> str:
        return (
            f"embedded:llama-cpp-python={package_version('llama-cpp-python')}"
            f":{file_tag(self.gguf)}:ctx={self._context_tokens}:t={self.temperature}"
            f":seed={self.seed}:rp={REPEAT_PENALTY}"
        )

    def chat_json(
        self,
        messages: Sequence[Message],
        schema: Mapping[str, Any],
        *,
        max_tokens: int,
        progress: Progress | None = None,
    ) -> Reply:
        with self._lock:
            llama = self._load()
            grammar = self._grammar(schema)
            start = time.monotonic()
            parts: list[str] = []
            finish = "stop"
            try:
                stream = llama.create_chat_completion(
                    messages=[dict(m) for m in messages],
                    grammar=grammar,
                    max_tokens=max_tokens,
                    temperature=self.temperature,
                    repeat_penalty=REPEAT_PENALTY,
                    seed=self.seed,
                    stream=True,
                )
                for chunk in stream:
                    choice = chunk["choices"][0]
                    content = choice["delta"].get("content")
                    if content:
                        parts.append(content)
                        if progress is not None:
                            progress(len(parts), max_tokens)
                    if choice.get("finish_reason"):
                        finish = choice["finish_reason"]
            except ValueError as exc:  # the prompt does not fit the context
                raise BackendError(
                    f"the embedded model cannot read this much at once ({exc}); raise "
                    "[llm.embedded] context_tokens, or shorten the input"
                ) from exc
            seconds = time.monotonic() - start
        log.info("embedded model: %d tokens in %.1f s", len(parts), seconds)
        return Reply("".join(parts), len(parts), finish, seconds)

    def generate(self, prompt: str, *, max_tokens: int) -> Reply:
        """Plain generation without a grammar (the benchmark's baseline)."""
        with self._lock:
            llama = self._load()
            start = time.monotonic()
            parts = []
            finish = "stop"
            for chunk in llama.create_completion(
                prompt, max_tokens=max_tokens, temperature=self.temperature, seed=self.seed,
                stream=True,
            ):  # fmt: skip
                choice = chunk["choices"][0]
                if choice.get("text"):
                    parts.append(choice["text"])
                finish = choice.get("finish_reason") or finish
            return Reply("".join(parts), len(parts), finish, time.monotonic() - start)

    def _load(self) -> Any:
        if self._llama is None:
            if not self.gguf.is_file():
                raise BackendError(
                    f"the embedded model file {self.gguf} is missing",
                    hint=Hint(
                        "fetch_models",
                        cli="run `vidkit models fetch`, or set [llm.embedded] gguf to a GGUF file",
                        studio=f"{SETUP} fetch the offline models",
                    ),
                )
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise BackendError(NOT_INSTALLED, hint=INSTALL_HINT) from exc
            try:
                self._llama = Llama(
                    model_path=str(self.gguf),
                    n_ctx=self._context_tokens,
                    n_threads=self.threads,
                    n_threads_batch=self.threads,
                    seed=self.seed,
                    verbose=False,
                )
            except (ValueError, RuntimeError) as exc:
                raise BackendError(
                    f"llama.cpp could not load {self.gguf} ({exc}); is it a GGUF file? "
                    "Check [llm.embedded] gguf"
                ) from exc
        return self._llama

    def _grammar(self, schema: Mapping[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            from llama_cpp.llama_grammar import LlamaGrammar

            from vidkit.backends.llm.grammar import schema_to_gbnf

            self._grammars[key] = LlamaGrammar.from_string(schema_to_gbnf(schema), verbose=False)
        return self._grammars[key]
