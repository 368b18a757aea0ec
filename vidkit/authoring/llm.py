"""The model that writes: the :class:`LLM` protocol every authoring step is handed, and
:func:`build_llm`, which builds the one that ``[llm]`` in the config names."""

from __future__ import annotations

from vidkit.backends.llm.protocol import LLM
from vidkit.config import Config

__all__ = ["LLM", "build_llm"]


def build_llm(config: Config) -> LLM:
    """The LLM ``[llm] backend`` names: ``embedded`` (SmolLM2-135M in-process, weak but valid),
    ``openai`` (``[llm.cloud]``), ``ollama`` or ``llamacpp`` (``[llm.local]``). Nothing is
    loaded yet: the embedded model loads, and a service is first reached, on the first call."""
    from vidkit.backends.registry import build_llm as build

    return build(config)
