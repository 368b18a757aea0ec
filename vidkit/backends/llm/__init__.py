"""LLM backends: one :class:`~vidkit.backends.llm.protocol.LLM` protocol, one module per backend.

- ``openai``: :mod:`vidkit.backends.llm.openai_chat`, OpenAI chat completions with
  ``response_format`` json_schema.
- ``llamacpp``: :mod:`vidkit.backends.llm.openai_chat` (its base URL), the same from a
  llama.cpp server.
- ``ollama``: :mod:`vidkit.backends.llm.ollama_chat`, Ollama ``/api/chat`` with ``format`` =
  the schema.
- ``embedded``: :mod:`vidkit.backends.llm.embedded`, llama-cpp-python in-process,
  grammar-constrained to the schema.

Every backend returns raw text for a JSON schema; :func:`vidkit.backends.llm.retry.structured`
validates it with pydantic and asks again, with the validation error, a bounded number of times.
HTTP backends retry 429 (honouring ``Retry-After``), 5xx and timeouts with bounded backoff
(:func:`vidkit.backends.llm.retry.with_retries`). Prompts are versioned files in ``prompts/``
(:mod:`vidkit.backends.llm.prompt`). Nothing heavy is imported until a backend is used.
:func:`vidkit.backends.registry.build_llm` builds the one ``[llm]`` names; :mod:`vidkit.authoring`
uses it.
"""
