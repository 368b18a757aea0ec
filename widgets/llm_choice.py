"""Which LLM writes in the studio: a note that names it (and says so when it is the weak
embedded one), and the model itself, built from ``[llm]`` on first use."""

from __future__ import annotations

import html
import threading
from typing import TYPE_CHECKING

from vidkit.authoring import build_llm

if TYPE_CHECKING:
    from vidkit import Workspace
    from vidkit.authoring import LLM

__all__ = ["LLMChoice", "model_note"]

_WEAK = (
    "The embedded model (SmolLM2-135M, offline) is in use: its output is weak but always valid, "
    "good for demos and tests, not for a real video. For real scripts set <code>[llm] backend"
    "</code> in config.toml to <code>openai</code>, <code>ollama</code> or <code>llamacpp</code> "
    "(see docs/llm.md)."
)


def model_note(ws: Workspace, llm: LLM | None = None) -> tuple[str, bool]:
    """Which model writes, as HTML for the panel, and whether it is the weak embedded one."""
    config = ws.config.llm
    if llm is not None and llm.name != config.backend:
        weak = llm.name == "embedded"
        return (_WEAK if weak else f"Model: {html.escape(llm.name)}."), weak
    if config.backend == "embedded":
        if not config.embedded.gguf:
            return _WEAK, True
        return (
            f"Model: the GGUF file {html.escape(config.embedded.gguf)} in-process "
            "(<code>[llm.embedded] gguf</code>).",
            False,
        )
    if config.backend == "openai":
        where = f"{config.cloud.model} at {config.cloud.base_url}"
    elif config.backend == "ollama":
        where = f"{config.local.model} on Ollama at {config.local.ollama_url}"
    else:
        where = f"{config.local.model} on llama.cpp at {config.local.llamacpp_url}"
    note = f'Model: {html.escape(where)} (<code>[llm] backend = "{config.backend}"</code>).'
    return note, False


class LLMChoice:
    """The model a panel writes with: ``llm`` when given, else the one ``[llm]`` in the
    workspace's config names, built by the first :meth:`get` (the embedded model loads then,
    so call it from a background thread). A build that fails is not kept: fixing the config
    or the key and asking again is enough."""

    def __init__(self, ws: Workspace, llm: LLM | None = None) -> None:
        self.ws = ws
        self.llm = llm
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self.llm is not None

    @property
    def attempts(self) -> int:
        """How many answers a step asks for before it gives up on invalid ones."""
        return self.ws.config.llm.retries + 1

    def get(self) -> LLM:
        with self._lock:
            if self.llm is None:
                self.llm = build_llm(self.ws.config)
            return self.llm

    def note(self) -> tuple[str, bool]:
        """:func:`model_note` for this model."""
        return model_note(self.ws, self.llm)
